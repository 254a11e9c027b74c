#!/usr/bin/env python
"""Bulk exports: time and peak memory, each measured in a child process; prints `name=value`.

    .venv/bin/python bench/exports_bulk.py            # a fresh SQLite database with the demo
    DATABASE_URL=postgres://... bench/exports_bulk.py  # or any database that holds the demo

xlsx_1000_projects_s        one workbook of 1,000 project tables (declarations/exports/xlsx_bulk.py):
                            the demo's project tables built again and again by their layouts from
                            the database rows, streamed into a write-only workbook (target ≤ 10 s)
xlsx_1000_projects_peak_mb  peak RSS of the process doing it (target ≤ 150 MB)
xlsx_1000_projects_normal_s / _peak_mb   the same tables through the normal writer (xlsx.py), for
                            comparison (skip with --no-normal)
pdf_100_pages_s             a document of 78 project tables (about 100 A4 pages) rendered by
                            declarations/exports/worker.py: a spawned child with an 800 MB address
                            space limit and a 60 s timeout, start-up included (target ≤ 45 s)
pdf_100_pages_peak_mb       peak RSS of that worker process (target ≤ 600 MB)
pdf_100_pages_pages         the pages it came to

The times are wall-clock seconds inside the measuring child after Django is set up (the data
loading from the database is included); the peaks are `ru_maxrss` of the child from os.wait4
(its own and its reaped children's largest resident set), and for the PDF the worker's own
`RUSAGE_CHILDREN` peak, read in the process that started it.
"""
import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='pjd-bench-')}/bench.sqlite3"

XLSX_TABLES = 1000
PDF_TABLES = 78  # 1.3 pages each on average: about 100 A4 pages


def _setup():
    import django

    django.setup()


def project_tables(count):
    """`count` project tables: the demo's printed projects, built again by their layouts from the
    database rows, in turn, one at a time (a generator)."""
    from declarations.exports.builders import load_document_data
    from declarations.exports.layouts import get_layout
    from declarations.models import ProjectDeclaration

    pairs = ProjectDeclaration.objects.values_list("unit_id", "year__year").distinct().order_by("unit_id", "year__year")
    sources = []
    for unit_id, year in pairs:
        from declarations.models import Unit

        data = load_document_data(Unit.objects.get(pk=unit_id), year, with_department=False)
        layout = get_layout(data.layout)
        sources += [(layout, data, project) for project in layout.printed_projects(data)]
    if not sources:
        raise SystemExit("the database holds no project tables: load the demo first")
    for number in range(count):
        layout, data, project = sources[number % len(sources)]
        yield layout.project_table(data, project, number + 1)


def child_xlsx(normal=False):
    _setup()
    start = time.perf_counter()
    if normal:
        from declarations.exports.document import Document
        from declarations.exports.xlsx import render_xlsx

        content = render_xlsx(Document(title="1000", filename="1000", blocks=list(project_tables(XLSX_TABLES))))
    else:
        from declarations.exports.xlsx_bulk import render_xlsx_bulk

        content = render_xlsx_bulk(project_tables(XLSX_TABLES), title="1000 个项目绩效目标表")
    elapsed = time.perf_counter() - start
    print(f"seconds={elapsed:.3f}")
    print(f"bytes={len(content)}")


def child_pdf():
    _setup()
    from declarations.exports.document import Document
    from declarations.exports.worker import render_pdf_in_worker

    start = time.perf_counter()
    document = Document(title=f"{PDF_TABLES} 个项目", filename="bulk", blocks=list(project_tables(PDF_TABLES)))
    content = render_pdf_in_worker(document, timeout=60, memory_mb=800)
    elapsed = time.perf_counter() - start
    worker_peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    pages = re.search(r"^Pages:\s+(\d+)", info, re.M)
    print(f"seconds={elapsed:.3f}")
    print(f"worker_peak_mb={worker_peak_kb / 1024:.1f}")
    print(f"pages={pages[1] if pages else 0}")


def measure(kind):
    """Run this script as a child doing `kind`; its `name=value` lines and its peak RSS in MB."""
    process = subprocess.Popen([sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the {kind} child failed ({process.returncode})")
    values = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    return values, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["xlsx", "xlsx-normal", "pdf"])
    parser.add_argument("--no-normal", action="store_true", help="skip the normal-writer comparison")
    options = parser.parse_args()
    if options.child == "xlsx":
        return child_xlsx()
    if options.child == "xlsx-normal":
        return child_xlsx(normal=True)
    if options.child == "pdf":
        return child_pdf()

    _setup()
    from django.core.management import call_command

    from declarations.services.demo import demo_load

    call_command("migrate", verbosity=0)
    demo_load()
    from django.db import connections

    connections.close_all()

    values, peak = measure("xlsx")
    print(f"xlsx_1000_projects_s={float(values['seconds']):.3f}")
    print(f"xlsx_1000_projects_peak_mb={peak:.1f}")
    print(f"xlsx_1000_projects_bytes={values['bytes']}")
    if not options.no_normal:
        values, peak = measure("xlsx-normal")
        print(f"xlsx_1000_projects_normal_s={float(values['seconds']):.3f}")
        print(f"xlsx_1000_projects_normal_peak_mb={peak:.1f}")
    values, peak = measure("pdf")
    print(f"pdf_100_pages_s={float(values['seconds']):.3f}")
    print(f"pdf_100_pages_peak_mb={float(values['worker_peak_mb']):.1f}")
    print(f"pdf_100_pages_pages={values['pages']}")
    print(f"pdf_100_pages_parent_peak_mb={peak:.1f}")


if __name__ == "__main__":
    main()
