"""The evaluation home a page at a time: 50 rows in each list with page links, the same queries
whatever the data, an administrator's bureau and year filters, and a reviewer who only ever sees
their own bureau's rows."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from declarations.models import ProjectDeclaration
from declarations.services.load import generate_load, projects_add
from evaluation import selectors, services
from evaluation.services import ELIGIBLE

pytestmark = pytest.mark.django_db


def _home(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("evaluation_home"), params)
    assert response.status_code == 200
    return response.text


def _self_evaluation_rows(page):
    return [int(pk) for pk in re.findall(r'data-testid="self-evaluation-(\d+)"', page)]


def _monitoring_rows(page, monitoring_round):
    return [int(pk) for pk in re.findall(rf'data-testid="monitoring-{monitoring_round.pk}-(\d+)"', page)]


def _eligible(bureau, **filters):
    return set(ProjectDeclaration.objects.filter(unit__bureau=bureau, status__in=ELIGIBLE, **filters)
               .values_list("pk", flat=True))


@pytest.fixture
def many_approved(zunhua_unit):
    """55 more approved 2024 projects of 遵化市信访局: more than a page."""
    projects_add(unit=zunhua_unit, projects=55, indicators=1, year=2024, seed=21, status="approved")
    return _eligible(zunhua_unit.bureau)


def test_the_self_evaluation_list_shows_50_projects_and_page_2_the_others(client, reviewer, many_approved):
    first = _home(client, reviewer)
    second = _home(client, reviewer, page=2)
    assert len(_self_evaluation_rows(first)) == 50
    assert f"第 1 / 2 页，共 {len(many_approved)} 个项目" in first
    assert "page=2" in first
    assert set(_self_evaluation_rows(second)).isdisjoint(_self_evaluation_rows(first))
    assert set(_self_evaluation_rows(first)) | set(_self_evaluation_rows(second)) == many_approved


def test_a_rounds_projects_run_over_to_the_next_page_under_the_rounds_heading(client, reviewer, many_approved):
    monitoring_round = services.round_open(user=reviewer, bureau=reviewer.bureau,
                                           year=ProjectDeclaration.objects.get(pk=min(many_approved)).year,
                                           period_label="1-7月", checkpoint_month=7)
    in_round = _eligible(reviewer.bureau, year=monitoring_round.year)
    first = _home(client, reviewer)
    second = _home(client, reviewer, monitoring_page=2)
    assert len(_monitoring_rows(first, monitoring_round)) == 50
    assert f'data-testid="round-{monitoring_round.pk}"' in second
    assert set(_monitoring_rows(first, monitoring_round)) | set(_monitoring_rows(second, monitoring_round)) == in_round
    assert len(_monitoring_rows(second, monitoring_round)) == len(in_round) - 50


def test_any_slice_of_the_round_rows_is_the_same_slice_of_every_rounds_rows_in_turn(
        reviewer, other_reviewer, administrator, zunhua_unit):
    projects_add(unit=zunhua_unit, projects=9, indicators=1, year=2024, seed=22, status="approved")
    zunhua_year = ProjectDeclaration.objects.filter(unit=zunhua_unit, year__year=2024).first().year
    services.round_open(user=reviewer, bureau=reviewer.bureau, year=zunhua_year, period_label="1-6月",
                        checkpoint_month=6)
    services.round_open(user=reviewer, bureau=reviewer.bureau, year=zunhua_year, period_label="1-9月",
                        checkpoint_month=9)
    services.round_open(user=other_reviewer, bureau=other_reviewer.bureau, year=zunhua_year,
                        period_label="1-7月", checkpoint_month=7)
    rounds = list(selectors.rounds_for(administrator).order_by("-year__year", "-checkpoint_month", "-id"))
    projects = selectors.projects_for(administrator)
    expected = []
    for monitoring_round in rounds:
        own = [p.pk for p in projects if (p.unit.bureau_id, p.year_id) == (monitoring_round.bureau_id,
                                                                          monitoring_round.year_id)]
        expected.extend((monitoring_round.pk, pk) for pk in own or [None])
    entries = selectors.RoundEntries(rounds, projects, selectors.project_counts(projects))
    assert len(entries) == len(expected) and any(pk is None for _round, pk in expected)  # a round without any
    for size in (1, 4, 7, 50):
        for start in range(0, len(expected), size):
            got = [(r.pk, p.pk if p else None) for r, p in entries[start:start + size]]
            assert got == expected[start:start + size], (start, size)


def test_the_administrators_home_makes_as_many_queries_with_many_more_bureaus_rounds_and_projects(
        client, administrator, reviewer, zunhua_unit):
    def count():
        client.force_login(administrator)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("evaluation_home")).status_code == 200
        return len(queries)

    projects_add(unit=zunhua_unit, projects=3, indicators=1, year=2024, seed=25, status="approved")
    services.round_open(user=reviewer, bureau=reviewer.bureau, year=zunhua_unit.projectdeclarations.first().year,
                        period_label="1-7月", checkpoint_month=7)
    count()
    small = count()
    generate_load(bureaus=3, units=6, projects=4, indicators=2, year=2024, seed=23)
    projects_add(unit=zunhua_unit, projects=60, indicators=1, year=2024, seed=24, status="approved")
    services.round_open(user=reviewer, bureau=reviewer.bureau, year=zunhua_unit.projectdeclarations.first().year,
                        period_label="1-9月", checkpoint_month=9)
    assert count() == small


def test_a_reviewer_never_sees_another_bureaus_projects_even_when_naming_that_bureau(
        client, other_reviewer, reviewer, many_approved):
    services.round_open(user=reviewer, bureau=reviewer.bureau, year=ProjectDeclaration.objects.get(
        pk=min(many_approved)).year, period_label="1-7月", checkpoint_month=7)
    own = _eligible(other_reviewer.bureau)
    for params in ({}, {"bureau": reviewer.bureau_id}, {"page": 2}, {"monitoring_page": 2}):
        page = _home(client, other_reviewer, **params)
        assert set(_self_evaluation_rows(page)) <= own
        assert not set(_self_evaluation_rows(page)) & many_approved
        assert "监控进度与风险" not in page  # the 遵化 round is not listed
    assert 'id="f-bureau"' not in _home(client, other_reviewer)


def test_the_administrator_narrows_the_home_to_one_bureau_and_year(client, administrator, other_reviewer,
                                                                   many_approved):
    everything = _home(client, administrator)
    assert 'id="f-bureau"' in everything and "全部财政局" in everything
    rugao = other_reviewer.bureau
    page = _home(client, administrator, bureau=rugao.pk)
    assert set(_self_evaluation_rows(page)) == _eligible(rugao)
    project = ProjectDeclaration.objects.get(pk=min(many_approved))
    zunhua = _home(client, administrator, bureau=project.unit.bureau_id, year=project.year.year, page=2)
    assert set(_self_evaluation_rows(zunhua)) < _eligible(project.unit.bureau, year=project.year)
    link = re.search(r'<a class="page-link" href="\?([^"]*)">上一页</a>', zunhua).group(1)
    assert link == f"bureau={project.unit.bureau_id}&amp;year=2024&amp;monitoring_page=1&amp;page=1"


def test_the_administrator_opens_a_round_for_the_bureau_chosen_on_the_home_page(client, administrator, reviewer,
                                                                                zunhua_project):
    page = _home(client, administrator, bureau=reviewer.bureau_id)
    assert f'<input type="hidden" name="bureau" value="{reviewer.bureau_id}">' in page
    assert 'id="open-round"' not in _home(client, administrator)
    response = client.post(reverse("monitoring_round_open"), {
        "bureau": reviewer.bureau_id, "year": zunhua_project.year_id, "period_label": "1-7月", "checkpoint_month": 7})
    monitoring_round = reviewer.bureau.monitoring_rounds.get()
    assert response.url == reverse("monitoring_round", args=[monitoring_round.pk])
