"""The wizard without traps: only fields in error are marked, messages said once, no step that leads nowhere."""
import re

import pytest
from django.urls import reverse

from accounts.models import User
from declarations.models import ProjectDeclaration

pytestmark = pytest.mark.django_db


@pytest.fixture
def funds_with_errors(client):
    client.force_login(User.objects.get(username="laoting-xfj"))
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T", year__year=2025)
    url = reverse("project_step", args=[project.pk, "funds"])
    response = client.post(url, {"version": project.version, "budget": "185", "fiscal_funds": "180",
                                 "other_funds": "", "purpose": "用途", "plan_0": "abc", "plan_1": "50",
                                 "plan_2": "75", "plan_3": "100"})
    return client, url, response.content.decode()


def _marked(html):
    return {re.search(r'name="([^"]+)"', tag)[1] for tag in re.findall(r"<(?:input|textarea|select)[^>]*is-invalid[^>]*>", html)}


def test_only_the_fields_in_error_are_painted_red(funds_with_errors):
    _client, _url, html = funds_with_errors
    assert _marked(html) == {"fiscal_funds", "plan_0"}


def test_a_field_in_error_does_not_stay_red_on_the_next_page(funds_with_errors):
    client, url, _html = funds_with_errors
    assert _marked(client.get(url).content.decode()) == set()


def test_the_error_summary_says_each_message_once_after_its_label(funds_with_errors):
    _client, _url, html = funds_with_errors
    summary = re.search(r'data-testid="error-summary".*?</ul>', html, re.S)[0]
    items = re.findall(r'<li><a href="#id_\w+">([^<]+)</a>：([^<]+)</li>', summary)
    assert len(items) == 2
    for label, message in items:
        assert not message.startswith(label) and message.count(message[:6]) == 1


def test_a_project_listed_only_in_the_department_table_asks_for_no_indicators(client):
    """阳新's projects print in the 部门整体 table only: no empty 暂无指标 table, no indicator step."""
    client.force_login(User.objects.get(username="yangxin-xfj"))
    project = ProjectDeclaration.objects.get(unit__name="阳新县信访局", name="房屋租金")
    assert not project.has_table
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "暂无指标" not in page and 'data-testid="no-own-table"' in page
    funds = client.get(reverse("project_step", args=[project.pk, "funds"])).content.decode()
    assert 'data-step="indicators"' not in funds and 'data-step="goals"' not in funds
    assert client.get(reverse("project_step", args=[project.pk, "indicators"])).status_code == 404
