"""A published self-evaluation's PDF and Excel: rendered once by a worker after 公开, stored under
their SHA-256 and served as stored files; the anonymous pages never render one (issue 16)."""
import hashlib
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.exports.worker import RenderError
from evaluation import services
from evaluation.models import SelfEvaluation, SelfEvaluationPublication, SelfEvaluationPublicationFile
from jobs.models import Job

from ..export_text import flat, pdf_text
from .conftest import fill_self_evaluation, values_by_name

pytestmark = pytest.mark.django_db
PENDING = '<p class="alert alert-info" data-testid="files-pending">PDF 和 Excel 文件生成中，请稍后刷新本页下载。</p>'


@pytest.fixture
def approved(evaluation, filler, reviewer):
    fill_self_evaluation(evaluation, filler)
    services.self_evaluation_submit(evaluation=evaluation, user=filler)
    value = values_by_name(evaluation)["处置极端突发信访事件"]
    services.self_evaluation_judge(evaluation=evaluation, user=reviewer, judgements={value.pk: ("", Decimal("25"))})
    return services.self_evaluation_approve(evaluation=evaluation, user=reviewer)


@pytest.fixture
def publication(approved, reviewer):
    """Published, its files' job not run yet (the test's transaction never commits)."""
    services.self_evaluation_publish(evaluation=approved, user=reviewer)
    return SelfEvaluationPublication.objects.get(evaluation=approved)


@pytest.fixture
def published(publication):
    services.self_evaluation_files_create(publication=publication)
    return publication


@pytest.fixture
def no_render(monkeypatch):
    """Any PDF or workbook render from here on fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("rendered in the request")

    for target in ("evaluation.exports.render_pdf", "evaluation.exports.render_xlsx",
                   "declarations.exports.pdf.render_pdf_here"):
        monkeypatch.setattr(target, refuse)


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


# -- the service ------------------------------------------------------------------------------

def test_the_files_are_rendered_from_the_snapshot_and_stored_under_their_hash(publication, approved):
    SelfEvaluation.objects.filter(pk=approved.pk).update(goal_achieved="公开后改动")
    pdf, xlsx = services.self_evaluation_files_create(publication=publication)
    assert (pdf.format, pdf.filename) == ("pdf", "2024-遵化市信访局-驻京信访工作经费-项目支出绩效自评表.pdf")
    assert (xlsx.format, xlsx.filename) == ("xlsx", "2024-遵化市信访局-驻京信访工作经费-项目支出绩效自评表.xlsx")
    contents = {}
    for stored in (pdf, xlsx):
        with stored.file.open("rb") as handle:
            contents[stored.format] = handle.read()
        assert stored.sha256 == hashlib.sha256(contents[stored.format]).hexdigest()
        assert stored.size == len(contents[stored.format])
        assert stored.file.name.startswith("published/self-evaluations/") and stored.sha256[:16] in stored.file.name
    text = flat(pdf_text(contents["pdf"]))
    assert flat("自评等级：优") in text and "公开后改动" not in text


def test_files_made_twice_are_stored_once(publication):
    first = services.self_evaluation_files_create(publication=publication)
    second = services.self_evaluation_files_create(publication=publication)
    assert [f.pk for f in first] == [f.pk for f in second]
    assert SelfEvaluationPublicationFile.objects.filter(publication=publication).count() == 2


def test_publishing_renders_the_files_in_a_job_after_the_commit(approved, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.self_evaluation_publish(evaluation=approved, user=reviewer)
        assert not SelfEvaluationPublicationFile.objects.exists()  # nothing rendered before the commit
    job = Job.objects.get()
    assert (job.kind, job.title, job.state, job.user, job.message) == (
        "publish", "生成公开文件：2024年「驻京信访工作经费」绩效自评", "done", reviewer, "公开文件已生成。")
    assert sorted(SelfEvaluationPublicationFile.objects.values_list("format", flat=True)) == ["pdf", "xlsx"]


def test_a_pdf_over_its_limit_ends_the_job_with_the_limit_named_and_leaves_the_publication(
        approved, reviewer, django_capture_on_commit_callbacks, monkeypatch):
    def over(document):
        raise RenderError("timeout", "took too long", summary="PDF 生成超过 60 秒")

    monkeypatch.setattr("evaluation.exports.render_pdf", over)
    with django_capture_on_commit_callbacks(execute=True):
        services.self_evaluation_publish(evaluation=approved, user=reviewer)
    job = Job.objects.get()
    assert (job.state, job.message) == ("failed", "生成公开文件失败：PDF 生成超过 60 秒")
    assert SelfEvaluationPublication.objects.filter(evaluation=approved).exists()
    assert not SelfEvaluationPublicationFile.objects.exists()


# -- the anonymous pages ----------------------------------------------------------------------

def test_before_its_files_are_stored_the_public_page_says_they_are_being_made(client, publication, no_render):
    page = client.get(reverse("public_self_evaluation", args=[publication.pk])).content.decode()
    assert PENDING in page
    assert reverse("public_self_evaluation_file", args=[publication.pk, "pdf"]) not in page


def test_before_its_files_are_stored_the_file_url_answers_a_small_404_page(client, publication, no_render):
    response = client.get(reverse("public_self_evaluation_file", args=[publication.pk, "pdf"]))
    assert response.status_code == 404
    assert '<h1 class="h4">文件生成中，请稍后刷新</h1>' in response.content.decode()


def test_once_stored_the_public_page_links_both_files(client, published, no_render):
    page = client.get(reverse("public_self_evaluation", args=[published.pk])).content.decode()
    assert PENDING not in page
    assert f'<a class="btn btn-primary" href="{reverse("public_self_evaluation_file", args=[published.pk, "pdf"])}">下载 PDF</a>' in page


def test_the_public_page_reads_the_publication_and_its_files_in_one_query(client, published, no_render,
                                                                        django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(reverse("public_self_evaluation", args=[published.pk])).status_code == 200


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_the_public_file_is_the_stored_file_in_one_query_and_never_rendered(client, published, fmt, no_render,
                                                                            django_assert_num_queries):
    stored = published.files.get(format=fmt)
    with django_assert_num_queries(1):
        response = client.get(reverse("public_self_evaluation_file", args=[published.pk, fmt]))
    body = _body(response)
    assert response.status_code == 200 and hashlib.sha256(body).hexdigest() == stored.sha256
    assert response["ETag"] == f'"{stored.sha256}"' and response["X-Content-Type-Options"] == "nosniff"
    assert unquote(response["Content-Disposition"]) == f"attachment; filename*=UTF-8''{stored.filename}"


def test_the_public_workbook_holds_the_published_grade(client, published, no_render, tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(_body(client.get(reverse("public_self_evaluation_file", args=[published.pk, "xlsx"]))))
    book = openpyxl.load_workbook(path)
    cells = {str(c.value) for row in book[book.sheetnames[0]].iter_rows() for c in row if c.value is not None}
    assert {"自评等级：优", "驻京信访工作经费", "遵化市信访局", "（2024年度）"} <= cells


def test_behind_nginx_the_public_file_is_an_accel_redirect_with_no_body(client, published, settings, no_render):
    settings.PUBLIC_ACCEL_REDIRECT_PREFIX = "/_protected/"
    stored = published.files.get(format="pdf")
    response = client.get(reverse("public_self_evaluation_file", args=[published.pk, "pdf"]))
    assert unquote(response["X-Accel-Redirect"]) == f"/_protected/{stored.file.name}?v={stored.sha256}"
    assert response.content == b""


def test_a_browser_holding_the_file_gets_304(client, published, no_render):
    stored = published.files.get(format="pdf")
    response = client.get(reverse("public_self_evaluation_file", args=[published.pk, "pdf"]),
                          HTTP_IF_NONE_MATCH=f'"{stored.sha256}"')
    assert response.status_code == 304


def test_a_withdrawn_publication_or_an_unknown_format_has_no_file(client, published, no_render):
    assert client.get(reverse("public_self_evaluation_file", args=[published.pk, "docx"])).status_code == 404
    SelfEvaluationPublication.objects.filter(pk=published.pk).update(withdrawn_at=timezone.now())
    response = client.get(reverse("public_self_evaluation_file", args=[published.pk, "pdf"]))
    assert response.status_code == 404 and "文件生成中" not in response.content.decode()


# -- the reviewer's page ----------------------------------------------------------------------

def test_the_reviewer_sees_the_files_pending_and_starts_them_again(client, reviewer, publication):
    client.force_login(reviewer)
    page = client.get(reverse("self_evaluation", args=[publication.evaluation_id])).content.decode()
    assert '<span class="text-muted small" data-testid="public-files-pending">公开文件生成中，请稍后刷新</span>' in page
    assert f'action="{reverse("self_evaluation_files", args=[publication.evaluation_id])}"' in page
    response = client.post(reverse("self_evaluation_files", args=[publication.evaluation_id]))
    job = Job.objects.get()
    assert response.url == reverse("job", args=[job.pk]) and job.state == "done"
    page = client.get(reverse("self_evaluation", args=[publication.evaluation_id])).content.decode()
    assert "public-files-pending" not in page and publication.files.count() == 2


def test_the_filler_sees_the_files_pending_but_cannot_start_them(client, filler, publication):
    client.force_login(filler)
    page = client.get(reverse("self_evaluation", args=[publication.evaluation_id])).content.decode()
    assert "公开文件生成中，请稍后刷新" in page and "重新生成公开文件" not in page
    assert client.post(reverse("self_evaluation_files", args=[publication.evaluation_id])).status_code == 404
    assert not Job.objects.exists()


def test_an_outsider_cannot_start_the_files(client, other_reviewer, publication):
    client.force_login(other_reviewer)
    assert client.post(reverse("self_evaluation_files", args=[publication.evaluation_id])).status_code == 404
    assert not Job.objects.exists()
