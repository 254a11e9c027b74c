"""岳阳楼区 (Hunan) 整体绩效目标表, a HOLD-OUT table nobody tuned the interpreter on: the published
table, entered as a document, prints again in the hunan-yueyanglou layout — a definition written with
the vocabulary as it was — and prints nothing the table does not state."""
from collections import Counter
from pathlib import Path

import pytest
import yaml

from declarations.exports.builders import load_document_data
from declarations.exports.layouts import get_layout
from declarations.exports.registry import export_document, exporter_for
from declarations.models import Unit
from declarations.services.importing import document_import

from .export_text import pdf_text, xlsx_text
from .table_text import comparable, table_cells, table_lines, unstated_values
from .table_text import coverage as table_coverage

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
SOURCE = HERE / "tables" / "hunan-yueyanglou-2023-jiagerenzheng-zhengti.txt"
DOCUMENT = HERE / "documents" / "hunan-yueyanglou.yaml"
CODE = "hunan-yueyanglou"
# Every cell of two characters or more prints (1.0 in PDF and Excel). The 计量单位 "%" beside 28.8万元
# and beside the qualitative 应保尽保 print as the indicators' printed_unit; the 评(扣)分标准 of the
# 经济效益指标 row that has no 三级 (an indicator needs a name) prints on the other rows, so it is found.
THRESHOLD = 1.0


def source_lines():
    return table_lines(SOURCE)


def source_cells():
    return table_cells(source_lines())


@pytest.fixture
def unit():
    document_import(data=yaml.safe_load(DOCUMENT.read_text(encoding="utf-8")))
    return Unit.objects.get(name="岳阳楼区价格认证鉴定中心")


def coverage(text):
    return table_coverage(source_cells(), text)


@pytest.mark.parametrize("fmt, read", [("pdf", pdf_text), ("xlsx", xlsx_text)])
def test_the_export_prints_the_published_table_again(unit, fmt, read):
    _name, _type, content = export_document(unit=unit, year=2023, fmt=fmt)
    share, missing = coverage(read(content))
    assert share >= THRESHOLD, f"{fmt}: {share:.3f} of the table's cells printed; missing: {missing}"


def test_no_value_is_printed_that_the_table_does_not_state(unit):
    document = get_layout(CODE).document(load_document_data(unit, 2023))
    assert unstated_values(document, "\n".join(source_lines())) == []


def test_the_table_keeps_the_published_grid(unit):
    table = get_layout(CODE).document(load_document_data(unit, 2023)).tables[0]
    rows = [[cell.text for cell in row] for part in table.parts for row in part.header_rows + part.rows]
    assert table.title == "岳阳楼区价格认证鉴定中心2023年度整体绩效目标表"
    assert rows[:4] == [["部门(单位)名称", "岳阳楼区价格认证鉴定中心"], ["*部门(单位)职责", "负责价格认定工作"],
                        ["*年度总体绩效目标", "做好涉案、价格认定工作。"], ["绩效指标"]]
    assert rows[4] == ["一级指标", "二级指标", "三级指标", "指标值类型", "*指标值", "计量单位", "*指标解释",
                       "*评(扣)分标准", "备注"]
    # The value in two columns; 指标值类型 as the table states it (按月安排 is 定量 there).
    assert rows[6][:5] == ["质量指标", "业务工作支出到位率", "定量", "100", "%"]
    assert rows[7][:5] == ["时效指标", "工作安排时间", "定量", "按月安排", ""]
    # 28.8万元 | %: the value whole, the 计量单位 column as the table prints it (printed_unit).
    assert rows[5][:6] == ["产出指标", "数量指标", "业务工作支出安排金额", "定量", "28.8万元", "%"]
    # The empty 经济效益指标 prints as a row, as on the table.
    assert rows[9][:3] == ["效益指标", "经济效益指标", ""]


def test_the_wizard_asks_for_the_tables_fields_with_its_captions():
    layout = get_layout(CODE)
    assert layout.department_profile_fields == ["department_name", "functions"]
    assert {"description", "indicator_class"} <= set(layout.indicator_fields)
    captions = layout.field_captions("department")
    assert (captions["department_name"], captions["functions"]) == ("部门(单位)名称", "部门(单位)职责")


def test_the_layout_exports_in_every_format_it_offers():
    layout = get_layout(CODE)
    assert [exporter_for(layout, fmt).format for fmt in ("pdf", "xlsx")] == ["pdf", "xlsx"]



def test_cell_by_cell_only_what_the_model_cannot_hold_differs(unit):
    """Stricter than the share above (which finds "28.8万元" in "28.8" printed beside "万元"): the
    table's non-empty cells against the printed cells, one by one, counted."""
    document = get_layout(CODE).document(load_document_data(unit, 2023))
    printed = Counter(comparable(cell.text) for table in document.tables for part in table.parts
                      for row in part.header_rows + part.rows for cell in row if cell.text.strip())
    printed[comparable(document.tables[0].title)] += 1
    stated = Counter(comparable(piece) for line in source_lines() for piece in line.split("\t") if piece.strip())
    # The 经济效益指标 row's 评(扣)分标准 has no indicator (no 三级 name); "生态" is the capture cut
    # inside 生态效益指标.
    assert stated - printed == Counter({"未达指标值酌情扣分": 1, "生态": 1})
