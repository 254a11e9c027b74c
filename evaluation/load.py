"""Load data for 运行监控 and 绩效自评 at province scale (generate_load --monitoring --self-evaluation).

For every finance bureau with approved or published projects in the year: one monitoring round
(1-7月) with a report per such project, and a self-evaluation per such project; every indicator
row filled, about one in ten targets unlikely (so the round's page lists projects at risk).
Written in bulk; seeded, so a run is repeatable. Bureaus that already have the round are skipped.
"""
import random
import time
from decimal import Decimal

from django.db import transaction

from accounts.models import Role, User
from declarations.models import BudgetYear, Indicator, ProjectDeclaration
from declarations.values import format_number

from .models import (
    DeviationCause, Judgement, Likelihood, MonitoringReport, MonitoringRound, MonitoringValue, SelfEvaluation,
    SelfEvaluationValue, State,
)
from .services import ELIGIBLE

BATCH = 2000
PERIOD, MONTH = "1-7月", 7


def _reached(indicator, rng, factor):
    """A reached value in the indicator's own grammar: its number × factor, or a text for 定性."""
    if indicator.number is None:
        return "已完成" if rng.random() > 0.1 else "部分完成"
    number = (indicator.number * Decimal(str(factor))).quantize(Decimal("0.1"))
    return f"{format_number(number)}{indicator.unit}"


@transaction.atomic
def evaluation_load(*, year, monitoring=True, self_evaluation=True, seed=1):
    """Counts of what was made: rounds, reports, monitoring values, self-evaluations and their values."""
    started = time.perf_counter()
    rng = random.Random(seed)
    budget_year = BudgetYear.objects.get(year=year)
    counts = {"rounds": 0, "reports": 0, "monitoring_values": 0, "self_evaluations": 0,
              "self_evaluation_values": 0}
    reviewers = {u.bureau_id: u for u in User.objects.filter(role=Role.REVIEWER).order_by("id")}
    projects = list(ProjectDeclaration.objects.filter(year=budget_year, status__in=ELIGIBLE)
                    .exclude(self_evaluation__isnull=False).values_list("pk", "unit__bureau_id", "budget"))
    indicators = {}
    for indicator in Indicator.objects.filter(project_id__in=[p[0] for p in projects], term="annual").only(
            "pk", "project_id", "number", "unit", "comparator", "text_value"):
        indicators.setdefault(indicator.project_id, []).append(indicator)
    by_bureau = {}
    for pk, bureau_id, budget in projects:
        by_bureau.setdefault(bureau_id, []).append((pk, budget or Decimal(0)))
    for bureau_id, bureau_projects in by_bureau.items():
        reviewer = reviewers.get(bureau_id)
        if reviewer is None:
            continue
        if monitoring and not MonitoringRound.objects.filter(bureau_id=bureau_id, year=budget_year,
                                                             period_label=PERIOD).exists():
            monitoring_round = MonitoringRound.objects.create(bureau_id=bureau_id, year=budget_year,
                                                              period_label=PERIOD, checkpoint_month=MONTH,
                                                              opened_by=reviewer)
            counts["rounds"] += 1
            reports = MonitoringReport.objects.bulk_create([
                MonitoringReport(round=monitoring_round, project_id=pk, status=rng.choice(list(State)[:4]),
                                 executed_amount=(budget * Decimal(str(rng.uniform(0.3, 0.8)))).quantize(
                                     Decimal("0.01")))
                for pk, budget in bureau_projects
            ], batch_size=BATCH)
            rows = []
            for report in reports:
                for indicator in indicators.get(report.project_id, []):
                    unlikely = rng.random() < 0.1
                    rows.append(MonitoringValue(
                        report=report, indicator=indicator, reached_value=_reached(indicator, rng, rng.uniform(0.4, 0.9)),
                        expected_value=indicator.value_display,
                        likelihood=Likelihood.POSSIBLE if unlikely else Likelihood.CERTAIN,
                        deviation_cause=DeviationCause.FUNDING if unlikely else "",
                        deviation_text="资金拨付滞后" if unlikely else ""))
            MonitoringValue.objects.bulk_create(rows, batch_size=BATCH)
            counts["reports"] += len(reports)
            counts["monitoring_values"] += len(rows)
        if self_evaluation:
            evaluations = SelfEvaluation.objects.bulk_create([
                SelfEvaluation(project_id=pk, initial_budget=budget, full_year_budget=budget,
                               executed_amount=(budget * Decimal(str(rng.uniform(0.8, 1.0)))).quantize(Decimal("0.01")),
                               goal_achieved="基本完成年度目标", status=rng.choice(list(State)[:4]))
                for pk, budget in bureau_projects
            ], batch_size=BATCH)
            rows = [
                SelfEvaluationValue(evaluation=evaluation, indicator=indicator,
                                    reached_value=_reached(indicator, rng, rng.uniform(0.8, 1.6)),
                                    judgement=Judgement.ACHIEVED if indicator.number is None else "")
                for evaluation in evaluations for indicator in indicators.get(evaluation.project_id, [])
            ]
            SelfEvaluationValue.objects.bulk_create(rows, batch_size=BATCH)
            counts["self_evaluations"] += len(evaluations)
            counts["self_evaluation_values"] += len(rows)
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts
