import pytest
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_filler_logs_in_sees_their_projects_and_opens_one(page, live_server, demo):
    log_in(page, live_server, "laoting-xfj", wait=False)
    page.wait_for_selector("text=乐亭县信访局本级的绩效目标申报")
    assert page.locator("section[data-year='2025'] tbody tr").count() == 3  # 部门整体 + 2 projects
    page.click("text=信访专项资金")
    page.wait_for_selector("h1:has-text('信访专项资金')")
    table = page.locator("table.table-indicators").inner_text()
    for value in ("重点地区访量", "≤10批次", "≤185万元", "信访群众及相关单位满意度", "≥90%"):
        assert value in table
    # Bootstrap is served from our own static files, not a CDN.
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).display") == "flex"


def test_a_wrong_password_shows_an_error_and_keeps_the_username(page, live_server, demo):
    log_in(page, live_server, "rugao-xfj", password="not-the-password", wait=False)
    page.wait_for_selector("text=用户名或密码不正确")
    assert page.input_value("#id_username") == "rugao-xfj"
