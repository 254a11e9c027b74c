"""The life of a job: started by a request, run by a worker, read by the progress page."""
import logging

from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)


class JobRefused(Exception):
    """The work was refused with a message the user can read (e.g. a publication's ReviewError)."""


def job_start(*, kind, user, title, params, back_url, task):
    """A job for the work, enqueued on `task` (a huey task taking the job's id).

    The same work already waiting or running for the same user is not queued twice (a second
    click, a reload of the download link). The request is not atomic (no ATOMIC_REQUESTS), so
    the row is committed before the worker can read it."""
    job = Job.objects.filter(kind=kind, user=user, params=params, state__in=[Job.QUEUED, Job.RUNNING]).first()
    if job is not None:
        return job
    job = Job.objects.create(kind=kind, user=user, title=title[:300], params=params, back_url=back_url[:300])
    task(job.pk)
    job.refresh_from_db()
    return job


def job_run(job_id, work):
    """Run `work(job)` for a queued job (in the worker) and record its outcome.

    `work` returns the fields of the result (message, result_file, …); JobRefused ends the job
    with its message; any other error is logged for the operator and shown as a general one."""
    claimed = Job.objects.filter(pk=job_id, state=Job.QUEUED).update(state=Job.RUNNING)
    if not claimed:  # done by another worker already, or no longer there
        return
    job = Job.objects.select_related("user").get(pk=job_id)
    try:
        result = work(job) or {}
    except JobRefused as refusal:
        _finish(job, Job.FAILED, message=str(refusal))
    except Exception:
        logger.exception("job.failed job=%s kind=%s params=%s", job.pk, job.kind, job.params)
        _finish(job, Job.FAILED, message="处理失败，错误已记录，请联系管理员后重试")
    else:
        _finish(job, Job.DONE, done=job.total, **result)


def _finish(job, state, **fields):
    Job.objects.filter(pk=job.pk).update(state=state, finished_at=timezone.now(), **fields)
    logger.info("job.%s job=%s kind=%s", state, job.pk, job.kind)
