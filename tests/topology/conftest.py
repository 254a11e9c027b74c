"""The production topology (deploy/prod-local.sh) started once for the fault tests.

It runs on the PostgreSQL server the test run uses, in a database of its own, with its own
Redis (another port: the machine's 6379 is never restarted), its own moto S3 server, two
gunicorn app hosts behind nginx and two huey workers, all on free ports and under a temporary
folder; `stop` ends them all and drops the database. The tests drive it over HTTP, as users
do, and read its database directly to check what was (not) published."""
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SCRIPT = ROOT / "deploy" / "prod-local.sh"
PASSWORD = "xinfang-demo-2026"
LEASE_SECONDS = 3
PAUSE_BEFORE_COMMIT = 2  # a window in which a worker is killed mid-publication


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _server_url():
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the production topology runs on PostgreSQL: run with DATABASE_URL=postgres://… (this run is SQLite)")
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}"


class Topology:
    def __init__(self, run_dir, server):
        port, app1, app2, redis, s3 = _free_ports(5)
        self.database = f"topology_{os.getpid()}_{int(time.time())}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "HUEY_", "MEDIA_"))},
            "PROD_LOCAL_DIR": str(run_dir), "PROD_LOCAL_PORT": str(port),
            "PROD_LOCAL_APP_PORTS": f"{app1},{app2}", "PROD_LOCAL_REDIS_PORT": str(redis),
            "PROD_LOCAL_S3_PORT": str(s3), "PROD_LOCAL_DB": self.database, "PROD_LOCAL_PG": server,
            "PROD_LOCAL_DEMO": "drafts", "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "JOB_PAUSE_BEFORE_COMMIT": str(PAUSE_BEFORE_COMMIT),
        }
        self.url = f"http://127.0.0.1:{port}"
        self.app_urls = [f"http://127.0.0.1:{app1}", f"http://127.0.0.1:{app2}"]
        self.server, self.run_dir, self.s3_port = server, Path(run_dir), s3
        self._connection = None

    # --- the script ---------------------------------------------------------------------
    def script(self, *args, timeout=300):
        result = subprocess.run([str(SCRIPT), *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                                timeout=timeout)
        assert result.returncode == 0, f"prod-local.sh {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def pid_of(self, service):
        return json.loads((self.run_dir / "state.json").read_text())["services"][service]["pid"]

    # --- its database -------------------------------------------------------------------
    def sql(self, query, *params):
        import psycopg2

        if self._connection is None:
            self._connection = psycopg2.connect(f"{self.server}/{self.database}")
            self._connection.autocommit = True
        with self._connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else None

    def close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # --- its bucket ---------------------------------------------------------------------
    def bucket(self):
        import boto3

        return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.s3_port}", region_name="us-east-1",
                            aws_access_key_id="prod-local", aws_secret_access_key="prod-local-secret")

    def objects(self):
        """{key: sha256 of its bytes} of the published files in the bucket."""
        client = self.bucket()
        pages = client.get_paginator("list_objects_v2").paginate(Bucket="pjd-media", Prefix="media/published/")
        keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
        return {key: hashlib.sha256(client.get_object(Bucket="pjd-media", Key=key)["Body"].read()).hexdigest()
                for key in keys}

    # --- users ----------------------------------------------------------------------------
    def login(self, username):
        import requests

        session = requests.Session()
        session.get(f"{self.url}/login/", timeout=30)
        response = session.post(f"{self.url}/login/", timeout=30, data={
            "username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"],
        })
        assert response.url.rstrip("/") != f"{self.url}/login", f"{username} could not log in"
        return session

    def post(self, session, path, data=None):
        return session.post(f"{self.url}{path}", data={**(data or {}), "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                            timeout=60, allow_redirects=False)

    def draft_project(self):
        """A demo project still in draft, with its filler and reviewer, taken once."""
        rows = self.sql(
            "SELECT p.id, f.username, r.username FROM declarations_projectdeclaration p "
            "JOIN declarations_unit u ON u.id = p.unit_id "
            "JOIN accounts_user f ON f.unit_id = p.unit_id AND f.role = 'filler' "
            "JOIN accounts_user r ON r.bureau_id = u.bureau_id AND r.role = 'reviewer' "
            "WHERE p.status = 'draft' AND p.id NOT IN (SELECT project_id FROM review_publication "
            "WHERE project_id IS NOT NULL) ORDER BY p.id"
        )
        taken = self.__dict__.setdefault("_taken", set())
        pk, filler, reviewer = next(row for row in rows if row[0] not in taken)
        taken.add(pk)
        return pk, filler, reviewer

    def approved_project(self):
        """Fill → approve: a demo draft submitted by its filler and approved by its reviewer, over HTTP."""
        pk, filler, reviewer = self.draft_project()
        assert self.post(self.login(filler), f"/projects/{pk}/submit/").status_code == 302
        reviewer_session = self.login(reviewer)
        approved = self.post(reviewer_session, f"/review/project/{pk}/approve/", {"result": "excellent", "reason": ""})
        assert approved.status_code == 302
        assert self.status(pk) == "approved"
        return pk, reviewer_session

    def publish(self, session, pk):
        """公开 from the review page: the job's id (the answer is a redirect to its progress page)."""
        response = self.post(session, f"/publication/project/{pk}/publish/")
        assert response.status_code == 302, response.text[:500]
        return int(re.search(r"/jobs/(\d+)/", response.headers["Location"]).group(1))

    def status(self, pk):
        return self.sql("SELECT status FROM declarations_projectdeclaration WHERE id = %s", pk)[0][0]

    def job(self, job_id):
        state, worker, attempts, message = self.sql(
            "SELECT state, worker, attempts, message FROM jobs_job WHERE id = %s", job_id)[0]
        return {"state": state, "worker": worker, "attempts": attempts, "message": message}

    def wait_job(self, job_id, states=("done", "failed"), timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.job(job_id)
            if job["state"] in states:
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} still {self.job(job_id)} after {timeout} s")

    def publications(self, pk):
        return self.sql("SELECT id FROM review_publication WHERE project_id = %s", pk)

    def files_of(self, pk):
        """(id, sha256, filename, storage name) of the published files of the project's publications."""
        return self.sql(
            "SELECT f.id, f.sha256, f.filename, f.file FROM public_publishedfile f "
            "JOIN review_publication p ON p.id = f.publication_id WHERE p.project_id = %s ORDER BY f.id", pk)


@pytest.fixture(scope="session")
def topology():
    server = _server_url()
    started = time.monotonic()
    # Directly under /tmp: nginx's workers (another user) must reach the static files, which
    # pytest's own temporary folders (mode 0700) would hide.
    run_dir = Path(tempfile.mkdtemp(prefix="pjd-topology-"))
    run_dir.chmod(0o755)
    topology = Topology(run_dir, server)
    try:
        topology.script("start")
    except BaseException:
        subprocess.run([str(SCRIPT), "stop"], cwd=ROOT, env=topology.env, capture_output=True, timeout=120)
        raise
    print(f"\ntopology started in {time.monotonic() - started:.1f} s")
    yield topology
    topology.close()
    topology.script("stop", timeout=120)
    shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture
def restores(topology):
    """Services a test stops are started again after it, whatever its outcome."""
    names = []
    yield names.append
    for name in names:
        topology.script("start-service", name)


