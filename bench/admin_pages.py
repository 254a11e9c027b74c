#!/usr/bin/env python
"""Admin page speed: prints `name=value` lines (seconds, median of 5 runs after a warm-up, and KB).

    .venv/bin/python bench/admin_pages.py            # a fresh SQLite database with the demo
    DATABASE_URL=postgres://... bench/admin_pages.py  # or any database that holds the demo

The pages of the largest seed declarations (most indicators), as the administrator opens them:
department_change / project_change   the change pages (indicators linked, not inlined)
indicators_of_department             the indicator list filtered by that declaration
department_list / project_list / indicator_list / event_list   the change lists
Every change page should stay under 1 s.
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
from django.db.models import Count  # noqa: E402


def timed(client, url, runs=5):
    response = client.get(url)  # warm-up: templates, imports
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), len(response.content) / 1024


def main():
    call_command("migrate", verbosity=0)
    from declarations.services.demo import demo_load

    demo_load()
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from declarations.models import DepartmentDeclaration, ProjectDeclaration

    department = DepartmentDeclaration.objects.annotate(n=Count("indicators")).order_by("-n").first()
    project = ProjectDeclaration.objects.annotate(n=Count("indicators")).order_by("-n").first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.filter(is_superuser=True).first())
    indicators = reverse("admin:declarations_indicator_changelist")
    pages = {
        "department_change": reverse("admin:declarations_departmentdeclaration_change", args=[department.pk]),
        "project_change": reverse("admin:declarations_projectdeclaration_change", args=[project.pk]),
        "indicators_of_department": f"{indicators}?department={department.pk}",
        "department_list": reverse("admin:declarations_departmentdeclaration_changelist"),
        "project_list": reverse("admin:declarations_projectdeclaration_changelist"),
        "indicator_list": indicators,
        "event_list": reverse("admin:review_event_changelist"),
    }
    print(f"# department {department} ({department.n} indicators); project {project} ({project.n} indicators)")
    for name, url in pages.items():
        seconds, size = timed(client, url)
        print(f"{name}_s={seconds:.3f}")
        print(f"{name}_kb={size:.0f}")


if __name__ == "__main__":
    main()
