"""Query budgets of the evaluation pages: the same count with much more data (no N+1)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from declarations.models import ProjectDeclaration
from declarations.services.load import indicators_add, projects_add
from evaluation import services
from evaluation.models import Likelihood, MonitoringValue, SelfEvaluationValue

pytestmark = pytest.mark.django_db

# page → the most queries it may make (measured count in the comment, plus headroom of 2).
BUDGETS = {
    # home: the years to filter by, one aggregate of the projects (round sizes and the count), a
    # page of each list (the rounds' projects with their reports, the projects with their evaluations)
    "home[filler]": 13,  # 11
    "home[reviewer]": 15,  # 13
    "round[reviewer]": 14,  # 12: the plans' checkpoint labels; the count, the ids and the rows of a page at risk
    "monitoring[filler]": 11,  # 9
    "monitoring[reviewer]": 11,  # 9
    "self_evaluation[filler]": 10,  # 8
    "self_evaluation[reviewer]": 10,  # 8
}


def _measure(client, pages):
    counts = {}
    for name, user, url in pages:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, name
        counts[name] = len(queries)
    return counts


def _grow(report, evaluation, monitoring_round, filler, zunhua_unit):
    """More approved projects with reports at risk, and many more indicator rows on the pages' own tables."""
    projects_add(unit=zunhua_unit, projects=6, indicators=8, year=2024, status="approved")
    for project in ProjectDeclaration.objects.filter(unit=zunhua_unit, year__year=2024, status="approved"):
        started = services.monitoring_report_start(monitoring_round=monitoring_round, project=project, user=filler)
        started.values.update(likelihood=Likelihood.IMPOSSIBLE, deviation_cause="funding")
        services.self_evaluation_start(project=project, user=filler)
    added = indicators_add(declaration=report.project, count=12)
    MonitoringValue.objects.bulk_create(MonitoringValue(report=report, indicator=i) for i in added)
    SelfEvaluationValue.objects.bulk_create(SelfEvaluationValue(evaluation=evaluation, indicator=i) for i in added)


def test_evaluation_pages_make_as_many_queries_with_much_more_data(client, filler, reviewer, report, evaluation,
                                                                   monitoring_round, zunhua_unit):
    pages = [
        ("home[filler]", filler, reverse("evaluation_home")),
        ("home[reviewer]", reviewer, reverse("evaluation_home")),
        ("round[reviewer]", reviewer, reverse("monitoring_round", args=[monitoring_round.pk])),
        ("monitoring[filler]", filler, reverse("monitoring_report", args=[report.pk])),
        ("monitoring[reviewer]", reviewer, reverse("monitoring_report", args=[report.pk])),
        ("self_evaluation[filler]", filler, reverse("self_evaluation", args=[evaluation.pk])),
        ("self_evaluation[reviewer]", reviewer, reverse("self_evaluation", args=[evaluation.pk])),
    ]
    _measure(client, pages)
    small = _measure(client, pages)
    _grow(report, evaluation, monitoring_round, filler, zunhua_unit)
    large = _measure(client, pages)
    assert large == small, f"query counts change with the data: {small} → {large}"
    over = {name: count for name, count in large.items() if count > BUDGETS[name]}
    assert not over, f"over budget: {over}"
    client.force_login(reviewer)
    body = client.get(reverse("monitoring_round", args=[monitoring_round.pk])).content.decode()
    # the six new ones (targets unlikely) and the first, with nothing executed yet (behind the plan)
    assert body.count('data-testid="risk-') == 7
