"""The reviewer's queue, the review page, the error pages and the admin's layout editor, at a
laptop's and a phone's width: usable without sideways scrolling, Chinese, the work first."""
import pytest

from declarations.models import ProjectDeclaration
from review.services import declaration_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [{"width": 1366, "height": 768}, {"width": 390, "height": 844}]


@pytest.fixture
def demo(django_db_setup, django_db_blocker):
    from accounts.models import User
    from declarations.services.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()
        project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
        declaration_submit(declaration=project, user=User.objects.get(username="zunhua-xfj"))
    return project


def _page(browser, live_server, viewport, username=None, locale="zh-CN"):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    if username:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "xinfang-demo-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
    return context, page


def _no_sideways_scroll(page):
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, (page.url, width, inner)


@pytest.mark.parametrize("viewport", WIDTHS, ids=["1366", "390"])
def test_the_reviewers_queue_puts_the_submitted_declaration_first_at_either_width(browser, live_server, demo, viewport):
    context, page = _page(browser, live_server, viewport, "zunhua-czj")
    page.goto(f"{live_server.url}/review/?year=2024")
    first = page.locator("tbody tr").first
    assert "pending" in (first.get_attribute("class") or "")
    assert first.locator("a", has_text="审核").is_visible()
    _no_sideways_scroll(page)
    context.close()


@pytest.mark.parametrize("viewport", WIDTHS, ids=["1366", "390"])
def test_the_review_page_offers_its_actions_at_either_width(browser, live_server, demo, viewport):
    context, page = _page(browser, live_server, viewport, "zunhua-czj")
    page.goto(f"{live_server.url}/review/project/{demo.pk}/")
    actions = page.locator("#review-actions")
    assert actions.is_visible() and "审核通过" in actions.inner_text() and "退回修改" in actions.inner_text()
    _no_sideways_scroll(page)
    context.close()


@pytest.mark.parametrize("viewport", WIDTHS, ids=["1366", "390"])
def test_a_missing_page_is_chinese_for_an_english_browser_at_either_width(browser, live_server, demo, viewport):
    context, page = _page(browser, live_server, viewport, locale="en-US")
    response = page.goto(f"{live_server.url}/public/units/999999/2024/")
    assert response.status == 404
    assert "找不到" in page.content() or "不存在" in page.content()
    _no_sideways_scroll(page)
    context.close()


@pytest.mark.parametrize("viewport", WIDTHS, ids=["1366", "390"])
def test_the_public_portal_and_the_login_page_link_to_each_other_at_either_width(browser, live_server, demo,
                                                                                 viewport):
    context, page = _page(browser, live_server, viewport)
    page.goto(f"{live_server.url}/public/")
    page.get_by_role("link", name="工作人员登录").click()
    page.wait_for_url(f"{live_server.url}/login/**")
    page.get_by_role("link", name="查阅已公开的预算绩效目标（无需登录）").click()
    page.wait_for_url(f"{live_server.url}/public/")
    _no_sideways_scroll(page)
    context.close()
