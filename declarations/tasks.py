"""Background work of declarations (huey): whole-document, project and department exports that
are not kept yet are rendered by a worker, never in a web request (docs/tasks.md)."""
from huey.contrib.djhuey import db_task

from jobs.services import JobRefused, job_run

from .exports import worker
from .exports.registry import export_department, export_document, export_project
from .models import DepartmentDeclaration, ProjectDeclaration, Unit


def export_work(export_of):
    """The work of an export job: `export_of(params)` renders the Export the job's params name
    through the registry (so that it lands in the kept files), and the job offers its kept file.
    A PDF over its time or memory limit ends the job with the limit named. The evaluation app's
    export jobs use it with their own `export_of`."""

    def work(job):
        try:
            export = export_of(job.params)
        except worker.RenderError as error:
            raise JobRefused(f"导出失败：{error.summary}") from None
        filename, content_type, _ = export
        return {"result_file": export.stored, "result_filename": filename, "result_content_type": content_type}

    return work


def _export_of(params):
    if params["part"] == "document":
        return export_document(unit=Unit.objects.get(pk=params["unit"]), year=params["year"], fmt=params["fmt"])
    if params["part"] == "project":
        return export_project(project=ProjectDeclaration.objects.get(pk=params["pk"]), fmt=params["fmt"])
    return export_department(department=DepartmentDeclaration.objects.get(pk=params["pk"]), fmt=params["fmt"])


export_render = export_work(_export_of)


@db_task()
def render_export(job_id):
    job_run(job_id, export_render)
