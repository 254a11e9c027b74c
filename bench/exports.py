#!/usr/bin/env python
"""Export speed: prints `name=value` lines, the median of 5 runs after a warm-up, in one process.

    .venv/bin/python bench/exports.py            # a fresh SQLite database with the demo
    DATABASE_URL=postgres://... bench/exports.py  # or any database that holds the demo

pdf_project_s    one project table of the 遵化 document, from the database to PDF bytes
pdf_document_s   the whole 遵化 document (title page, 目录, prose, three tables)
xlsx_document_s  the same document as a workbook
pdf_floor_ratio  pdf_document_s divided by bare WeasyPrint rendering the same HTML string
pdf_document_kept_s  the same download again, served from the file kept by content hash

The first three render every time (each run gets a fresh cache folder): they time the path of a
download whose content changed, not the kept file.
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='pjd-bench-')}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def median_seconds(function, runs=5):
    function()  # warm-up: fonts, templates, imports
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main():
    call_command("migrate", verbosity=0)
    from declarations.services.demo import demo_load

    demo_load()
    from weasyprint import HTML

    from declarations.exports.builders import load_document_data
    from declarations.exports.layouts import get_layout
    from declarations.exports.pdf import StaticOnlyURLFetcher, render_html
    from declarations.exports.registry import export_document, export_project
    from declarations.models import ProjectDeclaration, Unit

    from django.conf import settings

    def uncached(function):
        def run():
            settings.EXPORT_CACHE_PREFIX = f"bench-exports/{time.perf_counter_ns()}/"
            return function()
        return run

    unit = Unit.objects.get(code="455")
    project = ProjectDeclaration.objects.filter(unit=unit).order_by("order").first()
    figures = {
        "pdf_project_s": median_seconds(uncached(lambda: export_project(project=project, fmt="pdf"))),
        "pdf_document_s": median_seconds(uncached(lambda: export_document(unit=unit, year=2024, fmt="pdf"))),
        "xlsx_document_s": median_seconds(uncached(lambda: export_document(unit=unit, year=2024, fmt="xlsx"))),
    }
    settings.EXPORT_CACHE_PREFIX = "bench-exports/kept/"
    figures["pdf_document_kept_s"] = median_seconds(lambda: export_document(unit=unit, year=2024, fmt="pdf"))
    html = render_html(get_layout("hebei").document(load_document_data(unit, 2024)))
    bare = median_seconds(lambda: HTML(string=html, url_fetcher=StaticOnlyURLFetcher()).write_pdf())
    figures["pdf_bare_weasyprint_s"] = bare
    figures["pdf_floor_ratio"] = figures["pdf_document_s"] / bare
    for name, value in figures.items():
        print(f"{name}={value:.3f}")


if __name__ == "__main__":
    main()
