"""One seed project after its declaration: mid-year monitoring with a deviation, the year-end
self-evaluation with its computed score, publication, and the exported tables holding every value."""
import pytest

from declarations.models import ProjectDeclaration
from evaluation.models import MonitoringReport, SelfEvaluation
from review.services import declaration_approve, declaration_submit

from ..export_text import flat, pdf_text
from .test_review_round import _session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _download_text(page, link_text):
    with page.expect_download() as info:
        page.click(f"text={link_text}")
    with open(info.value.path(), "rb") as handle:
        return flat(pdf_text(handle.read()))


def _row_id(value, field):
    return f"#id_row-{value.pk}-{field}"


def test_monitoring_self_evaluation_and_publication(browser, live_server, demo):
    from accounts.models import User

    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    declaration_submit(declaration=project, user=User.objects.get(username="zunhua-xfj"))
    declaration_approve(declaration=project, user=User.objects.get(username="zunhua-czj"))
    _filler_context, filler = _session(browser, live_server, "zunhua-xfj")
    _reviewer_context, reviewer = _session(browser, live_server, "zunhua-czj")

    # The finance bureau opens the 1-7月 round.
    reviewer.goto(f"{live_server.url}/evaluation/")
    reviewer.select_option("#id_year", label="2024年")
    reviewer.fill("#id_period_label", "1-7月")
    reviewer.fill("#id_checkpoint_month", "7")
    reviewer.click("button:has-text('开启')")
    assert "已提交 0 / 1 个项目" in reviewer.text_content("[data-testid=progress]")

    # The filler reports: money to date and a target that may be missed, with its cause.
    filler.goto(f"{live_server.url}/evaluation/")
    filler.click(f"text=开始填报「{project.name}」运行监控")
    report = MonitoringReport.objects.get(project=project)
    value = report.values.get(indicator__name="信访事项按期结案率")
    filler.fill("#id_executed_amount", "98.5")
    filler.fill(_row_id(value, "reached_value"), "72%")
    filler.fill(_row_id(value, "expected_value"), "88%")
    filler.select_option(_row_id(value, "likelihood"), label="有可能")
    filler.select_option(_row_id(value, "deviation_cause"), label="人员保障")
    filler.fill(_row_id(value, "deviation_text"), "上半年集中化解积案")
    filler.fill(_row_id(value, "note"), "已约谈承办单位")
    filler.click("button:has-text('保存')")
    assert filler.text_content(f"[data-testid=deviation-{value.pk}]") == "未达到目标值（完成 80.00%）"
    text = _download_text(filler, "下载 PDF")
    for entered in ["98.50", "72%", "88%", "有可能", "人员保障", "上半年集中化解积案", "已约谈承办单位",
                    "未达到目标值（完成80.00%）"]:
        assert flat(entered) in text, entered
    filler.click("text=提交审核")
    filler.wait_for_selector("text=已提交，等待财政局审核")

    # The reviewer sees it at risk and approves it.
    reviewer.goto(f"{live_server.url}/evaluation/rounds/{report.round_id}/")
    assert "1 项指标可能无法完成" in reviewer.text_content(f"[data-testid=risk-{report.pk}]")
    reviewer.goto(f"{live_server.url}/evaluation/monitoring/{report.pk}/")
    reviewer.click("button:has-text('审核通过')")
    reviewer.wait_for_selector("text=已审核通过")

    # At the year's end the filler evaluates: every indicator, the money, and sees the score.
    filler.goto(f"{live_server.url}/evaluation/")
    filler.click(f"text=开始「{project.name}」绩效自评")
    evaluation = SelfEvaluation.objects.get(project=project)
    filler.fill("#id_executed_amount", "194.4")
    filler.fill("#id_goal_achieved", "全年化解信访积案，按期结案率未达目标")
    reached = {"有效化解信访完成率": "96%", "信访事项按期结案率": "72%", "信访事项受理及时率": "95%",
               "按预算资金完成率": "90%", "处置极端突发信访事件": "有效处置", "信访群众满意度": "92%"}
    for row in evaluation.values.select_related("indicator"):
        filler.fill(_row_id(row, "reached_value"), reached[row.indicator.name])
    short = evaluation.values.get(indicator__name="信访事项按期结案率")
    filler.fill(_row_id(short, "analysis"), "人手不足，下年增配调解员")
    filler.click("button:has-text('保存')")
    # 9 (90% executed) + 12.5 × 3 + 10 (72/90 of 12.5) + 10 (满意度); 定性 waits for the reviewer.
    assert "自评得分 66.5 分" in filler.text_content("[data-testid=score]")
    filler.click("text=提交审核")
    filler.wait_for_selector("text=已提交，等待财政局审核")

    # The reviewer judges the 定性 indicator, approves and publishes.
    reviewer.goto(f"{live_server.url}/evaluation/self-evaluation/{evaluation.pk}/")
    qualitative = evaluation.values.get(indicator__name="处置极端突发信访事件")
    reviewer.select_option(f"#id_judge-{qualitative.pk}-judgement", label="达成")
    reviewer.click("text=保存评定")
    assert "自评得分 96.5 分 · 自评等级 优" in reviewer.text_content("[data-testid=score]")
    reviewer.click("button:has-text('审核通过')")
    reviewer.wait_for_selector("text=已审核通过")
    reviewer.click("button:has-text('公开')")
    reviewer.wait_for_selector("[data-testid=public-link]")

    # The public reads the published table and its PDF, every value in it.
    public = reviewer.context.browser.new_context(accept_downloads=True).new_page()
    public.goto(f"{live_server.url}{reviewer.get_attribute('[data-testid=public-link]', 'href')}")
    assert public.text_content("[data-testid=grade]") == "优"
    text = _download_text(public, "下载 PDF")
    for entered in ["194.40", "90%", "全年化解信访积案，按期结案率未达目标", "人手不足，下年增配调解员", "96.5",
                    "自评等级：优", *reached.values()]:
        assert flat(entered) in text, entered
