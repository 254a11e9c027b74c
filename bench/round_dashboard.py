#!/usr/bin/env python
"""The round dashboard's speed on the database at hand: prints `name=value` lines.

    .venv/bin/python manage.py generate_load --bureaus 2 --units 100 --projects 20 --indicators 20 --monitoring
    .venv/bin/python bench/round_dashboard.py        # DATABASE_URL as for the command above

The biggest round (most reports), opened by a reviewer of its bureau through the Django test client:
seconds (median of 5 after a warm-up; also of ?page=last), queries, peak Python memory of one request (tracemalloc, KB),
the page's size (KB), its reports and the projects at risk it counts.
"""
import os
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "0")  # no query log kept between requests

import django  # noqa: E402

django.setup()


def median_seconds(client, url, runs=5):
    client.get(url)  # warm-up: templates, imports
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
    assert response.status_code == 200, response.status_code
    return statistics.median(timings)


def main():
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from evaluation.models import MonitoringRound

    monitoring_round = MonitoringRound.objects.annotate(n=Count("reports")).order_by("-n", "id").first()
    reviewer = User.objects.filter(role="reviewer", bureau=monitoring_round.bureau_id).order_by("id").first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(reviewer)
    url = reverse("monitoring_round", args=[monitoring_round.pk])
    seconds = median_seconds(client, url)
    last_seconds = median_seconds(client, f"{url}?page=last")  # the paged dashboard's last page (else the same)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        client.get(url)
    tracemalloc.start()
    response = client.get(url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    body = response.content.decode()
    badge = re.search(r'存在风险的项目 <span class="badge[^"]*">(\d+)</span>', body)
    print(f"round={monitoring_round.pk}")
    print(f"reports={monitoring_round.n}")
    print(f"at_risk={badge[1] if badge else '?'}")
    rows = body.count('data-testid="risk-')
    print(f"rows_on_page={rows}")
    print(f"seconds={seconds:.3f}")
    print(f"last_page_seconds={last_seconds:.3f}")
    print(f"queries={len(queries)}")
    print(f"peak_kb={peak // 1024}")
    print(f"page_kb={len(response.content) // 1024}")


if __name__ == "__main__":
    main()
