"""Reading exports back as a person sees them: PDF text via pdftotext, workbook cells as shown."""
import io
import re
import subprocess
import tempfile
from decimal import Decimal

import openpyxl

from .seed_text import flat


def pdf_text(content):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-raw", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout


def pdf_page_count(content):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        out = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M)[1])


def shown(cell):
    """A cell's value as Excel shows it: numbers through their simple number format (a quoted
    text before or after the digits included)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        match = re.fullmatch(r'(?:"([^"]*)")?0(?:\.(0+))?(?:"([^"]*)")?', cell.number_format or "")
        if match:
            places = len(match[2] or "")
            return f"{match[1] or ''}{Decimal(str(value)):.{places}f}{match[3] or ''}"
        return str(value)
    return str(value)


def xlsx_text(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(shown(cell) for sheet in visible_sheets(book) for row in sheet.iter_rows() for cell in row)


def visible_sheets(book):
    """The sheets a person sees (not the very hidden sheet that maps cells back to the data)."""
    return [sheet for sheet in book.worksheets if sheet.sheet_state == "visible"]


def missing_cells(cells, text):
    haystack = flat(text)
    return [cell for cell in cells if cell not in haystack]


def out_of_order(cells, text, skip=()):
    """Cells found only before the place where the previous cell was found.

    Cells in `skip` (known extraction artifacts) neither count nor move the reading position,
    so that one misplaced seed cell cannot make everything after it look late."""
    haystack = flat(text)
    position, late = 0, []
    for cell in cells:
        if cell in skip:
            continue
        found = haystack.find(cell, position)
        if found >= 0:
            position = found + len(cell)
        elif cell in haystack:
            late.append(cell)
    return late
