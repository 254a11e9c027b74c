"""目标调整 in the browser: a published table is adjusted by its unit, reviewed against the
approved version, approved and published; the public sees the note and the earlier table."""
import pytest

from accounts.models import User
from declarations.models import ProjectDeclaration
from public import services as publishing
from review import services

from .test_review_round import _session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "预算调整：追加驻京工作经费"


def test_publish_adjust_review_approve_publish_and_the_public_sees_note_and_history(browser, live_server, demo):
    filler_user, reviewer_user = User.objects.get(username="zunhua-xfj"), User.objects.get(username="zunhua-czj")
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    project = services.declaration_submit(declaration=project, user=filler_user)
    project = services.declaration_approve(declaration=project, user=reviewer_user)
    project = publishing.declaration_publish(declaration=project, user=reviewer_user)
    public_url = f"{live_server.url}/public/units/{project.unit_id}/2024/"

    # The unit starts the adjustment with its reason and edits the purpose.
    filler_context, filler = _session(browser, live_server, "zunhua-xfj")
    filler.goto(f"{live_server.url}/projects/{project.pk}/")
    filler.click("[data-testid=adjust] summary")
    filler.fill("#id_adjustment_reason", REASON)
    filler.click("button:has-text('开始调整')")
    filler.wait_for_selector("text=已开始调整")
    filler.goto(f"{live_server.url}/projects/{project.pk}/edit/funds/")
    filler.fill("#id_purpose", "调整后：追加驻京工作经费，用于驻京接访。")
    filler.click(".wizard-form button[type=submit]")
    filler.goto(f"{live_server.url}/projects/{project.pk}/edit/preview/")
    filler.click("text=提交审核")
    filler.wait_for_selector("text=已提交，等待财政局审核")

    # Meanwhile the public still reads the table as published.
    public_context = browser.new_context(viewport={"width": 1366, "height": 768})
    public = public_context.new_page()
    public.goto(public_url)
    assert "本表于" not in public.content() and "调整后：追加驻京工作经费" not in public.content()

    # The reviewer sees the reason and the diff against the approved version, approves and publishes.
    reviewer_context, reviewer = _session(browser, live_server, "zunhua-czj")
    reviewer.goto(f"{live_server.url}/review/project/{project.pk}/")
    assert REASON in reviewer.inner_text("[data-testid=adjustment]")
    diff = reviewer.inner_text("[data-testid=diff]")
    assert "与审核通过的版本相比" in diff and "调整后：追加驻京工作经费" in diff
    reviewer.click("button:has-text('审核通过')")
    reviewer.wait_for_selector("[data-testid=status]:has-text('审核通过')")
    reviewer.click("button:has-text('公开')")
    reviewer.wait_for_selector("[data-testid=job-state]:has-text('已完成')")
    reviewer.click("[data-testid=job-back]")
    reviewer.wait_for_selector("[data-testid=status]:has-text('已公开')")

    # The public sees the adjusted table with its note, and the earlier one in its history.
    public.goto(public_url)
    note = public.inner_text("[data-testid=adjustment-note]")
    assert note.startswith("本表于") and f"调整原因：{REASON}" in note
    history = public.locator("[data-testid=table-history]")
    assert "已调整" in history.inner_text() and "审核通过的第1次提交" in history.inner_text()
    with public.expect_download() as download:
        history.locator("[data-format=pdf]").click()
    assert download.value.suggested_filename.endswith(".pdf")
    for context in (filler_context, public_context, reviewer_context):
        context.close()
