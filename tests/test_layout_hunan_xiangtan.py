"""湘潭 (Hunan) 项目支出绩效目标申报表: the published table, entered as a document, prints again in
the hunan-xiangtan layout, and prints nothing the table does not state."""
from pathlib import Path

import pytest
import yaml

from declarations.exports.builders import load_document_data
from declarations.exports.document import Table
from declarations.exports.interpreter import DefinedLayout
from declarations.exports.layouts import get_layout
from declarations.exports.registry import export_document
from declarations.models import Unit
from declarations.services.importing import document_import

from .export_text import pdf_text, xlsx_text
from .table_text import comparable, table_cells, table_lines, unstated_values
from .table_text import coverage as table_coverage

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
SOURCE = HERE / "tables" / "hunan-xiangtan-2023-huanweichu-wupaoche.txt"
DOCUMENT = HERE / "documents" / "hunan-xiangtan.yaml"
CODE = "hunan-xiangtan"


def source_lines():
    return table_lines(SOURCE)


def source_cells():
    return table_cells(source_lines())


@pytest.fixture
def unit():
    document_import(data=yaml.safe_load(DOCUMENT.read_text(encoding="utf-8")))
    return Unit.objects.get(name="湘潭市环境卫生管理处")


def coverage(text):
    return table_coverage(source_cells(), text)


@pytest.mark.parametrize("fmt, read", [("pdf", pdf_text), ("xlsx", xlsx_text)])
def test_the_export_prints_the_published_table_again(unit, fmt, read):
    _name, _type, content = export_document(unit=unit, year=2023, fmt=fmt)
    share, missing = coverage(read(content))
    assert share >= 0.97, f"{fmt}: {share:.3f} of the table's cells printed; missing: {missing}"


def test_no_value_is_printed_that_the_table_does_not_state(unit):
    data = load_document_data(unit, 2023)
    document = get_layout(CODE).document(data)
    assert unstated_values(document, "\n".join(source_lines())) == []


def test_the_table_keeps_the_published_grid(unit):
    table = get_layout(CODE).document(load_document_data(unit, 2023)).tables[0]
    rows = [[cell.text for cell in row] for part in table.parts for row in part.header_rows + part.rows]
    assert table.title == "2023年项目支出绩效目标申报表"
    assert (table.header_left, table.header_right) == ("填报单位：（盖章）", "单位：万元")
    assert rows[1] == ["年度本级\n预算金额", "250万", "该项目支出上级资金", "0"]
    assert rows[2] == ["项目支出实施期", "2023.07-2024.01"]
    # 本年度绩效指标 runs down the header row and every indicator row (the empty 二级 included).
    indicators = table.parts[1]
    assert indicators.header_rows == [] and indicators.rows[0][0].text == "本年度\n绩效指标"
    assert indicators.rows[0][0].rowspan == len(indicators.rows) == 1 + 10
    assert [row[-3:] for row in rows[6:8]] == [["雾炮车降尘抑尘服务配备车辆数", "10辆", "计划标准"],
                                              ["雾炮车风炮射程", "≥80M", "计划标准"]]
    assert table.after_lines == ["填表人：宋云花　联系电话：16607326331　填报日期：　单位负责人签字："]


def test_header_in_body_lets_the_lead_run_down_the_header_too(unit):
    definition = {"code": "t", "tables": {"project": {"columns": [1, 1, 1, 1], "parts": [{"indicators": {
        "header_in_body": True, "lead": {"label": "指标"},
        "header": [[{"label": "一级"}, {"label": "二级"}, {"label": "三级"}]],
        "cells": [{"text": "name"}],
    }}]}}}
    data = load_document_data(unit, 2023)
    part = DefinedLayout(definition).project_table(data, data.projects[0], 1).parts[0]
    assert part.header_rows == []
    assert [cell.text for cell in part.rows[0]] == ["指标", "一级", "二级", "三级"]
    assert part.rows[0][0].rowspan == 1 + len(data.projects[0].indicators.all())


def test_lines_after_a_table_print_below_its_grid_in_pdf_and_excel(unit):
    _name, _type, pdf = export_document(unit=unit, year=2023, fmt="pdf")
    _name, _type, xlsx = export_document(unit=unit, year=2023, fmt="xlsx")
    for text in (pdf_text(pdf), xlsx_text(xlsx)):
        flat_text = comparable(text)
        assert flat_text.index("财政部门审核意见") < flat_text.index("填表人:宋云花联系电话:16607326331")


def test_the_wizard_asks_for_the_period_to_the_month_and_the_sign_off(unit):
    layout = get_layout(CODE)
    assert {"period_start_month", "period_end_month", "filler_name", "head_name"} <= set(layout.project_basic_fields)
    assert isinstance(layout.document(load_document_data(unit, 2023)).blocks[0], Table)


def test_a_layout_that_is_a_definition_only_exports_in_every_format():
    from declarations.exports.layouts import get_layout
    from declarations.exports.registry import exporter_for

    layout = get_layout(CODE)
    assert [exporter_for(layout, fmt).format for fmt in ("pdf", "xlsx")] == ["pdf", "xlsx"]
    with pytest.raises(LookupError):
        exporter_for(layout, "docx")
