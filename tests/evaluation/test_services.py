"""Monitoring rounds, reports and self-evaluations: pre-filled, guarded, versioned, logged."""
from decimal import Decimal

import pytest

from declarations.models import Status
from evaluation import services, tables
from evaluation.models import EvaluationEvent, Likelihood, MonitoringReport, SelfEvaluationPublication, State

from .conftest import fill_self_evaluation, values_by_name

pytestmark = pytest.mark.django_db


def test_a_filler_cannot_open_a_monitoring_round(filler, zunhua_project):
    with pytest.raises(services.EvaluationError, match="审核人或管理员"):
        services.round_open(user=filler, bureau=filler.unit.bureau, year=zunhua_project.year,
                            period_label="1-7月", checkpoint_month=7)


def test_a_reviewer_of_another_bureau_cannot_open_a_round_for_this_one(other_reviewer, reviewer, zunhua_project):
    with pytest.raises(services.EvaluationError):
        services.round_open(user=other_reviewer, bureau=reviewer.bureau, year=zunhua_project.year,
                            period_label="1-7月", checkpoint_month=7)


def test_the_same_period_cannot_be_opened_twice(monitoring_round, reviewer):
    with pytest.raises(services.EvaluationError, match="已开启过"):
        services.round_open(user=reviewer, bureau=reviewer.bureau, year=monitoring_round.year,
                            period_label="1-7月", checkpoint_month=7)


def test_a_draft_declaration_cannot_be_monitored(monitoring_round, zunhua_project, filler):
    with pytest.raises(services.EvaluationError, match="审核通过或已公开"):
        services.monitoring_report_start(monitoring_round=monitoring_round, project=zunhua_project, user=filler)


def test_a_report_is_prefilled_with_every_annual_indicator_and_its_target(report, approved_project):
    expected = {i.name: i.value_display for i in approved_project.indicators.filter(term="annual")}
    assert {name: v.expected_value for name, v in values_by_name(report).items()} == expected
    assert report.status == State.DRAFT


def test_starting_twice_gives_the_same_report(report, monitoring_round, approved_project, filler):
    again = services.monitoring_report_start(monitoring_round=monitoring_round, project=approved_project, user=filler)
    assert again.pk == report.pk and MonitoringReport.objects.filter(project=approved_project).count() == 1


def test_the_execution_rate_is_measured_against_the_plans_checkpoint(report, filler):
    services.monitoring_report_save(report=report, user=filler, version=report.version,
                                    executed_amount=Decimal("108"), rows={})
    report = MonitoringReport.objects.get(pk=report.pk)
    # 216 万元 budget, plan 6月底 60% is the checkpoint on or before 7月.
    assert (report.execution_rate, report.planned_percent, report.behind_plan) == (Decimal("50.00"), Decimal("60.00"), False)
    services.monitoring_report_save(report=report, user=filler, version=report.version,
                                    executed_amount=Decimal("100"), rows={})
    assert MonitoringReport.objects.get(pk=report.pk).behind_plan


def test_the_deviation_is_computed_from_the_reached_value_and_the_declared_target(report, filler):
    value = values_by_name(report)["信访事项按期结案率"]  # ≥90%
    services.monitoring_report_save(report=report, user=filler, version=report.version, executed_amount=None,
                                    rows={value.pk: {"reached_value": "72%"}})
    value.refresh_from_db()
    assert value.outcome.label == "未达到目标值（完成 80.00%）"


def test_a_stale_save_changes_nothing(report, filler):
    value = values_by_name(report)["信访事项按期结案率"]
    services.monitoring_report_save(report=report, user=filler, version=report.version,
                                    executed_amount=Decimal("1"), rows={})
    with pytest.raises(services.EvaluationError, match="已被他人"):
        services.monitoring_report_save(report=report, user=filler, version=1, executed_amount=Decimal("2"),
                                        rows={value.pk: {"reached_value": "1%"}})
    value.refresh_from_db()
    assert value.reached_value == "" and MonitoringReport.objects.get(pk=report.pk).executed_amount == 1


def test_another_units_filler_cannot_save(report, other_filler):
    with pytest.raises(services.EvaluationError, match="本单位"):
        services.monitoring_report_save(report=report, user=other_filler, version=report.version,
                                        executed_amount=None, rows={})


def test_submission_needs_a_cause_for_each_unlikely_target(report, filler):
    value = values_by_name(report)["信访事项按期结案率"]
    services.monitoring_report_save(report=report, user=filler, version=report.version,
                                    executed_amount=Decimal("100"),
                                    rows={value.pk: {"likelihood": Likelihood.POSSIBLE}})
    with pytest.raises(services.EvaluationError, match="请选择偏差原因"):
        services.monitoring_report_submit(report=report, user=filler)


def test_submit_approve_and_return_are_logged(report, filler, reviewer):
    services.monitoring_report_save(report=report, user=filler, version=report.version,
                                    executed_amount=Decimal("130"), rows={})
    services.monitoring_report_submit(report=report, user=filler)
    services.monitoring_report_return(report=report, user=reviewer, comment="执行数与账面不符")
    services.monitoring_report_submit(report=MonitoringReport.objects.get(pk=report.pk), user=filler)
    services.monitoring_report_approve(report=report, user=reviewer)
    actions = list(EvaluationEvent.objects.filter(report=report).order_by("id").values_list("action", "comment"))
    assert actions == [("monitoring.started", ""), ("monitoring.submitted", ""), ("monitoring.returned", "执行数与账面不符"),
                       ("monitoring.submitted", ""), ("monitoring.approved", "")]


def test_a_return_needs_a_reason(report, filler, reviewer):
    services.monitoring_report_save(report=report, user=filler, version=report.version,
                                    executed_amount=Decimal("130"), rows={})
    services.monitoring_report_submit(report=report, user=filler)
    with pytest.raises(services.EvaluationError, match="退回理由"):
        services.monitoring_report_return(report=report, user=reviewer, comment=" ")


def test_a_closed_round_refuses_saves(report, filler, reviewer, monitoring_round):
    services.round_close(monitoring_round=monitoring_round, user=reviewer)
    with pytest.raises(services.EvaluationError, match="已关闭"):
        services.monitoring_report_save(report=report, user=filler, version=report.version,
                                        executed_amount=None, rows={})


def test_a_self_evaluation_is_prefilled_from_the_declaration(evaluation, approved_project):
    assert evaluation.initial_budget == approved_project.budget == evaluation.full_year_budget
    assert evaluation.goal_set == approved_project.annual_goal or evaluation.goal_set
    assert len(values_by_name(evaluation)) == approved_project.indicators.filter(term="annual").count()


def test_the_self_evaluation_score_follows_the_national_rules(evaluation, filler):
    fill_self_evaluation(evaluation, filler, reached={"信访事项按期结案率": "72%", "处置极端突发信访事件": "有效处置"},
                         executed="194.4")
    data = tables.self_evaluation_data(evaluation)
    by_name = {row["name"]: row for row in data["values"]}
    # 产出 50 over 4, 效益 30 over 1, 满意度 10 over 1.
    assert by_name["信访事项按期结案率"]["points"] == "12.5" and by_name["信访事项按期结案率"]["score"] == "10"
    assert by_name["处置极端突发信访事件"]["score"] == "0"  # waits for the reviewer
    assert data["evaluation"]["execution_rate"] == "90" and data["evaluation"]["budget_score"] == "9"
    # 9 + 12.5 × 3 + 10 + 10 (满意度) = 66.5
    assert (data["evaluation"]["total"], data["evaluation"]["grade"]) == ("66.5", "中")


def test_the_reviewer_judges_the_qualitative_rows_before_approving(evaluation, filler, reviewer):
    fill_self_evaluation(evaluation, filler)
    services.self_evaluation_submit(evaluation=evaluation, user=filler)
    with pytest.raises(services.EvaluationError, match="请先评定定性指标"):
        services.self_evaluation_approve(evaluation=evaluation, user=reviewer)
    value = values_by_name(evaluation)["处置极端突发信访事件"]
    services.self_evaluation_judge(evaluation=evaluation, user=reviewer, judgements={value.pk: ("partial", None)})
    data = tables.self_evaluation_data(evaluation)
    assert {row["name"]: row["score"] for row in data["values"]}["处置极端突发信访事件"] == "18"
    services.self_evaluation_approve(evaluation=evaluation, user=reviewer)


def test_a_judged_score_above_the_points_is_refused(evaluation, filler, reviewer):
    fill_self_evaluation(evaluation, filler)
    services.self_evaluation_submit(evaluation=evaluation, user=filler)
    value = values_by_name(evaluation)["处置极端突发信访事件"]
    with pytest.raises(services.EvaluationError, match="0 到 30"):
        services.self_evaluation_judge(evaluation=evaluation, user=reviewer,
                                       judgements={value.pk: ("", Decimal("31"))})


def test_the_public_sees_the_snapshot_not_the_live_rows(evaluation, filler, reviewer):
    fill_self_evaluation(evaluation, filler)
    services.self_evaluation_submit(evaluation=evaluation, user=filler)
    value = values_by_name(evaluation)["处置极端突发信访事件"]
    services.self_evaluation_judge(evaluation=evaluation, user=reviewer, judgements={value.pk: ("achieved", None)})
    services.self_evaluation_approve(evaluation=evaluation, user=reviewer)
    services.self_evaluation_publish(evaluation=evaluation, user=reviewer)
    publication = SelfEvaluationPublication.objects.get(evaluation=evaluation)
    value.analysis = "改动"
    value.save()
    assert publication.data["evaluation"]["grade"] == "优"
    assert all(row["analysis"] != "改动" for row in publication.data["values"])
    evaluation.refresh_from_db()
    assert evaluation.status == State.PUBLISHED


def test_monitoring_reports_are_never_published(report, reviewer):
    with pytest.raises(services.EvaluationError, match="不公开"):
        services._guard("publish", report, reviewer)


def test_an_approved_declaration_stays_approved_while_evaluated(evaluation, approved_project):
    approved_project.refresh_from_db()
    assert approved_project.status == Status.APPROVED
