"""Query budgets: every list and detail page costs the same number of queries whatever the data.

Each page is rendered on the demo, then again after much more data was generated: other bureaus
and units (declarations.services.load), more units in the demo's own bureau, more projects in the
page's own unit, more indicators, events, review comments and notifications on the page's own
declarations. A page whose count grows with the data has an N+1 query; PAGE_BUDGETS holds the
measured count of each page plus a little headroom, so that a page getting slower is noticed.
"""
import re
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from declarations.models import DepartmentDeclaration, ProjectDeclaration, Status, Unit
from declarations.services.load import generate_load, indicators_add, projects_add, units_add
from public import services as publishing
from review import services
from review.models import Notification, Publication

# page → the most queries it may make: the count measured when it was set (in the comment), plus
# headroom of 2. The count may not change with the amount of data (see the test).
PAGE_BUDGETS = {  # wizard steps: the declaration, its indicators and its framework read once for the page
    "home[filler]": 13,  # 11: with the page of units and years, and its count
    "home[reviewer]": 10,  # 8
    "home[admin]": 9,  # 7
    "project_detail": 16,  # 14
    "department_detail": 17,  # 15
    "project_step[basic]": 16,  # 14
    "project_step[funds]": 18,  # 16
    "project_step[goals]": 17,  # 15
    "project_step[indicators]": 22,  # 20
    "project_step[preview]": 23,  # 21: one project's table read alone
    "department_step[profile]": 12,  # 10
    "department_step[goals]": 13,  # 11
    "department_step[preview]": 22,  # 20
    "department_step[money, jiangsu]": 13,  # 11
    "department_step[projects, jiangsu]": 14,  # 12
    "department_step[indicators, jiangsu]": 18,  # 16
    "department_detail[jiangsu]": 18,  # 16
    "document_preview": 24,  # 22
    "review_dashboard[reviewer]": 36,  # 34: aggregates for counts and charts, one page of rows
    "review_dashboard[admin]": 30,  # 28
    "review_declaration": 23,  # 21: one project's table read alone
    # Public pages as first rendered (the page cache is emptied before each); a second visit is 1 query.
    "public_index": 6,  # 4: with the generation row for the ETag, Last-Modified and cache key
    "public_search": 6,  # 4: the search table, the PDFs of the results, the years
    "public_bureau": 5,  # 3
    "public_unit_year": 19,  # 17
    "notifications": 8,  # 6
}

ZUNHUA_PROJECT = "13028124P00096710001G"
PUBLISHED_PROJECTS = ["13028124P00096910001U", "13028124P000968100016"]  # the other two 遵化 projects


def _pages():
    """(page, username, url, before) for every page; `before` runs just before the request."""
    project = ProjectDeclaration.objects.get(code=ZUNHUA_PROJECT)
    department = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    rugao = DepartmentDeclaration.objects.get(unit__name="如皋市信访局")
    unit = project.unit
    filler = User.objects.get(username="zunhua-xfj")

    def unread_notification():
        Notification.objects.create(user=filler, message="有一条新的审核意见", url="/")

    pages = [
        ("home[filler]", "zunhua-xfj", reverse("home")),
        ("home[reviewer]", "zunhua-czj", reverse("home")),
        ("home[admin]", "admin", reverse("home")),
        ("project_detail", "zunhua-xfj", reverse("project_detail", args=[project.pk])),
        ("department_detail", "zunhua-xfj", reverse("department_detail", args=[department.pk])),
        *[
            (f"project_step[{step}]", "zunhua-xfj", reverse("project_step", args=[project.pk, step]))
            for step in ("basic", "funds", "goals", "indicators", "preview")
        ],
        *[
            (f"department_step[{step}]", "zunhua-xfj", reverse("department_step", args=[department.pk, step]))
            for step in ("profile", "goals", "preview")  # the Hebei 部门整体 prints no money, projects or indicators
        ],
        *[
            (f"department_step[{step}, jiangsu]", "rugao-xfj", reverse("department_step", args=[rugao.pk, step]))
            for step in ("money", "projects", "indicators")
        ],
        ("department_detail[jiangsu]", "rugao-xfj", reverse("department_detail", args=[rugao.pk])),
        ("document_preview", "zunhua-xfj", reverse("document_preview", args=[unit.pk, 2024])),
        ("review_dashboard[reviewer]", "zunhua-czj", reverse("review_dashboard")),
        ("review_dashboard[admin]", "admin", reverse("review_dashboard") + "?year=2024"),
        ("review_declaration", "zunhua-czj", reverse("review_declaration", args=["project", project.pk])),
        ("public_index", None, reverse("public_index")),
        ("public_search", None, reverse("public_search") + "?q=信访"),
        ("public_bureau", None, reverse("public_bureau", args=[unit.bureau_id])),
        ("public_unit_year", None, reverse("public_unit_year", args=[unit.pk, 2024])),
        ("notifications", "zunhua-xfj", reverse("notifications")),
    ]
    return [(name, username, url, unread_notification if name == "notifications" else None)
            for name, username, url in pages]


def _measure(client, pages):
    counts = {}
    for name, username, url, before in pages:
        if before:
            before()
        client.logout()
        if username:
            client.force_login(User.objects.get(username=username))
        cache.clear()  # the public pages' first rendering, not their cached copy
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, f"{name} {url} answered {response.status_code}"
        counts[name] = len(queries)
        counts[f"{name}:queries"] = [query["sql"] for query in queries.captured_queries]
    return counts


def _comment(target, text):
    return {"target": target, "target_label": target, "criterion": "完整性", "text": text}


def _demo_state():
    """The demo with what every page needs to show: a returned project with a review comment,
    two published 遵化 projects (two releases of the unit's document) and a notification."""
    filler, reviewer = User.objects.get(username="zunhua-xfj"), User.objects.get(username="zunhua-czj")
    project = ProjectDeclaration.objects.get(code=ZUNHUA_PROJECT)
    project = services.declaration_submit(declaration=project, user=filler)
    services.declaration_return(declaration=project, user=reviewer, reason="请补充依据",
                                comments=[_comment("annual_goal", "年度目标请量化")])
    indicators_add(declaration=DepartmentDeclaration.objects.get(unit=project.unit), count=3, seed=5)
    for code in PUBLISHED_PROJECTS:
        published = services.declaration_submit(declaration=ProjectDeclaration.objects.get(code=code), user=filler)
        published = services.declaration_approve(declaration=published, user=reviewer)
        publishing.declaration_publish(declaration=published, user=reviewer)


def _grow():
    """Much more of everything, around the pages and on the pages themselves."""
    filler, reviewer = User.objects.get(username="zunhua-xfj"), User.objects.get(username="zunhua-czj")
    unit = Unit.objects.get(name="遵化市信访局")
    # Other bureaus and units, in every layout and state (in the year of the dashboards).
    generate_load(bureaus=5, units=10, projects=3, indicators=8, year=2024, seed=7)
    # More units in the demo's own bureau: the reviewer's home, dashboard and the public bureau page.
    units_add(bureaus=[unit.bureau], units=4, projects=3, indicators=8, year=2024, seed=8)
    # More projects in the own unit and year, some published: home, 项目支出情况, document, public unit page.
    projects_add(unit=unit, projects=5, indicators=8, year=2024, seed=9)
    projects_add(unit=unit, projects=3, indicators=6, year=2024, seed=10, status=Status.PUBLISHED)
    # More indicators, events, snapshots and comments on the pages' own declarations.
    project = ProjectDeclaration.objects.get(code=ZUNHUA_PROJECT)
    indicators_add(declaration=project, count=12, seed=11)
    indicators_add(declaration=DepartmentDeclaration.objects.get(unit=unit), count=12, seed=12)
    indicators_add(declaration=DepartmentDeclaration.objects.get(unit__name="如皋市信访局"), count=12, seed=13)
    project = services.declaration_submit(declaration=project, user=filler)
    services.declaration_return(declaration=project, user=reviewer, reason="请再补充依据", comments=[
        _comment("annual_goal", "年度目标请量化"), _comment("purpose", "资金用途请细化"),
        _comment("budget", "预算数请核实"),
    ])
    Notification.objects.bulk_create(
        Notification(user=filler, message=f"第{n}条通知", url="/") for n in range(30)
    )


def _report(small, large):
    lines = [f"{'page':<36}{'demo':>6}{'grown':>7}{'budget':>8}"]
    for name in PAGE_BUDGETS:
        lines.append(f"{name:<36}{small.get(name, '-'):>6}{large.get(name, '-'):>7}{PAGE_BUDGETS[name]:>8}")
    return "\n".join(lines)


def _shape(sql):
    """A query without its literals, so that the same query for another row counts as the same."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)[:160]


def _new_queries(small, large, name):
    """The query shapes the grown page runs more often than the small one (the N+1 suspects)."""
    before, after = Counter(map(_shape, small[f"{name}:queries"])), Counter(map(_shape, large[f"{name}:queries"]))
    return {shape: f"{before[shape]} → {count}" for shape, count in after.items() if count > before[shape]}


@pytest.mark.django_db
def test_pages_make_as_many_queries_with_much_more_data_and_stay_within_budget(client):
    _demo_state()
    pages = _pages()
    assert {name for name, *_ in pages} == set(PAGE_BUDGETS)
    _measure(client, pages)  # warm-up: caches filled on first use are not the page's cost
    small = _measure(client, pages)
    _grow()
    large = _measure(client, pages)
    report = _report(small, large)
    print(report)
    grown = {name: _new_queries(small, large, name) for name in PAGE_BUDGETS if large[name] != small[name]}
    assert not grown, f"query counts change with the data (N+1):\n{report}\n{grown}"
    over = [name for name in PAGE_BUDGETS if large[name] > PAGE_BUDGETS[name]]
    assert not over, f"over budget: {over}\n{report}"


@pytest.mark.django_db
def test_the_grown_pages_show_the_grown_data(client):
    """The second size really is bigger on the pages themselves (else the comparison proves nothing)."""
    _demo_state()
    unit = Unit.objects.get(name="遵化市信访局")
    project = ProjectDeclaration.objects.get(code=ZUNHUA_PROJECT)
    before = {
        "projects": unit.projectdeclarations.count(),
        "indicators": project.indicators.count(),
        "units": Unit.objects.filter(bureau=unit.bureau).count(),
        "publications": Publication.objects.count(),
    }
    _grow()
    assert unit.projectdeclarations.count() >= before["projects"] + 8
    assert project.indicators.count() == before["indicators"] + 12
    assert Unit.objects.filter(bureau=unit.bureau).count() == before["units"] + 4
    assert Publication.objects.count() > before["publications"] + 3
    client.force_login(User.objects.get(username="zunhua-xfj"))
    response = client.get(reverse("project_detail", args=[project.pk]))
    assert response.text.count("<tr") > before["indicators"] + 12
