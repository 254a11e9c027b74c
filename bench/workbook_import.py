#!/usr/bin/env python
"""Importing an edited Excel export: time and extra memory at the caps; prints `name=value`.

    .venv/bin/python bench/workbook_import.py            # a fresh SQLite database with the demo
    DATABASE_URL=postgres://... bench/workbook_import.py  # or any database that holds the demo

Each workbook is the demo's 遵化 document exported by the system, then grown by editing its zip
(as a spreadsheet program could), and imported through the real service
(declarations/services/workbook_import.py) in a child process:

largest_*        the largest workbook the caps of config/settings/base.py allow: extra sheets
                 of distinct texts and numbers up to the caps on sheets, rows, columns and
                 cells together (just under WORKBOOK_IMPORT_MAX_CELLS), plus a shared strings
                 table just under WORKBOOK_IMPORT_MAX_SHARED_STRINGS_BYTES; it imports (0 changes)
                 (target: extra memory ≤ 100 MB)
hostile_*        the same export with a sheet of 1,000,000 cells (10,000 rows × 100 columns):
                 refused when the streamed count passes a cap
*_s              wall-clock seconds of `workbook_import` in the child
*_extra_rss_mb   the child's peak resident set during the import (VmHWM, reset just before it
                 through /proc/self/clear_refs) minus its resident set just before it
*_py_peak_mb     tracemalloc's peak of Python allocations during the import (a second run: tracing
                 slows it several times, so it may stop at the time cap there)
*_file_mb        the size of the .xlsx
*_outcome        imported (values changed) or refused (the first problem)
"""
import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='pjd-bench-')}/bench.sqlite3"

UNIT_CODE, YEAR = "455", 2024
HOSTILE_ROWS, HOSTILE_COLUMNS = 10_000, 100


def _setup():
    import django

    django.setup()


def _sheet_xml(rows, columns, salt):
    """A worksheet of `rows` × `columns` inline cells: distinct texts and numbers, streamed out."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, columns + 1)]
    yield '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    for r in range(1, rows + 1):
        cells = []
        for c, letter in enumerate(letters):
            if c % 2:
                cells.append(f'<c r="{letter}{r}"><v>{r * columns + c}.25</v></c>')
            else:
                cells.append(f'<c r="{letter}{r}" t="inlineStr"><is><t>{salt}第{r}行第{c}列的文字</t></is></c>')
        yield f'<row r="{r}">{"".join(cells)}</row>'
    yield "</sheetData></worksheet>"


def _grow(content, sheets, shared_strings_bytes=0):
    """The workbook `content` with extra sheets [(name, rows, columns)] and a shared strings table."""
    source = zipfile.ZipFile(io.BytesIO(content))
    files = {entry.filename: source.read(entry) for entry in source.infolist()}
    book = files["xl/workbook.xml"].decode()
    rels = files["xl/_rels/workbook.xml.rels"].decode()
    types = files["[Content_Types].xml"].decode()
    sheet_id = max(int(n) for n in re.findall(r'sheetId="(\d+)"', book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (name, rows, columns) in enumerate(sheets, start=1):
            path = f"xl/worksheets/grown{number}.xml"
            with archive.open(path, "w") as handle:
                for chunk in _sheet_xml(rows, columns, name):
                    handle.write(chunk.encode())
            sheet_id += 1
            book = book.replace("</sheets>", f'<sheet name="{name}" sheetId="{sheet_id}" r:id="rIdGrown{number}"/></sheets>')
            rels = rels.replace("</Relationships>", (
                f'<Relationship Id="rIdGrown{number}" Target="/{path}" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/worksheet"/></Relationships>'))
            types = types.replace("</Types>", (
                f'<Override PartName="/{path}" ContentType="application/vnd.openxmlformats-officedocument.'
                'spreadsheetml.worksheet+xml"/></Types>'))
        if shared_strings_bytes:
            parts, size, n = ["<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"], 0, 0
            while size < shared_strings_bytes - 1024:
                item = f"<si><t>{n:08x}{os.urandom(4).hex()}共享文字表里互不相同的一段说明文字{n}</t></si>"
                parts.append(item)
                size += len(item.encode())
                n += 1
            parts.append("</sst>")
            archive.writestr("xl/sharedStrings.xml", "".join(parts))
            rels = rels.replace("</Relationships>", (
                '<Relationship Id="rIdStrings" Target="/xl/sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/sharedStrings"/></Relationships>'))
            types = types.replace("</Types>", (
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'spreadsheetml.sharedStrings+xml"/></Types>'))
        files.update({"xl/workbook.xml": book.encode(), "xl/_rels/workbook.xml.rels": rels.encode(),
                      "[Content_Types].xml": types.encode()})
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _cells_of(content):
    """Cells the import counts in `content` (rows as long as their last cell), and its sheets."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    total = 0
    for sheet in book.worksheets:
        sheet.reset_dimensions()
        total += sum(len(row) for row in sheet.iter_rows())
    count = len(book.sheetnames)
    book.close()
    return total, count


def build(directory):
    """Write largest.xlsx and hostile.xlsx to `directory`."""
    from django.conf import settings

    from declarations.exports.registry import export_document
    from declarations.models import Unit

    export = export_document(unit=Unit.objects.get(code=UNIT_CODE), year=YEAR, fmt="xlsx")[2]
    used, sheet_count = _cells_of(export)
    columns = settings.WORKBOOK_IMPORT_MAX_COLUMNS
    rows_cap = settings.WORKBOOK_IMPORT_MAX_ROWS
    left = settings.WORKBOOK_IMPORT_MAX_CELLS - used - columns  # one row of room
    sheets = []
    while left >= columns and sheet_count + len(sheets) < settings.WORKBOOK_IMPORT_MAX_SHEETS:
        rows = min(rows_cap, left // columns)
        sheets.append((f"附加{len(sheets) + 1}", rows, columns))
        left -= rows * columns
    largest = _grow(export, sheets, settings.WORKBOOK_IMPORT_MAX_SHARED_STRINGS_BYTES)
    assert _cells_of(largest)[0] <= settings.WORKBOOK_IMPORT_MAX_CELLS
    (directory / "largest.xlsx").write_bytes(largest)
    hostile = _grow(export, [("大表", HOSTILE_ROWS, HOSTILE_COLUMNS)])
    (directory / "hostile.xlsx").write_bytes(hostile)


def _rss_kb(field):
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith(field)).split()[1])


def child(path, traced=False):
    _setup()
    import tracemalloc

    from accounts.models import User
    from declarations.models import Unit
    from declarations.services.workbook_import import WorkbookError, workbook_import

    unit = Unit.objects.get(code=UNIT_CODE)
    user = User.objects.filter(role="filler", unit=unit).first()
    content = Path(path).read_bytes()
    import openpyxl  # noqa: F401  (imported before the measurement, as in a running server)

    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset VmHWM to the current resident set
    before = _rss_kb("VmRSS:")
    if traced:
        tracemalloc.start()  # slows the import several times: a run of its own
    start = time.perf_counter()
    try:
        outcome = f"imported ({workbook_import(content=content, unit=unit, year=YEAR, user=user).total} changes)"
    except WorkbookError as error:
        outcome = f"refused: {error.problems[0]}"
    elapsed = time.perf_counter() - start
    if traced:
        print(f"py_peak_mb={tracemalloc.get_traced_memory()[1] / 1024 / 1024:.1f}")
        return
    print(f"seconds={elapsed:.3f}")
    print(f"extra_rss_mb={(_rss_kb('VmHWM:') - before) / 1024:.1f}")
    print(f"outcome={outcome}")


def measure(path, *extra):
    out = subprocess.run([sys.executable, __file__, "--child", str(path), *extra], capture_output=True, text=True,
                         check=True)
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--traced", action="store_true")
    options = parser.parse_args()
    if options.child:
        return child(options.child, options.traced)

    _setup()
    from django.core.management import call_command

    from declarations.services.demo import demo_load

    call_command("migrate", verbosity=0)
    demo_load()
    from django.db import connections

    directory = Path(tempfile.mkdtemp(prefix="pjd-bench-xlsx-"))
    build(directory)
    connections.close_all()
    for name in ("largest", "hostile"):
        path = directory / f"{name}.xlsx"
        values = measure(path)
        values.update(measure(path, "--traced"))
        print(f"{name}_s={float(values['seconds']):.3f}")
        print(f"{name}_extra_rss_mb={values['extra_rss_mb']}")
        print(f"{name}_py_peak_mb={values['py_peak_mb']}")
        print(f"{name}_file_mb={path.stat().st_size / 1024 / 1024:.2f}")
        print(f"{name}_outcome={values['outcome']}")


if __name__ == "__main__":
    main()
