"""An English-speaking browser still gets the site in Simplified Chinese, error pages included."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def english_page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


def test_a_missing_page_is_the_chinese_404_page_for_an_english_browser(english_page, live_server):
    response = english_page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert english_page.locator("h1").inner_text() == "页面不存在"
    assert english_page.get_attribute("a:has-text('预算绩效目标公开')", "href") == "/public/"


def test_an_empty_password_on_the_login_form_is_named_in_chinese(english_page, live_server):
    english_page.goto(f"{live_server.url}/login/")
    english_page.fill("#id_username", "zunhua-xfj")
    english_page.click("button[type=submit]")
    assert english_page.locator("#id_password_error").inner_text() == "这个字段是必填项。"


def test_the_favicon_answers(english_page, live_server):
    response = english_page.request.get(f"{live_server.url}/favicon.ico")
    assert (response.status, response.headers["content-type"]) == (200, "image/svg+xml")
