"""The public portal stays cheap per visit: pages rendered once per publication, downloads after a
constant-query check, ZIPs built once and streamed, a search table kept at publication."""
import io
import zipfile

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.encoding import escape_uri_path

from declarations.models import DepartmentDeclaration, ProjectDeclaration
from public import search as search_entries
from public import services as publishing
from public.models import BatchExport, DocumentRelease, PublishedFile, SearchEntry

from .test_public import _publish, published  # noqa: F401 - the fixture: 遵化's 驻京信访工作经费 published

OTHER_ZUNHUA_PROJECT = "13028124P00096910001U"


def _pages(project):
    return {
        "index": reverse("public_index"),
        "bureau": reverse("public_bureau", args=[project.unit.bureau_id]),
        "unit_year": reverse("public_unit_year", args=[project.unit_id, project.year.year]),
    }


@pytest.mark.parametrize("page", ["index", "bureau", "unit_year"])
def test_a_second_visit_to_a_public_page_runs_at_most_two_queries(client, published, page, django_assert_max_num_queries):
    url = _pages(published)[page]
    first = client.get(url)
    with django_assert_max_num_queries(2):
        second = client.get(url)
    assert second.status_code == 200 and second.content == first.content


def test_a_publication_shows_at_once_on_the_next_visit_of_a_cached_page(client, published, filler, reviewer):
    url = _pages(published)["unit_year"]
    assert "信访群众工作中心办公费" not in client.get(url).text
    _publish(ProjectDeclaration.objects.get(code=OTHER_ZUNHUA_PROJECT), filler, reviewer)
    assert "信访群众工作中心办公费" in client.get(url).text


def test_a_withdrawal_shows_at_once_on_the_next_visit_of_a_cached_page(client, published, reviewer):
    pages = _pages(published)
    assert "遵化市财政局" in client.get(pages["index"]).text
    assert client.get(pages["unit_year"]).status_code == 200
    publishing.declaration_unpublish(declaration=published, user=reviewer, reason="数据有误")
    assert "遵化市财政局" not in client.get(pages["index"]).text
    assert client.get(pages["unit_year"]).status_code == 404
    assert client.get(pages["bureau"]).status_code == 404


def test_a_query_string_does_not_make_a_new_cached_page(client, published, django_assert_max_num_queries):
    url = _pages(published)["unit_year"]
    client.get(url)
    with django_assert_max_num_queries(2):
        assert client.get(url, {"anything": "x"}).status_code == 200


def test_the_bureau_page_form_carries_no_per_visitor_token_and_starts_the_zip(client, published):
    page = client.get(_pages(published)["bureau"]).text
    assert "csrfmiddlewaretoken" not in page
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("public_batch_start", args=[published.unit.bureau_id, 2024]))
    assert response.status_code == 302


# --- downloads ---------------------------------------------------------------------------------

def _release_pdf(project):
    return PublishedFile.objects.filter(release__unit=project.unit, format="pdf").order_by("-release__number").first()


def _file_url(stored):
    return reverse("public_file", args=[stored.pk, stored.sha256, stored.filename])


@pytest.mark.parametrize("accel", ["", "/_protected/"])
def test_a_release_file_is_checked_in_one_query_however_many_tables_it_holds(
    client, published, filler, reviewer, settings, accel, django_assert_num_queries
):
    settings.PUBLIC_ACCEL_REDIRECT_PREFIX = accel
    url = _file_url(_release_pdf(published))
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    _publish(ProjectDeclaration.objects.get(code=OTHER_ZUNHUA_PROJECT), filler, reviewer)
    _publish(DepartmentDeclaration.objects.get(unit=published.unit, year=published.year), filler, reviewer)
    stored = _release_pdf(published)
    assert stored.release.publications.count() == 3
    url = _file_url(stored)
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def test_without_a_prefix_the_file_is_streamed_from_storage(client, published, settings):
    settings.PUBLIC_ACCEL_REDIRECT_PREFIX = ""
    stored = _release_pdf(published)
    response = client.get(_file_url(stored))
    assert b"".join(response.streaming_content) == stored.file.open("rb").read()
    assert "X-Accel-Redirect" not in response


def test_with_a_prefix_nginx_gets_the_storage_name_and_the_browser_the_file_name(client, published, settings):
    settings.PUBLIC_ACCEL_REDIRECT_PREFIX = "/_protected/"
    stored = _release_pdf(published)
    response = client.get(_file_url(stored))
    assert response.content == b""
    assert response["X-Accel-Redirect"] == escape_uri_path(f"/_protected/{stored.file.name}") + f"?v={stored.sha256}"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=UTF-8''{escape_uri_path(stored.filename)}"


def test_a_release_file_is_refused_once_one_of_its_tables_is_withdrawn(client, published, filler, reviewer):
    _publish(ProjectDeclaration.objects.get(code=OTHER_ZUNHUA_PROJECT), filler, reviewer)
    stored = _release_pdf(published)
    publishing.declaration_unpublish(declaration=published, user=reviewer, reason="数据有误")
    assert client.get(_file_url(stored)).status_code == 404
    assert client.get(_file_url(_release_pdf(published))).status_code == 200  # the new release, without it


# --- the bureau ZIP ----------------------------------------------------------------------------

def _zip(client, bureau_pk, year, capture):
    with capture(execute=True):
        client.post(reverse("public_batch_start", args=[bureau_pk, year]))
    return BatchExport.objects.order_by("-pk").first()


def test_the_zip_stores_pdf_and_excel_and_deflates_text(client, published, django_capture_on_commit_callbacks):
    batch = _zip(client, published.unit.bureau_id, 2024, django_capture_on_commit_callbacks)
    with batch.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    methods = {info.filename.rsplit(".", 1)[1]: info.compress_type for info in archive.infolist()}
    assert methods == {"pdf": zipfile.ZIP_STORED, "xlsx": zipfile.ZIP_STORED,
                       "json": zipfile.ZIP_DEFLATED, "csv": zipfile.ZIP_DEFLATED}
    for info in archive.infolist():
        stored = PublishedFile.objects.get(release__isnull=False, filename=info.filename.rsplit("/", 1)[1])
        assert archive.read(info) == stored.file.open("rb").read()
    assert archive.testzip() is None


def test_the_zip_is_built_once_for_its_content_and_again_when_it_changes(
    client, published, filler, reviewer, django_capture_on_commit_callbacks
):
    first = _zip(client, published.unit.bureau_id, 2024, django_capture_on_commit_callbacks)
    again = _zip(client, published.unit.bureau_id, 2024, django_capture_on_commit_callbacks)
    assert again.pk == first.pk and BatchExport.objects.count() == 1
    _publish(ProjectDeclaration.objects.get(code=OTHER_ZUNHUA_PROJECT), filler, reviewer)
    changed = _zip(client, published.unit.bureau_id, 2024, django_capture_on_commit_callbacks)
    assert changed.pk != first.pk and changed.state == "done"
    assert client.get(reverse("public_batch_download", args=[first.pk])).status_code == 404


def _bureau_of_units(count):
    """A bureau with `count` units whose current releases hold the demo release's files."""
    from declarations.models import BudgetYear, FinanceBureau, Unit

    template = DocumentRelease.objects.filter(files__isnull=False).first()
    publication = template.publications.first()
    bureau = FinanceBureau.objects.create(name=f"测试{count}财政局", province="测试省",
                                          layout=FinanceBureau.objects.first().layout)
    year = BudgetYear.objects.get(year=2024)
    for n in range(count):
        unit = Unit.objects.create(bureau=bureau, code=f"T{count}-{n}", name=f"测试单位{n}")
        release = DocumentRelease.objects.create(unit=unit, year=year, number=1)
        release.publications.set([publication])
        for stored in template.files.all():
            PublishedFile.objects.create(release=release, format=stored.format, filename=stored.filename,
                                         file=stored.file.name, sha256=stored.sha256, size=stored.size)
    return bureau, year


@pytest.mark.parametrize("units", [2, 6])
def test_the_zip_download_checks_its_content_in_the_same_queries_however_many_units(
    client, published, units, django_capture_on_commit_callbacks, django_assert_num_queries
):
    bureau, year = _bureau_of_units(units)
    batch = _zip(client, bureau.pk, year.year, django_capture_on_commit_callbacks)
    assert (batch.state, batch.total) == ("done", 4 * units)
    with django_assert_num_queries(4):
        response = client.get(reverse("public_batch_download", args=[batch.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert len(names) == 4 * units and all(name.startswith("2024/") for name in names)


def test_the_zip_download_goes_through_nginx_with_a_prefix(
    client, published, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_ACCEL_REDIRECT_PREFIX = "/_protected/"
    batch = _zip(client, published.unit.bureau_id, 2024, django_capture_on_commit_callbacks)
    response = client.get(reverse("public_batch_download", args=[batch.pk]))
    assert response.content == b"" and response["Content-Type"] == "application/zip"
    assert response["X-Accel-Redirect"] == escape_uri_path(f"/_protected/{batch.file.name}") + f"?v={batch.sha256}"
    assert "2024-" in response["Content-Disposition"]


# --- search ------------------------------------------------------------------------------------

def _search(client, **params):
    return client.get(reverse("public_search"), params)


def test_a_publication_adds_its_search_entry_and_a_withdrawal_removes_it(published, reviewer):
    entry = SearchEntry.objects.get()
    assert (entry.title, entry.unit_name, entry.year, entry.anchor) == (
        "驻京信访工作经费", "遵化市信访局", 2024, f"project-{published.pk}")
    publishing.declaration_unpublish(declaration=published, user=reviewer, reason="数据有误")
    assert not SearchEntry.objects.exists()


@pytest.mark.parametrize("query", ["驻京", "信访", "13028124P0009671", "13028124p0009671", "遵化市信访局"])
def test_search_finds_the_table_by_name_code_or_unit(client, published, query):
    response = _search(client, q=query)
    assert response.context["total"] == 1 and response.context["results"][0]["name"] == "驻京信访工作经费"
    assert response.context["results"][0]["pdf"] == PublishedFile.objects.get(publication__project=published,
                                                                               format="pdf")


def test_search_never_matches_across_two_fields(client, published):
    assert _search(client, q="经费1302").context["total"] == 0


def test_search_filters_by_year_and_lists_the_published_years(client, published):
    assert _search(client, year="2024").context["total"] == 1
    assert _search(client, year="2025").context["total"] == 0
    assert _search(client, q="驻京").context["years"] == [2024]


def test_search_runs_the_same_queries_however_many_tables_match(
    client, published, filler, reviewer, django_assert_num_queries
):
    with django_assert_num_queries(4):  # generation, results, their PDFs, the years
        _search(client, q="信访")
    _publish(ProjectDeclaration.objects.get(code=OTHER_ZUNHUA_PROJECT), filler, reviewer)
    _publish(DepartmentDeclaration.objects.get(unit=published.unit, year=published.year), filler, reviewer)
    with django_assert_num_queries(4):
        assert _search(client, q="信访").context["total"] == 3


def test_the_search_table_gives_the_results_a_scan_of_the_publications_gave(published, filler, reviewer):
    from django.db.models import Q

    _publish(ProjectDeclaration.objects.get(code=OTHER_ZUNHUA_PROJECT), filler, reviewer)
    _publish(DepartmentDeclaration.objects.get(unit=published.unit, year=published.year), filler, reviewer)
    for query in ("信访", "驻京", "部门整体", "P000969", "遵化", "不存在"):
        before = publishing.current_publications().filter(
            Q(title__icontains=query) | Q(code__icontains=query) | Q(unit_name__icontains=query)
        ).order_by("-published_at", "-pk")
        results, total, _ = search_entries.search(query, "")
        assert [r["name"] for r in results] == [p.title for p in before] and total == before.count()


def test_the_migration_fills_the_search_table_for_what_is_public(published, filler, reviewer):
    import importlib

    _publish(DepartmentDeclaration.objects.get(unit=published.unit, year=published.year), filler, reviewer)
    made = sorted(SearchEntry.objects.values_list("publication_id", "title", "anchor", "text", "year", "unit_id"))
    SearchEntry.objects.all().delete()
    migration = importlib.import_module("public.migrations.0004_fill_search_and_generation")
    migration.fill(apps, None)  # reads and writes through the models only, never the schema editor
    assert sorted(SearchEntry.objects.values_list(
        "publication_id", "title", "anchor", "text", "year", "unit_id")) == made and len(made) == 2


def test_on_postgresql_the_search_text_has_a_trigram_index(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's (pg_trgm)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_text_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


# --- the ZIP from an object store --------------------------------------------------------------

def _stored_in(storage, name, content, fmt):
    from django.db.models.fields.files import FieldFile
    from django.utils import timezone

    published = PublishedFile(format=fmt, filename=name, size=len(content), created_at=timezone.now())
    field_file = FieldFile(published, PublishedFile._meta.get_field("file"), storage.save(name, io.BytesIO(content)))
    field_file.storage = storage
    published.file = field_file
    return published


def test_a_zip_of_members_in_an_object_store_holds_each_in_order_read_ahead_in_threads():
    import boto3
    from moto import mock_aws
    from storages.backends.s3 import S3Storage

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="pjd-zip-test")
        storage = S3Storage(bucket_name="pjd-zip-test", region_name="us-east-1", access_key="k", secret_key="s")
        contents = {f"{n:03d}-表.{fmt}": f"{fmt}{n}".encode() * 5000 for n in range(3 * publishing.FETCHERS)
                    for fmt in ("pdf", "csv")}
        entries = [(name, _stored_in(storage, f"published/{name}", content, name.rsplit(".", 1)[1]))
                   for name, content in contents.items()]
        seen = []
        with io.BytesIO() as target:
            publishing.write_zip(entries, target, seen.append)
            archive = zipfile.ZipFile(target)
            assert archive.namelist() == list(contents)
            assert all(archive.read(name) == content for name, content in contents.items())
            kinds = {info.filename.rsplit(".", 1)[1]: info.compress_type for info in archive.infolist()}
        assert kinds == {"pdf": zipfile.ZIP_STORED, "csv": zipfile.ZIP_DEFLATED}
        assert seen == list(range(1, len(contents) + 1))


def test_a_member_missing_from_the_object_store_fails_the_zip_instead_of_leaving_it_out():
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from storages.backends.s3 import S3Storage

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="pjd-zip-test")
        storage = S3Storage(bucket_name="pjd-zip-test", region_name="us-east-1", access_key="k", secret_key="s")
        entries = [(f"{n}.pdf", _stored_in(storage, f"published/{n}.pdf", b"%PDF" * 100, "pdf")) for n in range(20)]
        storage.delete(entries[7][1].file.name)
        with pytest.raises(ClientError), io.BytesIO() as target:
            publishing.write_zip(entries, target)


def test_a_file_name_longer_than_its_column_is_cut_and_keeps_its_extension():
    long_name = "2026-" + "某某县信访局" * 40 + "-信访专项业务经费.pdf"
    cut = publishing.fitting_filename(long_name, 200)
    assert len(cut) == 200 and cut.endswith(".pdf") and cut.startswith("2026-某某县信访局")
    assert publishing.fitting_filename("短.xlsx", 200) == "短.xlsx"
    assert publishing.fitting_filename("x" * 250, 200) == "x" * 200
