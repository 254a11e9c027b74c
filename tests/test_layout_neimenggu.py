"""内蒙古 项目绩效目标表 (乌海市 2021): the published table, entered as a document in the interchange
shape (tests/documents/neimenggu.yaml), prints through the `neimenggu` definition with the table's
cells, and prints no value the table does not state."""
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from declarations.exports.builders import indicator_rows, load_document_data
from declarations.exports.document import LABEL
from declarations.exports.interpreter import DefinedLayout, thousands_filter
from declarations.exports.layouts import get_layout, packaged_definitions
from declarations.exports.registry import export_document, exporter_for
from declarations.models import Unit
from declarations.services.importing import document_import

from .export_text import missing_cells, pdf_text, xlsx_text
from .seed_text import flat

HERE = Path(__file__).parent
TABLE = HERE / "tables" / "neimenggu-wuhai-2021-gongxiaoshe-zaishengziyuan.txt"
DOCUMENT = HERE / "documents" / "neimenggu.yaml"
UNIT, YEAR = "乌海市供销合作社联合社", 2021
READERS = {"pdf": pdf_text, "xlsx": xlsx_text}
pytestmark = pytest.mark.django_db
# Source cells an export may lack, each with the reason (extraction artefacts only).
MAY_LACK = {}


def table_lines():
    return [line for line in TABLE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]


def table_cells():
    cells = [flat(piece) for line in table_lines() for piece in line.split("\t")]
    return [cell for cell in cells if len(cell) >= 2]


def document():
    return yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))


@pytest.fixture
def imported(db):
    """The document imported inside the test's transaction (nothing stays for other modules)."""
    document_import(data=document())
    return Unit.objects.get(name=UNIT)


@pytest.fixture
def exports(imported):
    def read(fmt):
        _name, _type, content = export_document(unit=imported, year=YEAR, fmt=fmt)
        return READERS[fmt](content)

    return read


@pytest.mark.parametrize("fmt", READERS)
def test_the_export_holds_the_tables_cells(exports, fmt):
    cells = table_cells()
    missing = [cell for cell in missing_cells(cells, exports(fmt)) if cell not in MAY_LACK]
    share = 1 - len(missing) / len(cells)
    assert share >= 0.97, f"{fmt}: {share:.1%} of {len(cells)} cells; missing: {missing}"


def test_no_value_is_printed_that_the_table_does_not_state(imported):
    built = get_layout("neimenggu").document(load_document_data(imported, YEAR))
    source = flat("\n".join(table_lines()))
    printed = [
        cell.text for table in built.blocks for part in table.parts for row in part.header_rows + part.rows
        for cell in row if cell.kind != LABEL and flat(cell.text)
    ]
    assert printed
    unstated = [text for text in printed if flat(text) not in source]
    assert not unstated, unstated


def test_the_document_prints_the_tables_caption_year_and_weighted_indicator_caption(exports):
    text = flat(exports("pdf"))
    for caption in ("再生资源回收市场管理经费项目绩效目标表", "(2021年)", "投入目标(万元)", "年初安排金额(万元)",
                    "绩效指标(权重分值90分,其中产出指标权重分值50分,效益指标权重分值30分,满意度指标权重分值10分)"):
        assert flat(caption) in text


def test_value_and_unit_print_in_separate_columns_with_the_category_on_every_row(imported):
    table = get_layout("neimenggu").document(load_document_data(imported, YEAR)).blocks[0]
    rows = [[cell.text for cell in row] for row in table.parts[-1].rows]
    assert rows[1] == ["产出指标", "数量指标", "出差人次", "正向", "=", "24", "人/次", "4", ""]
    assert rows[3][:8] == ["产出指标", "时效指标", "项目财政资金到位时间", "正向", "=", "44,561", "", "10"]
    assert all(len(row) == 9 for row in rows)


def test_a_department_declaration_prints_on_the_same_grid(db):
    data = document()
    data["department"] = {
        "department_name": UNIT, "annual_goal": "规范再生资源回收。",
        "money": [{"direction": "income", "kind": "fiscal_general", "amount": "5"}],
        "indicators": [{"category": "满意度指标", "subcategory": "服务对象满意度指标", "name": "群众满意度",
                        "value": "≥90%", "indicator_class": "正向", "weight": "10"}],
    }
    document_import(data=data)
    _name, _type, content = export_document(unit=Unit.objects.get(name=UNIT), year=YEAR, fmt="pdf")
    text = flat(pdf_text(content))
    for printed in (f"{UNIT}部门整体绩效目标表", "资金总额5", "其中:财政拨款数5", "规范再生资源回收。",
                    "满意度指标服务对象满意度指标群众满意度正向≥90%10", "再生资源回收市场管理经费项目绩效目标表"):
        assert printed in text


def test_categories_merge_down_unless_a_definition_repeats_them():
    class Sub:
        def __init__(self, pk, name):
            self.pk, self.label = pk, name

    class Framework:
        def __init__(self, subs):
            self.categories = type("M", (), {"all": lambda _self: [category]})()
            category.subcategories = type("M", (), {"all": lambda _self: subs})()

    class Indicator:
        def __init__(self, pk, sub):
            self.pk, self.subcategory_id, self.order = pk, sub, pk

    category = type("Category", (), {"name": "产出指标"})()
    framework = Framework([Sub(1, "数量指标")])
    indicators = [Indicator(1, 1), Indicator(2, 1)]
    merged = indicator_rows(indicators, framework, lambda i: [])
    repeated = indicator_rows(indicators, framework, lambda i: [], merge_categories=False)
    assert [[(c.text, c.rowspan) for c in row] for row in merged] == [[("产出指标", 2), ("数量指标", 2)], []]
    assert [[(c.text, c.rowspan) for c in row] for row in repeated] == [[("产出指标", 1), ("数量指标", 1)]] * 2


def test_the_thousands_filter_prints_a_number_as_short_as_exact_with_its_digits_grouped():
    assert [thousands_filter(n) for n in (Decimal("44561.000000"), Decimal("4.00"), Decimal("0.50"), None)] == [
        "44,561", "4", "0.5", "",
    ]
    layout = DefinedLayout({"code": "t", "tables": {}})
    assert layout.render("{{ n|thousands }}", {"n": Decimal("1234567.25")}) == "1,234,567.25"


def test_a_layout_that_is_a_definition_only_has_an_exporter_per_format():
    from declarations.exports.layouts import get_layout

    assert "neimenggu" in packaged_definitions()
    layout = get_layout("neimenggu")
    assert [exporter_for(layout, fmt).identifier for fmt in ("pdf", "xlsx")] == ["neimenggu-pdf", "neimenggu-xlsx"]
    with pytest.raises(LookupError):
        exporter_for(layout, "docx")


def test_the_definition_names_its_source():
    assert packaged_definitions()["neimenggu"]["source"].startswith("http://gxs.wuhai.gov.cn/")
    assert re.search(r"neimenggu", DOCUMENT.read_text(encoding="utf-8"))


def test_the_wizard_asks_for_the_layouts_fields_and_offers_its_framework(client, administrator, imported):
    administrator.must_change_password = False
    administrator.save()
    client.force_login(administrator)
    project = imported.projectdeclarations.get()
    basic = client.get(reverse("project_step", args=[project.pk, "basic"])).content.decode()
    grid = client.get(reverse("project_step", args=[project.pk, "indicators"])).context["grid"]
    assert "(31)部门预算项目" in basic and "(433001)乌海市供销合作社联合社" in basic
    shown = ({g["name"] for g in grid["groups"]} | {c["title"] for c in grid["columns"]}
             | {r["name"] for r in grid["rows"]})
    for caption in ("成本指标", "服务对象满意度指标", "指标分类", "分值", "出差单位成本"):
        assert caption in shown
