"""The jobs' own upkeep in the workers: jobs whose lease ran out are queued again each minute,
and when a worker starts (docs/tasks.md)."""
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from . import services


@db_periodic_task(crontab(minute="*"))
def requeue_jobs():
    services.jobs_requeue()


@on_startup()
def requeue_jobs_at_start():
    services.jobs_requeue_at_start()
