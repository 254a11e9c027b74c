"""The bulk workbook (write-only openpyxl) shows what the normal writer's workbooks show."""
import io

import openpyxl
import pytest

from declarations.exports.builders import load_document_data
from declarations.exports.document import NUMBER, Document, Part, Table, label, text
from declarations.exports.layouts import get_layout
from declarations.exports.xlsx import render_xlsx
from declarations.exports.xlsx_bulk import render_xlsx_bulk
from declarations.models import Unit

from .conftest import SEEDS
from .export_text import shown, visible_sheets

pytestmark = pytest.mark.django_db


def demo_documents():
    documents = []
    for unit_name, year in SEEDS.values():
        data = load_document_data(Unit.objects.get(name=unit_name), year)
        documents.append(get_layout(data.layout).document(data))
    return documents


def sheet_contents(sheet):
    """Every non-empty cell as shown, with the number format of the numbers."""
    cells = {}
    for row in sheet.iter_rows():
        for cell in row:
            if shown(cell) == "":
                continue
            is_number = isinstance(cell.value, (int, float))
            cells[cell.coordinate] = (shown(cell), cell.number_format if is_number else None, cell.quotePrefix)
    return cells


def layout_of(sheet):
    setup = sheet.page_setup
    return {
        "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
        "widths": {k: v.width for k, v in sheet.column_dimensions.items() if v.width},
        "heights": {k: v.height for k, v in sheet.row_dimensions.items() if v.height},
        "paper": setup.paperSize,
        "orientation": setup.orientation,
        "fit": (setup.fitToWidth, setup.fitToHeight, sheet.sheet_properties.pageSetUpPr.fitToPage),
        "print_titles": sheet.print_title_rows,
        "footer": sheet.oddFooter.center.text,
    }


def sheets(content):
    return visible_sheets(openpyxl.load_workbook(io.BytesIO(content)))


def test_bulk_workbook_of_the_demo_matches_the_normal_workbooks():
    documents = demo_documents()
    normal = [sheet for document in documents for sheet in sheets(render_xlsx(document))]
    bulk = sheets(render_xlsx_bulk(documents))
    assert len(bulk) == len(normal) > 5
    numbers = compared = 0
    for ours, theirs in zip(bulk, normal):
        expected = sheet_contents(theirs)
        assert sheet_contents(ours) == expected, theirs.title
        numbers += sum(1 for _, fmt, _ in expected.values() if fmt is not None)
        if len(theirs.merged_cells.ranges) > 1:  # a table sheet (the prose sheets have no merges)
            assert layout_of(ours) == layout_of(theirs), theirs.title
            compared += 1
    assert compared >= 5
    assert numbers > 20  # the demo's amounts came through as numbers with their formats


def test_bulk_workbook_of_tables_repeats_them_under_unique_sheet_names():
    table = next(t for d in demo_documents() for t in d.tables if len(t.parts) > 0)
    single = sheets(render_xlsx(Document(title="x", filename="x", blocks=[table])))[0]
    content = render_xlsx_bulk(iter([table] * 40))  # a generator is fine
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert len(book.sheetnames) == len(set(book.sheetnames)) == 40
    assert book.sheetnames[1].endswith("(2)") and book.sheetnames[39].endswith("(40)")
    for sheet in book.worksheets:
        assert sheet_contents(sheet) == sheet_contents(single)
        assert int(sheet.page_setup.paperSize) == 9  # A4


def test_bulk_writer_keeps_formula_text_as_text():
    table = Table(title="表", sheet_name="表", column_widths=[1, 2], parts=[
        Part(header_rows=[[label("名称"), label("值")]]).add(text("=HYPERLINK(\"http://x\")"), text("+1")),
    ])
    table.parts[0].add(label("金额"), text(""))
    table.parts[0].rows[-1][1].kind = NUMBER
    sheet = sheets(render_xlsx_bulk([table]))[0]
    normal = sheets(render_xlsx(Document(title="t", filename="t", blocks=[table])))[0]
    assert sheet_contents(sheet) == sheet_contents(normal)
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s" and cell.quotePrefix


def test_bulk_writer_refuses_other_things():
    with pytest.raises(TypeError):
        render_xlsx_bulk(["not a table"])
