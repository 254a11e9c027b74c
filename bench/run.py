#!/usr/bin/env python
"""Benchmarks at city or province scale, on PostgreSQL. Prints one `name=value` line per figure.

    .venv/bin/python bench/run.py                     # province scale (2,000 units × 10 × 20)
    .venv/bin/python bench/run.py --scale city        # 100 units × 20 projects × 20 indicators
    BENCH_DATABASE_URL=postgres://… bench/run.py      # another server or database

The database (default postgres://postgres@127.0.0.1:5432/pjd_bench) is created, migrated and
filled once with `generate_load` plus the published demo; later runs reuse it (--fresh starts
over). Latencies are medians of 20 requests after a warm-up, through Django's test client in
this process; throughput comes from wrk against gunicorn on loopback, 20 connections, 15 s.
Run `make test` (or `make install`) first: it installs everything this needs but wrk, which
this script installs with apt-get when it is missing.
"""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCALES = {
    "city": {"bureaus": 5, "units": 100, "projects": 20, "indicators": 20},
    "province": {"bureaus": 40, "units": 2000, "projects": 10, "indicators": 20},
}
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pjd_bench"
PORT = 8799


def emit(name, value):
    print(f"{name}={value:.3f}" if isinstance(value, float) else f"{name}={value}", flush=True)


def _database(url, fresh):
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def setup(scale, fresh):
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    _database(url, fresh)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["ALLOWED_HOSTS"] = "localhost,127.0.0.1,testserver"  # the test client's host
    # One secret for this process and gunicorn: the session made here must be valid there.
    os.environ["SECRET_KEY"] = "bench-" + "x" * 50
    os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "pjd-bench-media"))
    import django

    django.setup()
    from django.core.management import call_command

    from declarations.models import Indicator

    call_command("migrate", verbosity=0)
    if not Indicator.objects.filter(project__unit__users__username__startswith="load-").exists():
        started = time.perf_counter()
        call_command("generate_load", *sum(([f"--{k}", str(v)] for k, v in SCALES[scale].items()), []))
        emit("generate_load_s", time.perf_counter() - started)
    from declarations.services.demo import demo_load, demo_publish

    demo_load()
    demo_publish()
    emit("indicators_total", Indicator.objects.count())


def _median_ms(function, runs=20):
    function()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def latencies():
    from django.db.models import Count
    from django.test import Client

    from accounts.models import User
    from declarations.models import FinanceBureau, ProjectDeclaration

    busiest = FinanceBureau.objects.annotate(n=Count("units__projectdeclarations")).order_by("-n").first()
    reviewer = User.objects.filter(role="reviewer", bureau=busiest).first()
    client = Client()
    client.force_login(reviewer)
    year = ProjectDeclaration.objects.filter(unit__bureau=busiest).values_list("year__year", flat=True).first()
    emit("reviewer_list_p50_ms", _median_ms(lambda: _ok(client.get("/review/", {"year": year}))))

    public = Client()
    emit("public_search_p50_ms", _median_ms(lambda: _ok(public.get("/public/search/", {"q": "信访"}))))

    project = ProjectDeclaration.objects.filter(status="draft", spending_plan__isnull=True).exclude(
        unit__bureau__layout__code="hebei").select_related("unit").first()
    filler = User.objects.filter(role="filler", unit=project.unit).first()
    wizard = Client()
    wizard.force_login(filler)
    url = f"/projects/{project.pk}/edit/goals/"

    def get_and_post():
        page = _ok(wizard.get(url))
        version = re.search(r'name="version" value="(\d+)"', page.text)[1]
        data = {"version": version, "long_term_goal": "中长期目标", "annual_goal": "年度目标",
                "necessity": "必要", "feasibility": "可行", "content": "内容"}
        response = wizard.post(url, data)
        assert response.status_code == 302, response.status_code

    emit("wizard_step_p50_ms", _median_ms(get_and_post) / 2)
    return project, filler


def evaluation_latencies():
    """The 运行监控 and 绩效自评 pages beside the old ones: the busiest round's dashboard (reviewer),
    one monitoring form and one self-evaluation form (filler); data made once by generate_load's
    --monitoring --self-evaluation (evaluation/load.py)."""
    from django.db.models import Count
    from django.test import Client

    from accounts.models import User
    from declarations.models import ProjectDeclaration
    from evaluation.load import evaluation_load
    from evaluation.models import MonitoringReport, MonitoringRound, MonitoringValue, SelfEvaluation

    if not MonitoringRound.objects.filter(bureau__units__users__username__startswith="load-").exists():
        year = ProjectDeclaration.objects.filter(unit__users__username__startswith="load-").values_list(
            "year__year", flat=True).first()
        started = time.perf_counter()
        evaluation_load(year=year)
        emit("evaluation_load_s", time.perf_counter() - started)
    emit("monitoring_values_total", MonitoringValue.objects.count())
    busiest = MonitoringRound.objects.annotate(n=Count("reports")).order_by("-n").first()
    reviewer = User.objects.filter(role="reviewer", bureau=busiest.bureau).first()
    client = Client()
    client.force_login(reviewer)
    emit("round_dashboard_reports", busiest.n)
    emit("round_dashboard_p50_ms", _median_ms(lambda: _ok(client.get(f"/evaluation/rounds/{busiest.pk}/"))))
    report = MonitoringReport.objects.filter(round=busiest).select_related("project__unit").first()
    filler = User.objects.filter(role="filler", unit=report.project.unit).first()
    form = Client()
    form.force_login(filler)
    emit("monitoring_form_p50_ms", _median_ms(lambda: _ok(form.get(f"/evaluation/monitoring/{report.pk}/"))))
    evaluation = SelfEvaluation.objects.filter(project__unit=report.project.unit).first()
    emit("self_evaluation_form_p50_ms",
         _median_ms(lambda: _ok(form.get(f"/evaluation/self-evaluation/{evaluation.pk}/"))))
    emit("evaluation_home_p50_ms", _median_ms(lambda: _ok(form.get("/evaluation/"))))


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def _wrk(url, headers=()):
    script = Path(tempfile.mkdtemp()) / "p95.lua"
    script.write_text(
        'done = function(summary, latency, requests)\n'
        '  io.write(string.format("p95_us=%d\\n", latency:percentile(95)))\n'
        '  io.write(string.format("errors=%d\\n", summary.errors.status + summary.errors.connect + summary.errors.read'
        ' + summary.errors.write + summary.errors.timeout))\nend\n'
    )
    command = ["wrk", "-t2", "-c20", "-d15s", "--timeout", "10s", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p95 = int(re.search(r"p95_us=(\d+)", out)[1]) / 1000
    errors = int(re.search(r"errors=(\d+)", out)[1])
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p95, errors + (int(non2xx[1]) if non2xx else 0)


def load_tests(project, filler):
    import urllib.request

    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from public.models import PublishedFile

    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    published = PublishedFile.objects.filter(format="pdf", release__isnull=False).first()
    session = SessionStore()
    session[SESSION_KEY] = str(filler.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = filler.get_session_auth_hash()
    session.create()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    workers = str(2 * (os.cpu_count() or 1) + 1)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", workers,
         "--access-logfile", "-", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{PORT}/robots.txt")
        file_url = f"http://127.0.0.1:{PORT}/public/files/{published.pk}/{published.sha256}/x.pdf"
        rps, p95, errors = _wrk(file_url)
        emit("public_pdf_download_rps", rps)
        emit("public_pdf_download_p95_ms", p95)
        emit("public_pdf_download_errors", errors)
        cookie = f"Cookie: {settings.SESSION_COOKIE_NAME}={session.session_key}"
        page = urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{PORT}/projects/{project.pk}/edit/goals/", headers={"Cookie": cookie[8:]}))
        assert page.status == 200 and "/login/" not in page.url, "the wizard page must answer, not the login page"
        rps, p95, errors = _wrk(f"http://127.0.0.1:{PORT}/projects/{project.pk}/edit/goals/", [cookie])
        emit("wizard_get_rps", rps)
        emit("wizard_get_p95_ms", p95)
        emit("wizard_get_errors", errors)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def _wait_for(url, seconds=30):
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on {url}")


def batch_zip(documents=300):
    """The background ZIP of `documents` published documents (their files made beforehand)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.db import transaction

    from declarations.models import BudgetYear, FinanceBureau, Unit
    from public.models import BatchExport, DocumentRelease, PublishedFile
    from public.services import batch_build, batch_start
    from review.models import Publication

    year, _ = BudgetYear.objects.get_or_create(year=2099)
    bureau, _ = FinanceBureau.objects.get_or_create(
        name="基准测试财政局", defaults={"province": "基准省", "layout": FinanceBureau.objects.first().layout})
    template = DocumentRelease.objects.filter(files__isnull=False).exclude(year=year).first()
    contents = {f.format: f.file.open("rb").read() for f in template.files.all()}
    publications = list(Publication.objects.filter(withdrawn_at__isnull=True)[:1])
    with transaction.atomic():
        for n in range(documents - DocumentRelease.objects.filter(year=year).count()):
            unit = Unit.objects.create(bureau=bureau, code=f"B{n:04d}", name=f"基准单位{n:04d}")
            release = DocumentRelease.objects.create(unit=unit, year=year, number=1)
            release.publications.set(publications)
            for fmt, content in contents.items():
                record = PublishedFile(release=release, format=fmt, filename=f"doc-{n}.{fmt}",
                                       sha256=hashlib.sha256(content).hexdigest(), size=len(content))
                record.file.save(f"bench/{n}.{fmt}", ContentFile(content), save=False)
                record.save()
    # The bench measures packing, so the releases count as current whatever their declarations.
    import public.services as services

    services.current_release = lambda unit, year: DocumentRelease.objects.filter(unit=unit, year=year).first()
    BatchExport.objects.filter(bureau=bureau, year=year).delete()
    started = time.perf_counter()
    with transaction.atomic():
        batch = batch_start(bureau=bureau, year=year)
    if BatchExport.objects.get(pk=batch.pk).state != "done":
        batch_build(batch.pk)
    batch.refresh_from_db()
    emit("batch_zip_s", time.perf_counter() - started)
    emit("batch_zip_documents", documents)
    emit("batch_zip_mb", batch.file.size / 1024 / 1024)


def bulk_exports():
    # The export and workbook import benches make their own small SQLite demo database, not the province one.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MEDIA_ROOT")}
    script = ROOT / "bench" / "exports_bulk.py"
    if script.exists():
        out = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=900,
                             env=env)
        for line in out.stdout.splitlines():
            if re.match(r"^[a-z0-9_]+=", line):
                print(line, flush=True)
    for name in ("exports.py", "workbook_import.py"):
        out = subprocess.run([sys.executable, str(ROOT / "bench" / name)], cwd=ROOT, capture_output=True,
                             text=True, timeout=900, env=env)
        for line in out.stdout.splitlines():
            if re.match(r"^[a-z0-9_]+=", line):
                print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--fresh", action="store_true", help="drop and refill the benchmark database")
    parser.add_argument("--skip-load-test", action="store_true")
    parser.add_argument("--latencies-only", action="store_true", help="page latencies only (no wrk, ZIP or exports)")
    args = parser.parse_args()
    setup(args.scale, args.fresh)
    project, filler = latencies()
    evaluation_latencies()
    if args.latencies_only:
        return
    if not args.skip_load_test:
        load_tests(project, filler)
    batch_zip()
    bulk_exports()


if __name__ == "__main__":
    main()
