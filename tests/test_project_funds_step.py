"""The project 资金 step in the printed words and shape of every layout: the captions its table
prints, blank boxes (never a pre-filled 0), a 合计 row under the parts, and 预算数 derived from
its parts where the layout makes it of them."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from declarations.exports.builders import load_document_data
from declarations.exports.layouts import get_layout, packaged_definitions
from declarations.models import BudgetYear, FinanceBureau, MoneyLine, ProjectDeclaration, Unit
from indicators.models import Layout

pytestmark = pytest.mark.django_db

# Per layout: each box of the funds step with the caption its table prints (and 万元), and the
# parts 预算数 is made of (None where the table prints no parts: 预算数 is typed).
LAYOUTS = {
    "guangdong": ({"mid_term_total": "中期市财政预算（万元）", "budget": "本年度申请市财政预算资金（万元）"}, None),
    "hebei": ({"budget": "预算数（万元）", "fiscal_funds": "其中：财政资金（万元）", "other_funds": "其他资金（万元）"},
              ["fiscal_funds", "other_funds"]),
    "hubei": ({"mid_term_total": "项目总预算（万元）", "budget": "项目本年度预算（万元）"}, None),
    "hunan-nanyue": ({"budget": "资金总额（万元）", "fiscal_funds": "财政拨款（万元）", "other_funds": "其他资金（万元）"},
                     ["fiscal_funds", "other_funds"]),
    "hunan-ningxiang": ({"budget": "年度资金总额（万元）", "income_fiscal_general": "财政拨款（万元）",
                         "income_unit_funds": "自有资金（万元）", "income_other": "其他（万元）"},
                        ["income_fiscal_general", "income_unit_funds", "income_other"]),
    "hunan-xiangtan": ({"budget": "年度本级预算金额（万元）"}, None),
    "hunan-yueyanglou": ({"budget": "年度预算金额（万元）"}, None),
    "jiangsu": ({"budget": "全年(程)预算数（万元）", "half_year_plan": "半年(程)计划执行数（万元）",
                 "income_fiscal_general": "一般公共预算资金（万元）", "income_carryover": "上年结转资金（万元）"},
                ["income_fiscal_general", "income_carryover"]),
    "national": ({"mid_term_total": "中期资金总额（万元）", "budget": "年度资金总额（万元）",
                  "fiscal_funds": "其中：财政拨款（万元）", "other_funds": "其他资金（万元）"}, ["fiscal_funds", "other_funds"]),
    "neimenggu": ({"budget": "资金总额（万元）", "fiscal_funds": "其中: 财政拨款数（万元）", "other_funds": "其他资金（万元）"},
                  ["fiscal_funds", "other_funds"]),
    "ningxia": ({"budget": "年度资金总额（万元）", "fiscal_funds": "其中：财政拨款（万元）",
                 "carryover_funds": "结余结转（万元）", "other_funds": "其他资金（万元）"},
                ["fiscal_funds", "carryover_funds", "other_funds"]),
}


def test_every_layout_that_prints_project_money_is_checked_here():
    assert {code for code in packaged_definitions() if get_layout(code).wizard_steps("project", [("funds", "资金")])} == set(LAYOUTS)


def _draft(code):
    """A new 乐亭 project for 2026, its finance bureau printing in the layout `code`."""
    unit = Unit.objects.get(code="482001")
    FinanceBureau.objects.filter(pk=unit.bureau_id).update(layout=Layout.objects.get(code=code))
    return ProjectDeclaration.objects.create(unit=unit, year=BudgetYear.objects.get_or_create(year=2026)[0], name="新项目")


@pytest.fixture
def laoting(client):
    client.force_login(User.objects.get(username="laoting-xfj"))
    return client


def _label(page, field):
    found = re.search(rf'<label\s+for="id_{field}"[^>]*>\s*([^<*]+?)\s*<', page)
    return found and found[1]


def _post(client, project, **amounts):
    data = {"version": project.version, **amounts}
    data.update({f"plan_{n}": str(25 * (n + 1)) for n in range(len(get_layout(project.layout_code).spending_checkpoints))})
    return client.post(reverse("project_step", args=[project.pk, "funds"]), data)


@pytest.mark.parametrize("code", LAYOUTS)
def test_the_funds_step_asks_by_the_printed_captions_in_wan_yuan(laoting, code):
    project = _draft(code)
    page = laoting.get(reverse("project_step", args=[project.pk, "funds"])).text
    captions, _parts = LAYOUTS[code]
    assert {field: _label(page, field) for field in captions} == captions


@pytest.mark.parametrize("code", [code for code, (_captions, parts) in LAYOUTS.items() if parts])
def test_parts_saved_with_a_blank_budget_give_the_budget_their_sum(laoting, code):
    project = _draft(code)
    parts = LAYOUTS[code][1]
    amounts = dict(zip(parts, ["100", "20.5", "0.25"]))
    response = _post(laoting, project, budget="", **amounts)
    assert response.status_code == 302, response.content.decode()
    project.refresh_from_db()
    assert project.budget == sum(Decimal(v) for v in amounts.values())


@pytest.mark.parametrize("code", [code for code, (_captions, parts) in LAYOUTS.items() if not parts])
def test_a_layout_that_prints_no_parts_saves_the_budget_as_typed_and_shows_no_total_row(laoting, code):
    project = _draft(code)
    assert 'data-testid="funds-total"' not in laoting.get(reverse("project_step", args=[project.pk, "funds"])).text
    assert _post(laoting, project, budget="88.5").status_code == 302
    project.refresh_from_db()
    assert project.budget == Decimal("88.5")


def test_a_new_project_shows_blank_amount_boxes_not_zeros(laoting):
    response = laoting.post(reverse("project_new"), {"year": BudgetYear.objects.get_or_create(year=2026)[0].pk,
                                                     "code": "X-9", "name": "空白金额项目"})
    project = ProjectDeclaration.objects.get(name="空白金额项目")
    assert response.status_code == 302 and project.budget is None
    page = laoting.get(reverse("project_step", args=[project.pk, "funds"])).text
    for field in ("budget", "fiscal_funds", "other_funds"):
        assert f'name="{field}" id="id_{field}" value=""' in page


def test_amounts_left_blank_are_saved_blank(laoting):
    project = _draft("hebei")
    assert _post(laoting, project, budget="", fiscal_funds="", other_funds="").status_code == 302
    project.refresh_from_db()
    assert (project.budget, project.fiscal_funds, project.other_funds) == (None, None, None)


def test_a_budget_that_differs_from_its_parts_is_a_form_error_naming_both_numbers(laoting):
    project = _draft("hebei")
    response = _post(laoting, project, budget="185", fiscal_funds="180", other_funds="")
    assert response.status_code == 200
    assert "财政资金 180 万元 + 其他资金 0 万元 = 180 万元 ≠ 预算数 185 万元" in response.text
    project.refresh_from_db()
    assert (project.budget, project.version) == (None, 1)


def test_the_total_row_shows_the_sum_of_the_parts_typed(laoting):
    project = _draft("ningxia")
    response = _post(laoting, project, budget="1", fiscal_funds="2.5", carryover_funds="x", other_funds="0.5")
    total = response.text[response.text.index('data-testid="funds-total"'):]
    assert total[:total.index("</tr>")].endswith('data-parts-total="0">3</td>\n      ')


def test_a_blank_budget_shows_the_sum_of_its_parts_as_its_placeholder(laoting):
    project = _draft("national")
    ProjectDeclaration.objects.filter(pk=project.pk).update(fiscal_funds=Decimal("40"), other_funds=Decimal("2"))
    page = laoting.get(reverse("project_step", args=[project.pk, "funds"])).text
    assert re.search(r'name="budget" id="id_budget" value="" data-derived placeholder="42"', page)


def test_income_lines_that_differ_from_the_budget_are_refused(laoting):
    project = _draft("jiangsu")
    response = _post(laoting, project, budget="50", income_fiscal_general="40", income_carryover="5")
    assert response.status_code == 200
    assert "= 45 万元 ≠ 全年(程)预算数 50 万元" in response.text
    assert not project.money_lines.exists()


def test_a_ningxiang_project_prints_the_fiscal_funds_saved_in_the_wizard(laoting):
    project = _draft("hunan-ningxiang")
    _post(laoting, project, income_fiscal_general="100", income_unit_funds="0", income_other="20")
    data = load_document_data(project.unit, 2026)
    table = get_layout("hunan-ningxiang").project_document(data, data.projects[0]).blocks[0]
    texts = [cell.text for part in table.parts for row in part.rows for cell in row]
    assert "总额120.0000万元" in texts and "财政拨款：100万元" in texts and "三、其他：20.0000万元" in texts


def test_saving_the_stated_lines_keeps_the_lines_under_a_subtotal(laoting):
    project = _draft("hunan-ningxiang")
    subtotal = MoneyLine.objects.create(project=project, direction="income", kind="fiscal_general", label="财政拨款",
                                        amount=Decimal("10"), order=1)
    MoneyLine.objects.create(project=project, direction="income", kind="fiscal_general", label="上级财政资金",
                             amount=Decimal("10"), parent=subtotal, order=2)
    page = laoting.get(reverse("project_step", args=[project.pk, "funds"])).text
    assert 'name="income_fiscal_general" id="id_income_fiscal_general" value="10"' in page
    _post(laoting, project, income_fiscal_general="12", income_other="3")
    assert sorted((line.label, line.amount) for line in project.money_lines.all()) == [
        ("", Decimal("3")), ("上级财政资金", Decimal("10")), ("财政拨款", Decimal("12")),
    ]
    project.refresh_from_db()
    assert project.budget == Decimal("15")


@pytest.mark.parametrize("username", ["rugao-xfj", "laoting-czj"])
def test_people_who_may_not_edit_the_project_get_404_on_the_funds_step(client, username):
    project = _draft("hebei")
    client.force_login(User.objects.get(username=username))
    assert client.get(reverse("project_step", args=[project.pk, "funds"])).status_code == 404
    assert _post(client, project, budget="5").status_code == 404
    project.refresh_from_db()
    assert project.budget is None
