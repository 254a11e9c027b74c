"""The public portal puts the documents first, links to the login page, and is never stale."""
import re

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


def _table_block(client, project):
    """The HTML of the project's table on its unit page."""
    page = client.get(_unit_url(project)).text
    rest = page.split(f'id="project-{project.pk}" data-testid="table">', 1)[1]
    return re.split(r'data-testid="table"|</section>', rest)[0]


def _link_texts(html):
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", html, re.S)]


def _text(html):
    return re.sub(r"<[^>]+>", "", html)


def _validators(response):
    return {"HTTP_IF_NONE_MATCH": response["ETag"], "HTTP_IF_MODIFIED_SINCE": response["Last-Modified"]}


def test_a_table_offers_one_pdf_and_one_excel_download_before_anything_else_of_it(client, published):
    links = _link_texts(_table_block(client, published))
    assert links[:2] == ["下载 PDF", "下载 Excel"]
    assert links.count("下载 PDF") == 1 and links.count("下载 Excel") == 1


def test_a_tables_open_data_and_sha256_are_in_a_closed_details(client, published):
    block = _table_block(client, published)
    before, details = block.split("<details", 1)
    assert re.match(r' class="small" data-testid="open-data">\s*<summary>开放数据与校验</summary>', details)
    assert _link_texts(details) == ["CSV（指标）", "JSON（开放数据）"]
    for stored in PublishedFile.objects.filter(publication__project=published):
        assert stored.sha256 not in _text(before) and stored.sha256 in _text(details)


def test_the_on_screen_document_comes_after_the_downloads_collapsed(client, published):
    page = client.get(_unit_url(published)).text
    assert page.index("下载 PDF") < page.index('<details class="mb-4" data-testid="reading">\n  <summary class="h5">在线阅读')
    assert "有效化解信访完成率" in page.split('data-testid="reading"')[1]


def test_search_results_link_to_the_table_and_its_pdf_and_say_how_many(client, published):
    page = client.get(reverse("public_search"), {"q": "驻京"}).text
    assert "共 1 条" in page
    assert f'href="{_unit_url(published)}#project-{published.pk}"' in page
    pdf = PublishedFile.objects.get(publication__project=published, format="pdf")
    assert f'href="{_file_url(pdf)}" data-format="pdf">下载 PDF</a>' in page


def test_the_portal_links_to_the_login_page(client, db):
    assert f'href="{reverse("login")}" data-testid="login">工作人员登录</a>' in client.get(reverse("public_index")).text


def test_the_login_page_links_to_the_portal(client, db):
    page = client.get(reverse("login")).text
    assert f'href="{reverse("public_index")}" data-testid="portal">查阅已公开的预算绩效目标（无需登录）</a>' in page


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


def test_a_search_with_more_results_than_a_page_pages_them_and_says_which(client, published, filler, reviewer, monkeypatch):
    _publish(ProjectDeclaration.objects.get(code="13028124P00096910001U"), filler, reviewer)
    monkeypatch.setattr("public.search.SEARCH_PAGE", 1)
    first = client.get(reverse("public_search"), {"year": 2024})
    second = client.get(reverse("public_search"), {"year": 2024, "page": 2})
    assert "共 2 条，第 1/2 页（第 1–1 条）" in first.text and "共 2 条，第 2/2 页（第 2–2 条）" in second.text
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text
    names = [response.context["results"][0]["name"] for response in (first, second)]
    assert len(set(names)) == 2  # each table on one page, none twice
    assert client.get(reverse("public_search"), {"year": 2024, "page": 9}).context["page"] == 2  # past the end: the last
    assert client.get(reverse("public_search"), {"year": 2024, "page": "x"}).context["page"] == 1


def test_a_search_pages_no_deeper_than_its_cap_and_says_to_narrow_it(client, published, filler, reviewer, monkeypatch):
    _publish(ProjectDeclaration.objects.get(code="13028124P00096910001U"), filler, reviewer)
    monkeypatch.setattr("public.search.SEARCH_PAGE", 1)
    monkeypatch.setattr("public.search.SEARCH_MAX_PAGES", 1)
    response = client.get(reverse("public_search"), {"year": 2024, "page": 2})
    assert response.context["page"] == 1 and "结果太多，只能翻到第 1 页" in response.text
