"""Background work of review (huey): the 绩效目标审核表 PDF, never rendered in a web request."""
from huey.contrib.djhuey import db_task

from jobs.services import job_run

from .sheet import review_sheet_render


@db_task()
def render_review_sheet(job_id):
    job_run(job_id, review_sheet_render)
