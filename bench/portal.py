#!/usr/bin/env python
"""The public portal and the admin at a chosen scale: prints `name=value` lines (milliseconds,
medians of 15 requests after a warm-up, through Django's test client in this process; query
counts of one request beside them).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pjd_portal MEDIA_ROOT=/tmp/pjd-portal-media \\
        .venv/bin/python bench/portal.py --fill      # migrate, generate_load (200 units), publish the demo
    DATABASE_URL=… MEDIA_ROOT=… .venv/bin/python bench/portal.py

--fill runs `generate_load --bureaus 4 --units 200 --projects 10 --indicators 20 --files 20`
and `load_demo --publish` (a few minutes); later runs reuse the database. `--only wrk` measures
throughput through gunicorn with wrk (installed with apt-get). The ZIP figure packs
300 releases of a bench bureau whose files are copies of a real release (PDF, Excel, JSON, CSV),
made once, so it measures packing and not rendering. docs/performance.md says what each line is.
"""
import argparse
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["ALLOWED_HOSTS"] = "localhost,127.0.0.1,testserver"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RUNS = 15
ZIP_DOCUMENTS = 300


def emit(name, value):
    print(f"{name}={value:.1f}" if isinstance(value, float) else f"{name}={value}", flush=True)


def _get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def measure(name, client, url, **params):
    """p50 ms, queries and size of a GET that is repeated (the second visit onwards)."""
    _get(client, url, **params)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        _get(client, url, **params)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        _, body = _get(client, url, **params)
    emit(f"{name}_p50_ms", statistics.median(timings))
    emit(f"{name}_queries", len(queries))
    emit(f"{name}_kb", round(len(body) / 1024))


def first_visit(name, client, url):
    from django.core.cache import cache

    cache.clear()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    emit(f"{name}_first_ms", (time.perf_counter() - started) * 1000)
    emit(f"{name}_first_queries", len(queries))


def fill():
    call_command("migrate", verbosity=0)
    call_command("generate_load", "--bureaus", "4", "--units", "200", "--projects", "10", "--indicators", "20",
                 "--files", "20")
    call_command("load_demo", "--publish")


def portal():
    from django.db.models import Count

    from public.models import DocumentRelease, PublishedFile

    public = Client()
    release = (
        DocumentRelease.objects.filter(files__isnull=False).annotate(n=Count("publications"))
        .exclude(year__year=2099).order_by("-n", "-number").first()
    )
    unit_url = f"/public/units/{release.unit_id}/{release.year.year}/"
    first_visit("public_unit_page", public, unit_url)
    measure("public_unit_page", public, unit_url)
    measure("public_bureau_page", public, f"/public/bureaus/{release.unit.bureau_id}/")
    measure("public_index", public, "/public/")
    measure("public_search", public, "/public/search/", q="信访")
    pdf = PublishedFile.objects.filter(release=release, format="pdf").first()
    measure("public_pdf_download", public, f"/public/files/{pdf.pk}/{pdf.sha256}/x.pdf")
    from django.conf import settings

    if hasattr(settings, "PUBLIC_ACCEL_REDIRECT_PREFIX"):
        settings.PUBLIC_ACCEL_REDIRECT_PREFIX = "/_protected/"
        measure("public_pdf_accel", public, f"/public/files/{pdf.pk}/{pdf.sha256}/x.pdf")
        settings.PUBLIC_ACCEL_REDIRECT_PREFIX = ""


def _bench_bureau():
    from django.core.files.base import ContentFile
    from django.db import transaction

    from declarations.models import BudgetYear, FinanceBureau, Unit
    from public.models import DocumentRelease, PublishedFile
    from review.models import Publication

    year, _ = BudgetYear.objects.get_or_create(year=2099)
    bureau, _ = FinanceBureau.objects.get_or_create(
        name="基准测试财政局", defaults={"province": "基准省", "layout": FinanceBureau.objects.first().layout})
    template = DocumentRelease.objects.filter(files__isnull=False).exclude(year=year).order_by("-pk").first()
    contents = {f.format: f.file.open("rb").read() for f in template.files.all()}
    publications = list(Publication.objects.filter(withdrawn_at__isnull=True)[:1])
    names = {}
    with transaction.atomic():
        for n in range(DocumentRelease.objects.filter(year=year).count(), ZIP_DOCUMENTS):
            unit = Unit.objects.create(bureau=bureau, code=f"B{n:04d}", name=f"基准单位{n:04d}")
            release = DocumentRelease.objects.create(unit=unit, year=year, number=1)
            release.publications.set(publications)
            for fmt, content in contents.items():
                if fmt not in names:
                    names[fmt] = PublishedFile._meta.get_field("file").storage.save(
                        f"bench/template.{fmt}", ContentFile(content))
                PublishedFile.objects.create(
                    release=release, format=fmt, filename=f"doc-{n}.{fmt}", file=names[fmt],
                    sha256=hashlib.sha256(content).hexdigest(), size=len(content))
    return bureau, year


def batch_zip():
    from django.db import transaction

    from public.models import BatchExport
    from public.services import batch_build, batch_start

    bureau, year = _bench_bureau()
    BatchExport.objects.filter(bureau=bureau, year=year).delete()
    with transaction.atomic():
        batch = batch_start(bureau=bureau, year=year)
    started = time.perf_counter()
    batch_build(batch.pk)
    emit("batch_zip_build_s", time.perf_counter() - started)
    batch.refresh_from_db()
    assert batch.state == "done", batch.error
    emit("batch_zip_documents", ZIP_DOCUMENTS)
    emit("batch_zip_mb", batch.file.size / 1024 / 1024)
    measure("batch_zip_download", Client(), f"/public/batches/{batch.pk}/download/")


def admin():
    from django.urls import reverse

    from accounts.models import User

    administrator = User.objects.filter(is_superuser=True).order_by("pk").first()
    User.objects.filter(pk=administrator.pk).update(must_change_password=False)  # the demo asks for a new one
    client = Client()
    client.force_login(administrator)
    measure("admin_home", client, "/")
    measure("admin_index", client, reverse("admin:index"))
    for name in ("declarations_projectdeclaration", "declarations_departmentdeclaration", "declarations_indicator",
                 "declarations_unit", "review_event", "review_publication", "review_snapshot", "review_review",
                 "accounts_user", "jobs_job"):
        measure(f"admin_{name.split('_', 1)[1]}_list", client, reverse(f"admin:{name}_changelist"))


def throughput(port=8798):
    """req/s and p95 through gunicorn (production settings, 2 × cores + 1 sync workers) with wrk,
    20 connections, 15 s per URL (bench/run.py's wrk helper)."""
    import signal
    import subprocess

    from bench.run import _wait_for, _wrk
    from django.conf import settings
    from django.db.models import Count

    from public.models import DocumentRelease, PublishedFile

    release = (
        DocumentRelease.objects.filter(files__isnull=False).annotate(n=Count("publications"))
        .exclude(year__year=2099).order_by("-n", "-number").first()
    )
    pdf = PublishedFile.objects.filter(release=release, format="pdf").first()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "false", "SECRET_KEY": "bench-" + "x" * 50, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    workers = str(2 * (os.cpu_count() or 1) + 1)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", workers,
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/robots.txt")
        for name, path in (("public_unit_page", f"/public/units/{release.unit_id}/{release.year.year}/"),
                           ("public_search", "/public/search/?q=%E4%BF%A1%E8%AE%BF"),
                           ("public_pdf_download", f"/public/files/{pdf.pk}/{pdf.sha256}/x.pdf")):
            rps, p95, errors = _wrk(base + path)
            emit(f"{name}_rps", rps)
            emit(f"{name}_p95_ms", p95)
            emit(f"{name}_errors", errors)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fill", action="store_true", help="migrate and fill the database first")
    parser.add_argument("--only", choices=["portal", "zip", "admin", "wrk"], action="append",
                        help="run only these parts (default: all but wrk)")
    args = parser.parse_args()
    if args.fill:
        fill()
    from declarations.models import Indicator

    emit("indicators_total", Indicator.objects.count())
    parts = {"portal": portal, "zip": batch_zip, "admin": admin, "wrk": throughput}
    for name in args.only or ["portal", "zip", "admin"]:
        parts[name]()


if __name__ == "__main__":
    main()
