"""A full round in the browser: fill, submit, return with a comment on one indicator, fix,
resubmit, approve, publish (through the job's progress page)."""
import pytest

from declarations.models import ProjectDeclaration
from review.models import Publication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "xinfang-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def test_a_full_review_round(browser, live_server, demo):
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    filler_context, filler = _session(browser, live_server, "zunhua-xfj")
    reviewer_context, reviewer = _session(browser, live_server, "zunhua-czj")

    # Fill (the purpose) and submit.
    filler.goto(f"{live_server.url}/projects/{project.pk}/edit/funds/")
    filler.fill("#id_purpose", "预算数216万元。主要用于：我市驻京信访维稳工作。")
    filler.click(".wizard-form button[type=submit]")
    filler.goto(f"{live_server.url}/projects/{project.pk}/edit/preview/")
    filler.click("text=提交审核")
    filler.wait_for_selector("text=已提交，等待财政局审核")

    # The reviewer returns it with a comment on one indicator.
    reviewer.goto(f"{live_server.url}/review/?year=2024")
    reviewer.click(f"[data-testid=row-project-{project.pk}] >> text=审核")
    reviewer.wait_for_selector("h2:has-text('退回修改')")
    section = reviewer.locator("section:has(h2:has-text('退回修改'))")
    section.locator("textarea[name=reason]").fill("指标值依据需要更新")
    section.locator("summary").click()
    section.locator("select[name=target_0]").select_option(
        label="指标：产出指标 / 数量指标 / 有效化解信访完成率")
    section.locator("select[name=criterion_0]").select_option("适当性")
    section.locator("input[name=text_0]").fill("请把目标提高到98%")
    section.locator("button:has-text('退回修改')").click()
    reviewer.wait_for_selector("[data-testid=status]:has-text('退回修改')")

    # The filler sees the comment beside the indicator, fixes it and resubmits.
    filler.goto(f"{live_server.url}/projects/{project.pk}/edit/indicators/")
    filler.wait_for_selector("#grid-app[data-ready='1']")
    comment = filler.locator("[data-testid=row-comment]")
    assert "请把目标提高到98%" in comment.inner_text()
    row = filler.locator(".tabulator-row:has([data-testid=row-comment])")
    row.locator(".tabulator-cell[tabulator-field=value]").click()
    filler.keyboard.press("Control+A")
    filler.keyboard.type("≥98%")
    filler.keyboard.press("Enter")
    filler.wait_for_selector("[data-testid=grid-status]:has-text('已保存')")
    filler.goto(f"{live_server.url}/projects/{project.pk}/edit/preview/")
    filler.click("text=提交审核")
    filler.wait_for_selector("text=已提交，等待财政局审核")

    # The reviewer sees what changed, approves and publishes.
    reviewer.goto(f"{live_server.url}/review/project/{project.pk}/")
    diff = reviewer.inner_text("[data-testid=diff]")
    assert "≥95%" in diff and "≥98%" in diff
    reviewer.click("button:has-text('审核通过')")
    reviewer.wait_for_selector("[data-testid=status]:has-text('审核通过')")
    reviewer.click("button:has-text('公开')")
    # Publishing is a job: its progress page says when it is done and leads back.
    reviewer.wait_for_selector("[data-testid=job-state]:has-text('已完成')")
    reviewer.click("[data-testid=job-back]")
    reviewer.wait_for_selector("[data-testid=status]:has-text('已公开')")

    publication = Publication.objects.get(project=project)
    values = [i["value"] for i in publication.snapshot.data["indicators"]]
    assert values[0] == "≥98%" and publication.snapshot.number == 2
    history = reviewer.inner_text("[data-testid=history]")
    for act in ("提交", "退回修改", "重新提交", "审核通过", "公开"):
        assert act in history
    filler_context.close()
    reviewer_context.close()
