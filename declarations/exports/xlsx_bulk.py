"""Excel for bulk work: one workbook holding many tables (a finance bureau's 1,000 project tables).

`xlsx.py` builds each workbook in openpyxl's normal mode, where every cell lives in memory until
the save and `merge_cells` checks each new range against all earlier ones of the sheet. That is
right for one document; for a thousand tables this writer streams instead:

- the workbook is write-only (`Workbook(write_only=True)`): each sheet goes to a temporary file
  row by row and is closed as soon as its table is written, so memory holds one table at a time
  (and one open file, whatever the number of sheets);
- cells are `WriteOnlyCell`s; their styles are made once per kind of cell and copied;
- merges: openpyxl 3.1's `WriteOnlyWorksheet` has no `merge_cells` method, but it has the same
  `merged_cells` collection as a normal sheet and writes it out when the sheet is closed
  (`worksheet/_writer.py: write_merged_cells`). The ranges of a table never overlap, so they
  go straight into `merged_cells.ranges` without the linear overlap check of
  `MultiCellRange.add`; there are a few dozen per sheet.

The output is laid out as `xlsx.py` lays it out — one sheet per table and one for each run of
prose, the same texts, fonts, borders, number formats, row heights, print titles and page set-up
(A4, fit to width) — except that the very hidden sheet of bindings (for reading an edited
workbook back) is not written: a bulk workbook is for reading and printing.

    render_xlsx_bulk(tables_or_documents) -> bytes

takes any iterable of `Table`s and `Document`s, including a generator, which is consumed once
and lazily: the caller can build the tables one at a time.
"""
import io
from copy import copy

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from .document import LABEL, NUMBER, TEXT, Document, Heading, Letter, Table
from .xlsx import BORDER, FONT, FORMULA_START, LABEL_FILL, SHEET_NAME_BAD, _lines_needed, _width_factor, prose_lines

FONTS = {
    "title": Font(name=FONT, size=14, bold=True),
    "cell": Font(name=FONT, size=10, bold=False),
    "cell-bold": Font(name=FONT, size=10, bold=True),
    "prose": Font(name=FONT, size=11, bold=False),
    "prose-bold": Font(name=FONT, size=12, bold=True),
}


class _SheetTitles:
    """Unique sheet titles, as `xlsx._sheet_title` makes them, without rescanning the suffixes
    (2), (3), … from the start for every one of a thousand tables with the same name."""

    def __init__(self):
        self.used = set()
        self.next_number = {}

    def __call__(self, name):
        base = (SHEET_NAME_BAD.sub("", name).strip() or "表")[:31]
        title = base
        if title in self.used:
            n = self.next_number.get(base, 2)
            while title in self.used:
                suffix = f"({n})"
                title, n = base[: 31 - len(suffix)] + suffix, n + 1
            self.next_number[base] = n
        self.used.add(title)
        return title


class _Styles:
    """A style array per kind of cell, made once on a scratch cell and copied onto each cell:
    assigning Font/Alignment/Border objects looks each one up in the workbook's style lists,
    which costs more than writing the cell."""

    def __init__(self):
        self.cache = {}

    def apply(self, cell, key, build):
        style = self.cache.get(key)
        if style is None:
            scratch = WriteOnlyCell(cell.parent)
            build(scratch)
            style = self.cache[key] = copy(scratch._style)
        cell._style = copy(style)
        return cell


def _text_value(cell, value):
    """As `xlsx._write_text`: always a string cell; a formula lead character gets the quote prefix.
    Returns whether the quote prefix is needed (it is part of the cell's style)."""
    value = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    cell.value = value
    cell.data_type = "s"
    return value.startswith(FORMULA_START)


class _Writer:
    def __init__(self, title=""):
        self.book = Workbook(write_only=True)
        self.titles = _SheetTitles()
        self.styles = _Styles()
        self.title = title
        self.sheets = 0

    # --- cells ----------------------------------------------------------------------------

    def _text_cell(self, sheet, value, *, font=None, horizontal=None, vertical=None, wrap=None):
        cell = WriteOnlyCell(sheet)
        quote = _text_value(cell, value)
        key = ("text", font, horizontal, vertical, wrap, quote)

        def build(scratch):
            if font is not None:
                scratch.font = FONTS[font]
            if horizontal or vertical or wrap:
                scratch.alignment = Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)
            if quote:
                scratch.quotePrefix = True

        return self.styles.apply(cell, key, build)

    def _grid_cell(self, sheet, cell, bold):
        target = WriteOnlyCell(sheet)
        number_format, quote = None, False
        if cell.kind == NUMBER and cell.number is not None:
            target.value = float(cell.number)
            number_format = cell.number_format or "General"
        else:
            quote = _text_value(target, cell.text)
        horizontal = "left" if cell.kind == TEXT else ("right" if cell.kind == NUMBER else "center")
        key = ("grid", bold, horizontal, number_format, quote)

        def build(scratch):
            scratch.font = FONTS["cell-bold" if bold else "cell"]
            scratch.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
            if bold:
                scratch.fill = LABEL_FILL
            scratch.border = BORDER
            if number_format is not None:
                scratch.number_format = number_format
            if quote:
                scratch.quotePrefix = True

        return self.styles.apply(target, key, build)

    def _border_cell(self, sheet):
        def build(scratch):
            scratch.border = BORDER

        return self.styles.apply(WriteOnlyCell(sheet), ("border",), build)

    # --- sheets ---------------------------------------------------------------------------

    def table(self, table):
        sheet = self.book.create_sheet(self.titles(table.sheet_name))
        factor = _width_factor(table)
        columns = table.column_count
        widths = [round(width * factor, 1) for width in table.column_widths]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        grid, heights, merges = {}, {}, []
        row = 1
        for line in table.before_lines:
            grid[row] = {1: self._text_cell(sheet, line)}
            row += 1
        grid[row] = {1: self._text_cell(sheet, table.title, font="title", horizontal="center", vertical="center")}
        merges.append((row, 1, row, columns))
        heights[row] = 26
        row += 1
        for line in table.subtitle_lines:
            grid[row] = {1: self._text_cell(sheet, line, horizontal="center")}
            merges.append((row, 1, row, columns))
            row += 1
        if table.header_left or table.header_right:
            grid[row] = {1: self._text_cell(sheet, table.header_left)}
            grid[row][columns] = self._text_cell(sheet, table.header_right, horizontal="right")
            row += 1
        repeat = None
        taken = set()
        for part in table.parts:
            if part.header_rows:
                repeat = (row, row + len(part.header_rows) - 1)
            for cells in part.header_rows:
                row = self._grid_row(sheet, grid, heights, merges, taken, widths, row, cells, header=True)
            for cells in part.rows:
                row = self._grid_row(sheet, grid, heights, merges, taken, widths, row, cells)
        for line in table.after_lines:
            grid[row] = {1: self._text_cell(sheet, line)}
            row += 1

        sheet.sheet_properties.pageSetUpPr.fitToPage = True  # written before the rows
        last_row = max(grid) if grid else 0
        for number in range(1, last_row + 1):
            cells = grid.get(number, {})
            if number in heights:
                sheet.row_dimensions[number].height = heights[number]
            sheet.append([cells.get(column) for column in range(1, max(cells, default=0) + 1)])
        for start_row, start_column, end_row, end_column in merges:
            if end_row > start_row or end_column > start_column:
                sheet.merged_cells.ranges.add(
                    CellRange(min_row=start_row, min_col=start_column, max_row=end_row, max_col=end_column)
                )
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if table.landscape else "portrait"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        sheet.print_options.horizontalCentered = True
        if repeat:
            sheet.print_title_rows = f"{repeat[0]}:{repeat[1]}"
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
        self._close(sheet)

    def _grid_row(self, sheet, grid, heights, merges, taken, widths, row, cells, header=False):
        column, longest = 1, 0
        line = grid.setdefault(row, {})
        for cell in cells:
            while (row, column) in taken:
                column += 1
            bold = header or cell.kind == LABEL
            end_row, end_column = row + cell.rowspan - 1, column + cell.colspan - 1
            for r in range(row, end_row + 1):
                covered = grid.setdefault(r, {})
                for c in range(column, end_column + 1):
                    taken.add((r, c))
                    if (r, c) != (row, column):
                        covered[c] = self._border_cell(sheet)
            line[column] = self._grid_cell(sheet, cell, bold)
            if cell.rowspan > 1 or cell.colspan > 1:
                merges.append((row, column, end_row, end_column))
            width = sum(widths[c - 1] if c <= len(widths) else 10 for c in range(column, end_column + 1))
            longest = max(longest, _lines_needed(cell.text, width) / cell.rowspan)
            column = end_column + 1
        heights[row] = max(18, 15 * longest)
        return row + 1

    def prose(self, name, blocks):
        sheet = self.book.create_sheet(self.titles(name))
        sheet.column_dimensions["A"].width = 100
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        row = 1
        for block in blocks:
            lines = prose_lines(block)
            if lines is None:
                continue
            for line, bold in lines:
                sheet.row_dimensions[row].height = max(18, 16 * _lines_needed(line, 100))
                sheet.append([self._text_cell(
                    sheet, line, font="prose-bold" if bold else "prose", horizontal="center" if bold else "left",
                    vertical="top", wrap=True,
                )])
                row += 1
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        self._close(sheet)

    def _close(self, sheet):
        # Writes the sheet's tail (merges, page set-up, footer) and closes its temporary file now
        # rather than at the save, so a thousand sheets do not hold a thousand open files.
        sheet.close()
        self.sheets += 1

    def document(self, document):
        """As `xlsx.render_xlsx` splits a document: each table its sheet, each run of prose one."""
        prose, prose_title = [], None
        for block in document.blocks:
            if isinstance(block, Table):
                if prose:
                    self.prose(prose_title or document.title, prose)
                    prose, prose_title = [], None
                self.table(block)
            else:
                if prose_title is None and isinstance(block, (Heading, Letter)):
                    prose_title = block.title if isinstance(block, Letter) else None
                prose.append(block)
        if prose:
            self.prose(prose_title or "说明", prose)
        if not self.title:
            self.title = document.title

    def save(self):
        if not self.sheets:
            self.prose("说明", [])  # a workbook needs at least one sheet
        self.book.properties.title = self.title
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def render_xlsx_bulk(documents_or_tables, *, title=""):
    """One workbook of many tables (and documents), written in openpyxl's write-only mode."""
    writer = _Writer(title)
    for item in documents_or_tables:
        if isinstance(item, Document):
            writer.document(item)
        elif isinstance(item, Table):
            writer.table(item)
        else:
            raise TypeError(f"render_xlsx_bulk takes Tables and Documents, not {type(item).__name__}")
    return writer.save()
