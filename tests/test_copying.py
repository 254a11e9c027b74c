import logging
from decimal import Decimal

import pytest

from declarations.models import BudgetYear, DepartmentDeclaration, ProjectDeclaration
from declarations.services.copying import CopyError, department_copy_to_year, project_copy_to_year
from declarations.services.validation import errors, validate_department, validate_project


@pytest.fixture
def copy_2025(zunhua_project):
    return project_copy_to_year(project=zunhua_project, year=2025, keep_money=True)


@pytest.fixture
def rugao_department(db):
    return DepartmentDeclaration.objects.get(unit__name="如皋市信访局")


def test_the_copy_is_a_new_draft_of_the_target_year(zunhua_project, copy_2025):
    assert copy_2025.pk != zunhua_project.pk
    assert (copy_2025.year.year, copy_2025.status, copy_2025.version) == (2025, "draft", 1)
    assert copy_2025.copied_from == zunhua_project
    assert (copy_2025.code, copy_2025.name, copy_2025.title_name) == (
        "13028124P00096710001G", "驻京信访工作经费", "驻京工作经费",
    )
    assert copy_2025.purpose == zunhua_project.purpose


def test_the_copy_keeps_the_six_indicators_and_the_goal_items(zunhua_project, copy_2025):
    assert [(i.subcategory_id, i.name, i.value_display) for i in copy_2025.indicators.all()] == [
        (i.subcategory_id, i.name, i.value_display) for i in zunhua_project.indicators.all()
    ]
    assert copy_2025.indicators.count() == 6
    assert [g.text for g in copy_2025.goal_items.all()] == [g.text for g in zunhua_project.goal_items.all()]
    assert copy_2025.goal_items.count() == 2


def test_the_copy_records_last_years_value_as_the_prior_year_value(copy_2025):
    indicator = copy_2025.indicators.get(name="有效化解信访完成率")
    assert indicator.prior_value_2 == "≥95%"  # 上年
    assert indicator.prior_value_1 == ""  # 前年: the source had no 上年 value
    assert indicator.value_display == "≥95%"


def test_a_second_copy_moves_the_prior_year_value_to_the_year_before(copy_2025):
    again = project_copy_to_year(project=copy_2025, year=2026, keep_money=True)
    indicator = again.indicators.get(name="有效化解信访完成率")
    assert (indicator.prior_value_1, indicator.prior_value_2) == ("≥95%", "≥95%")


def test_the_copy_keeps_the_money_when_asked(copy_2025):
    assert (copy_2025.budget, copy_2025.fiscal_funds, copy_2025.other_funds) == (
        Decimal("216"), Decimal("216"), Decimal("0"),
    )


def test_keep_money_false_empties_the_budget_but_keeps_the_spending_plan(zunhua_project):
    copy = project_copy_to_year(project=zunhua_project, year=2025, keep_money=False)
    copy.refresh_from_db()
    assert (copy.budget, copy.fiscal_funds, copy.other_funds) == (None, None, None)
    assert (copy.carryover_funds, copy.half_year_plan, copy.mid_term_total) == (None, None, None)
    assert [(p.label, p.percent) for p in copy.spending_plan.all()] == [
        ("3月底", Decimal("30")), ("6月底", Decimal("60")), ("10月底", Decimal("90")), ("12月底", Decimal("100")),
    ]


def test_keep_money_false_empties_the_money_lines(db):
    source = ProjectDeclaration.objects.get(name="信访救助资金")
    copy = project_copy_to_year(project=source, year=2025, keep_money=False)
    line = copy.money_lines.get()
    assert (line.direction, line.kind, line.amount) == ("income", "fiscal_general", None)  # blank, not 0
    assert (line.half_year_amount, line.prior_amount_1, line.prior_amount_2) == (None, None, None)
    assert copy.half_year_plan is None


def test_a_one_year_project_moves_its_dates_to_the_new_year(db):
    source = ProjectDeclaration.objects.get(name="信访救助资金")
    copy = project_copy_to_year(project=source, year=2025, keep_money=True)
    assert (str(copy.start_date), str(copy.end_date)) == ("2025-01-01", "2025-12-31")
    ningxia = ProjectDeclaration.objects.get(name="维稳经费")
    BudgetYear.objects.get_or_create(year=2022)  # set up by an administrator
    copy = project_copy_to_year(project=ningxia, year=2022, keep_money=True)
    assert (copy.period_start_year, copy.period_end_year) == (2022, 2022)


def test_copying_twice_into_the_same_year_is_refused(zunhua_project, copy_2025):
    with pytest.raises(CopyError) as raised:
        project_copy_to_year(project=zunhua_project, year=2025, keep_money=True)
    assert str(raised.value) == "2025年已有名为“驻京信访工作经费”的项目，不能再复制；请直接修改该项目"
    assert ProjectDeclaration.objects.filter(unit=zunhua_project.unit, year__year=2025).count() == 1


def test_a_project_with_the_same_code_in_the_target_year_is_refused(zunhua_project, copy_2025):
    copy_2025.name = "驻京信访工作经费（调整）"
    copy_2025.save()
    with pytest.raises(CopyError, match="项目编码为“13028124P00096710001G”"):
        project_copy_to_year(project=zunhua_project, year=2025, keep_money=True)


def test_copying_into_the_same_or_an_earlier_year_is_refused(zunhua_project):
    for year in (2024, 2023):
        with pytest.raises(CopyError) as raised:
            project_copy_to_year(project=zunhua_project, year=year, keep_money=True)
        assert str(raised.value) == f"只能复制到 2024 年以后的预算年度，不能复制到 {year} 年"


def test_the_copy_has_no_errors(zunhua_project, copy_2025):
    assert errors(validate_project(copy_2025)) == []
    emptied = project_copy_to_year(project=zunhua_project, year=2026, keep_money=False)
    assert errors(validate_project(emptied)) == []


def test_copying_is_logged(zunhua_project, caplog):
    with caplog.at_level(logging.INFO, logger="declarations.services.copying"):
        copy = project_copy_to_year(project=zunhua_project, year=2025, keep_money=False)
    assert f"project.copied source={zunhua_project.pk} copy={copy.pk}" in caplog.text


def test_a_department_copy_keeps_goals_safeguards_and_sub_goals(db):
    source = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    copy = department_copy_to_year(department=source, year=2025, keep_money=True)
    assert (copy.year.year, copy.status, copy.version, copy.copied_from) == (2025, "draft", 1, source)
    assert copy.overall_goal == source.overall_goal
    assert [g.title for g in copy.sub_goals.all()] == [
        "推进依法逐级信访", "推进信访源头治理", "推进信访渠道畅通", "强化问题解决措施",
    ]
    assert copy.safeguards.count() == 9


def test_a_department_copy_keeps_money_and_indicators(rugao_department):
    copy = department_copy_to_year(department=rugao_department, year=2025, keep_money=True)
    assert copy.indicators.count() == 36
    assert copy.indicators.get(name="预算执行率").prior_value_2 == "100%"
    line = copy.money_lines.get(kind="project")
    assert (line.amount, line.half_year_amount) == (Decimal("185"), Decimal("92.5"))
    assert line.prior_amount_2 == Decimal("185")  # this year's 上年金额 is last year's amount


def test_a_department_copy_without_money_has_zero_amounts(rugao_department):
    copy = department_copy_to_year(department=rugao_department, year=2025, keep_money=False)
    assert {line.amount for line in copy.money_lines.all()} == {None}
    assert {line.half_year_amount for line in copy.money_lines.all()} == {None}


def test_a_department_copy_with_its_projects_has_no_errors(rugao_department):
    for project in ProjectDeclaration.objects.filter(unit=rugao_department.unit, year=rugao_department.year):
        project_copy_to_year(project=project, year=2025, keep_money=True)
    copy = department_copy_to_year(department=rugao_department, year=2025, keep_money=True)
    assert errors(validate_department(copy)) == []


def test_a_second_department_copy_into_the_same_year_is_refused(rugao_department):
    department_copy_to_year(department=rugao_department, year=2025, keep_money=True)
    with pytest.raises(CopyError) as raised:
        department_copy_to_year(department=rugao_department, year=2025, keep_money=True)
    assert str(raised.value) == "如皋市信访局 2025年已有部门整体绩效目标，不能再复制；请直接修改该申报"
