"""The administrator's home page and the admin's big lists stay light at province scale: a page
of units on the home page, a page of 50 rows in each list, in the same queries whatever the data."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from declarations.services.load import generate_load

LISTS = [
    "declarations_projectdeclaration", "declarations_departmentdeclaration", "declarations_indicator",
    "review_event", "review_review", "review_snapshot", "review_publication", "review_notification", "jobs_job",
]


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, queries


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def _grow():
    generate_load(bureaus=3, units=30, projects=3, indicators=6, year=2024, seed=21)


def test_the_administrators_home_shows_one_page_of_units_in_the_same_queries_whatever_the_data(admin_client):
    small, small_queries = _get(admin_client, reverse("home"))
    _grow()
    large, large_queries = _get(admin_client, reverse("home"))
    assert len(large_queries) == len(small_queries)
    assert large.text.count('data-unit="') == 20
    assert 'data-testid="home-pages"' in large.text and "下一页" in large.text
    assert len(large.content) < 4 * len(small.content)  # 20 units of 4 projects, not 35 units


def test_the_home_pages_together_list_every_unit_once(admin_client):
    _grow()
    first, _ = _get(admin_client, reverse("home"))
    pages = int(re.search(r"第 1 / (\d+) 页", first.text)[1])
    seen = []
    for number in range(1, pages + 1):
        page, _ = _get(admin_client, f"{reverse('home')}?page={number}")
        seen += re.findall(r'data-year="(\d+)"|data-unit="(\d+)"', page.text)
    units = [unit for _year, unit in seen if unit]
    from declarations.models import DepartmentDeclaration, ProjectDeclaration

    pairs = set(ProjectDeclaration.objects.values_list("year__year", "unit_id")) | set(
        DepartmentDeclaration.objects.values_list("year__year", "unit_id"))
    assert len(units) == len(pairs)


def test_a_filler_sees_the_own_unit_and_no_page_links(client, filler):
    client.force_login(filler)
    page, _ = _get(client, reverse("home"))
    assert page.text.count('data-unit="') == 1 and 'data-testid="home-pages"' not in page.text


@pytest.mark.parametrize("name", LISTS)
def test_each_big_admin_list_answers_in_the_same_queries_whatever_the_data(admin_client, name, filler, reviewer):
    from jobs.models import Job
    from review.models import Notification

    url = reverse(f"admin:{name}_changelist")
    _, small = _get(admin_client, url)
    _grow()
    Notification.objects.bulk_create(Notification(user=filler, message=f"通知{n}") for n in range(60))
    Job.objects.bulk_create(Job(kind=Job.EXPORT, title=f"导出{n}", user=reviewer) for n in range(60))
    response, large = _get(admin_client, url)
    assert len(large) == len(small)
    assert len(response.context["cl"].result_list) <= 50 and response.context["cl"].show_full_result_count is False


def test_the_snapshot_and_publication_lists_do_not_read_the_snapshots_json(admin_client):
    for name in ("review_snapshot", "review_publication"):
        _, queries = _get(admin_client, reverse(f"admin:{name}_changelist"))
        assert not any('"review_snapshot"."data"' in query["sql"] for query in queries.captured_queries), name


def test_a_snapshot_page_still_shows_its_content(admin_client, filler):
    from declarations.models import ProjectDeclaration
    from review import services
    from review.models import Snapshot

    services.declaration_submit(declaration=ProjectDeclaration.objects.get(code="13028124P00096710001G"), user=filler)
    snapshot = Snapshot.objects.get()
    page, _ = _get(admin_client, reverse("admin:review_snapshot_change", args=[snapshot.pk]))
    assert "驻京信访工作经费" in page.text
