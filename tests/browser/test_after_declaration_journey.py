"""One seed project through its year: declared and published, its target adjusted (目标调整),
monitored mid-year with a deviation against the adjusted target, self-evaluated with its computed
score, published; the exported monitoring and self-evaluation tables hold every value entered."""
import pytest

from accounts.models import User
from declarations.models import ProjectDeclaration
from evaluation.models import MonitoringReport, SelfEvaluation
from public import services as publishing
from review import services

from ..export_text import flat, pdf_text
from .test_review_round import _session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "预算调整：结案率目标随人员调整下调"


def _download_text(page, link_text):
    with page.expect_download() as info:
        page.click(f"text={link_text}")
    with open(info.value.path(), "rb") as handle:
        return flat(pdf_text(handle.read()))


def _row_id(value, field):
    return f"#id_row-{value.pk}-{field}"


def test_a_seed_project_from_declaration_to_published_self_evaluation(browser, live_server, demo):
    filler_user, reviewer_user = User.objects.get(username="zunhua-xfj"), User.objects.get(username="zunhua-czj")
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    assert project.indicators.get(name="信访事项按期结案率").value_display == "≥90%"
    project = services.declaration_submit(declaration=project, user=filler_user)
    project = services.declaration_approve(declaration=project, user=reviewer_user)
    publishing.declaration_publish(declaration=project, user=reviewer_user)
    _filler_context, filler = _session(browser, live_server, "zunhua-xfj")
    _reviewer_context, reviewer = _session(browser, live_server, "zunhua-czj")

    # 目标调整: the unit lowers one target in the indicator grid, with its reason.
    filler.goto(f"{live_server.url}/projects/{project.pk}/")
    filler.click("[data-testid=adjust] summary")
    filler.fill("#id_adjustment_reason", REASON)
    filler.click("button:has-text('开始调整')")
    filler.wait_for_selector("text=已开始调整")
    filler.goto(f"{live_server.url}/projects/{project.pk}/edit/indicators/")
    filler.wait_for_selector("#grid-app[data-ready='1']")
    row = filler.locator(".tabulator-row:has-text('信访事项按期结案率')")
    row.locator(".tabulator-cell[tabulator-field=value]").click()
    filler.keyboard.press("Control+A")
    filler.keyboard.type("≥85%")
    filler.keyboard.press("Enter")
    filler.wait_for_selector("[data-testid=grid-status]:has-text('已保存')")
    filler.click("a[data-step=preview]")
    filler.click("text=提交审核")
    filler.wait_for_selector("text=已提交，等待财政局审核")

    reviewer.goto(f"{live_server.url}/review/project/{project.pk}/")
    assert REASON in reviewer.inner_text("[data-testid=adjustment]")
    assert "≥85%" in reviewer.inner_text("[data-testid=diff]")
    reviewer.click("button:has-text('审核通过')")
    reviewer.wait_for_selector("[data-testid=status]:has-text('审核通过')")
    reviewer.click("button:has-text('公开')")
    reviewer.wait_for_selector("[data-testid=job-state]:has-text('已完成')")
    project.refresh_from_db()
    assert project.status == "published" and project.adjustment_reason == REASON

    # 运行监控 (1-7月): the deviation is computed against the adjusted target, 72 of 85.
    reviewer.goto(f"{live_server.url}/evaluation/")
    reviewer.select_option("#id_year", label="2024年")
    reviewer.fill("#id_period_label", "1-7月")
    reviewer.fill("#id_checkpoint_month", "7")
    reviewer.click("button:has-text('开启')")
    assert "已提交 0 / 1 个项目" in reviewer.text_content("[data-testid=progress]")
    filler.goto(f"{live_server.url}/evaluation/")
    filler.click(f"text=开始填报「{project.name}」运行监控")
    report = MonitoringReport.objects.get(project=project)
    value = report.values.get(indicator__name="信访事项按期结案率")
    entered = {"reached_value": "72%", "expected_value": "84%", "deviation_text": "两名调解员离岗", "note": "已补充人员"}
    filler.fill("#id_executed_amount", "98.5")
    for field, text in entered.items():
        filler.fill(_row_id(value, field), text)
    filler.select_option(_row_id(value, "likelihood"), label="有可能")
    filler.select_option(_row_id(value, "deviation_cause"), label="人员保障")
    filler.click("button:has-text('保存')")
    assert filler.text_content(f"[data-testid=deviation-{value.pk}]") == "未达到目标值（完成 84.71%）"
    monitoring_pdf = _download_text(filler, "下载 PDF")
    for text in ["98.50", "≥85%", "有可能", "人员保障", "未达到目标值（完成84.71%）", *entered.values()]:
        assert flat(text) in monitoring_pdf, text
    filler.click("text=提交审核")
    filler.wait_for_selector("text=已提交，等待财政局审核")
    reviewer.goto(f"{live_server.url}/evaluation/rounds/{report.round_id}/")
    assert "1 项指标可能无法完成" in reviewer.text_content(f"[data-testid=risk-{report.pk}]")
    reviewer.goto(f"{live_server.url}/evaluation/monitoring/{report.pk}/")
    reviewer.click("button:has-text('审核通过')")
    reviewer.wait_for_selector("text=已审核通过")

    # 绩效自评: scored by the national rules against the adjusted target, then published.
    filler.goto(f"{live_server.url}/evaluation/")
    filler.click(f"text=开始「{project.name}」绩效自评")
    evaluation = SelfEvaluation.objects.get(project=project)
    filler.fill("#id_executed_amount", "194.4")
    filler.fill("#id_goal_achieved", "全年化解信访积案，按期结案率未达调整后目标")
    reached = {"有效化解信访完成率": "96%", "信访事项按期结案率": "72%", "信访事项受理及时率": "95%",
               "按预算资金完成率": "90%", "处置极端突发信访事件": "有效处置", "信访群众满意度": "92%"}
    for row in evaluation.values.select_related("indicator"):
        filler.fill(_row_id(row, "reached_value"), reached[row.indicator.name])
    filler.fill(_row_id(evaluation.values.get(indicator__name="信访事项按期结案率"), "analysis"), "下年补足调解员")
    filler.click("button:has-text('保存')")
    # 9 (90% executed) + 12.5 × 3 + 10.59 (72/85 of 12.5) + 10 (满意度); 定性 waits for the reviewer.
    assert "自评得分 67.09 分" in filler.text_content("[data-testid=score]")
    filler.click("text=提交审核")
    filler.wait_for_selector("text=已提交，等待财政局审核")
    reviewer.goto(f"{live_server.url}/evaluation/self-evaluation/{evaluation.pk}/")
    qualitative = evaluation.values.get(indicator__name="处置极端突发信访事件")
    reviewer.select_option(f"#id_judge-{qualitative.pk}-judgement", label="达成")
    reviewer.click("text=保存评定")
    assert "自评得分 97.09 分 · 自评等级 优" in reviewer.text_content("[data-testid=score]")
    reviewer.click("button:has-text('审核通过')")
    reviewer.wait_for_selector("text=已审核通过")
    reviewer.click("button:has-text('公开')")
    reviewer.wait_for_selector("[data-testid=public-link]")

    public = reviewer.context.browser.new_context(accept_downloads=True).new_page()
    public.goto(f"{live_server.url}{reviewer.get_attribute('[data-testid=public-link]', 'href')}")
    assert public.text_content("[data-testid=grade]") == "优"
    evaluation_pdf = _download_text(public, "下载 PDF")
    for text in ["194.40", "≥85%", "全年化解信访积案，按期结案率未达调整后目标", "下年补足调解员", "97.09",
                 "自评等级：优", *reached.values()]:
        assert flat(text) in evaluation_pdf, text
