"""The public portal is never stale: pages revalidate and answer HEAD."""
import pytest
from django.urls import reverse

from declarations.models import ProjectDeclaration
from public import services as publishing
from public.models import PublishedFile
from review import services

CODE = "13028124P00096710001G"  # 驻京工作经费 of 遵化市信访局, 2024


def _publish(project, filler, reviewer):
    project = services.declaration_submit(declaration=project, user=filler)
    project = services.declaration_approve(declaration=project, user=reviewer)
    return publishing.declaration_publish(declaration=project, user=reviewer)


@pytest.fixture
def published(db, filler, reviewer):
    return _publish(ProjectDeclaration.objects.get(code=CODE), filler, reviewer)


def _unit_url(project):
    return reverse("public_unit_year", args=[project.unit_id, project.year.year])


def _file_url(stored):
    return reverse("public_file", args=[stored.pk, stored.sha256, stored.filename])


def _validators(response):
    return {"HTTP_IF_NONE_MATCH": response["ETag"], "HTTP_IF_MODIFIED_SINCE": response["Last-Modified"]}


def test_public_pages_are_revalidated_on_every_visit(client, published):
    for url in (reverse("public_index"), _unit_url(published), reverse("public_search") + "?q=驻京"):
        response = client.get(url)
        assert response["Cache-Control"] == "public, max-age=0, must-revalidate", url
        assert response["ETag"] and response["Last-Modified"], url


def test_a_search_repeated_after_a_publication_with_its_validators_finds_the_new_table(
    client, published, filler, reviewer
):
    before = client.get(reverse("public_search"), {"q": "办公费"})
    assert 'data-testid="empty"' in before.text
    _publish(ProjectDeclaration.objects.get(code="13028124P00096910001U"), filler, reviewer)
    after = client.get(reverse("public_search"), {"q": "办公费"}, **_validators(before))
    assert after.status_code == 200 and 'data-testid="results"' in after.text and "信访群众工作中心办公费" in after.text


def test_a_page_seen_before_a_withdrawal_is_not_answered_as_unchanged(client, published, reviewer):
    before = client.get(_unit_url(published))
    publishing.declaration_unpublish(declaration=published, user=reviewer, reason="数据有误")
    assert client.get(_unit_url(published), **_validators(before)).status_code == 404


@pytest.mark.parametrize("header", ["HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"])
def test_an_unchanged_page_answers_304_to_a_conditional_request(client, published, header):
    for url in (reverse("public_index"), _unit_url(published), reverse("public_search") + "?q=驻京"):
        first = client.get(url)
        again = client.get(url, **{header: _validators(first)[header]})
        assert again.status_code == 304 and again.content == b"", url
        assert again["ETag"] == first["ETag"], url


def test_head_answers_200_with_the_headers_of_get_and_no_body(client, published):
    pdf = PublishedFile.objects.get(publication__project=published, format="pdf")
    for url in (reverse("public_index"), _unit_url(published), _file_url(pdf)):
        get, head = client.get(url), client.head(url)
        assert head.status_code == 200 and head.content == b"", url
        for name in ("Content-Type", "ETag", "Cache-Control"):
            assert head[name] == get[name], (url, name)
    assert client.head(_file_url(pdf))["Content-Length"] == str(pdf.size)
