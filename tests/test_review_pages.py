"""The reviewer's queue (/review/) a page at a time at province scale: 50 rows a page in the
queue's order, an administrator's bureau filter, and a reviewer who only sees their own bureau."""
import re

import pytest
from django.urls import reverse

from declarations.models import DepartmentDeclaration, ProjectDeclaration, Unit
from declarations.services.load import projects_add

pytestmark = pytest.mark.django_db


def _dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("review_dashboard"), {"year": 2024, **params})
    assert response.status_code == 200
    return response.text


def _rows(page):
    return [(kind, int(pk)) for kind, pk in re.findall(r'<tr data-testid="row-([a-z]+)-(\d+)"', page)]


def _unit_options(page):
    select = re.search(r'<select[^>]*id="f-unit".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="(\d*)"', select)


def _queue_order(bureau):
    """The queue's order, written out: 已提交 first, then unit, 部门整体 before projects, name."""
    rows = [(d.status != "submitted", d.unit.name, 0, f"{d.department_name or d.unit.name}部门整体", "department", d.pk)
            for d in DepartmentDeclaration.objects.filter(unit__bureau=bureau, year__year=2024).select_related("unit")]
    rows += [(p.status != "submitted", p.unit.name, 1, p.name, "project", p.pk)
             for p in ProjectDeclaration.objects.filter(unit__bureau=bureau, year__year=2024).select_related("unit")]
    return [(kind, pk) for *_key, kind, pk in sorted(rows)]


def test_the_queue_shows_50_rows_and_page_2_the_others_in_the_queues_order(client, reviewer, zunhua_unit):
    projects_add(unit=zunhua_unit, projects=55, indicators=1, year=2024, seed=31)  # every state
    first, second = _dashboard(client, reviewer), _dashboard(client, reviewer, page=2)
    expected = _queue_order(reviewer.bureau)
    assert len(_rows(first)) == 50
    assert f"第 1 / 2 页，共 {len(expected)} 份" in first
    assert _rows(first) + _rows(second) == expected
    assert expected[0][0] == "project" and 'class="table-warning pending"' in first  # the submitted ones lead


def test_the_administrator_narrows_the_queue_to_one_bureau_and_its_units(client, administrator, other_reviewer):
    everything = _dashboard(client, administrator)
    assert 'id="f-bureau"' in everything and _unit_options(everything) == [""]  # no province-long unit list
    rugao = other_reviewer.bureau
    page = _dashboard(client, administrator, bureau=rugao.pk)
    assert set(_rows(page)) == set(_queue_order(rugao)) and _rows(page)
    assert _unit_options(page) == ["", *[str(pk) for pk in Unit.objects.filter(bureau=rugao).order_by("name")
                                          .values_list("pk", flat=True)]]
    assert f"审核工作台 <small class=\"text-muted\">{rugao.name} · 2024年度" in page


def test_a_reviewer_never_sees_another_bureaus_rows_even_when_naming_that_bureau(client, reviewer, other_reviewer,
                                                                                 zunhua_unit):
    projects_add(unit=zunhua_unit, projects=55, indicators=1, year=2024, seed=32)
    own = set(_queue_order(other_reviewer.bureau))
    for params in ({}, {"bureau": reviewer.bureau_id}, {"page": 2}, {"unit": zunhua_unit.pk}):
        page = _dashboard(client, other_reviewer, **params)
        assert set(_rows(page)) <= own, params
    assert 'id="f-bureau"' not in _dashboard(client, other_reviewer)


def test_units_that_have_not_filed_are_counted_alike_with_and_without_a_state_filter(client, reviewer, zunhua_unit):
    Unit.objects.create(bureau=zunhua_unit.bureau, name="遵化市测试局")
    assert "未填报 <strong>1</strong>" in _dashboard(client, reviewer)
    assert "未填报 <strong>1</strong>" in _dashboard(client, reviewer, status="draft")
    assert "未填报 <strong>1</strong>" in _dashboard(client, reviewer, kind="project")
