"""The batch ZIPs, built by two real huey consumers sharing one queue (docs/scaling.md).

Everything runs in subprocesses against their own SQLite database file, queue file and media
folder in tmp_path: pytest-django's test database is in memory, which another process cannot
see. The steps are those of a deployment: migrate, publish the demo, start two consumers
(`manage.py run_huey --workers 1`, twice), enqueue one batch export per finance bureau and
year, wait until every BatchExport is done, check the ZIPs, stop the consumers.
"""
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.flushes

ROOT = Path(settings.BASE_DIR)
ENQUEUE = """
from declarations.models import BudgetYear, FinanceBureau
from public.models import DocumentRelease
from public.services import batch_start
pairs = sorted(set(DocumentRelease.objects.values_list("unit__bureau_id", "year_id")))
for bureau_id, year_id in pairs:
    batch = batch_start(bureau=FinanceBureau.objects.get(pk=bureau_id), year=BudgetYear.objects.get(pk=year_id))
    print("batch", batch.pk)
"""


def _environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("HUEY_REDIS_URL", "HUEY_IMMEDIATE", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        HUEY_SQLITE_FILE=str(tmp_path / "huey.sqlite3"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
        DEBUG="0",
    )
    return env


def _manage(env, *args, timeout=180):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _batches(database):
    with sqlite3.connect(database, timeout=10) as connection:
        return connection.execute("select id, state, file, total, error from public_batchexport order by id").fetchall()


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # huey's graceful shutdown
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def test_batch_exports_built_by_two_consumer_processes(transactional_db, tmp_path):
    env = _environment(tmp_path)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_demo", "--publish", "--keep-demo-passwords")

    consumers, logs = [], []
    try:
        for number in (1, 2):
            log = tmp_path / f"consumer-{number}.log"
            logs.append(log)
            with open(log, "w") as handle:
                consumers.append(subprocess.Popen(
                    [sys.executable, "manage.py", "run_huey", "--workers", "1", "--delay", "0.05",
                     "--max-delay", "0.2", "--no-periodic"],
                    cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                ))
        deadline = time.monotonic() + 60
        while not all("consumer started" in log.read_text() for log in logs):
            dead = [(c, log) for c, log in zip(consumers, logs) if c.poll() is not None]
            if dead:
                pytest.skip(f"the huey consumer cannot start here: {dead[0][1].read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.skip("the huey consumers did not report starting within 60 s")
            time.sleep(0.2)

        output = _manage(env, "shell", "-c", ENQUEUE)
        batch_ids = [int(line.split()[1]) for line in output.splitlines() if line.startswith("batch ")]
        assert len(batch_ids) >= 4, output  # the five demo documents are of five bureaus and years

        database = tmp_path / "db.sqlite3"
        deadline = time.monotonic() + 60
        while True:
            rows = _batches(database)
            if rows and all(state in ("done", "failed") for _, state, *_ in rows):
                break
            assert time.monotonic() < deadline, f"batches not done within 60 s: {rows}"
            assert all(c.poll() is None for c in consumers), "a consumer died:\n" + "\n".join(
                log.read_text()[-2000:] for log in logs)
            time.sleep(0.2)
    finally:
        for process in consumers:
            _stop(process)

    assert [row[0] for row in rows] == sorted(batch_ids)
    for batch_id, state, name, total, error in rows:
        assert state == "done", f"batch {batch_id}: {error}"
        path = tmp_path / "media" / name
        assert path.is_file(), path
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
            assert archive.testzip() is None
            assert len(archive.namelist()) == total >= 4  # pdf, xlsx, json and csv of each release

    # Each consumer's log names the tasks it ran (every line appears twice: huey's own handler
    # and Django's root handler), so the task ids are collected per consumer.
    executed = [set(re.findall(r"Executing public\.tasks\.build_batch: ([0-9a-f-]+)", log.read_text())) for log in logs]
    assert len(executed[0] | executed[1]) == len(batch_ids), executed  # every job ran …
    assert not executed[0] & executed[1], executed  # … once, in one of the two consumers
    # Which consumer takes which job is up to the queue; with five short jobs and two consumers
    # polling every 50–200 ms both usually do work, but the test does not depend on it.
    if not all(executed):
        print(f"note: one consumer did all the jobs: {[len(ids) for ids in executed]}")
