"""The money steps in the printed words and shape of the layout: real years, 万元, 合计, 占比."""
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from declarations.exports.layouts import get_layout
from declarations.models import DepartmentDeclaration

pytestmark = pytest.mark.django_db


def _money_page(client, username, unit):
    client.force_login(User.objects.get(username=username))
    dept = DepartmentDeclaration.objects.filter(unit__name=unit).order_by("-year__year").first()
    return dept, client.get(reverse("department_step", args=[dept.pk, "money"]))


def _cells(html, testid):
    row = html[html.index(f'data-testid="{testid}"'):]
    row = row[:row.index("</tr>")]
    return [cell.split("</td>")[0] for cell in row.split("<td")[1:]]


def test_the_hubei_money_step_captions_the_prior_columns_with_the_real_years_in_wan_yuan(client):
    dept, response = _money_page(client, "yangxin-xfj", "阳新县信访局")
    year = dept.year.year
    assert (f"<th>当年金额（万元）</th><th>占比（%）</th><th>{year - 2}年（万元）</th>"
            f"<th>{year - 1}年（万元）</th>") in response.text


def test_the_jiangsu_money_step_captions_the_amount_as_printed(client):
    _dept, response = _money_page(client, "rugao-xfj", "如皋市信访局")
    assert "<th>全年预算数（万元）</th><th>半年计划执行数（万元）</th>" in response.text


def test_the_nanyue_layout_names_the_income_kinds_as_printed():
    captions = get_layout("hunan-nanyue").money_captions
    assert captions["fiscal_general"] == "公共财政拨款"
    assert captions["special_account"] == "纳入专户管理的非税收入拨款"


def test_the_money_step_shows_a_total_row_per_direction(client):
    dept, response = _money_page(client, "rugao-xfj", "如皋市信访局")
    income = sum(line.amount for line in dept.money_lines.filter(direction="income"))
    assert _cells(response.text, "total-income")[1:3] == [">合计", f' class="text-end">{income.normalize():f}']


def test_a_blank_share_is_computed_from_the_amounts_on_save(client):
    dept, _response = _money_page(client, "yangxin-xfj", "阳新县信访局")
    data = {"version": dept.version, "income-fiscal_general-amount": "300", "income-unit_funds-amount": "100",
            "expense-personnel-amount": "400"}
    response = client.post(reverse("department_step", args=[dept.pk, "money"]), data)
    assert response.status_code == 302
    shares = {line.kind: line.share for line in dept.money_lines.all()}
    assert shares == {"fiscal_general": Decimal("75.00"), "unit_funds": Decimal("25.00"),
                      "personnel": Decimal("100.00")}


def test_a_typed_share_is_kept_as_declared(client):
    dept, _response = _money_page(client, "yangxin-xfj", "阳新县信访局")
    data = {"version": dept.version, "income-fiscal_general-amount": "300", "income-fiscal_general-share": "70",
            "income-unit_funds-amount": "100", "expense-personnel-amount": "400"}
    client.post(reverse("department_step", args=[dept.pk, "money"]), data)
    assert dept.money_lines.get(kind="fiscal_general").share == Decimal("70")


def test_a_blank_share_shows_the_computed_share_as_its_placeholder(client):
    dept, _response = _money_page(client, "yangxin-xfj", "阳新县信访局")
    dept.money_lines.update(share=None)
    _dept, response = _money_page(client, "yangxin-xfj", "阳新县信访局")
    line = dept.money_lines.filter(direction="income").first()
    total = sum(l.amount for l in dept.money_lines.filter(direction="income"))
    expected = (line.amount * 100 / total).quantize(Decimal("0.01")).normalize()
    assert f'name="income-{line.kind}-share" id="id_income-{line.kind}-share" value="" aria-label' in response.text
    assert f'placeholder="{expected:f}"' in response.text
