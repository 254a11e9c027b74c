"""Fault tests against the production topology running on this machine (deploy/prod-local.sh):
nginx in front of two app hosts, two huey workers on their own Redis, PostgreSQL with a replica
alias, media in an S3 bucket (moto). Each test acts as the users do, over HTTP through nginx."""
import hashlib
import re
import time
from urllib.parse import quote

import pytest
import requests

from .conftest import LEASE_SECONDS

pytestmark = pytest.mark.topology


def test_a_filled_declaration_is_approved_published_and_downloaded_anonymously_through_nginx(topology):
    pk, reviewer = topology.approved_project()
    job = topology.wait_job(topology.publish(reviewer, pk))
    assert job["state"] == "done", job
    assert topology.status(pk) == "published"

    files = topology.files_of(pk)
    assert sorted(name.rsplit(".", 1)[-1] for _, _, name, _ in files) == ["csv", "json", "pdf", "xlsx"]
    portal = requests.get(f"{topology.url}/public/", timeout=30)
    assert portal.status_code == 200
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', portal.text).group(1)
    assert requests.get(f"{topology.url}{stylesheet}", timeout=30).status_code == 200  # nginx, from the run folder
    for file_id, sha256, filename, _ in files:
        path = f"/public/files/{file_id}/{sha256}/{quote(filename)}"
        download = requests.get(f"{topology.url}{path}", timeout=30)
        assert download.status_code == 200, (path, download.status_code)
        assert hashlib.sha256(download.content).hexdigest() == sha256
        assert "X-Accel-Redirect" not in download.headers
        assert download.headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
        # The app host only authorised it: nginx sent the bytes, from the bucket.
        behind = requests.get(f"{topology.app_urls[0]}{path}", timeout=30)
        assert behind.headers["X-Accel-Redirect"].startswith("/_protected/published/") and behind.content == b""
    # The protected location is internal: a browser cannot ask for it.
    assert requests.get(f"{topology.url}/_protected/{files[0][3]}", timeout=30).status_code == 404


def test_nginx_keeps_public_answers_a_second_and_a_withdrawal_reaches_every_visitor_within_two(topology):
    pk, reviewer = topology.approved_project()
    assert topology.wait_job(topology.publish(reviewer, pk))["state"] == "done"
    file_id, sha256, filename, _ = next(f for f in topology.files_of(pk) if f[2].endswith(".pdf"))
    unit_id, year = topology.sql(
        "SELECT p.unit_id, y.year FROM declarations_projectdeclaration p "
        "JOIN declarations_budgetyear y ON y.id = p.year_id WHERE p.id = %s", pk)[0]
    file_url = f"{topology.url}/public/files/{file_id}/{sha256}/{quote(filename)}"
    page_url = f"{topology.url}/public/units/{unit_id}/{year}/"
    for url in (file_url, page_url):
        requests.get(url, timeout=30)
        again = requests.get(url, timeout=30)
        assert again.status_code == 200 and again.headers["X-Cache"] in ("HIT", "UPDATING"), url
    assert f"/public/files/{file_id}/" in requests.get(page_url, timeout=30).text
    assert hashlib.sha256(requests.get(file_url, timeout=30).content).hexdigest() == sha256
    # A signed-in user is never answered from (nor stored in) the cache.
    assert reviewer.get(page_url, timeout=30).headers["X-Cache"] == "BYPASS"

    withdrawn = topology.post(reviewer, f"/publication/project/{pk}/unpublish/", {"reason": "数据有误"})
    assert withdrawn.status_code == 302
    started = time.monotonic()
    while requests.get(file_url, timeout=30).status_code != 404:
        assert time.monotonic() - started < 2.5, "a withdrawn file is still served"
        time.sleep(0.1)
    while f"/public/files/{file_id}/" in requests.get(page_url, timeout=30).text:
        assert time.monotonic() - started < 2.5, "a withdrawn table is still listed"
        time.sleep(0.1)


def test_the_public_portal_reads_through_the_replica_alias(topology):
    for app in topology.app_urls:
        assert requests.get(f"{app}/public/", timeout=30).status_code == 200
    replica = topology.sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = 'pjd-replica'",
        topology.database)
    assert replica[0][0] >= 1


def test_with_one_app_host_stopped_the_other_serves_every_request(topology, restores):
    topology.script("stop-service", "web1")
    restores("web1")
    answers = [requests.get(f"{topology.url}/public/", timeout=30).status_code for _ in range(12)]
    assert answers == [200] * 12
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{topology.app_urls[0]}/public/", timeout=5)
    # Logged-in work goes on too: a reviewer approves on the remaining host.
    pk, _ = topology.approved_project()
    assert topology.status(pk) == "approved"


def test_a_worker_killed_mid_publication_leaves_nothing_published_and_another_finishes_it(topology, restores):
    pk, reviewer = topology.approved_project()
    before = topology.objects()
    job_id = topology.publish(reviewer, pk)
    running = topology.wait_job(job_id, states=("running",), timeout=60)
    killed = next(name for name in ("worker1", "worker2") if running["worker"].endswith(f":{topology.pid_of(name)}"))
    # Wait until the job wrote all its files to the bucket and waits for its commit.
    log = topology.run_dir / "logs" / f"{killed}.log"
    deadline = time.monotonic() + 60
    while f"job.pausing job={job_id} " not in log.read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.1)
    written = {key: sha for key, sha in topology.objects().items() if key not in before}
    assert written, "the job wrote no file"
    assert topology.job(job_id)["state"] == "running"
    topology.script("kill-service", killed)
    restores(killed)

    # Nothing half-published: the declaration is still approved, no publication, no file record.
    assert topology.status(pk) == "approved"
    assert topology.publications(pk) == [] and topology.files_of(pk) == []
    assert topology.job(job_id)["state"] == "running"  # until its lease runs out

    time.sleep(LEASE_SECONDS + 1)
    assert f"jobs={job_id}" in topology.script("manage", "requeue_jobs")
    job = topology.wait_job(job_id)
    assert job["state"] == "done" and job["attempts"] == 2, job
    assert job["worker"] != running["worker"]
    assert topology.status(pk) == "published" and len(topology.publications(pk)) == 1

    # The second run made the same files, byte for byte, under the same names: no second copy.
    after = topology.objects()
    for _, sha256, _, name in topology.files_of(pk):
        key = f"media/{name}"
        assert written.get(key) == sha256 == after[key]
    assert set(after) - set(before) == set(written)


def test_a_job_queued_when_redis_restarts_is_queued_again_from_the_database(topology, restores):
    for worker in ("worker1", "worker2"):
        topology.script("stop-service", worker)
        restores(worker)
    pk, reviewer = topology.approved_project()
    job_id = topology.publish(reviewer, pk)
    assert topology.job(job_id)["state"] == "queued"

    topology.script("stop-service", "redis")  # its queue goes: Redis here keeps nothing on disk
    topology.script("start-service", "redis")
    time.sleep(LEASE_SECONDS + 1)
    topology.script("start-service", "worker1")  # a worker starting queues what the broker lost
    job = topology.wait_job(job_id)
    assert job["state"] == "done" and job["attempts"] == 1, job
    assert topology.status(pk) == "published"


def test_with_the_storage_unreachable_publication_fails_clearly_and_publishes_nothing(topology, restores):
    pk, reviewer = topology.approved_project()
    topology.script("stop-service", "s3")
    restores("s3")
    job_id = topology.publish(reviewer, pk)
    job = topology.wait_job(job_id)
    assert job["state"] == "failed"
    assert job["message"] == "文件存储不可用，未公开；已记录错误，请稍后重试或联系管理员"
    page = reviewer.get(f"{topology.url}/jobs/{job_id}/", timeout=30)
    assert "文件存储不可用，未公开" in page.text
    assert topology.status(pk) == "approved"
    assert topology.publications(pk) == [] and topology.files_of(pk) == []
