"""Background work (huey): the embedded default keeps its queue in a SQLite file, production in Redis."""
from huey.contrib.djhuey import db_task

from jobs.services import job_run

from . import services


@db_task()
def build_batch(batch_id):
    services.batch_build(batch_id)


@db_task()
def publish_declaration(job_id):
    job_run(job_id, services.declaration_publish_job)


@db_task()
def refresh_release(job_id):
    job_run(job_id, services.release_refresh_job)
