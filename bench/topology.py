#!/usr/bin/env python
"""Issue 16's figures through the production topology: wrk → nginx → two gunicorn hosts →
PostgreSQL, huey workers on Redis, media in the bucket. Prints one `name=value` line per figure.

    export PROD_LOCAL_DB=pjd_province PROD_LOCAL_DIR=/tmp/pjd-province   # any PROD_LOCAL_* of the run
    deploy/prod-local.sh start
    .venv/bin/python bench/topology.py --fill      # province scale: generate_load 2,000 units (minutes)
    .venv/bin/python bench/topology.py             # every figure; --only downloads|pages|wizard|zip|admin

--fill runs `generate_load --bureaus 40 --units 2000 --projects 10 --indicators 20 --files 20`
in the topology (its database, its bucket), then adds what the heaviest pages need: a draft
project of 80 indicators and a bench bureau of 300 published documents (their files copies of a
real release: the ZIP figure packs, rendering happens once at publication). Throughput is wrk on
loopback through nginx (2 threads, 50 connections for the public pages, 20 for the logged-in
ones, 15 s). Query counts come from one more request through Django's test client in this process,
with the topology's settings. docs/performance.md says what each line is.
"""
import argparse
from contextlib import ExitStack
from urllib.parse import quote
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy import prod_local  # noqa: E402

CFG = prod_local.config()
STATE = prod_local.load_state(CFG)
if not STATE.get("secret_key"):
    raise SystemExit("start the topology first (deploy/prod-local.sh start) with the same PROD_LOCAL_* settings")
os.environ.update(prod_local.django_env(CFG, STATE))
os.environ["ALLOWED_HOSTS"] += ",testserver"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

BASE = f"http://127.0.0.1:{CFG['port']}"
PASSWORD = prod_local.DEMO_PASSWORD
HEAVY_NAME = "【基准】八十项指标的项目"
BACKGROUND_PUBLICATIONS = 20


def emit(name, value):
    print(f"{name}={value:.1f}" if isinstance(value, float) else f"{name}={value}", flush=True)


# --- the data -----------------------------------------------------------------------------

def fill():
    from declarations.models import Indicator

    if Indicator.objects.count() < 400_000:
        started = time.perf_counter()
        call_command("generate_load", "--bureaus", "40", "--units", "2000", "--projects", "10", "--indicators", "20",
                     "--files", "20")
        emit("generate_load_s", time.perf_counter() - started)
    heavy_project()
    from bench.portal import _bench_bureau

    _bench_bureau()


def heavy_project():
    """A draft project of 80 indicators (the wizard's heaviest step), with a filler who may edit it."""
    from accounts.models import User
    from declarations.models import Indicator, ProjectDeclaration

    project = ProjectDeclaration.objects.filter(name=HEAVY_NAME).first()
    if project is None:
        project = (ProjectDeclaration.objects.filter(status="draft", has_table=True, unit__users__role="filler")
                   .exclude(unit__bureau__layout__code="hebei").order_by("pk").first())
        rows = list(project.indicators.order_by("term", "order"))
        copies = []
        for n in range(80 - len(rows)):
            row = rows[n % len(rows)]
            row.pk, row.order, row.name = None, 100 + n, f"{row.name}（{n + 1}）"
            copies.append(row)
        Indicator.objects.bulk_create(copies)
        ProjectDeclaration.objects.filter(pk=project.pk).update(name=HEAVY_NAME)
    filler = User.objects.filter(role="filler", unit=project.unit_id).order_by("pk").first()
    User.objects.filter(pk=filler.pk).update(must_change_password=False)
    filler.set_password(PASSWORD)
    filler.save(update_fields=["password"])
    return project, filler


# --- HTTP ---------------------------------------------------------------------------------

def login(username):
    import requests

    session = requests.Session()
    session.get(f"{BASE}/login/", timeout=30)
    response = session.post(f"{BASE}/login/", timeout=30, data={
        "username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert "/login/" not in response.url, f"{username} could not log in"
    return session


def wrk(paths, *, connections, seconds=15, cookie=None, rate=None, unique=False):
    """(req/s, p95 ms, errors and non-2xx answers) through nginx: closed-loop, or paced at about
    `rate` req/s (a 5 s calibration run first)."""
    if rate:  # each connection waits `delay` between requests: set it so that the answers' own time counts
        delay = connections * 1000 / rate
        achieved = _wrk(paths, connections=connections, seconds=5, cookie=cookie, delay=delay, unique=unique)[0]
        latency = connections * 1000 / achieved - delay
        delay = max(1.0, connections * 1000 / rate - latency)
        return _wrk(paths, connections=connections, seconds=seconds, cookie=cookie, delay=delay, unique=unique)
    return _wrk(paths, connections=connections, seconds=seconds, cookie=cookie, unique=unique)


def _wrk(paths, *, connections, seconds=15, cookie=None, delay=None, unique=False):
    """(req/s, p95 ms, errors and non-2xx answers) of wrk cycling through `paths` on nginx; as
    fast as answers come, or each connection waiting `delay` ms between requests; `unique` adds a
    random `&v=` to each request, so no cache in front of the app answers it."""
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    script = Path(tempfile.mkdtemp()) / "paths.lua"
    listed = ", ".join('"' + p.replace('"', '\\"') + '"' for p in paths)
    suffix = ' .. "&v=" .. math.random(1, 1000000000)' if unique else ""
    lua = f"paths = {{{listed}}}\ni = 0\nmath.randomseed(os.time())\n"
    if delay:
        lua += f"delay = function() return {delay:.1f} end\n"
    lua += (
        f'request = function() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]{suffix}) end\n'
        'done = function(summary, latency, requests)\n'
        '  io.write(string.format("p95_us=%d\\n", latency:percentile(95)))\n'
        '  io.write(string.format("errors=%d\\n", summary.errors.status + summary.errors.connect + summary.errors.read'
        ' + summary.errors.write + summary.errors.timeout))\nend\n'
    )
    script.write_text(lua)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command + [BASE + paths[0]], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p95 = int(re.search(r"p95_us=(\d+)", out)[1]) / 1000
    errors = int(re.search(r"errors=(\d+)", out)[1])
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p95, errors + (int(non2xx[1]) if non2xx else 0)


def report(name, paths, *, connections, cookie=None, seconds=15, rate=None, unique=False):
    rps, p95, errors = wrk(paths, connections=connections, cookie=cookie, seconds=seconds, rate=rate, unique=unique)
    emit(f"{name}_rps", rps)
    emit(f"{name}_p95_ms", p95)
    emit(f"{name}_errors", errors)
    return rps, p95


def queries(client, path):
    client.get(path)  # a first visit may fill the page cache
    with ExitStack() as stack:  # public reads go to the replica alias: count both
        captured = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code in (200, 302), (path, response.status_code)
    return sum(len(c) for c in captured)


def timed_get(session, path, runs=3):
    """Median and maximum ms of GETs of `path` through nginx (after one warm-up)."""
    session.get(BASE + path, timeout=60)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = session.get(BASE + path, timeout=60)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings), max(timings)


# --- the figures --------------------------------------------------------------------------

def downloads():
    from public.models import PublishedFile

    pdf = PublishedFile.objects.filter(format="pdf", release__isnull=False).exclude(
        release__year__year=2099).order_by("-size").first()
    path = f"/public/files/{pdf.pk}/{pdf.sha256}/{quote(pdf.filename)}"
    emit("public_file_kb", round(pdf.size / 1024))
    emit("public_file_queries", queries(Client(), path))
    report("public_file", [path], connections=50)
    report("public_file_at_1000", [path], connections=50, rate=1000)  # the load, paced


def pages():
    from django.db.models import Count

    from public.models import DocumentRelease

    release = (DocumentRelease.objects.exclude(year__year=2099).annotate(n=Count("publications"))
               .order_by("-n", "-number").first())
    unit_path = f"/public/units/{release.unit_id}/{release.year.year}/"
    search_path = "/public/search/?q=%E4%BF%A1%E8%AE%BF"
    public = Client()
    emit("public_unit_page_tables", release.n)
    emit("public_unit_page_queries", queries(public, unit_path))
    report("public_unit_page", [unit_path], connections=50)
    report("public_unit_page_at_300", [unit_path], connections=50, rate=300)
    emit("public_search_queries", queries(public, search_path))
    report("public_search", [search_path], connections=50)
    other_searches = [f"/public/search/?q={word}" for word in ("%E7%BB%A9%E6%95%88", "%E6%9D%91", "2026", "%E5%8E%BF")]
    report("public_search_mixed", [search_path, *other_searches], connections=50)
    # Behind the micro-cache: every URL new (a first visit of each), so each request is the app's.
    report("public_search_uncached", [search_path], connections=20, unique=True)
    report("public_search_uncached_at_100", [search_path], connections=20, unique=True, rate=100)


def wizard(background=BACKGROUND_PUBLICATIONS):
    """GETs of every step of the 80-indicator draft while `background` (20) documents publish on
    the workers."""
    from accounts.models import User
    from declarations.models import ProjectDeclaration
    from jobs.models import Job
    from django.utils import timezone

    from public.services import declaration_publish_start

    project, filler = heavy_project()
    from declarations.views_wizard import _steps

    steps = [key for key, _ in _steps(project, "project")]
    paths = [f"/projects/{project.pk}/edit/{step}/" for step in steps]
    indicators_path = paths[steps.index("indicators")]
    session = login(filler.username)
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    client = Client()
    client.force_login(filler)
    for path in paths:
        emit(f"wizard_{path.rstrip('/').rsplit('/', 1)[1]}_queries", queries(client, path))
    indicators_kb = len(session.get(BASE + indicators_path, timeout=60).content) / 1024
    emit("wizard_indicators_kb", round(indicators_kb))

    approved = list(ProjectDeclaration.objects.filter(status="approved", has_table=True)
                    .select_related("unit__bureau").order_by("pk")[:background])
    reviewers = {}
    jobs = []
    started = time.monotonic()
    for declaration in approved:
        bureau = declaration.unit.bureau_id
        if bureau not in reviewers:
            reviewers[bureau] = User.objects.filter(role="reviewer", bureau_id=bureau).first()
        jobs.append(declaration_publish_start(declaration=declaration, user=reviewers[bureau]).pk)
    report("wizard", paths, connections=20, cookie=cookie, seconds=20)
    report("wizard_indicators_step", [indicators_path], connections=20, cookie=cookie)
    report("wizard_at_60", paths, connections=20, cookie=cookie, rate=60)  # the load, paced
    load_ended = timezone.now()
    done_during = Job.objects.filter(pk__in=jobs, state=Job.DONE, finished_at__lte=load_ended).count()
    while Job.objects.filter(pk__in=jobs).exclude(state__in=[Job.DONE, Job.FAILED]).exists():
        time.sleep(0.5)
    emit("background_publications", len(jobs))
    emit("background_publications_done_during_load", done_during)
    emit("background_publications_all_done_s", time.monotonic() - started)
    emit("background_publications_failed", Job.objects.filter(pk__in=jobs, state="failed").count())
    workers = sorted(set(Job.objects.filter(pk__in=jobs).values_list("worker", flat=True)))
    emit("background_publication_workers", ",".join(w or "?" for w in workers))


def batch_zip():
    import requests

    from public.models import BatchExport
    from bench.portal import _bench_bureau

    bureau, year = _bench_bureau()
    BatchExport.objects.filter(bureau=bureau, year=year).delete()
    started = time.perf_counter()
    response = requests.post(f"{BASE}/public/bureaus/{bureau.pk}/{year.year}/zip/", timeout=60, allow_redirects=False)
    assert response.status_code == 302, response.status_code
    batch_pk = int(re.search(r"/public/batches/(\d+)/", response.headers["Location"])[1])
    while True:
        batch = BatchExport.objects.get(pk=batch_pk)
        if batch.state in (BatchExport.DONE, "failed"):
            break
        time.sleep(0.2)
    emit("batch_zip_ready_s", time.perf_counter() - started)
    assert batch.state == BatchExport.DONE, batch.error
    emit("batch_zip_documents", bureau.units.count())
    emit("batch_zip_mb", batch.file.size / 1024 / 1024)
    path = f"/public/batches/{batch_pk}/download/"
    emit("batch_zip_download_queries", queries(Client(), path))
    started = time.perf_counter()
    body = requests.get(BASE + path, timeout=120)
    assert body.status_code == 200 and len(body.content) == batch.file.size
    emit("batch_zip_download_s", time.perf_counter() - started)


def admin():
    from django.contrib import admin as django_admin
    from django.urls import reverse

    from accounts.models import User

    administrator = User.objects.filter(is_superuser=True).order_by("pk").first()
    User.objects.filter(pk=administrator.pk).update(must_change_password=False)
    administrator.set_password(PASSWORD)
    administrator.save(update_fields=["password"])
    session = login(administrator.username)
    paths = ["/", "/review/", "/evaluation/", reverse("admin:index")]
    for model, model_admin in django_admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        paths.append(reverse("admin:%s_%s_changelist" % info))
        last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        if last is not None:
            paths.append(reverse("admin:%s_%s_change" % info, args=[last]))
    results = []
    for path in paths:
        try:
            median, slowest = timed_get(session, path)
        except AssertionError as error:
            emit("admin_page_failed", error)
            continue
        results.append((slowest, median, path))
    results.sort(reverse=True)
    emit("admin_pages", len(results))
    emit("admin_pages_over_1s", sum(1 for slowest, _, _ in results if slowest > 1000))
    for slowest, median, path in results[:8]:
        emit(f"admin_slow {path} p50_ms", median)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fill", action="store_true", help="fill the topology's database at province scale first")
    parser.add_argument("--only", choices=["downloads", "pages", "wizard", "zip", "admin"], action="append")
    parser.add_argument("--background", type=int, default=BACKGROUND_PUBLICATIONS,
                        help="documents published while the wizard is measured (default 20; 0: none)")
    args = parser.parse_args()
    if args.fill:
        fill()
    from declarations.models import Indicator

    emit("indicators_total", Indicator.objects.count())
    parts = {"downloads": downloads, "pages": pages, "wizard": lambda: wizard(args.background), "zip": batch_zip,
             "admin": admin}
    for name in args.only or parts:
        parts[name]()


if __name__ == "__main__":
    main()
