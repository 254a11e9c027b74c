"""The money steps add up while the filler types (合计, 占比, a blank 预算数), before any save;
the milestone step adds rows in the page and the preview prints what was saved."""
import pytest

from declarations.models import BudgetYear, DepartmentDeclaration, FinanceBureau, ProjectDeclaration, Unit
from indicators.models import Layout
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _total_row(page, direction):
    return page.locator(f"[data-testid=total-{direction}] td").all_inner_texts()


def test_the_department_money_step_totals_and_shares_as_the_filler_types(page, live_server, demo):  # noqa: F811
    department = DepartmentDeclaration.objects.get(unit__name="阳新县信访局")
    saved = sorted((line.kind, line.amount) for line in department.money_lines.all())
    log_in(page, live_server, "yangxin-xfj")
    page.goto(f"{live_server.url}/departments/{department.pk}/edit/money/")
    for kind in ("fiscal_fund", "special_account"):
        page.fill(f"#id_income-{kind}-amount", "")
    page.fill("#id_income-fiscal_general-amount", "300")
    page.fill("#id_income-unit_funds-amount", "100.5")
    assert _total_row(page, "income")[:4] == ["收入", "合计", "400.5", "100"]
    assert page.get_attribute("#id_income-fiscal_general-share", "placeholder") == "74.91"
    assert page.get_attribute("#id_income-unit_funds-share", "placeholder") == "25.09"
    page.fill("#id_income-unit_funds-amount", "")
    assert _total_row(page, "income")[2:4] == ["300", "100"]
    assert page.get_attribute("#id_income-unit_funds-share", "placeholder") == ""
    assert sorted((line.kind, line.amount) for line in department.money_lines.all()) == saved  # nothing saved


def test_the_project_funds_step_adds_the_parts_into_a_blank_budget_as_the_filler_types(page, live_server, demo):  # noqa: F811
    project = ProjectDeclaration.objects.create(
        unit=Unit.objects.get(code="482001"), year=BudgetYear.objects.get_or_create(year=2026)[0], name="新项目",
    )
    log_in(page, live_server, "laoting-xfj")
    page.goto(f"{live_server.url}/projects/{project.pk}/edit/funds/")
    page.fill("#id_fiscal_funds", "180")
    page.fill("#id_other_funds", "0.1")
    assert page.inner_text("[data-testid=funds-total] td") == "180.1"
    assert page.get_attribute("#id_budget", "placeholder") == "180.1"
    for n, percent in enumerate(["25", "50", "75", "100"]):
        page.fill(f"#id_plan_{n}", percent)
    page.click(".wizard-form button[type=submit]:has-text('保存并继续')")
    page.wait_for_selector("#id_goal_items_text")
    project.refresh_from_db()
    assert str(project.budget.normalize()) == "180.1"


def test_a_filler_adds_two_milestones_and_the_preview_prints_them(page, live_server, demo):  # noqa: F811
    unit = Unit.objects.get(code="482001")
    FinanceBureau.objects.filter(pk=unit.bureau_id).update(layout=Layout.objects.get(code="hunan-ningxiang"))
    project = ProjectDeclaration.objects.create(unit=unit, year=BudgetYear.objects.get_or_create(year=2026)[0], name="镇域基础设施")
    log_in(page, live_server, "laoting-xfj")
    page.goto(f"{live_server.url}/projects/{project.pk}/edit/goals/")
    page.click("a[data-step=milestones]")
    page.fill("#id_milestone-0-content", "总体概念规划")
    page.fill("#id_milestone-0-start", "2016")
    page.fill("#id_milestone-0-end", "2020")
    page.fill("#id_milestone-1-content", "")
    page.click("button[data-add-row]")  # a third row, made in the page
    page.fill("#id_milestone-2-content", "核心区规划")
    page.fill("#id_milestone-2-start", "2021")
    page.fill("#id_milestone-2-end", "2021.07")
    page.click(".wizard-form button[type=submit]:has-text('保存并继续')")
    page.wait_for_selector("text=“实施进度计划”已保存")
    assert [(m.content, m.start, m.end) for m in project.milestones.all()] == [
        ("总体概念规划", "2016", "2020"), ("核心区规划", "2021", "2021.07"),
    ]
    page.click("a[data-step=preview]")
    page.wait_for_selector(".preview table.grid")
    printed = page.inner_text(".preview")
    assert "总体概念规划\t2016\t2020" in printed and "核心区规划\t2021\t2021.07" in printed
