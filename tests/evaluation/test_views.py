"""Pages of 运行监控 and 绩效自评: the owning unit, a reviewer, an outsider."""
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import MonitoringReport, SelfEvaluation, SelfEvaluationPublication

from .conftest import fill_self_evaluation, values_by_name

pytestmark = pytest.mark.django_db


def test_the_filler_starts_a_monitoring_report_from_the_evaluation_home(client, filler, monitoring_round,
                                                                         approved_project):
    client.force_login(filler)
    page = client.get(reverse("evaluation_home"))
    assert f"开始填报「{approved_project.name}」运行监控" in page.content.decode()
    response = client.post(reverse("monitoring_start", args=[monitoring_round.pk, approved_project.pk]))
    report = MonitoringReport.objects.get(project=approved_project)
    assert response.url == reverse("monitoring_report", args=[report.pk])


def test_another_units_filler_cannot_start_or_see_the_report(client, other_filler, report, monitoring_round,
                                                             approved_project):
    client.force_login(other_filler)
    assert client.post(reverse("monitoring_start", args=[monitoring_round.pk, approved_project.pk])).status_code == 404
    assert client.get(reverse("monitoring_report", args=[report.pk])).status_code == 404
    assert client.get(reverse("monitoring_export", args=[report.pk, "pdf"])).status_code == 404


def _grid_post(report, **changes):
    data = {"version": report.version, "executed_amount": "100"}
    for value in report.values.all():
        prefix = f"row-{value.pk}-"
        data.update({prefix + "reached_value": value.reached_value, prefix + "expected_value": value.expected_value,
                     prefix + "deviation_cause": value.deviation_cause, prefix + "deviation_text": "",
                     prefix + "likelihood": value.likelihood, prefix + "note": ""})
    data.update(changes)
    return data


def test_the_filler_saves_the_grid_and_sees_the_computed_deviation(client, filler, report):
    value = values_by_name(report)["信访事项按期结案率"]
    client.force_login(filler)
    response = client.post(reverse("monitoring_report", args=[report.pk]),
                           _grid_post(report, **{f"row-{value.pk}-reached_value": "45%"}), follow=True)
    assert "已保存" in response.content.decode()
    assert "未达到目标值（完成 50.00%）" in response.content.decode()


def test_a_grid_error_keeps_everything_typed_and_saves_nothing(client, filler, report):
    value = values_by_name(report)["信访事项按期结案率"]
    client.force_login(filler)
    response = client.post(reverse("monitoring_report", args=[report.pk]), _grid_post(report, **{
        f"row-{value.pk}-reached_value": "≥9５%%1", f"row-{value.pk}-note": "已约谈承办单位",
        f"row-{value.pk}-likelihood": "possible"}))
    body = response.content.decode()
    assert response.status_code == 400
    assert "无法识别" in body and "请选择偏差原因" in body and "已约谈承办单位" in body
    value.refresh_from_db()
    assert value.note == ""


def test_a_stale_grid_gets_a_conflict_and_keeps_the_typing(client, filler, report):
    stale = _grid_post(report, executed_amount="77")
    services.monitoring_report_save(report=report, user=filler, version=report.version, executed_amount=None, rows={})
    client.force_login(filler)
    response = client.post(reverse("monitoring_report", args=[report.pk]), stale)
    assert response.status_code == 409 and 'value="77"' in response.content.decode()


def test_the_reviewer_sees_the_report_read_only_and_cannot_post_the_grid(client, reviewer, report):
    client.force_login(reviewer)
    page = client.get(reverse("monitoring_report", args=[report.pk]))
    assert page.status_code == 200 and 'data-testid="monitoring-table"' in page.content.decode()
    client.post(reverse("monitoring_report", args=[report.pk]), _grid_post(report, executed_amount="5"))
    assert MonitoringReport.objects.get(pk=report.pk).executed_amount is None


def test_the_reviewer_returns_a_submitted_report_with_a_reason(client, filler, reviewer, report):
    services.monitoring_report_save(report=report, user=filler, version=report.version,
                                    executed_amount=Decimal("130"), rows={})
    services.monitoring_report_submit(report=report, user=filler)
    client.force_login(reviewer)
    client.post(reverse("monitoring_act", args=[report.pk, "return"]), {"comment": "请补充偏差原因"})
    assert MonitoringReport.objects.get(pk=report.pk).status == "returned"


def test_a_filler_cannot_approve_their_own_report(client, filler, report):
    services.monitoring_report_save(report=report, user=filler, version=report.version,
                                    executed_amount=Decimal("130"), rows={})
    services.monitoring_report_submit(report=report, user=filler)
    client.force_login(filler)
    response = client.post(reverse("monitoring_act", args=[report.pk, "approve"]), follow=True)
    assert "只有该单位所属财政局的审核人可以审核通过" in response.content.decode()
    assert MonitoringReport.objects.get(pk=report.pk).status == "submitted"


def test_the_round_dashboard_shows_progress_and_the_declarations_at_risk(client, filler, reviewer, report):
    value = values_by_name(report)["信访事项按期结案率"]
    services.monitoring_report_save(report=report, user=filler, version=report.version,
                                    executed_amount=Decimal("130"),
                                    rows={value.pk: {"likelihood": "impossible", "deviation_cause": "funding"}})
    services.monitoring_report_submit(report=report, user=filler)
    client.force_login(reviewer)
    body = client.get(reverse("monitoring_round", args=[report.round_id])).content.decode()
    assert "已提交 <strong>1</strong> / 1 个项目" in body
    assert f'data-testid="risk-{report.pk}"' in body and "1 项指标可能无法完成" in body


def test_the_round_dashboard_is_for_the_bureaus_reviewers_only(client, filler, other_reviewer, monitoring_round):
    client.force_login(filler)
    assert client.get(reverse("monitoring_round", args=[monitoring_round.pk])).status_code == 404
    client.force_login(other_reviewer)
    assert client.get(reverse("monitoring_round", args=[monitoring_round.pk])).status_code == 404


def test_a_reviewer_opens_a_round_from_the_page(client, reviewer, zunhua_project):
    client.force_login(reviewer)
    response = client.post(reverse("monitoring_round_open"), {"year": zunhua_project.year_id,
                                                              "period_label": "1-6月", "checkpoint_month": 6})
    assert response.status_code == 302 and "/evaluation/rounds/" in response.url


def test_a_filler_cannot_open_a_round(client, filler, zunhua_project):
    client.force_login(filler)
    assert client.post(reverse("monitoring_round_open"), {"year": zunhua_project.year_id, "period_label": "1-6月",
                                                          "checkpoint_month": 6}).status_code == 404


def test_the_self_evaluation_page_shows_the_computed_score(client, filler, evaluation):
    fill_self_evaluation(evaluation, filler, executed="216")
    client.force_login(filler)
    body = client.get(reverse("self_evaluation", args=[evaluation.pk])).content.decode()
    # 10 + 50 + 10 (满意度) + 0 (定性 waits) = 70
    assert "自评得分 <strong>70</strong> 分 · 自评等级 <strong>中</strong>" in body


def test_the_filler_saves_the_self_evaluation_form(client, filler, evaluation):
    value = values_by_name(evaluation)["信访群众满意度"]
    data = {"version": evaluation.version, "initial_budget": "216", "full_year_budget": "216",
            "executed_amount": "200", "goal_achieved": "全年按期完成"}
    for v in evaluation.values.all():
        data[f"row-{v.pk}-reached_value"] = "93%" if v.pk == value.pk else ""
        data[f"row-{v.pk}-analysis"] = ""
    client.force_login(filler)
    client.post(reverse("self_evaluation", args=[evaluation.pk]), data)
    evaluation.refresh_from_db()
    value.refresh_from_db()
    assert (evaluation.executed_amount, evaluation.goal_achieved, value.reached_value) == (200, "全年按期完成", "93%")


def test_an_outsider_cannot_see_the_self_evaluation(client, other_filler, other_reviewer, evaluation):
    for user in (other_filler, other_reviewer):
        client.force_login(user)
        assert client.get(reverse("self_evaluation", args=[evaluation.pk])).status_code == 404
        assert client.post(reverse("self_evaluation_act", args=[evaluation.pk, "publish"])).status_code == 404


def test_the_reviewer_judges_approves_and_publishes_then_the_public_reads_it(client, filler, reviewer, evaluation):
    fill_self_evaluation(evaluation, filler)
    services.self_evaluation_submit(evaluation=evaluation, user=filler)
    value = values_by_name(evaluation)["处置极端突发信访事件"]
    client.force_login(reviewer)
    page = client.get(reverse("self_evaluation", args=[evaluation.pk])).content.decode()
    assert 'data-testid="judge-form"' in page
    client.post(reverse("self_evaluation_judge", args=[evaluation.pk]),
                {f"judge-{value.pk}-judgement": "achieved", f"judge-{value.pk}-judged_score": ""})
    client.post(reverse("self_evaluation_act", args=[evaluation.pk, "approve"]))
    client.post(reverse("self_evaluation_act", args=[evaluation.pk, "publish"]))
    assert SelfEvaluation.objects.get(pk=evaluation.pk).status == "published"
    publication = SelfEvaluationPublication.objects.get(evaluation=evaluation)
    client.logout()
    public = client.get(reverse("public_self_evaluation", args=[publication.pk])).content.decode()
    assert '<strong data-testid="grade">优</strong>' in public


def test_an_unpublished_self_evaluation_has_no_public_page(client, evaluation):
    assert client.get(reverse("public_self_evaluation", args=[999999])).status_code == 404


def test_the_evaluation_home_needs_a_login(client):
    assert client.get(reverse("evaluation_home")).status_code == 302


def test_the_public_list_names_each_published_self_evaluation_with_its_grade(client, filler, reviewer, evaluation):
    fill_self_evaluation(evaluation, filler)
    services.self_evaluation_submit(evaluation=evaluation, user=filler)
    value = values_by_name(evaluation)["处置极端突发信访事件"]
    services.self_evaluation_judge(evaluation=evaluation, user=reviewer, judgements={value.pk: ("missed", None)})
    services.self_evaluation_approve(evaluation=evaluation, user=reviewer)
    services.self_evaluation_publish(evaluation=evaluation, user=reviewer)
    body = client.get(reverse("public_self_evaluations")).content.decode()
    assert "驻京信访工作经费</a>" in body and "中（70 分）" in body
