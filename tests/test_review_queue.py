"""The reviewer's queue (/review/) and the review page: what comes first, what each row offers,
the counts and charts, and a page whose forms each have ids of their own."""
import json
import re
from collections import Counter

import pytest
from django.urls import reverse

from declarations.models import ProjectDeclaration, Unit
from review import services

DRAFT_NAME = "驻京信访工作经费"
PENDING_NAME = "信访维稳专项工作经费"


@pytest.fixture
def pending(filler):
    project = ProjectDeclaration.objects.get(unit__name="遵化市信访局", name=PENDING_NAME)
    return services.declaration_submit(declaration=project, user=filler)


def _dashboard(client, reviewer, **params):
    client.force_login(reviewer)
    return client.get(reverse("review_dashboard"), {"year": 2024, **params}).text


def _row(page, kind, pk):
    match = re.search(rf'<tr data-testid="row-{kind}-{pk}"[^>]*>(.*?)</tr>', page, re.S)
    return match.group(0)


def _charts(page):
    return json.loads(re.search(r'id="dashboard-data" type="application/json">(.*?)</script>', page, re.S).group(1))


def test_a_submitted_declaration_comes_first_and_is_highlighted(client, reviewer, pending):
    page = _dashboard(client, reviewer)
    rows = re.findall(r'<tr data-testid="(row-[a-z]+-\d+)"( class="table-warning pending")?', page)
    assert rows[0] == (f"row-project-{pending.pk}", ' class="table-warning pending"')
    assert all(not highlighted for _testid, highlighted in rows[1:])


def test_a_submitted_row_offers_review_and_the_others_only_a_look(client, reviewer, pending):
    page = _dashboard(client, reviewer)
    draft = ProjectDeclaration.objects.get(unit__name="遵化市信访局", name=DRAFT_NAME)
    assert ">审核</a>" in _row(page, "project", pending.pk)
    assert ">查看</a>" in _row(page, "project", draft.pk) and ">审核</a>" not in _row(page, "project", draft.pk)


def test_status_badges_and_counts_share_one_colour_per_state(client, reviewer, pending):
    page = _dashboard(client, reviewer)
    assert '<span class="badge" style="background:#b35900" data-testid="status">已提交</span>' in page
    assert '<span class="status-dot" style="background:#b35900"></span>已提交 <strong>1</strong>' in page
    assert '<span class="badge" style="background:#6c757d" data-testid="status">草稿</span>' in page


def test_the_counts_include_the_units_that_have_not_filed(client, reviewer, zunhua_unit):
    Unit.objects.create(bureau=zunhua_unit.bureau, name="遵化市测试局")
    page = _dashboard(client, reviewer)
    assert "未填报 <strong>1</strong>" in page
    assert _charts(page)["units_by_state"]["data"] == [1, 0, 0, 0, 0, 0, 1]


def test_bulk_approve_is_offered_only_with_something_to_select(client, reviewer, pending):
    assert "批量审核通过" not in _dashboard(client, reviewer, status="draft")
    assert "批量审核通过" in _dashboard(client, reviewer)


def test_bulk_approve_with_nothing_selected_is_refused_with_a_message(client, reviewer, pending):
    client.force_login(reviewer)
    response = client.post(reverse("review_approve_selected"), {"next": "/review/?year=2024"}, follow=True)
    assert "请先勾选要审核通过的申报。" in response.text
    assert ProjectDeclaration.objects.get(pk=pending.pk).status == "submitted"


def test_the_charts_count_units_money_and_hints_by_state_and_criterion(client, reviewer, pending):
    charts = _charts(_dashboard(client, reviewer))
    assert charts["units_by_state"]["labels"] == ["草稿", "退回修改", "调整中", "已提交", "审核通过", "已公开", "未填报"]
    assert charts["units_by_state"]["data"] == [1, 0, 0, 0, 0, 0, 0]
    assert charts["money_by_state"]["labels"][:2] == ["草稿", "已提交"]
    assert charts["money_by_state"]["data"][:2] == [232.0, 39.0]
    assert charts["hints_by_criterion"]["labels"] == ["完整性", "相关性", "适当性", "可行性"]


def test_a_year_without_declarations_says_no_data_instead_of_drawing(client, reviewer):
    page = _dashboard(client, reviewer, year=2025)
    assert page.count('<p class="text-muted m-0">无数据</p>') == 2
    assert '<canvas id="chart-money"' not in page and '<canvas id="chart-hints"' not in page


# --- the review page ---------------------------------------------------------------------------

def _review_page(client, reviewer, declaration):
    client.force_login(reviewer)
    return client.get(reverse("review_declaration", args=["project", declaration.pk])).text


def test_the_review_page_has_no_duplicate_ids(client, reviewer, pending):
    ids = Counter(re.findall(r'\sid="([^"]+)"', _review_page(client, reviewer, pending)))
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_label_on_the_review_page_points_at_an_existing_box(client, reviewer, pending):
    page = _review_page(client, reviewer, pending)
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    targets = re.findall(r'<label[^>]*\sfor="([^"]+)"', page)
    assert "return_reason" in targets and "approve_text_0" in targets
    assert [t for t in targets if t not in ids] == []


def test_the_results_say_once_what_each_does(client, reviewer, pending):
    page = _review_page(client, reviewer, pending)
    assert '<option value="excellent">优（通过）</option>' in page and "（通过）（" not in page
    assert "优、良都是审核通过（状态变为“审核通过”，之后可以公开）。" in page
    assert ("中、差都把申报退回单位（状态变为“退回修改”），填报人按意见修改后可重新提交；"
            "差表示本次申报不予通过，这一结论记入绩效目标审核表。") in page


def test_the_latest_review_names_its_result_once(client, reviewer, pending):
    services.declaration_approve(declaration=pending, user=reviewer)
    page = _review_page(client, reviewer, pending)
    assert "最近一次审核：优（通过）</h2>" in page


def test_a_draft_says_why_it_cannot_be_reviewed(client, reviewer):
    draft = ProjectDeclaration.objects.get(unit__name="遵化市信访局", name=DRAFT_NAME)
    page = _review_page(client, reviewer, draft)
    assert "这份申报还是草稿，单位尚未提交，暂时不能审核。" in page
