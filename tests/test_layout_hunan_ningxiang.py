"""宁乡市 (Hunan) 项目绩效目标表, a hold-out table: the filed table, entered as a document, prints again
in the hunan-ningxiang layout (a definition only, no Python), and prints nothing the table does not state.

The capture is a run-together text preview; its cells are read from the "# seg:" lines, the capture's
best-effort segmentation, with the characters it restores in brackets (联系电[话]) taken as printed."""
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from declarations.exports.builders import load_document_data
from declarations.exports.document import LABEL
from declarations.exports.layouts import get_layout
from declarations.exports.registry import export_document
from declarations.models import Unit
from declarations.services.importing import document_import

from .export_text import pdf_text, xlsx_text
from .seed_text import flat

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
SOURCE = HERE / "tables" / "hunan-ningxiang-2021-batangzhen-jichusheshi.txt"
DOCUMENT = HERE / "documents" / "hunan-ningxiang.yaml"
CODE = "hunan-ningxiang"
SEG = "# seg:"
# Every cell prints, in PDF and Excel: 项目立项的依据 as the project's legal_basis, the 项目实施进度计划
# rows as its milestones (before they were held: 0.943).
THRESHOLD = 1.0


def comparable(text):
    """Whitespace-free and NFKC-folded: the capture shows full-width punctuation (：（）) as ASCII,
    the layout prints it full-width; both read the same after folding."""
    return flat(unicodedata.normalize("NFKC", text or ""))


def verbatim_lines():
    return [line for line in SOURCE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]


def segmented_lines():
    """The segmentation's rows, without its closing remark on the cut-off 年度 block."""
    lines = [line[len(SEG):].lstrip(" ") for line in SOURCE.read_text(encoding="utf-8").splitlines()
             if line.startswith(SEG)]
    return [re.sub(r"\[([^\]]*)\]", r"\1", line) for line in lines if not line.startswith("\t(same rows")]


def source_cells():
    cells = (comparable(piece) for line in segmented_lines() for piece in line.split("\t"))
    return [cell for cell in cells if len(cell) >= 2]


def source_text():
    return comparable("\n".join(verbatim_lines() + segmented_lines()))


@pytest.fixture
def unit():
    document_import(data=yaml.safe_load(DOCUMENT.read_text(encoding="utf-8")))
    return Unit.objects.get(name="宁乡市坝塘镇人民政府")


def coverage(text):
    haystack = comparable(text)
    cells = source_cells()
    missing = [cell for cell in cells if cell not in haystack]
    return 1 - len(missing) / len(cells), missing


@pytest.mark.parametrize("fmt, read", [("pdf", pdf_text), ("xlsx", xlsx_text)])
def test_the_export_prints_the_filed_table_again(unit, fmt, read):
    _name, _type, content = export_document(unit=unit, year=2021, fmt=fmt)
    share, missing = coverage(read(content))
    assert share >= THRESHOLD, f"{fmt}: {share:.3f} of the table's cells printed; missing: {missing}"


def test_no_value_is_printed_that_the_table_does_not_state(unit):
    document = get_layout(CODE).document(load_document_data(unit, 2021))
    source = source_text()
    printed = [cell.text for table in document.tables for part in table.parts
               for row in part.header_rows + part.rows for cell in row
               if cell.kind != LABEL and cell.text.strip()]
    assert printed
    assert [text for text in printed if comparable(text) not in source] == []


def test_the_funds_print_with_four_decimals_and_the_subtotal_names_its_parts(unit):
    table = get_layout(CODE).document(load_document_data(unit, 2021)).tables[0]
    texts = [cell.text for part in table.parts for row in part.rows for cell in row]
    assert table.title == "项目绩效目标表（2021年度）"
    assert "总额10606.7522万元" in texts
    assert "财政拨款：6923.3552万元（其中：上级财政资金：6923.3552万元；本级财政：0万元）" in texts
    assert "二、自有资金：0万元" in texts and "三、其他：3683.3970万元" in texts
    assert "新增项目□延续项目√" in texts


def test_the_long_term_block_comes_before_the_annual_block_each_led_by_its_caption(unit):
    table = get_layout(CODE).document(load_document_data(unit, 2021)).tables[0]
    long_term, annual = table.parts[1], table.parts[2]
    assert long_term.rows[0][0].text == "长期绩效指标" and annual.rows[0][0].text == "年度绩效指标"
    assert long_term.rows[0][0].rowspan == len(long_term.rows) == 1 + 10  # header, 9 二级 rows, the … row
    satisfaction = [cell.text for cell in long_term.rows[-1]]
    assert satisfaction == ["社会公众或服务对象满意度指标", "", "88", "100", ""]
