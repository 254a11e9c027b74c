"""The life of a job: started by a request, run by a worker, read by the progress page.

A job's state lives in the database, not in the broker: a job queued or running whose lease
ran out (its worker was killed, Redis restarted without its queue) is queued again from that
state by `jobs_requeue`, and a job's work commits together with its outcome, so a job run
twice publishes once."""
import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .context import outside_request
from .models import Job

logger = logging.getLogger(__name__)
PENDING = [Job.QUEUED, Job.RUNNING]


class JobRefused(Exception):
    """The work was refused with a message the user can read (e.g. a publication's ReviewError)."""


def storage_errors():
    """The exceptions of an unreachable or failing media storage (S3: botocore's)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - django-storages[s3] is in requirements.txt
        return ()
    return (BotoCoreError, ClientError)


STORAGE_UNAVAILABLE = "文件存储不可用，未完成；已记录错误，请稍后重试或联系管理员"


def _lease():
    return timezone.now() + timedelta(seconds=settings.JOB_LEASE_SECONDS)


def task_path(task):
    """The dotted path of a huey task, stored on the job so that it can be queued again."""
    return f"{task.func.__module__}.{task.func.__name__}"


def job_start(*, kind, user, title, params, back_url, task):
    """A job for the work, enqueued on `task` (a huey task taking the job's id).

    The same work already waiting or running for the same user is not queued twice (a second
    click, a reload of the download link). The request is not atomic (no ATOMIC_REQUESTS), so
    the row is committed before the worker can read it."""
    job = Job.objects.filter(kind=kind, user=user, params=params, state__in=PENDING).first()
    if job is not None:
        return job
    job = Job.objects.create(
        kind=kind, user=user, title=title[:300], params=params, back_url=back_url[:300], task=task_path(task),
        lease_until=_lease(),
    )
    try:
        task(job.pk)
    except Exception:  # the queue (Redis) unreachable: the job waits in the database, queued again by requeue_jobs
        logger.exception("job.enqueue_failed job=%s", job.pk)
    job.refresh_from_db()
    return job


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


class _Heartbeat:
    """Renews a running job's lease every third of it, from a thread, while the work runs."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"job-{job_id}-lease", daemon=True)

    def _run(self):
        interval = max(1.0, settings.JOB_LEASE_SECONDS / 3)
        try:
            while not self.stop.wait(interval):
                try:
                    Job.objects.filter(pk=self.job_id, state=Job.RUNNING).update(lease_until=_lease())
                except Exception:  # a missed beat only shortens the lease
                    logger.exception("job.heartbeat_failed job=%s", self.job_id)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)


def job_run(job_id, work):
    """Run `work(job)` for a queued job (in the worker) and record its outcome.

    `work` returns the fields of the result (message, result_file, …) and runs in one
    transaction with the job's outcome: a worker killed mid-way leaves nothing of the work and
    the job running, and `jobs_requeue` gives it to another worker once its lease runs out.
    JobRefused ends the job with its message; an unreachable storage and any other error are
    logged for the operator and shown as a general message."""
    claimed = Job.objects.filter(pk=job_id, state=Job.QUEUED).update(
        state=Job.RUNNING, worker=worker_name(), attempts=F("attempts") + 1, lease_until=_lease(),
    )
    if not claimed:  # done by another worker already, or no longer there
        return
    job = Job.objects.select_related("user").get(pk=job_id)
    logger.info("job.running job=%s kind=%s worker=%s attempt=%s", job.pk, job.kind, job.worker, job.attempts)
    try:
        # outside_request: in immediate mode the job runs inside the request that started it.
        with _Heartbeat(job.pk), transaction.atomic(), outside_request():
            result = work(job) or {}
            if settings.JOB_PAUSE_BEFORE_COMMIT:  # fault tests: a window to kill the worker in
                logger.info("job.pausing job=%s seconds=%s", job.pk, settings.JOB_PAUSE_BEFORE_COMMIT)
                time.sleep(settings.JOB_PAUSE_BEFORE_COMMIT)
            _finish(job, Job.DONE, done=job.total, **result)
    except JobRefused as refusal:
        _finish(job, Job.FAILED, message=str(refusal))
    except storage_errors():
        logger.exception("job.storage_unavailable job=%s kind=%s params=%s", job.pk, job.kind, job.params)
        _finish(job, Job.FAILED, message=STORAGE_UNAVAILABLE)
    except Exception:
        logger.exception("job.failed job=%s kind=%s params=%s", job.pk, job.kind, job.params)
        _finish(job, Job.FAILED, message="处理失败，错误已记录，请联系管理员后重试")


def _finish(job, state, **fields):
    Job.objects.filter(pk=job.pk).update(state=state, finished_at=timezone.now(), lease_until=None, **fields)
    logger.info("job.%s job=%s kind=%s", state, job.pk, job.kind)


def jobs_requeue(*, now=None):
    """Queue again every job queued or running whose lease ran out; returns their ids.

    The database is the record of what must be done: a worker killed during a job, or a broker
    restarted without its queue, loses nothing that is still pending here. Each job is taken
    back with a conditional update, so two workers running this at once queue it once; a job
    that is still in the broker as well runs once (job_run claims it once)."""
    now = now or timezone.now()
    requeued = []
    expired = Job.objects.filter(state__in=PENDING, lease_until__lt=now).exclude(task="")
    for pk, task in expired.values_list("pk", "task"):
        taken = Job.objects.filter(pk=pk, state__in=PENDING, lease_until__lt=now).update(
            state=Job.QUEUED, lease_until=_lease(),
        )
        if not taken:
            continue
        import_string(task)(pk)
        requeued.append(pk)
        logger.warning("job.requeued job=%s task=%s", pk, task)
    return requeued


def jobs_requeue_at_start():
    """What a worker does when it starts (huey's on_startup): queue what a dead worker left."""
    close_old_connections()
    try:
        return jobs_requeue()
    finally:
        connection.close()
