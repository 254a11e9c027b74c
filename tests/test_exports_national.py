"""The national layout (财政部 项目支出绩效目标申报表): no demo unit uses it, so the tests build one."""
from decimal import Decimal

import pytest

from declarations.exports.registry import export_document
from declarations.models import BudgetYear, DepartmentDeclaration, FinanceBureau, Indicator, ProjectDeclaration, Unit
from indicators.models import Layout, Subcategory

from .export_text import pdf_text, xlsx_text
from .seed_text import flat

YEAR = 2027
READERS = {"pdf": pdf_text, "xlsx": xlsx_text}


def _subcategory(table_kind, category, name):
    return Subcategory.objects.get(
        category__framework__layout__code="national",
        category__framework__table_kind=table_kind,
        category__name=category,
        name=name,
    )


def _indicator(owner, subcategory, name, raw_value, order, **kwargs):
    indicator = Indicator(subcategory=subcategory, name=name, order=order, **owner, **kwargs)
    indicator.set_value(raw_value, strict=True)
    indicator.save()
    return indicator


@pytest.fixture
def national_unit(db):
    bureau = FinanceBureau.objects.create(
        name="示范市财政局", province="示范省", layout=Layout.objects.get(code="national")
    )
    unit = Unit.objects.create(bureau=bureau, code="801001", name="示范市信访局")
    year, _created = BudgetYear.objects.get_or_create(year=YEAR)
    project = ProjectDeclaration.objects.create(
        unit=unit,
        year=year,
        name="信访事项复查复核经费",
        supervising_department="示范市信访局",
        implementing_unit="示范市信访局本级",
        attribute="经常性项目",
        period_start_year=2027,
        period_end_year=2029,
        mid_term_total=Decimal("36.5"),
        budget=Decimal("12.5"),
        fiscal_funds=Decimal("10"),
        other_funds=Decimal("2.5"),
        long_term_goal="三年内复查复核案件按期办结。",
        annual_goal="年度复查复核案件按期办结，群众满意。",
    )
    owner = {"project": project}
    _indicator(owner, _subcategory("project", "产出指标", "数量指标"), "复查复核案件办理数量", "≥120件", 1)
    _indicator(owner, _subcategory("project", "满意度指标", "服务对象满意度指标"), "信访群众满意度", "≥95%", 2)
    _indicator(
        owner, _subcategory("project", "产出指标", "数量指标"), "三年复查复核案件办理总数", "≥360件", 3,
        term="long",
    )
    return unit


@pytest.mark.parametrize("fmt", READERS)
def test_a_national_project_prints_its_form_amounts_and_indicators(national_unit, fmt):
    filename, _content_type, content = export_document(unit=national_unit, year=YEAR, fmt=fmt)
    assert filename.endswith(f".{fmt}")
    shown = flat(READERS[fmt](content))
    for expected in [
        "项目支出绩效目标申报表", f"（{YEAR}年度）", "单位：万元",
        "项目名称", "信访事项复查复核经费", "主管部门及代码", "示范市信访局（801001）", "示范市信访局本级",
        "经常性项目", "2027年-2029年",
        "中期资金总额", "36.50", "年度资金总额", "12.50", "其中：财政拨款", "10.00", "其他资金", "2.50",
        "中期目标", "三年内复查复核案件按期办结。", "年度目标", "年度复查复核案件按期办结，群众满意。",
        "一级指标", "二级指标", "三级指标", "指标值",
        "产出指标", "数量指标", "复查复核案件办理数量", "≥120件",
        "满意度指标", "服务对象满意度指标", "信访群众满意度", "≥95%",
        "中期绩效指标", "三年复查复核案件办理总数", "≥360件", "年度绩效指标",
    ]:
        assert flat(expected) in shown, expected
    # 年度 indicators follow the form and the 中期 ones, in framework order.
    order = ["项目名称", "中期绩效指标", "三年复查复核案件办理总数", "年度绩效指标", "复查复核案件办理数量", "信访群众满意度"]
    positions = [shown.index(flat(cell)) for cell in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize("fmt", READERS)
def test_a_national_department_declaration_prints_before_the_projects(national_unit, fmt):
    department = DepartmentDeclaration.objects.create(
        unit=national_unit, year=BudgetYear.objects.get(year=YEAR), annual_goal="全年信访形势平稳。"
    )
    _indicator(
        {"department": department}, _subcategory("department", "效益指标", "社会效益指标"), "信访秩序", "持续好转", 1
    )
    _filename, _content_type, content = export_document(unit=national_unit, year=YEAR, fmt=fmt)
    shown = flat(READERS[fmt](content))
    cells = ["部门整体支出绩效目标申报表", "示范市信访局", "全年信访形势平稳。", "社会效益指标", "信访秩序", "持续好转",
             "项目支出绩效目标申报表", "信访事项复查复核经费"]
    positions = [shown.find(cell) for cell in cells]
    assert -1 not in positions, dict(zip(cells, positions))
    assert positions == sorted(positions)
