"""Every layout's workbook reads back: unchanged it changes nothing, edited it saves exactly the edits.

The Hebei workbook is covered by test_workbook_import.py; these are the 江苏, 湖北, 宁夏 demo
documents and a 财政部 (national) unit built here, as no demo unit uses that layout.
"""
import io
from decimal import Decimal

import openpyxl
import pytest

from accounts.models import Role, User
from declarations.exports.document import bind
from declarations.exports.registry import export_department, export_document
from declarations.models import (
    BudgetYear,
    DepartmentDeclaration,
    FinanceBureau,
    Indicator,
    MoneyLine,
    ProjectDeclaration,
    Unit,
)
from declarations.services.interchange import document_to_dict
from declarations.services.workbook_import import workbook_import
from indicators.models import Layout, Subcategory

NATIONAL_YEAR = 2027


# --- helpers ----------------------------------------------------------------------------------

def _export(unit, year):
    return export_document(unit=unit, year=year, fmt="xlsx")[2]


def _book(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def _value_bindings(book):
    """(sheet, cell, key, prefix) of every bound value of the workbook."""
    return [
        (row[1], row[2], row[3], row[4] or "")
        for row in book["_bindings"].iter_rows(min_row=2, values_only=True)
        if row and row[0] == "value"
    ]


def _cell(book, key):
    """The one cell bound to `key`; a value bound twice could overwrite its own edit."""
    found = [(sheet, cell) for sheet, cell, bound, _prefix in _value_bindings(book) if bound == key]
    assert len(found) == 1, f"{key} is bound {len(found)} times"
    sheet, cell = found[0]
    return book[sheet][cell]


def _edit(content, edits):
    """The workbook with the cells bound to the keys of `edits` set to the values, saved as Excel does."""
    book = _book(content)
    for key, new in edits.items():
        _cell(book, key).value = new
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _flat(data, path=()):
    """A nested document as {path: leaf}, so that two snapshots compare field by field."""
    if isinstance(data, dict):
        return {k: v for key, item in data.items() for k, v in _flat(item, (*path, key)).items()}
    if isinstance(data, list):
        return {k: v for n, item in enumerate(data) for k, v in _flat(item, (*path, n)).items()}
    return {path: data}


def _changed(before, after):
    before, after = _flat(before), _flat(after)
    return {path: (before.get(path), after.get(path)) for path in before.keys() | after.keys()
            if before.get(path) != after.get(path)}


def _indicator_count(unit, year):
    return (
        Indicator.objects.filter(project__unit=unit, project__year__year=year).count()
        + Indicator.objects.filter(department__unit=unit, department__year__year=year).count()
    )


# --- the documents ----------------------------------------------------------------------------

def _national_subcategory(table_kind, category, name):
    return Subcategory.objects.get(
        category__framework__layout__code="national",
        category__framework__table_kind=table_kind,
        category__name=category,
        name=name,
    )


def _national_indicator(owner, subcategory, name, raw_value, order, **kwargs):
    indicator = Indicator(subcategory=subcategory, name=name, order=order, **owner, **kwargs)
    indicator.set_value(raw_value, strict=True)
    indicator.save()
    return indicator


def _national_unit():
    """A 财政部-layout unit with a 部门整体 declaration and one project, and its filler."""
    bureau = FinanceBureau.objects.create(name="示范市财政局", province="示范省", layout=Layout.objects.get(code="national"))
    unit = Unit.objects.create(bureau=bureau, code="801001", name="示范市信访局")
    year, _created = BudgetYear.objects.get_or_create(year=NATIONAL_YEAR)
    department = DepartmentDeclaration.objects.create(
        unit=unit, year=year, department_name="示范市信访局", long_term_goal="信访秩序持续好转。",
        annual_goal="全年信访形势平稳。",
    )
    _national_indicator(
        {"department": department}, _national_subcategory("department", "效益指标", "社会效益指标"),
        "信访秩序", "持续好转", 1,
    )
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
    _national_indicator(owner, _national_subcategory("project", "产出指标", "数量指标"), "复查复核案件办理数量", "≥120件", 1)
    _national_indicator(
        owner, _national_subcategory("project", "满意度指标", "服务对象满意度指标"), "信访群众满意度", "≥95%", 2
    )
    _national_indicator(
        owner, _national_subcategory("project", "产出指标", "数量指标"), "三年复查复核案件办理总数", "≥360件", 3,
        term="long",
    )
    User.objects.create_user(username="shifan-xfj", password="x", role=Role.FILLER, unit=unit)
    return unit, NATIONAL_YEAR


def _demo(name, year):
    return lambda: (Unit.objects.get(name=name), year)


DOCUMENTS = {
    "jiangsu": _demo("如皋市信访局", 2024),
    "hubei": _demo("阳新县信访局", 2026),
    "ningxia": _demo("固原市信访局", 2021),
    "national": _national_unit,
}


def _filler(unit):
    return User.objects.get(role=Role.FILLER, unit=unit)


# --- the edits: one amount, one indicator value, one text per layout ---------------------------

def _jiangsu_edits(unit, year):
    department = DepartmentDeclaration.objects.get(unit=unit, year__year=year)
    line = department.money_lines.get(direction="income", kind="fiscal_general")
    indicator = Indicator.objects.get(project__unit=unit, project__year__year=year,
                                      project__name="联席会办信访资金", name="指标 1: 立项程序规范性")
    project = ProjectDeclaration.objects.get(unit=unit, year__year=year, name="信访救助资金")
    edits = {
        bind(line, "amount"): 1100.5,
        bind(indicator, "value"): "≥98%",
        bind(project, "necessity"): "新的立项必要性。",
    }

    def check():
        assert MoneyLine.objects.get(pk=line.pk).amount == Decimal("1100.5")
        assert Indicator.objects.get(pk=indicator.pk).value_display == "≥98%"
        assert ProjectDeclaration.objects.get(pk=project.pk).necessity == "新的立项必要性。"

    return edits, check


def _hubei_edits(unit, year):
    department = DepartmentDeclaration.objects.get(unit=unit, year__year=year)
    line = department.money_lines.get(direction="expense", kind="personnel")
    indicator = department.indicators.filter(term="annual").exclude(comparator="定性").order_by("order", "pk").first()
    edits = {
        bind(line, "amount"): 320,
        bind(indicator, "value"): "≥97%",
        bind(department, "annual_tasks"): "新的年度工作任务。",
    }

    def check():
        assert MoneyLine.objects.get(pk=line.pk).amount == Decimal("320")
        assert Indicator.objects.get(pk=indicator.pk).value_display == "≥97%"
        assert DepartmentDeclaration.objects.get(pk=department.pk).annual_tasks == "新的年度工作任务。"

    return edits, check


def _ningxia_edits(unit, year):
    project = ProjectDeclaration.objects.get(unit=unit, year__year=year, name="维稳经费")
    indicator = project.indicators.exclude(comparator="定性").order_by("order", "pk").first()
    edits = {
        bind(project, "budget"): 3.5,
        bind(indicator, "value"): "≥99%",
        bind(project, "annual_goal"): "新的绩效目标。",
    }

    def check():
        project.refresh_from_db()
        assert project.budget == Decimal("3.5")
        assert Indicator.objects.get(pk=indicator.pk).value_display == "≥99%"
        assert project.annual_goal == "新的绩效目标。"

    return edits, check


def _national_edits(unit, year):
    project = ProjectDeclaration.objects.get(unit=unit, year__year=year)
    department = DepartmentDeclaration.objects.get(unit=unit, year__year=year)
    indicator = project.indicators.get(name="信访群众满意度")
    edits = {
        bind(project, "mid_term_total"): 40,
        bind(indicator, "value"): "≥97%",
        bind(department, "annual_goal"): "新的年度目标。",
    }

    def check():
        assert ProjectDeclaration.objects.get(pk=project.pk).mid_term_total == Decimal("40")
        assert Indicator.objects.get(pk=indicator.pk).value_display == "≥97%"
        assert DepartmentDeclaration.objects.get(pk=department.pk).annual_goal == "新的年度目标。"

    return edits, check


EDITS = {"jiangsu": _jiangsu_edits, "hubei": _hubei_edits, "ningxia": _ningxia_edits, "national": _national_edits}


# --- tests ------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", DOCUMENTS)
def test_an_unchanged_export_imports_without_changes(db, layout):
    unit, year = DOCUMENTS[layout]()
    assert unit.bureau.layout.code == layout
    before = document_to_dict(unit, year)
    result = workbook_import(content=_export(unit, year), unit=unit, year=year, user=_filler(unit))
    assert result.total == 0
    assert document_to_dict(unit, year) == before


@pytest.mark.parametrize("layout", DOCUMENTS)
def test_many_cells_are_bound(db, layout):
    unit, year = DOCUMENTS[layout]()
    bindings = _value_bindings(_book(_export(unit, year)))
    assert len(bindings) >= 2 * _indicator_count(unit, year) > 0
    keys = [key for _sheet, _cell, key, _prefix in bindings]
    assert len(keys) == len(set(keys)), "a value bound twice would let its unchanged copy undo an edit"


@pytest.mark.parametrize("layout", DOCUMENTS)
def test_an_amount_an_indicator_value_and_a_text_edited_in_excel_are_saved(db, layout):
    unit, year = DOCUMENTS[layout]()
    edits, check = EDITS[layout](unit, year)
    before = document_to_dict(unit, year)
    content = _edit(_export(unit, year), edits)
    result = workbook_import(content=content, unit=unit, year=year, user=_filler(unit))
    assert result.total == 3
    check()
    changed = _changed(before, document_to_dict(unit, year))
    assert len(changed) == 3, changed


def test_a_jiangsu_project_without_a_table_is_bound_in_the_department_table(db):
    unit = Unit.objects.get(name="如皋市信访局")
    project = ProjectDeclaration.objects.get(unit=unit, year__year=2024, name="信访救助资金")
    ProjectDeclaration.objects.filter(pk=project.pk).update(has_table=False)
    book = _book(_export(unit, 2024))
    name = _cell(book, bind(project, "name"))
    assert name.parent.title == "部门整体" and name.value == "项目 2：信访救助资金"
    assert _cell(book, bind(project, "budget")).value == 80

    content = _edit(_export(unit, 2024), {bind(project, "name"): "项目 2：信访救助专项资金", bind(project, "budget"): 85})
    assert workbook_import(content=content, unit=unit, year=2024, user=_filler(unit)).total == 2
    project.refresh_from_db()
    assert (project.name, project.budget) == ("信访救助专项资金", Decimal("85"))


def test_the_jiangsu_department_workbook_alone_binds_its_project_rows(db):
    unit = Unit.objects.get(name="如皋市信访局")
    department = DepartmentDeclaration.objects.get(unit=unit, year__year=2024)
    project = ProjectDeclaration.objects.get(unit=unit, year__year=2024, name="联席会办信访资金")
    content = export_department(department=department, fmt="xlsx")[2]
    book = _book(content)
    assert _cell(book, bind(project, "name")).value == "其中：项目 1：联席会办信访资金"
    assert workbook_import(content=content, unit=unit, year=2024, user=_filler(unit)).total == 0
