"""Background work of declarations (huey): whole-document, project and department exports that
are not kept yet are rendered by a worker, never in a web request (docs/tasks.md)."""
from huey.contrib.djhuey import db_task

from jobs.services import JobRefused, job_run

from .exports import worker
from .exports.registry import export_department, export_document, export_project
from .models import DepartmentDeclaration, ProjectDeclaration, Unit


def export_render(job):
    """Render the export a job asks for through the registry, so that it lands in the kept files.
    A PDF over its time or memory limit ends the job with the limit named."""
    try:
        return _export_render(job)
    except worker.RenderError as error:
        raise JobRefused(f"导出失败：{error.summary}") from None


def _export_render(job):
    params = job.params
    if params["part"] == "document":
        export = export_document(unit=Unit.objects.get(pk=params["unit"]), year=params["year"], fmt=params["fmt"])
    elif params["part"] == "project":
        export = export_project(project=ProjectDeclaration.objects.get(pk=params["pk"]), fmt=params["fmt"])
    else:
        export = export_department(department=DepartmentDeclaration.objects.get(pk=params["pk"]), fmt=params["fmt"])
    filename, content_type, _ = export
    return {"result_file": export.stored, "result_filename": filename, "result_content_type": content_type}


@db_task()
def render_export(job_id):
    job_run(job_id, export_render)

