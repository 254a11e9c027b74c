"""Reading a real published table (tests/tables/*.txt) and comparing an export with it.

A table file opens with `#` lines (source, layout notes); the rest are its cells, tab-separated.
Cells compare whitespace-free and NFKC-folded: captures show a table's full-width punctuation
(：（），) as ASCII while the layouts print it full-width.
"""
import unicodedata

from declarations.exports.document import LABEL

from .seed_text import flat


def comparable(text):
    return flat(unicodedata.normalize("NFKC", text or ""))


def table_lines(path):
    return [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]


def table_cells(lines):
    """The cells of at least two characters (the rule of the seeds' golden tests)."""
    cells = (comparable(piece) for line in lines for piece in line.split("\t"))
    return [cell for cell in cells if len(cell) >= 2]


def coverage(cells, text):
    """(share of the cells found in the text, the cells missing)."""
    haystack = comparable(text)
    missing = [cell for cell in cells if cell not in haystack]
    return 1 - len(missing) / len(cells), missing


def unstated_values(document, source_text):
    """The non-empty, non-caption cells the document prints that the source does not state."""
    source = comparable(source_text)
    printed = [cell.text for table in document.tables for part in table.parts
               for row in part.header_rows + part.rows for cell in row
               if cell.kind != LABEL and cell.text.strip()]
    assert printed, "the document prints no value at all"
    return [text for text in printed if comparable(text) not in source]
