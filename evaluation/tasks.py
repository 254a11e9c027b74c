"""Background work of 运行监控 and 绩效自评 (huey): the downloads that are not kept yet and the
files of a publication are rendered by a worker, never in a web request (docs/tasks.md)."""
from huey.contrib.djhuey import db_task

from declarations.tasks import export_work
from jobs.services import job_run

from . import exports, services
from .models import MonitoringReport, SelfEvaluation

RELATED = ("project__unit__bureau__layout", "project__year")


def _export_of(params):
    if params["part"] == "monitoring":
        obj = MonitoringReport.objects.select_related("round__year", *RELATED).get(pk=params["pk"])
    else:
        obj = SelfEvaluation.objects.select_related(*RELATED).get(pk=params["pk"])
    return exports.export_table(obj=obj, fmt=params["fmt"])


export_render = export_work(_export_of)


@db_task()
def render_evaluation_export(job_id):
    job_run(job_id, export_render)


@db_task()
def render_publication_files(job_id):
    job_run(job_id, services.self_evaluation_files_job)
