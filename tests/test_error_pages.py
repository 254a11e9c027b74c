"""Error pages (400, 403, 404, 500, CSRF failure) in Chinese and in the site's layout, the
interface in Simplified Chinese whatever the browser asks, the admin's header, the favicon."""
import pytest
from django.test import Client
from django.urls import reverse

PASSWORD = "xinfang-demo-2026"
FAVICON_LINK = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
LINKS_HOME_AND_PORTAL = ('<a href="/">返回首页</a>', '<a href="/public/">预算绩效目标公开</a>')


@pytest.fixture
def errors_urlconf(settings):
    settings.ROOT_URLCONF = "tests.error_urls"


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def _login_expired(csrf_client, **extra):
    return csrf_client.post(reverse("login"), {"username": "zunhua-xfj", "password": PASSWORD, "next": "/review/"}, **extra)


def test_a_missing_page_answers_the_chinese_404_page_in_the_site_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1 class=\"h3\">页面不存在</h1>" in response.text
    assert '<a class="navbar-brand" href="/">预算绩效目标申报</a>' in response.text


def test_the_404_page_links_home_and_to_the_public_portal(client, db):
    response = client.get("/no-such-page/")
    assert all(link in response.text for link in LINKS_HOME_AND_PORTAL)


def test_a_forbidden_page_answers_the_chinese_403_page(client, filler, errors_urlconf):
    client.force_login(filler)
    response = client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    assert "<h1 class=\"h3\">没有权限访问此页面</h1>" in response.text
    assert all(link in response.text for link in LINKS_HOME_AND_PORTAL)


def test_a_bad_host_header_answers_the_chinese_400_page(client, db):
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "<h1 class=\"h3\">请求无效</h1>" in response.text
    assert all(link in response.text for link in LINKS_HOME_AND_PORTAL)


def test_a_failing_page_answers_the_chinese_500_page(client, db, errors_urlconf):
    client.raise_request_exception = False
    response = client.get("/test-errors/broken/")
    assert response.status_code == 500
    assert "<h1 class=\"h3\">服务器出错了</h1>" in response.text
    assert all(link in response.text for link in LINKS_HOME_AND_PORTAL)


def test_a_login_form_posted_without_a_csrf_token_says_the_login_expired(csrf_client, db):
    response = _login_expired(csrf_client)
    assert response.status_code == 403
    assert "<h1 class=\"h3\">登录已过期，请重新登录</h1>" in response.text
    assert '<a class="btn btn-primary" href="/login/?next=%2Freview%2F">重新登录</a>' in response.text


def test_a_login_form_posted_with_a_stale_token_says_the_login_expired(csrf_client, db):
    csrf_client.get(reverse("login"))
    csrf_client.cookies["csrftoken"] = "a" * 32  # the cookie changed since the form was opened
    response = csrf_client.post(
        reverse("login"), {"username": "zunhua-xfj", "password": PASSWORD, "next": "/review/", "csrfmiddlewaretoken": "b" * 32}
    )
    assert response.status_code == 403
    assert "登录已过期，请重新登录" in response.text


def test_the_login_expired_page_drops_a_next_that_leaves_the_site(csrf_client, db):
    response = csrf_client.post(reverse("login"), {"username": "zunhua-xfj", "password": PASSWORD, "next": "https://attacker.example/"})
    assert '<a class="btn btn-primary" href="/login/">重新登录</a>' in response.text


def test_another_expired_form_says_the_page_expired_and_offers_to_go_back(csrf_client, filler):
    csrf_client.force_login(filler)
    response = csrf_client.post(reverse("logout"), HTTP_REFERER="http://testserver/notifications/")
    assert response.status_code == 403
    assert "<h1 class=\"h3\">页面已过期</h1>" in response.text
    assert '<a class="btn btn-primary" href="http://testserver/notifications/">返回并刷新页面</a>' in response.text


def test_an_expired_form_whose_referer_is_another_site_goes_back_home(csrf_client, filler):
    csrf_client.force_login(filler)
    response = csrf_client.post(reverse("logout"), HTTP_REFERER="https://attacker.example/")
    assert '<a class="btn btn-primary" href="/">返回并刷新页面</a>' in response.text


@pytest.mark.parametrize("url, status, heading", [
    ("/no-such-page/", 404, "页面不存在"),
    ("/test-errors/forbidden/", 403, "没有权限访问此页面"),
    ("/test-errors/broken/", 500, "服务器出错了"),
])
def test_every_error_page_is_chinese_for_an_english_browser(client, filler, errors_urlconf, url, status, heading):
    client.raise_request_exception = False
    client.force_login(filler)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, heading in response.text) == (status, True)
    assert '<html lang="zh-Hans">' in response.text


def test_the_400_and_csrf_pages_are_chinese_for_an_english_browser(client, csrf_client, db):
    assert "请求无效" in client.get("/", HTTP_HOST="attacker.example", HTTP_ACCEPT_LANGUAGE="en").text
    assert "登录已过期，请重新登录" in _login_expired(csrf_client, HTTP_ACCEPT_LANGUAGE="en").text


def test_a_form_error_for_an_english_browser_is_in_chinese(client, filler):
    client.force_login(filler)
    response = client.post(reverse("password_change"), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert "这个字段是必填项。" in response.text
    assert "This field is required." not in response.text


def test_the_password_page_for_an_english_browser_is_in_chinese(client, filler):
    client.force_login(filler)
    response = client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="en")
    assert "旧密码" in response.text and "Old password" not in response.text


def test_the_login_form_names_an_empty_field_in_chinese_for_an_english_browser(client, db):
    response = client.post(reverse("login"), {"username": "zunhua-xfj", "password": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert '<div class="invalid-feedback" id="id_password_error">这个字段是必填项。</div>' in response.text
    assert "用户名或密码不正确" not in response.text


def test_the_admin_header_and_title_are_chinese(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert "<title>管理首页 | 预算绩效目标申报 管理后台</title>" in response.text
    assert '<a href="/admin/">预算绩效目标申报 管理后台</a>' in response.text
    assert "Django" not in response.text


def test_the_login_lockout_records_are_named_in_chinese_in_the_admin(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:index"))
    assert "登录限制" in response.text
    assert "登录尝试" in response.text and "access attempts" not in response.text.lower()


def test_favicon_ico_leads_to_our_svg_favicon(client, db):
    response = client.get("/favicon.ico")
    assert (response.status_code, response.url) == (302, "/static/favicon.svg")


@pytest.mark.parametrize("url", ["/login/", "/public/", "/admin/login/"])
def test_every_base_template_links_the_favicon(client, db, url):
    assert FAVICON_LINK in client.get(url).text


def test_the_500_page_links_the_favicon(client, db, errors_urlconf):
    client.raise_request_exception = False
    assert FAVICON_LINK in client.get("/test-errors/broken/").text
