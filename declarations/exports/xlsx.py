"""Excel writer: one sheet per table (and one for the prose), merged cells as in the PDF."""
import io
import re
import zipfile
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from .document import LABEL, NUMBER, TEXT, Heading, Letter, Paragraph, Table, TitlePage, Toc

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
FONT = "宋体"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
SHEET_NAME_BAD = re.compile(r"[\[\]\*\?/\\:]")


def _write_text(cell, value):
    """User text is always a string cell, never a formula. Text that a spreadsheet would read as
    a formula when retyped (=, +, -, @, tab, CR, LF first) also gets Excel's quote prefix, which
    keeps the text exactly as declared (≥95% stays ≥95%, =HYPERLINK(...) stays that text)."""
    # Control characters cannot be stored in a worksheet; they carry no printable meaning.
    value = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True


def _sheet_title(name, used):
    base = SHEET_NAME_BAD.sub("", name).strip() or "表"
    base = base[:31]
    title, n = base, 2
    while title in used:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def _width_factor(table):
    # Spread the relative widths over about 120 characters (landscape) or 95 (portrait).
    total = sum(table.column_widths)
    return (120 if table.landscape else 95) / total


def _write_table(sheet, table, bindings=None):
    factor = _width_factor(table)
    columns = table.column_count
    for index, width in enumerate(table.column_widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = round(width * factor, 1)
    row = 1
    for line in table.before_lines:
        _write_text(sheet.cell(row, 1), line)
        row += 1
    title = sheet.cell(row, 1)
    _write_text(title, table.title)
    title.font = Font(name=FONT, size=14, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    sheet.row_dimensions[row].height = 26
    row += 1
    for line in table.subtitle_lines:
        cell = sheet.cell(row, 1)
        _write_text(cell, line)
        cell.alignment = Alignment(horizontal="center")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        row += 1
    if table.header_left or table.header_right:
        _write_text(sheet.cell(row, 1), table.header_left)
        right = sheet.cell(row, columns)
        _write_text(right, table.header_right)
        right.alignment = Alignment(horizontal="right")
        row += 1
    repeat = None
    for part in table.parts:
        if part.header_rows:
            repeat = (row, row + len(part.header_rows) - 1)
        for cells in part.header_rows:
            row = _write_row(sheet, row, cells, header=True, bindings=bindings)
        for cells in part.rows:
            row = _write_row(sheet, row, cells, bindings=bindings)
    for line in table.after_lines:
        _write_text(sheet.cell(row, 1), line)
        row += 1
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if table.landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.print_options.horizontalCentered = True
    if repeat:
        sheet.print_title_rows = f"{repeat[0]}:{repeat[1]}"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


class _Occupied:
    """Grid positions taken by rowspans from rows above, so that cells land in the right column."""

    def __init__(self):
        self.taken = set()

    def next_free(self, row, column):
        while (row, column) in self.taken:
            column += 1
        return column


BINDINGS_SHEET = "_bindings"
# 2: value rows also hold the value as exported, and meta rows `version:<kind>:<pk>` the version
# of each declaration the workbook was made from (an import of a stale workbook is refused).
WORKBOOK_FORMAT = "pjd-workbook-2"


def _as_read_back(cell):
    """The cell's value as text that the import reads as it would read the untouched cell."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "%" in (cell.number_format or ""):
            return f"{Decimal(repr(value)) * 100}%"
        return repr(value)
    return str(value)


class Bindings:
    """Where each bound value and each printed label went, written to a very hidden sheet so that
    an edited workbook can be read back (declarations/services/workbook_import.py)."""

    def __init__(self):
        self.rows = []

    def value(self, sheet, cell, key, prefix=""):
        if key:
            self.rows.append(("value", sheet.title, cell.coordinate, key, prefix, _as_read_back(cell)))

    def label(self, sheet, cell, text):
        if text:
            self.rows.append(("label", sheet.title, cell.coordinate, text, "", ""))

    def write(self, book, meta):
        sheet = book.create_sheet(BINDINGS_SHEET)
        sheet.sheet_state = "veryHidden"
        sheet.append(["kind", "sheet", "cell", "key", "prefix", "exported"])
        sheet.append(["meta", "format", WORKBOOK_FORMAT, "", "", ""])
        for key, value in meta.items():
            sheet.append(["meta", key, str(value), "", "", ""])
        for row in self.rows:
            sheet.append(list(row))
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.data_type = "s"


def _write_row(sheet, row, cells, header=False, bindings=None):
    occupied = sheet._pjd_occupied if hasattr(sheet, "_pjd_occupied") else _Occupied()
    sheet._pjd_occupied = occupied
    column = 1
    longest = 0
    for cell in cells:
        column = occupied.next_free(row, column)
        target = sheet.cell(row, column)
        if cell.kind == NUMBER and cell.number is not None:
            target.value = float(cell.number)
            target.number_format = cell.number_format or "General"
        else:
            _write_text(target, cell.text)
        if bindings is not None:
            if cell.bind:
                bindings.value(sheet, target, cell.bind, cell.bind_prefix)
            elif header or cell.kind == LABEL:
                bindings.label(sheet, target, cell.text)
        bold = header or cell.kind == LABEL
        target.font = Font(name=FONT, size=10, bold=bold)
        horizontal = "left" if cell.kind == TEXT else ("right" if cell.kind == NUMBER else "center")
        target.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
        if bold:
            target.fill = LABEL_FILL
        end_row, end_column = row + cell.rowspan - 1, column + cell.colspan - 1
        for r in range(row, end_row + 1):
            for c in range(column, end_column + 1):
                occupied.taken.add((r, c))
                sheet.cell(r, c).border = BORDER
        if cell.rowspan > 1 or cell.colspan > 1:
            sheet.merge_cells(start_row=row, start_column=column, end_row=end_row, end_column=end_column)
        width = sum(sheet.column_dimensions[get_column_letter(c)].width or 10 for c in range(column, end_column + 1))
        longest = max(longest, _lines_needed(cell.text, width) / cell.rowspan)
        column = end_column + 1
    sheet.row_dimensions[row].height = max(18, 15 * longest)
    return row + 1


def _lines_needed(value, width):
    # A CJK character is about two width units in Excel's measure.
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in (value or ""))
    explicit = (value or "").count("\n")
    return max(1, -(-units // max(int(width), 1))) + explicit


def prose_lines(block):
    """The (text, bold) lines a prose block prints as in a worksheet, or None for a table."""
    if isinstance(block, TitlePage):
        return [(line, True) for line in block.lines] + [(line, False) for line in block.footer_lines]
    if isinstance(block, Heading):
        return [(block.text, True)]
    if isinstance(block, Paragraph):
        return [(("　　" if block.indent else "") + block.text, False)]
    if isinstance(block, Toc):
        return [(block.title, True)] + [(("　　" * entry.level) + entry.text, False) for entry in block.entries]
    if isinstance(block, Letter):
        lines = [(block.title, True)] + [(p, False) for p in block.paragraphs]
        if block.attachment:
            lines.append((f"附件：{block.attachment}", False))
        return lines + [(block.signed_by, False), (block.signed_on, False)]
    return None


def _write_prose(sheet, blocks, bindings=None):
    sheet.column_dimensions["A"].width = 100
    row = 1
    for block in blocks:
        lines = prose_lines(block)
        if lines is None:
            continue
        for index, (line, bold) in enumerate(lines):
            cell = sheet.cell(row, 1)
            _write_text(cell, line)
            if bindings is not None and index == 0 and getattr(block, "bind", ""):
                bindings.value(sheet, cell, block.bind, block.bind_prefix)
            cell.font = Font(name=FONT, size=12 if bold else 11, bold=bold)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center" if bold else "left")
            sheet.row_dimensions[row].height = max(18, 16 * _lines_needed(line, 100))
            row += 1
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def render_xlsx(document, *, meta=None):
    """The workbook of a document. With `meta` (what it was exported from), the workbook also
    records where each value went, so that it can be edited and imported back."""
    book = Workbook()
    book.remove(book.active)
    bindings = Bindings() if meta is not None else None
    used = set()
    prose = []
    prose_title = None
    for block in document.blocks:
        if isinstance(block, Table):
            if prose:
                _write_prose(book.create_sheet(_sheet_title(prose_title or document.title, used)), prose, bindings)
                prose, prose_title = [], None
            _write_table(book.create_sheet(_sheet_title(block.sheet_name, used)), block, bindings)
        else:
            if prose_title is None and isinstance(block, (Heading, Letter)):
                prose_title = block.title if isinstance(block, Letter) else None
            prose.append(block)
    if prose:
        _write_prose(book.create_sheet(_sheet_title(prose_title or "说明", used)), prose, bindings)
    if bindings is not None:
        bindings.write(book, meta)
    book.properties.title = document.title
    buffer = io.BytesIO()
    book.save(buffer)
    return reproducible(buffer.getvalue())


ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def reproducible(content):
    """The same bytes for the same workbook whenever it is written: openpyxl stamps the time
    in docProps/core.xml (created, modified) and in every ZIP entry; both are fixed here, so a
    published file made twice (a publication run again by another worker) has one SHA-256."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = CORE_TIMES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, data)
    return out.getvalue()
