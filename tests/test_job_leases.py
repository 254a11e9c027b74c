"""Jobs that outlive their worker or their broker, workers with limits, and publications that
are all or nothing (docs/tasks.md). The same faults against real processes: tests/topology."""
import hashlib
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from declarations.exports.xlsx import render_xlsx
from declarations.models import ProjectDeclaration
from jobs.models import Job
from jobs.services import job_run, jobs_requeue
from public.models import PublishedFile
from review import services
from review.models import Publication

from .test_jobs import approved, worker  # noqa: F401 - the fixtures: an approved project, a queue run by hand


def _publish(client, reviewer, project):
    client.force_login(reviewer)
    client.post(reverse("publication_act", args=["project", project.pk, "publish"]))
    return Job.objects.get(kind=Job.PUBLISH)


def _expire(job):
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))


def test_a_queued_job_records_its_task_and_a_lease(client, reviewer, approved, worker):
    job = _publish(client, reviewer, approved)
    assert job.state == Job.QUEUED and job.task == "public.tasks.publish_declaration"
    assert job.lease_until > timezone.now()


def test_a_job_lost_with_the_broker_is_queued_again_and_published_once(client, reviewer, approved, worker):
    job = _publish(client, reviewer, approved)
    HUEY.flush()  # the broker restarted without its data
    _expire(job)
    assert jobs_requeue() == [job.pk]
    worker()
    job.refresh_from_db()
    assert job.state == Job.DONE and job.attempts == 1
    assert Publication.objects.filter(project=approved).count() == 1


def test_a_job_whose_worker_died_while_running_is_run_again_by_another(client, reviewer, approved, worker):
    job = _publish(client, reviewer, approved)
    HUEY.flush()  # the broker restarted without its data
    Job.objects.filter(pk=job.pk).update(state=Job.RUNNING, worker="web9:4242", attempts=1)  # then SIGKILL
    _expire(job)
    call_command("requeue_jobs")
    worker()
    job.refresh_from_db()
    assert job.state == Job.DONE and job.attempts == 2 and job.worker != "web9:4242"
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "published"


def test_a_job_within_its_lease_is_left_alone(client, reviewer, approved, worker):
    job = _publish(client, reviewer, approved)
    Job.objects.filter(pk=job.pk).update(state=Job.RUNNING)
    assert jobs_requeue() == []
    assert Job.objects.get(pk=job.pk).state == Job.RUNNING


def test_a_job_queued_twice_runs_once(client, reviewer, approved, worker):
    job = _publish(client, reviewer, approved)
    _expire(job)
    jobs_requeue()  # the first task is still in the broker too
    worker()
    job.refresh_from_db()
    assert job.state == Job.DONE and job.attempts == 1
    assert Publication.objects.filter(project=approved).count() == 1


def test_a_finished_job_is_never_queued_again(client, reviewer, approved):
    job = _publish(client, reviewer, approved)
    assert job.state == Job.DONE and job.lease_until is None
    assert jobs_requeue(now=timezone.now() + timedelta(days=1)) == []


def test_work_and_outcome_commit_together(reviewer, approved, monkeypatch):
    """A worker that dies after the work but before the job's outcome is written leaves no work
    behind either (here: the outcome's write fails)."""
    from public.services import declaration_publish_job

    job = Job.objects.create(kind=Job.PUBLISH, user=reviewer, title="公开", task="public.tasks.publish_declaration",
                             params={"kind": "project", "pk": approved.pk})

    def dies(*args, **kwargs):
        raise SystemExit("killed")

    monkeypatch.setattr("jobs.services._finish", dies)
    with pytest.raises(SystemExit):
        job_run(job.pk, declaration_publish_job)
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "approved"
    assert not Publication.objects.filter(project=approved).exists()
    assert Job.objects.get(pk=job.pk).state == Job.RUNNING  # for requeue_jobs once its lease runs out


def test_a_publication_over_the_pdf_time_limit_fails_with_the_limit_named(client, reviewer, approved, settings):
    settings.PDF_TIMEOUT_SECONDS = 1  # a child cannot even start Django in a second
    page = client.get(reverse("job", args=[_publish(client, reviewer, approved).pk]))
    assert "生成公开文件失败，未公开：PDF 生成超过时间限制（1 秒），已停止" in page.text
    assert not Publication.objects.filter(project=approved).exists()


def test_a_publication_over_the_pdf_memory_limit_fails_with_the_limit_named(client, reviewer, approved, settings):
    settings.PDF_TIMEOUT_SECONDS, settings.PDF_MEMORY_MB = 60, 40
    page = client.get(reverse("job", args=[_publish(client, reviewer, approved).pk]))
    assert "生成公开文件失败，未公开：PDF 生成超出内存限制（40 MB），已停止" in page.text
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "approved"


def test_a_publication_with_the_storage_unreachable_fails_clearly_and_publishes_nothing(
    client, reviewer, approved, settings
):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "media", "endpoint_url": "http://127.0.0.1:9", "access_key": "a", "secret_key": "b",
                    "region_name": "us-east-1",
                    "client_config": __import__("botocore.config").config.Config(
                        connect_timeout=1, retries={"max_attempts": 1})},
    }}
    job = _publish(client, reviewer, approved)
    assert job.state == Job.FAILED
    assert job.message == "文件存储不可用，未公开；已记录错误，请稍后重试或联系管理员"
    assert ProjectDeclaration.objects.get(pk=approved.pk).status == "approved"
    assert not Publication.objects.filter(project=approved).exists() and not PublishedFile.objects.exists()


def test_a_file_published_again_reuses_the_stored_bytes_of_the_same_content(approved, reviewer):
    from public.services import _store

    publication = Publication.objects.create(project=approved, snapshot=services.approved_snapshot(approved),
                                             published_by=reviewer)
    first = _store("publication", publication, "json", "表.json", b'{"a": 1}')
    second = _store("publication", publication, "json", "表.json", b'{"a": 1}')
    assert first.file.name == second.file.name and first.sha256 == second.sha256


def test_a_damaged_stored_file_is_not_reused_for_the_same_content(approved, reviewer):
    from public.services import _store

    publication = Publication.objects.create(project=approved, snapshot=services.approved_snapshot(approved),
                                             published_by=reviewer)
    first = _store("publication", publication, "json", "表.json", b'{"b": 2}')
    with first.file.storage.open(first.file.name, "wb") as handle:
        handle.write(b"damaged")
    second = _store("publication", publication, "json", "表.json", b'{"b": 2}')
    assert second.file.name != first.file.name
    with second.file.open("rb") as handle:
        assert handle.read() == b'{"b": 2}'


def test_a_workbook_written_twice_has_the_same_bytes(zunhua_unit):
    from declarations.exports.builders import load_document_data
    from declarations.exports.layouts import get_layout

    data = load_document_data(zunhua_unit, 2024)
    document = get_layout(data.layout).document(data)
    first = render_xlsx(document)
    time.sleep(1.1)  # openpyxl stamps the second in the ZIP entries and docProps/core.xml
    assert hashlib.sha256(render_xlsx(document)).hexdigest() == hashlib.sha256(first).hexdigest()


def test_the_review_sheet_is_printed_by_a_worker_not_in_the_request(client, reviewer, approved, worker):
    client.force_login(reviewer)
    page = client.get(reverse("review_sheet", args=["project", approved.pk]))
    job = Job.objects.get(kind=Job.EXPORT)
    assert '<p data-testid="job-state">排队中</p>' in page.text and job.params["part"] == "review_sheet"
    worker()
    download = client.get(reverse("job_file", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
