"""Golden tests of the hunan-nanyue layout (南岳区 部门整体支出绩效目标申报表, a definition only):
the published 2017 table of 南岳区实验中学, entered as a document, exports to PDF and Excel holding
the table's cells, and prints nothing the table does not state."""
import io
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from django.urls import reverse

from accounts.models import Role, User
from declarations.exports.builders import load_document_data
from declarations.exports.document import LABEL
from declarations.exports.interpreter import DefinedLayout
from declarations.exports.layouts import get_layout
from declarations.exports.registry import export_document, export_project, exporter_for
from declarations.models import DepartmentDeclaration, ProjectDeclaration, Unit
from declarations.services.importing import document_import
from declarations.services.workbook_import import workbook_import

from .export_text import pdf_text, xlsx_text
from .seed_text import JUNK

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
TABLE = HERE / "tables" / "hunan-nanyue-2017-shiyanzhongxue-zhengti.txt"
DOCUMENT = HERE / "documents" / "hunan-nanyue.yaml"
UNIT, YEAR = "南岳区实验中学", 2017


def flat(text):
    """Whitespace removed, and full-width punctuation as the capture shows it (ASCII: the header
    of the table file says so), so that the printed （ ） ： match the captured ( ) :."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def table_cells():
    """The table's cells: tab-separated pieces of at least two characters, without the `#` lines
    and without the capture's "> " marking the two side-by-side funds columns."""
    cells = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        for piece in line.split("\t"):
            cell = flat(re.sub(r"^>\s*", "", piece))
            if len(cell) >= 2 and not JUNK.match(cell):
                cells.append(cell)
    return cells


@pytest.fixture
def unit(db):
    document_import(data=yaml.safe_load(DOCUMENT.read_text(encoding="utf-8")))
    return Unit.objects.get(name=UNIT)


def coverage(text):
    cells, haystack = table_cells(), flat(text)
    missing = [cell for cell in cells if cell not in haystack]
    return 1 - len(missing) / len(cells), missing


@pytest.mark.parametrize("fmt, read", [("pdf", pdf_text), ("xlsx", xlsx_text)])
def test_the_export_holds_the_published_tables_cells(unit, fmt, read):
    _name, _type, content = export_document(unit=unit, year=YEAR, fmt=fmt)
    share, missing = coverage(read(content))
    print(f"{fmt}: {share:.3f} of {len(table_cells())} cells")
    assert share >= 0.97, f"{fmt}: {share:.3f}; missing: {missing}"


def test_every_value_printed_is_stated_by_the_table(unit):
    data = load_document_data(unit, YEAR)
    document = get_layout(data.layout).document(data)
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    source = flat("\n".join(line for line in lines if not line.startswith("#")))
    printed = [cell.text for block in document.blocks for part in block.parts
               for row in part.header_rows + part.rows for cell in row if cell.kind != LABEL and cell.text.strip()]
    assert printed
    assert [text for text in printed if flat(text) not in source] == []


def test_blank_amounts_print_their_caption_alone_and_the_total_is_the_sum_of_the_stated_lines(unit):
    data = load_document_data(unit, YEAR)
    table = get_layout(data.layout).document(data).blocks[0]
    cells = [cell for part in table.parts for row in part.rows for cell in row]
    shown = {cell.text: cell for cell in cells}
    assert "资金总额：704" in shown and not shown["资金总额：704"].bind
    assert shown["公共财政拨款：683"].bind.startswith("moneyline:")
    assert shown["政府性基金拨款："].number is None and not shown["政府性基金拨款："].bind


def test_each_indicator_prints_in_one_cell_that_names_its_second_level(unit):
    data = load_document_data(unit, YEAR)
    table = get_layout(data.layout).document(data).blocks[0]
    rows = table.parts[-1].rows
    assert [cell.text for cell in rows[0][:2]] == ["部门整体支出\n年度绩效指标", "产出指标"]
    assert rows[0][2].text.startswith("质量指标：学校的教育教学秩序良好")
    assert rows[0][2].bind_prefix == "质量指标：" and rows[0][2].bind.startswith("indicator:")
    assert [len(row) for row in rows] == [3, 1, 1, 2, 1, 1, 1, 1]


def _book(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def _bound_cell(book, key):
    rows = [row for row in book["_bindings"].iter_rows(min_row=2, values_only=True)
            if row[0] == "value" and row[3] == key]
    assert len(rows) == 1, f"{key} is bound {len(rows)} times"
    return book[rows[0][1]][rows[0][2]]


def test_an_amount_shown_with_its_caption_and_an_indicator_named_after_its_second_level_are_edited_in_excel(unit):
    user = User.objects.create_user(username="nanyue-syzx", password="x", role=Role.FILLER, unit=unit)
    content = export_document(unit=unit, year=YEAR, fmt="xlsx")[2]
    assert workbook_import(content=content, unit=unit, year=YEAR, user=user).total == 0
    department = DepartmentDeclaration.objects.get(unit=unit, year__year=YEAR)
    line = department.money_lines.get(kind="fiscal_general")
    indicator = department.indicators.get(subcategory__name="时效指标")
    book = _book(content)
    amount = _bound_cell(book, f"moneyline:{line.pk}:amount")
    assert (amount.value, amount.number_format) == (683, '"公共财政拨款："0')
    amount.value = 690
    _bound_cell(book, f"indicator:{indicator.pk}:name").value = "时效指标：按时完成教学任务。"
    edited = io.BytesIO()
    book.save(edited)
    assert workbook_import(content=edited.getvalue(), unit=unit, year=YEAR, user=user).total == 2
    line.refresh_from_db()
    indicator.refresh_from_db()
    assert (line.amount, indicator.name) == (Decimal("690"), "按时完成教学任务。")


def test_a_project_prints_in_the_same_form_with_its_amounts_after_their_captions(unit):
    data = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    data["projects"] = [{
        "name": "教学设备购置", "budget": "82", "fiscal_funds": "82", "other_funds": None,
        "annual_goal": "添置教学设备。",
        "indicators": [{"category": "产出指标", "subcategory": "数量指标", "name": "购置设备台数", "value": "≥20台"}],
    }]
    document_import(data=data)
    project = ProjectDeclaration.objects.get(unit=unit, name="教学设备购置")
    text = flat(pdf_text(export_project(project=project, fmt="pdf")[2]))
    for printed in ("项目支出绩效目标申报表", "(2017年度)", "资金总额:82", "财政拨款:82", "其他资金:",
                    "数量指标:购置设备台数≥20台", "项目支出年度绩效指标"):
        assert flat(printed) in text, printed


def test_a_prefixed_amount_cell_prints_its_caption_before_the_amount_or_alone_unbound(unit):
    layout = DefinedLayout({"code": "t", "amounts": {"decimals": 2}, "tables": {
        "department": {"columns": [10, 10], "parts": [{"rows": [[
            {"lines": "income", "kinds": ["fiscal_general"], "prefix": "甲：", "suffix": "万元"},
            {"lines": "income", "kinds": ["fiscal_fund"], "prefix": "乙："},
        ]]}]},
        "project": {"columns": [10], "parts": []},
    }})
    filled, blank = layout.department_blocks(load_document_data(unit, YEAR))[0].parts[0].rows[0]
    assert (filled.text, filled.number, filled.number_format) == ("甲：683.00万元", Decimal("683"), '"甲："0.00"万元"')
    assert filled.bind.startswith("moneyline:")
    assert (blank.text, blank.number, blank.bind) == ("乙：", None, "")


def test_without_a_subcategory_cell_the_indicator_cells_follow_the_first_level(unit):
    def rows(subcategory_cell):
        layout = DefinedLayout({"code": "t", "tables": {
            "department": {"columns": [10, 10, 10], "parts": [{"indicators": {
                "header": [], "subcategory_cell": subcategory_cell, "cells": [{"text": "name"}]}}]},
            "project": {"columns": [10], "parts": []},
        }})
        return layout.department_blocks(load_document_data(unit, YEAR))[0].parts[0].rows
    assert [cell.text for cell in rows(True)[0]][:2] == ["产出指标", "质量指标"]
    assert [cell.text for cell in rows(False)[0]] == ["产出指标", "学校的教育教学秩序良好,校园文化建设深受好评,力争毕业生合格率达100%"]
    assert [len(row) for row in rows(False)] == [2, 1, 1, 2, 1, 1, 1, 1]


def test_a_layout_with_no_exporters_of_its_own_prints_through_the_generic_ones():
    assert exporter_for("hunan-nanyue", "pdf").format == "pdf"
    assert exporter_for("hunan-nanyue", "xlsx").format == "xlsx"
    with pytest.raises(LookupError):
        exporter_for("hunan-nanyue", "docx")


def test_the_definition_passes_the_checks_an_administrator_s_edit_must_pass(unit):
    from declarations.services import layouts

    assert layouts.definition_errors(get_layout("hunan-nanyue").definition) == []


def test_the_wizard_asks_for_what_the_form_prints(unit, client):
    client.force_login(User.objects.create_user(username="nanyue-syzx", password="x", role=Role.FILLER, unit=unit))
    department = DepartmentDeclaration.objects.get(unit=unit, year__year=YEAR)
    profile = client.get(reverse("department_step", args=[department.pk, "profile"])).content.decode()
    assert all(f'name="{field}"' in profile for field in ("department_name", "head_name", "functions"))
    goals = client.get(reverse("department_step", args=[department.pk, "goals"])).content.decode()
    assert 'name="annual_goal"' in goals and 'name="long_term_goal"' not in goals
    money = client.get(reverse("department_step", args=[department.pk, "money"]))
    assert money.status_code == 200
