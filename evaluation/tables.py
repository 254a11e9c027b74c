"""The data both tables print, built once: rows in framework order with their computed deviations,
分值, 得分 and the total. Pages, exports and publication snapshots all read these dicts, so what the
filler sees, what prints and what is published cannot disagree."""
from decimal import Decimal

from declarations.values import format_amount, format_number

from . import scoring
from .models import MonitoringValue, SelfEvaluationValue


def _amount(amount):
    return "" if amount is None else format_amount(amount)


def _number(number):
    return "" if number is None else format_number(Decimal(number))


def _ordered(values):
    return sorted(values, key=lambda v: (v.indicator.subcategory.category.order, v.indicator.subcategory.order,
                                         v.indicator.order, v.indicator.pk))


def _indicator(value):
    indicator = value.indicator
    return {
        "pk": value.pk, "category": indicator.subcategory.category.name, "subcategory": indicator.subcategory.name,
        "name": indicator.name, "target": indicator.value_display,
    }


def _header(project, year):
    unit = project.unit
    return {
        "year": year, "bureau": unit.bureau.name, "unit": {"name": unit.name, "code": unit.code},
        "project": {
            "pk": project.pk, "name": project.name, "code": project.code,
            "supervising_department": project.supervising_department or (unit.parent or unit).name,
            "implementing_unit": project.implementing_unit or unit.name, "budget": _amount(project.budget),
        },
    }


def monitoring_values(report):
    return _ordered(MonitoringValue.objects.filter(report=report).select_related("indicator__subcategory__category"))


def monitoring_data(report, values=None):
    """A monitoring report as it prints: money, 执行率 against the plan, and every indicator row."""
    values = monitoring_values(report) if values is None else values
    rows = []
    for value in values:
        outcome = value.outcome
        rows.append({
            **_indicator(value), "reached_value": value.reached_value, "expected_value": value.expected_value,
            "deviation": outcome.label if value.reached_value.strip() else "",
            "deviation_cause": value.get_deviation_cause_display() if value.deviation_cause else "",
            "deviation_text": value.deviation_text, "likelihood": value.get_likelihood_display(), "note": value.note,
            "at_risk": value.at_risk,
        })
    rate, plan = report.execution_rate, report.planned_percent
    return {
        "kind": "monitoring", **_header(report.project, report.round.year.year),
        "period": report.round.period_label,
        "report": {
            "pk": report.pk, "status": report.get_status_display(), "executed_amount": _amount(report.executed_amount),
            "execution_rate": _number(rate), "planned_percent": _number(plan), "behind_plan": report.behind_plan,
        },
        "values": rows,
    }


def self_evaluation_values(evaluation):
    return _ordered(
        SelfEvaluationValue.objects.filter(evaluation=evaluation).select_related("indicator__subcategory__category")
    )


def self_evaluation_rows(evaluation, values=None):
    """Each indicator with its 分值, 得分 and outcome, by the national rules (scoring.py)."""
    values = self_evaluation_values(evaluation) if values is None else values
    points = scoring.points_of([(v.pk, v.indicator.subcategory.category.name, v.indicator.weight) for v in values])
    rows = []
    for value in values:
        score, outcome = scoring.indicator_score(value.target, value.reached_value, points[value.pk],
                                                 judgement=value.judgement, judged_score=value.judged_score)
        rows.append({"value": value, "points": points[value.pk], "score": score, "outcome": outcome})
    return rows


def self_evaluation_score(evaluation, rows):
    """(budget score, total, grade)."""
    budget = scoring.budget_score(evaluation.execution_rate)
    total = budget + sum((row["score"] for row in rows), Decimal(0))
    return budget, total, scoring.grade(total)


def self_evaluation_data(evaluation, values=None):
    """A self-evaluation as it prints and as it is published (a JSON-safe dict)."""
    rows = self_evaluation_rows(evaluation, values)
    budget_score, total, grade = self_evaluation_score(evaluation, rows)
    return {
        "kind": "self_evaluation", **_header(evaluation.project, evaluation.project.year.year),
        "evaluation": {
            "pk": evaluation.pk, "status": evaluation.get_status_display(),
            "initial_budget": _amount(evaluation.initial_budget),
            "full_year_budget": _amount(evaluation.full_year_budget),
            "executed_amount": _amount(evaluation.executed_amount),
            "execution_rate": _number(evaluation.execution_rate), "budget_points": _number(scoring.BUDGET_POINTS),
            "budget_score": _number(budget_score), "goal_set": evaluation.goal_set,
            "goal_achieved": evaluation.goal_achieved, "total": _number(total), "grade": grade,
        },
        "values": [
            {
                **_indicator(row["value"]), "reached_value": row["value"].reached_value,
                "points": _number(row["points"]), "score": _number(row["score"]), "analysis": row["value"].analysis,
                "outcome": row["outcome"].label,
            }
            for row in rows
        ],
    }
