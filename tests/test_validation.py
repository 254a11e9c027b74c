from decimal import Decimal

import pytest

from declarations.models import (
    DepartmentDeclaration,
    Indicator,
    ProjectDeclaration,
)
from declarations.services.copying import department_copy_to_year, project_copy_to_year
from declarations.services.validation import (
    Finding,
    check_funds,
    check_spending_plan,
    errors,
    hints,
    validate_department,
    validate_project,
)


def _messages(findings):
    return [finding.message for finding in findings]


def _only(findings, level, text):
    """The single finding of that level whose message holds the text."""
    found = [f for f in findings if f.level == level and text in f.message]
    assert len(found) == 1, _messages(findings)
    return found[0]


def _indicator(project, name):
    return project.indicators.get(name=name)


@pytest.fixture
def laoting_project(db):
    return ProjectDeclaration.objects.get(unit__name="乐亭县信访局本级", name="信访专项资金")


@pytest.fixture
def rugao_department(db):
    return DepartmentDeclaration.objects.get(unit__name="如皋市信访局")


@pytest.fixture
def yangxin_department(db):
    return DepartmentDeclaration.objects.get(unit__name="阳新县信访局")


# --- the seeds pass -------------------------------------------------------------------------

def test_no_demo_project_has_an_error(db):
    projects = ProjectDeclaration.objects.all()
    assert projects.count() == 17
    for project in projects:
        assert errors(validate_project(project)) == [], project


def test_no_demo_department_declaration_has_an_error(db):
    departments = DepartmentDeclaration.objects.all()
    assert departments.count() == 4
    for department in departments:
        assert errors(validate_department(department)) == [], department


def test_errors_and_hints_split_the_findings():
    error = Finding("error", "funds", "fiscal_funds", "x", "适当性")
    hint = Finding("hint", "indicators", "", "y", "相关性")
    assert errors([error, hint]) == [error]
    assert hints([error, hint]) == [hint]


# --- errors ---------------------------------------------------------------------------------

def test_fiscal_and_other_funds_must_add_up_to_the_budget(laoting_project):
    laoting_project.fiscal_funds = Decimal("180")
    finding = _only(validate_project(laoting_project), "error", "财政资金")
    assert finding.message == "财政资金 180 万元 + 其他资金 0 万元 ≠ 预算数 185 万元"
    assert (finding.step, finding.field, finding.criterion) == ("funds", "fiscal_funds", "适当性")


def test_check_funds_treats_missing_amounts_as_zero():
    assert check_funds(Decimal("10"), Decimal("10"), None) is None
    assert check_funds(None, None, None) is None
    assert check_funds(Decimal("10"), None, Decimal("4")) == "财政资金 0 万元 + 其他资金 4 万元 ≠ 预算数 10 万元"


def test_check_funds_counts_the_carryover_when_given():
    assert check_funds(Decimal("3"), Decimal("2"), Decimal("0"), Decimal("1")) is None
    assert check_funds(Decimal("4"), Decimal("2"), Decimal("0"), Decimal("1")) == (
        "财政资金 2 万元 + 结余结转 1 万元 + 其他资金 0 万元 ≠ 预算数 4 万元"
    )


def test_a_mandatory_subcategory_needs_an_indicator(zunhua_project):
    zunhua_project.indicators.filter(subcategory__name="数量指标").delete()
    finding = _only(validate_project(zunhua_project), "error", "数量指标")
    assert finding.message == "必填二级指标“产出指标／数量指标”下还没有三级指标，请至少填写一项"
    assert (finding.step, finding.criterion) == ("indicators", "完整性")


def test_a_placeholder_row_does_not_fill_a_mandatory_subcategory(zunhua_project):
    zunhua_project.indicators.filter(subcategory__name="数量指标").update(
        name="……", comparator="定性", number=None, unit="", text_value=""
    )
    _only(validate_project(zunhua_project), "error", "“产出指标／数量指标”下还没有三级指标")


def test_hubei_needs_its_mandatory_subcategories_in_the_long_term_table_too(yangxin_department):
    yangxin_department.indicators.filter(term="long", subcategory__name="联系部门满意度").delete()
    finding = _only(validate_department(yangxin_department), "error", "联系部门满意度")
    assert finding.message == "长期绩效指标中，必填二级指标“满意度／联系部门满意度”下还没有三级指标，请至少填写一项"


def test_a_project_without_its_own_table_only_gets_a_hint_for_missing_indicators(db):
    project = ProjectDeclaration.objects.get(unit__name="阳新县信访局", name="房屋租金")
    assert not project.has_table
    findings = validate_project(project)
    assert errors(findings) == []
    assert _only(findings, "hint", "必填二级指标").message == (
        "本申报不单独打印绩效指标表，以下必填二级指标尚无三级指标：数量指标、质量指标、时效指标、服务对象满意度指标；"
        "需要公开指标表时请补充"
    )


def test_a_hebei_department_printed_as_prose_gets_no_hint_for_missing_indicators(db):
    department = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    findings = validate_department(department)
    assert errors(findings) == []
    assert [f for f in findings if "不单独打印绩效指标表" in f.message] == []


def test_department_income_must_equal_expense(rugao_department):
    rugao_department.money_lines.filter(direction="income").update(amount=Decimal("1000"))
    finding = _only(validate_department(rugao_department), "error", "收入合计")
    assert finding.message == "收入合计 1000 万元 ≠ 支出合计 1051.92 万元，请核对收入构成和支出构成"
    assert (finding.step, finding.criterion) == ("money", "适当性")


def test_the_project_expense_line_must_agree_with_the_projects(rugao_department):
    ProjectDeclaration.objects.filter(unit=rugao_department.unit, name="信访救助资金").update(
        budget=Decimal("85"), fiscal_funds=Decimal("85")
    )
    finding = _only(validate_department(rugao_department), "error", "项目支出")
    assert finding.message == (
        "支出构成中“项目支出” 185 万元 ≠ 本年度各项目预算数合计 190 万元，请核对该项支出或项目的预算数"
    )
    assert (finding.step, finding.field) == ("money", "expense-project-amount")


def test_hubei_compares_its_specific_purpose_line_with_the_projects(yangxin_department):
    yangxin_department.money_lines.filter(kind="specific").update(amount=Decimal("30"))
    yangxin_department.money_lines.filter(kind="fiscal_general").update(amount=Decimal("371.13"))
    finding = _only(validate_department(yangxin_department), "error", "特定目标类项目支出")
    assert finding.message == (
        "支出构成中“特定目标类项目支出” 30 万元 ≠ 本年度各项目预算数合计 33 万元，请核对该项支出或项目的预算数"
    )
    assert finding.field == "expense-specific-amount"


def test_the_spending_plan_must_not_decrease(zunhua_project):
    zunhua_project.spending_plan.filter(label="6月底").update(percent=Decimal("20"))
    finding = _only(validate_project(zunhua_project), "error", "资金支出计划")
    assert finding.message == "资金支出计划是累计比例，不能减少：6月底 20% 小于3月底 30%"
    assert (finding.step, finding.field, finding.criterion) == ("funds", "spending_plan", "可行性")


def test_the_spending_plan_must_end_at_100_percent(zunhua_project):
    zunhua_project.spending_plan.filter(label="12月底").update(percent=Decimal("95"))
    finding = _only(validate_project(zunhua_project), "error", "资金支出计划")
    assert finding.message == "资金支出计划到12月底应累计支出 100%，现为 95%"


def test_check_spending_plan_reads_plain_percentages():
    assert check_spending_plan([]) is None
    assert check_spending_plan([Decimal("25"), Decimal("50"), Decimal("100")]) is None
    assert check_spending_plan([Decimal("50"), Decimal("120")]) == "资金支出计划中第2个时间节点的累计比例 120% 应在 0–100% 之间"
    assert check_spending_plan([Decimal("60"), Decimal("50")]) == "资金支出计划是累计比例，不能减少：第2个时间节点 50% 小于第1个时间节点 60%"


def test_a_percentage_above_100_is_an_error(zunhua_project):
    indicator = _indicator(zunhua_project, "信访事项按期结案率")
    indicator.number = Decimal("120")
    indicator.save()
    finding = _only(validate_project(zunhua_project), "error", "0–100%")
    assert finding.message == "“信访事项按期结案率”的指标值 ≥120% 超出 0–100% 的范围，请改正"
    assert (finding.field, finding.criterion) == (f"indicator-{indicator.pk}", "适当性")


def test_a_qualitative_indicator_needs_a_text(zunhua_project):
    indicator = _indicator(zunhua_project, "处置极端突发信访事件")
    indicator.text_value = ""
    indicator.save()
    finding = _only(validate_project(zunhua_project), "error", "没有指标值")
    assert finding.message == "“处置极端突发信访事件”没有指标值，请填写数值（如“≥95%”）或定性描述"
    assert finding.criterion == "完整性"


def test_a_placeholder_row_needs_no_value(zunhua_project):
    Indicator.objects.create(
        project=zunhua_project, subcategory=_indicator(zunhua_project, "处置极端突发信访事件").subcategory,
        order=9, name="……", comparator="定性",
    )
    assert errors(validate_project(zunhua_project)) == []


def test_a_quantitative_indicator_needs_a_number(zunhua_project):
    # The database refuses it; an unsaved edit handed over in the prefetch cache is still checked.
    project = ProjectDeclaration.objects.prefetch_related("indicators__subcategory__category").get(pk=zunhua_project.pk)
    indicator = next(i for i in project.indicators.all() if i.name == "信访群众满意度")
    indicator.number = None
    finding = _only(validate_project(project), "error", "定量指标")
    assert finding.message == "“信访群众满意度”是定量指标，请填写数值"


def test_an_indicator_needs_a_name(zunhua_project):
    zunhua_project.indicators.filter(name="信访群众满意度").update(name="")
    finding = _only(validate_project(zunhua_project), "error", "没有名称")
    assert finding.message == "“满意度指标／服务对象满意度指标”下有一项三级指标没有名称，请填写名称或删除该行"


# --- hints ----------------------------------------------------------------------------------

def test_a_vague_value_under_a_quantity_subcategory_is_a_hint(zunhua_project):
    indicator = _indicator(zunhua_project, "有效化解信访完成率")
    indicator.set_value("有效改善")
    indicator.save()
    finding = _only(validate_project(zunhua_project), "hint", "无法衡量")
    assert finding.message == "“有效化解信访完成率”属于数量指标，指标值“有效改善”无法衡量，宜改为数值，如“≥95%”“≤10次”"
    assert (finding.field, finding.criterion) == (f"indicator-{indicator.pk}", "适当性")


def test_a_vague_word_under_a_benefit_subcategory_is_fine(zunhua_project):
    assert not [f for f in validate_project(zunhua_project) if "无法衡量" in f.message]  # 有效处置信访事项


def test_a_cost_above_the_budget_in_ten_thousand_yuan_is_a_hint(laoting_project):
    indicator = _indicator(laoting_project, "信访费用支出")
    indicator.number = Decimal("200")
    indicator.save()
    finding = _only(validate_project(laoting_project), "hint", "超过预算数")
    assert finding.message == "成本指标“信访费用支出”的指标值 ≤200万元 超过预算数 185 万元，请核实金额或单位"
    assert finding.criterion == "适当性"


def test_a_cost_above_the_budget_in_yuan_is_a_hint(laoting_project):
    indicator = _indicator(laoting_project, "信访费用支出")
    indicator.unit = "元"
    indicator.number = Decimal("1850001")
    indicator.save()
    _only(validate_project(laoting_project), "hint", "≤1850001元 超过预算数 185 万元")
    indicator.number = Decimal("1850000")
    indicator.save()
    assert not [f for f in validate_project(laoting_project) if "超过预算数" in f.message]


def test_duplicate_indicator_names_are_a_hint(zunhua_project):
    indicator = _indicator(zunhua_project, "信访事项受理及时率")
    indicator.name = "信访事项按期结案率"
    indicator.save()
    finding = _only(validate_project(zunhua_project), "hint", "重复填写")
    assert finding.message == "三级指标“信访事项按期结案率”重复填写，请删除重复的一行或改为不同的指标"
    assert finding.field == f"indicator-{indicator.pk}"


def test_the_same_name_in_the_long_and_annual_tables_is_no_duplicate(yangxin_department):
    assert not [f for f in validate_department(yangxin_department) if "重复填写" in f.message]


def test_a_satisfaction_below_80_percent_is_a_hint(zunhua_project):
    indicator = _indicator(zunhua_project, "信访群众满意度")
    indicator.number = Decimal("75")
    indicator.save()
    finding = _only(validate_project(zunhua_project), "hint", "满意度")
    assert finding.message == "满意度指标“信访群众满意度”的指标值 ≥75% 低于 80%，请核实目标是否偏低"
    assert finding.criterion == "适当性"


def test_fewer_quantified_than_qualitative_indicators_is_a_hint(zunhua_project):
    for name in ["有效化解信访完成率", "信访事项按期结案率", "信访事项受理及时率"]:
        indicator = _indicator(zunhua_project, name)
        indicator.set_value("按要求完成")
        indicator.save()
    finding = _only(validate_project(zunhua_project), "hint", "定量指标")
    assert finding.message == "定量指标 2 项少于定性指标 4 项；能量化的指标请尽量用数值表述"
    assert (finding.field, finding.criterion) == ("", "适当性")


def test_mixing_yuan_and_ten_thousand_yuan_is_a_hint(laoting_project):
    indicator = _indicator(laoting_project, "重点地区访量")
    indicator.set_value("≤500元")
    indicator.save()
    finding = _only(validate_project(laoting_project), "hint", "混用")
    assert finding.message == "指标值中“元”和“万元”两种金额单位混用，请统一为一种，以免数量级出错"


def test_a_deadline_outside_the_project_period_is_a_hint(zunhua_project):
    indicator = _indicator(zunhua_project, "信访事项受理及时率")
    indicator.set_value("2025年6月底前")
    indicator.save()
    finding = _only(validate_project(zunhua_project), "hint", "期限")
    assert finding.message == (
        "时效指标“信访事项受理及时率”的期限“2025年6月底前”不在实施期（2024年1月1日至2024年12月31日）内，"
        "请改为实施期内的时间"
    )
    assert finding.criterion == "可行性"


def test_a_deadline_inside_the_project_period_is_fine(zunhua_project):
    indicator = _indicator(zunhua_project, "信访事项受理及时率")
    indicator.set_value("2024年12月31日前")
    indicator.save()
    assert not [f for f in validate_project(zunhua_project) if "期限" in f.message]


def test_a_deadline_is_read_against_the_project_dates(db):
    project = ProjectDeclaration.objects.get(name="联席会办信访资金")
    project.end_date = project.end_date.replace(month=6, day=30)
    project.save()
    indicator = _indicator(project, "指标 1: 项目完成及时率")
    indicator.set_value("2024年10月底前")
    indicator.save()
    _only(validate_project(project), "hint", "不在实施期（2024年1月1日至2024年6月30日）内")


def test_restating_budget_execution_as_an_output_is_a_hint(laoting_project):
    finding = _only(validate_project(laoting_project), "hint", "复述预算执行")
    assert finding.message == (
        "“预算资金执行率”只是复述预算执行（预算资金执行率），不是项目的产出；请改为反映实际产出的数量、质量、时效或成本指标"
    )
    assert finding.criterion == "相关性"


def test_budget_execution_under_the_process_category_is_fine(db):
    project = ProjectDeclaration.objects.get(name="信访救助资金")  # 过程指标 / 资金管理 / 资金到位率
    assert not [f for f in validate_project(project) if "复述预算执行" in f.message]


def test_a_copy_keeping_last_years_values_while_the_budget_moved_is_a_hint(zunhua_project):
    copy = project_copy_to_year(project=zunhua_project, year=2025, keep_money=True)
    assert not [f for f in validate_project(copy) if "上年的" in f.message]
    copy.budget = copy.fiscal_funds = Decimal("300")
    copy.save()
    findings = [f for f in validate_project(copy) if "上年的" in f.message]
    assert len(findings) == 6
    assert findings[0].message == (
        "资金由 216 万元变为 300 万元，“有效化解信访完成率”的指标值仍为上年的“≥95%”；请按新的资金规模调整指标值"
    )
    assert findings[0].criterion == "适当性"


def test_a_copy_with_new_values_gets_no_hint_for_them(zunhua_project):
    copy = project_copy_to_year(project=zunhua_project, year=2025, keep_money=True)
    copy.budget = copy.fiscal_funds = Decimal("300")
    copy.save()
    indicator = _indicator(copy, "有效化解信访完成率")
    indicator.set_value("≥98%")
    indicator.save()
    assert len([f for f in validate_project(copy) if "上年的" in f.message]) == 5


def test_a_department_copy_whose_money_moved_keeps_hinting_at_unchanged_values(rugao_department):
    copy = department_copy_to_year(department=rugao_department, year=2025, keep_money=True)
    copy.money_lines.filter(kind__in=["fiscal_general", "basic"]).update(amount=Decimal("1266.92"))
    findings = [f for f in validate_department(copy) if "上年的" in f.message]
    assert len(findings) == 36
    assert findings[0].message == (
        "资金由 1051.92 万元变为 1451.92 万元，“中长期规划健全性”的指标值仍为上年的“健全”；请按新的资金规模调整指标值"
    )


# --- queries --------------------------------------------------------------------------------

def test_validating_a_project_takes_a_bounded_number_of_queries(zunhua_project, django_assert_max_num_queries):
    subcategory = zunhua_project.indicators.first().subcategory
    Indicator.objects.bulk_create(
        Indicator(project=zunhua_project, subcategory=subcategory, order=10 + n, name=f"指标{n}", comparator="≥",
                  number=Decimal(n), unit="件")
        for n in range(30)
    )
    project = ProjectDeclaration.objects.get(pk=zunhua_project.pk)
    with django_assert_max_num_queries(5):
        validate_project(project)


def test_validating_a_copied_project_takes_a_bounded_number_of_queries(zunhua_project, django_assert_max_num_queries):
    copied = project_copy_to_year(project=zunhua_project, year=2025, keep_money=True)
    copy = ProjectDeclaration.objects.get(pk=copied.pk)
    with django_assert_max_num_queries(7):
        validate_project(copy)


def test_validating_a_department_takes_a_bounded_number_of_queries(yangxin_department, django_assert_max_num_queries):
    department = DepartmentDeclaration.objects.get(pk=yangxin_department.pk)
    with django_assert_max_num_queries(6):
        validate_department(department)

