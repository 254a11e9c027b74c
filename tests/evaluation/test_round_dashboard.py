"""The round dashboard at province scale: the projects at risk are found in SQL and shown 50 at a
time, with the same figures as when every report was read into Python (kept here as the reference),
in the same number of queries whatever the round's size."""
import random
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from declarations.models import Indicator, ProjectDeclaration, SpendingCheckpoint
from declarations.services.load import projects_add
from evaluation import selectors
from evaluation.models import Likelihood, MonitoringReport, MonitoringValue, State

pytestmark = pytest.mark.django_db


def _old_at_risk(monitoring_round):
    """The dashboard's list as it was computed before it moved to SQL (the reference): every report
    of the round read with its indicators counted and its spending plan, filtered in Python."""
    rows = (MonitoringReport.objects.filter(round=monitoring_round, status__in=[State.SUBMITTED, State.APPROVED,
                                                                               State.RETURNED, State.DRAFT])
            .annotate(unlikely_count=Count("values", filter=~Q(values__likelihood=Likelihood.CERTAIN)))
            .select_related("round", "project__unit")
            .prefetch_related(Prefetch("project__spending_plan", queryset=SpendingCheckpoint.objects.all()))
            .order_by("project__unit__name", "project__order", "project__id"))
    return [(report.pk, report.unlikely_count, report.behind_plan) for report in rows
            if report.unlikely_count or report.behind_plan]


def _new_at_risk(monitoring_round):
    return [(report.pk, report.unlikely_count, report.behind)
            for report in selectors.round_progress(monitoring_round)["at_risk"]]


PLANS = [
    [],  # no plan: never behind
    [("全年", 100)],  # no checkpoint names a month: never behind
    [("3月底", 25), ("6月底", 50), ("10月底", 75), ("12月底", 100)],
    [("10月底", 80)],  # only after 7月: 0% planned, never behind
    [("７月底", Decimal("45.67"))],  # full-width digit, on the checkpoint month itself
    [("2024年7月", Decimal("30.5"))],
    [("6月15日", Decimal("10.01"))],  # just over 10: behind when nothing is measured
    [("6月底", 10)],  # exactly 10: not behind even with nothing executed
    [("3月底", 60), ("6月底", 40)],  # not cumulative as typed: the highest up to 7月 counts
    [("季度末", 20), ("5月底", Decimal("33.33"))],
    [("8月底", 70), ("全年", 100)],
]
BUDGETS = [None, Decimal("0"), Decimal("100"), Decimal("123.456789"), Decimal("0.000001"),
           Decimal("98765.4321"), Decimal("3"), Decimal("200")]


def _executed(rng, budget):
    if rng.random() < 0.15:
        return None
    if budget is None or rng.random() < 0.1:
        return Decimal(rng.randint(0, 500_000)) / 1000
    return (budget * Decimal(str(rng.uniform(0, 1.1)))).quantize(Decimal("0.000001"))


@pytest.fixture
def varied_round(monitoring_round, zunhua_unit):
    """A round of 80 reports in every state, over every kind of plan and budget, amounts random to the
    millionth, some of them on the very edge of "10 points behind", some indicators unlikely."""
    projects_add(unit=zunhua_unit, projects=80, indicators=3, year=monitoring_round.year.year, seed=7,
                 status="approved")
    projects = list(ProjectDeclaration.objects.filter(unit=zunhua_unit, year=monitoring_round.year, status="approved")
                    .order_by("pk"))
    rng = random.Random(11)
    SpendingCheckpoint.objects.filter(project__in=projects).delete()
    checkpoints, reports = [], []
    edges = [  # (budget, plan, executed): the rate rounds to exactly plan - 10 (not behind) or just under it
        (Decimal("100"), [("6月底", 60)], Decimal("49.995")), (Decimal("100"), [("6月底", 60)], Decimal("49.994999")),
        (Decimal("200"), [("6月底", 60)], Decimal("99.99")), (Decimal("200"), [("6月底", 60)], Decimal("99.989999")),
        (Decimal("100"), [("７月底", Decimal("45.67"))], Decimal("35.665")),
        (Decimal("100"), [("７月底", Decimal("45.67"))], Decimal("35.664999")),
        (Decimal("3"), [("6月底", 50)], Decimal("1.19985")), (Decimal("3"), [("6月底", 50)], Decimal("1.199849")),
        (Decimal("100"), [("6月底", 60)], Decimal("50")),
    ]
    for n, project in enumerate(projects):
        if n < len(edges):
            budget, plan, executed = edges[n]
            status = State.SUBMITTED
        else:
            budget, plan = rng.choice(BUDGETS), rng.choice(PLANS)
            executed, status = _executed(rng, budget), rng.choice(list(State))
        project.budget = budget
        checkpoints += [SpendingCheckpoint(project=project, order=i, label=label, percent=Decimal(percent))
                        for i, (label, percent) in enumerate(plan)]
        reports.append(MonitoringReport(round=monitoring_round, project=project, executed_amount=executed,
                                        status=status))
    ProjectDeclaration.objects.bulk_update(projects, ["budget"])
    SpendingCheckpoint.objects.bulk_create(checkpoints)
    MonitoringReport.objects.bulk_create(reports)
    indicators = {}
    for indicator in Indicator.objects.filter(project__in=projects, term="annual"):
        indicators.setdefault(indicator.project_id, []).append(indicator)
    MonitoringValue.objects.bulk_create(
        MonitoringValue(report=report, indicator=indicator,
                        likelihood=rng.choices(list(Likelihood), weights=[8, 1, 1])[0])
        for report in MonitoringReport.objects.filter(round=monitoring_round)
        for indicator in indicators.get(report.project_id, []))
    return monitoring_round


def test_the_sql_finds_the_same_projects_at_risk_for_the_same_reasons_as_the_python_it_replaced(varied_round):
    old = _old_at_risk(varied_round)
    assert _new_at_risk(varied_round) == old
    # the comparison means something: both reasons, alone and together, and reports not at risk
    reasons = {(bool(unlikely), behind) for _pk, unlikely, behind in old}
    assert reasons == {(True, False), (False, True), (True, True)}
    in_progress = MonitoringReport.objects.filter(round=varied_round).exclude(status=State.PUBLISHED).count()
    assert 0 < len(old) < in_progress


def test_every_report_of_the_round_gets_the_rate_verdict_python_gives_it(varied_round):
    reports = {report.pk: report for report in MonitoringReport.objects.filter(round=varied_round).select_related(
        "round", "project").prefetch_related("project__spending_plan")}
    sql = {report.pk: report.behind for report in selectors.round_reports(varied_round)}
    python = {pk: reports[pk].behind_plan for pk in sql}
    assert sql == python
    assert set(sql.values()) == {True, False}


def test_a_rate_that_rounds_to_exactly_ten_points_behind_is_not_at_risk_and_a_millionth_less_is(varied_round):
    behind = {report.executed_amount: report.behind for report in selectors.round_reports(varied_round)
              if report.project.budget == Decimal("100") and report.project.spending_plan.filter(label="6月底").exists()}
    # budget 100 万元, 60% planned by 6月底: 49.995 shows as 50.00%, exactly 10 points behind
    assert behind[Decimal("49.995")] is False and behind[Decimal("49.994999")] is True
    assert behind[Decimal("50")] is False


def test_the_dashboard_shows_the_same_rows_and_reasons_a_page_at_a_time(client, reviewer, varied_round):
    old = _old_at_risk(varied_round)
    reasons = {pk: "；".join(filter(None, ["执行进度落后" if behind else "",
                                          f"{unlikely} 项指标可能无法完成" if unlikely else ""]))
               for pk, unlikely, behind in old}
    client.force_login(reviewer)
    shown = []
    for number in range(1, (len(old) - 1) // 50 + 2):
        body = client.get(reverse("monitoring_round", args=[varied_round.pk]), {"page": number}).text
        assert f'存在风险的项目 <span class="badge text-bg-warning">{len(old)}</span>' in body
        shown += [(int(pk), reason) for pk, reason in
                  re.findall(r'data-testid="risk-(\d+)">.*?</td><td class="text-end">[^<]*</td>\s*<td>([^<]*)</td>',
                             body, re.S)]
    assert shown == [(pk, reasons[pk]) for pk, _u, _b in old]


def _at_risk_reports(monitoring_round, count, zunhua_unit, seed):
    """`count` more approved projects with a report each, every one behind its plan (nothing executed)."""
    before = set(ProjectDeclaration.objects.filter(unit=zunhua_unit).values_list("pk", flat=True))
    projects_add(unit=zunhua_unit, projects=count, indicators=1, year=monitoring_round.year.year, seed=seed,
                 status="approved")
    added = ProjectDeclaration.objects.filter(unit=zunhua_unit).exclude(pk__in=before)
    MonitoringReport.objects.bulk_create(MonitoringReport(round=monitoring_round, project=project)
                                         for project in added)


def _rows(body):
    return [int(pk) for pk in re.findall(r'data-testid="risk-(\d+)"', body)]


def test_a_round_of_120_projects_at_risk_shows_50_then_50_then_20_with_page_links(client, reviewer, monitoring_round,
                                                                                   zunhua_unit):
    _at_risk_reports(monitoring_round, 120, zunhua_unit, seed=3)
    expected = [pk for pk, _u, _b in _old_at_risk(monitoring_round)]
    assert len(expected) == 120
    client.force_login(reviewer)
    url = reverse("monitoring_round", args=[monitoring_round.pk])
    first, second, third = (client.get(url, {"page": n}).text for n in (1, 2, 3))
    assert [len(_rows(page)) for page in (first, second, third)] == [50, 50, 20]
    assert _rows(first) + _rows(second) + _rows(third) == expected
    assert "第 1 / 3 页，共 120 个项目" in first and "第 3 / 3 页，共 120 个项目" in third
    assert 'href="?&amp;page=2">下一页' in first and "上一页" not in first
    assert 'href="?&amp;page=1">上一页' in second and 'href="?&amp;page=3">下一页' in second
    assert "下一页" not in third
    # a page past the end or not a number shows the last or the first page
    assert _rows(client.get(url, {"page": 9}).text) == _rows(third)
    assert _rows(client.get(url, {"page": "x"}).text) == _rows(first)


def test_a_round_that_fits_one_page_has_no_page_links(client, reviewer, monitoring_round, zunhua_unit):
    _at_risk_reports(monitoring_round, 3, zunhua_unit, seed=3)
    client.force_login(reviewer)
    body = client.get(reverse("monitoring_round", args=[monitoring_round.pk])).text
    assert len(_rows(body)) == 3 and "存在风险的项目分页" not in body


def test_a_round_without_projects_at_risk_says_so(client, reviewer, monitoring_round):
    client.force_login(reviewer)
    body = client.get(reverse("monitoring_round", args=[monitoring_round.pk])).text
    assert "暂无风险项目。" in body and 'data-testid="at-risk"' not in body


def test_the_dashboard_makes_as_many_queries_for_200_reports_as_for_3(client, reviewer, monitoring_round,
                                                                      zunhua_unit):
    client.force_login(reviewer)
    url = reverse("monitoring_round", args=[monitoring_round.pk])
    _at_risk_reports(monitoring_round, 3, zunhua_unit, seed=3)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert len(_rows(client.get(url).text)) == 3
    _at_risk_reports(monitoring_round, 197, zunhua_unit, seed=4)
    SpendingCheckpoint.objects.filter(project__monitoring_reports__round=monitoring_round, label="6月底").update(
        label="６月底")  # more distinct labels to read to months
    with CaptureQueriesContext(connection) as large:
        assert len(_rows(client.get(url, {"page": 2}).text)) == 50
    assert len(large) == len(small), [q["sql"][:80] for q in large]
