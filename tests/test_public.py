"""The public portal: published tables readable and downloadable; nothing else reachable."""
import hashlib
import io
import json
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import User
from declarations.models import ProjectDeclaration, Status
from public.models import BatchExport, PublishedFile
from public import services as publishing
from review import services

from .export_text import pdf_text


def _publish(project, filler, reviewer):
    project = services.declaration_submit(declaration=project, user=filler)
    project = services.declaration_approve(declaration=project, user=reviewer)
    return publishing.declaration_publish(declaration=project, user=reviewer)


@pytest.fixture
def published(db, filler, reviewer):
    return _publish(ProjectDeclaration.objects.get(code="13028124P00096710001G"), filler, reviewer)


def _unit_page(client, project):
    return client.get(reverse("public_unit_year", args=[project.unit_id, project.year.year]))


def _file(project, fmt, release=False):
    if release:
        return PublishedFile.objects.filter(release__unit=project.unit, format=fmt).order_by("-release__number").first()
    return PublishedFile.objects.get(publication__project=project, format=fmt)


def _download(client, published_file):
    response = client.get(reverse("public_file", args=[published_file.pk, published_file.sha256, published_file.filename]))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_a_published_table_is_readable_on_the_unit_page_without_logging_in(client, published):
    response = _unit_page(client, published)
    assert response.status_code == 200
    for text in ("遵化市信访局 2024年度预算绩效目标", "1.驻京工作经费绩效目标表", "有效化解信访完成率", "≥95%"):
        assert text in response.text
    assert "public" in response["Cache-Control"]


def test_the_page_shows_each_files_sha256_and_it_matches_the_download(client, published):
    page = _unit_page(client, published).text
    for fmt in ("pdf", "xlsx", "json", "csv"):
        stored = _file(published, fmt)
        assert stored.sha256 in page
        response, content = _download(client, stored)
        assert response.status_code == 200 and hashlib.sha256(content).hexdigest() == stored.sha256
        assert "immutable" in response["Cache-Control"] and response["ETag"] == f'"{stored.sha256}"'


def test_the_published_files_hold_the_approved_values(client, published):
    _, pdf = _download(client, _file(published, "pdf"))
    assert "驻京信访工作经费" in pdf_text(pdf) and "遵办字[2019]28号" in pdf_text(pdf)
    _, xlsx = _download(client, _file(published, "xlsx"))
    values = {c.value for row in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row}
    assert "有效化解信访完成率" in values
    _, data = _download(client, _file(published, "json"))
    assert json.loads(data)["indicators"][0]["value"] == "≥95%"
    _, rows = _download(client, _file(published, "csv"))
    assert "有效化解信访完成率,有效化解信访完成率,≥95%" in rows.decode("utf-8-sig")


def test_the_whole_document_holds_only_the_published_tables(client, published):
    _, pdf = _download(client, _file(published, "pdf", release=True))
    text = pdf_text(pdf)
    assert "驻京信访工作经费" in text
    assert "信访群众工作中心办公费" not in text  # still a draft
    assert "推进依法逐级信访" not in text  # the 部门整体 is not published


def test_drafts_never_appear_on_public_pages_or_in_search(client, published):
    page = _unit_page(client, published).text
    assert "信访群众工作中心办公费" not in page
    for query in ("信访群众工作中心办公费", "如皋", "信访维稳专项"):
        assert "data-testid=\"results\"" not in client.get(reverse("public_search"), {"q": query}).text
    assert "驻京信访工作经费" in client.get(reverse("public_search"), {"q": "驻京"}).text


@pytest.mark.parametrize("state", ["draft", "submitted", "returned", "approved"])
def test_a_unit_with_nothing_published_answers_404(client, db, state):
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    ProjectDeclaration.objects.filter(pk=project.pk).update(status=state)
    assert _unit_page(client, project).status_code == 404


def test_guessing_the_url_of_a_withdrawn_file_answers_404(client, published, reviewer):
    stored = _file(published, "pdf")
    publishing.declaration_unpublish(declaration=published, user=reviewer, reason="数据有误")
    response, _ = _download(client, stored)
    assert response.status_code == 404
    assert _unit_page(client, published).status_code == 404
    assert 'data-testid="results"' not in client.get(reverse("public_search"), {"q": "驻京"}).text


def test_a_wrong_hash_in_the_file_url_answers_404(client, published):
    stored = _file(published, "pdf")
    assert client.get(reverse("public_file", args=[stored.pk, "0" * 64, stored.filename])).status_code == 404


def test_republishing_after_a_withdrawal_makes_a_new_version_and_the_withdrawn_one_stays_gone(
    client, published, filler, reviewer
):
    old_table = _file(published, "pdf")
    publishing.declaration_unpublish(declaration=published, user=reviewer, reason="需要更新")
    services.declaration_return(declaration=published, user=reviewer, reason="请更新指标值")
    ProjectDeclaration.objects.filter(pk=published.pk).update(purpose="更新后的资金用途")
    _publish(ProjectDeclaration.objects.get(pk=published.pk), filler, reviewer)
    page = _unit_page(client, published).text
    assert "更新后的资金用途" in page and "第2版" in page
    assert 'data-testid="older"' not in page  # the withdrawn first version is not history, it is gone
    old_release = PublishedFile.objects.filter(release__number=1, format="pdf").get()
    assert _download(client, old_release)[0].status_code == 404
    assert _download(client, old_table)[0].status_code == 404


def test_publication_is_refused_when_the_tables_disagree(published, reviewer, filler):
    project = ProjectDeclaration.objects.get(code="13028124P00096910001U")
    project = services.declaration_submit(declaration=project, user=filler)
    project = services.declaration_approve(declaration=project, user=reviewer)
    ProjectDeclaration.objects.filter(pk=project.pk).update(budget=1600000, fiscal_funds=1600000)
    from review.models import Snapshot

    snapshot = Snapshot.objects.get(project=project)
    snapshot.data = services.serialize(ProjectDeclaration.objects.get(pk=project.pk))
    snapshot.save()
    with pytest.raises(services.ReviewError, match="疑似按“元”填写"):
        publishing.declaration_publish(declaration=ProjectDeclaration.objects.get(pk=project.pk), user=reviewer)


def test_publication_is_refused_when_money_does_not_add_up(db, filler, reviewer):
    project = ProjectDeclaration.objects.get(code="13028124P00096910001U")
    project = services.declaration_submit(declaration=project, user=filler)
    project = services.declaration_approve(declaration=project, user=reviewer)
    ProjectDeclaration.objects.filter(pk=project.pk).update(fiscal_funds=10)
    from review.models import Snapshot

    snapshot = Snapshot.objects.get(project=project)
    snapshot.data = services.serialize(ProjectDeclaration.objects.get(pk=project.pk))
    snapshot.save()
    with pytest.raises(services.ReviewError, match="表内数据不一致.*≠ 预算数 16 万元"):
        publishing.declaration_publish(declaration=ProjectDeclaration.objects.get(pk=project.pk), user=reviewer)
    assert ProjectDeclaration.objects.get(pk=project.pk).status == Status.APPROVED


def test_the_batch_zip_holds_the_published_documents_of_the_bureau_and_year(
    client, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("public_batch_start", args=[published.unit.bureau_id, 2024]))
    batch = BatchExport.objects.get()
    assert response.url == reverse("public_batch", args=[batch.pk])
    status = client.get(response.url).text
    assert batch.state == "queued" or "已完成" in status
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.total) == ("done", 4, 4)
    download = client.get(reverse("public_batch_download", args=[batch.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == sorted(
        f"2024/遵化市信访局/{f.filename}" for f in PublishedFile.objects.filter(release__isnull=False)
    )


def test_a_unit_name_with_a_path_never_escapes_its_folder_in_the_batch_zip(
    client, filler, reviewer, django_capture_on_commit_callbacks
):
    from declarations.models import Unit

    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    Unit.objects.filter(pk=project.unit_id).update(name="../../etc/遵化")
    _publish(ProjectDeclaration.objects.get(pk=project.pk), filler, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("public_batch_start", args=[project.unit.bureau_id, 2024]))
    download = client.get(reverse("public_batch_download", args=[BatchExport.objects.get().pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert names and all(name.startswith("2024/") and ".." not in name and name.count("/") == 2 for name in names)


def test_a_second_batch_request_reuses_the_finished_zip(client, published):
    client.post(reverse("public_batch_start", args=[published.unit.bureau_id, 2024]))
    client.post(reverse("public_batch_start", args=[published.unit.bureau_id, 2024]))
    assert BatchExport.objects.count() == 1


def test_a_zip_made_before_a_withdrawal_is_no_longer_served(
    client, published, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("public_batch_start", args=[published.unit.bureau_id, 2024]))
    batch = BatchExport.objects.get()
    publishing.declaration_unpublish(declaration=published, user=reviewer, reason="撤回")
    assert client.get(reverse("public_batch_download", args=[batch.pk])).status_code == 404


def test_a_bureau_with_nothing_published_has_no_zip(client, db):
    from declarations.models import FinanceBureau

    bureau = FinanceBureau.objects.get(name="如皋市财政局")
    assert client.post(reverse("public_batch_start", args=[bureau.pk, 2024])).status_code == 404


def test_the_portal_says_so_when_nothing_is_published(client, db):
    assert 'data-testid="empty"' in client.get(reverse("public_index")).text
    assert 'data-testid="empty"' in client.get(reverse("public_search"), {"q": "信访"}).text


def test_the_index_lists_bureaus_with_publications(client, published):
    page = client.get(reverse("public_index")).text
    assert "遵化市财政局" in page and "如皋市财政局" not in page
    bureau = client.get(reverse("public_bureau", args=[published.unit.bureau_id])).text
    assert "遵化市信访局" in bureau and "2024年度" in bureau


def test_robots_txt_opens_the_portal_and_closes_the_rest(client, db):
    text = client.get("/robots.txt").text
    assert "Allow: /public/" in text and "Disallow: /admin/" in text


def test_csv_cells_that_would_be_formulas_are_neutralised():
    from public.services import indicators_csv

    content = indicators_csv([("单位", 2024, "项目", {"category": "产出指标", "subcategory": "数量指标",
                                                      "name": "=HYPERLINK(\"http://x\")", "value": "-5"})])
    text = content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",'-5," in text


def test_with_accel_redirect_the_app_only_authorises_and_nginx_sends_the_file(client, published, settings):
    settings.PUBLIC_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    stored = _file(published, "pdf")
    response = client.get(reverse("public_file", args=[stored.pk, stored.sha256, stored.filename]))
    from django.utils.encoding import escape_uri_path

    assert response["X-Accel-Redirect"] == escape_uri_path(f"/protected-media/{stored.file.name}") + f"?v={stored.sha256}"
    assert response.content == b"" and response["ETag"] == f'"{stored.sha256}"'


def test_a_search_with_control_characters_is_answered_not_a_server_error(client, published):
    response = client.get(reverse("public_search"), {"q": "信访\x00\u202e"})
    assert response.status_code == 200 and 'data-testid="results"' in response.text


def test_a_published_file_lost_by_the_storage_answers_404_not_a_server_error(client, published):
    stored = _file(published, "pdf")
    stored.file.storage.delete(stored.file.name)
    response, _content = _download(client, stored)
    assert response.status_code == 404
