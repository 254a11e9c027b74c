"""Downloads of the printed forms and their on-screen preview (the same Document as the PDF).

A download whose content is kept (declarations/exports/registry.py) is answered at once; any
other is rendered by a worker as a job, and the answer is the job's progress page."""
import logging

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import escape_uri_path

from jobs.models import Job
from jobs.services import job_start
from jobs.views import progress_page

from . import selectors
from .exports.builders import load_document_data
from .exports.layouts import get_layout
from .exports.registry import FORMATS, NotKept, export_department, export_document, export_project
from .tasks import render_export

logger = logging.getLogger(__name__)


def export_or_job(request, export, *, title, params, back_url, task=render_export, **kwargs):
    """The kept file at once; else a job on `task` renders it and the progress page answers. A
    job that is over before the page is drawn (a worker faster than this request) answers its
    outcome. `export(**kwargs, render=False)` answers a kept Export or raises NotKept; the
    evaluation app's exports come here too, with their own task."""
    try:
        return _download(*export(**kwargs, render=False))
    except NotKept:
        pass
    except Exception:  # the kept file could not be read (storage unreachable)
        logger.exception("export.failed user=%s %s", request.user.pk, kwargs)
        return render(request, "declarations/export_failed.html", status=500)
    job = job_start(kind=Job.EXPORT, user=request.user, title=f"导出：{title}（{FORMATS[params['fmt']]}）",
                    params=params, back_url=back_url, task=task)
    if job.state == Job.DONE:
        with default_storage.open(job.result_file, "rb") as handle:
            return _download(job.result_filename, job.result_content_type, handle.read())
    if job.state == Job.FAILED:
        logger.error("export.failed user=%s job=%s", request.user.pk, job.pk)
        return render(request, "declarations/export_failed.html", status=500)
    return progress_page(request, job)


def _download(filename, content_type, content):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _format(fmt):
    if fmt not in FORMATS:
        raise Http404
    return fmt


def _year_of(user, unit, year):
    if (unit.pk, year) not in selectors.documents_of(user):
        raise Http404
    return year


@login_required
def document_download(request, unit_pk, year, fmt):
    unit = selectors.unit_for(request.user, unit_pk)
    _year_of(request.user, unit, year)
    return export_or_job(
        request, export_document, unit=unit, year=year, fmt=_format(fmt),
        title=f"{unit.name} {year}年度整体文档", params={"part": "document", "unit": unit.pk, "year": year, "fmt": fmt},
        back_url=reverse("document_preview", args=[unit.pk, year]),
    )


@login_required
def project_download(request, pk, fmt):
    project = selectors.project_declaration_for(request.user, pk)
    return export_or_job(
        request, export_project, project=project, fmt=_format(fmt),
        title=f"{project.year.year}年「{project.name}」", params={"part": "project", "pk": project.pk, "fmt": fmt},
        back_url=reverse("project_detail", args=[project.pk]),
    )


@login_required
def department_download(request, pk, fmt):
    department = selectors.department_declaration_for(request.user, pk)
    return export_or_job(
        request, export_department, department=department, fmt=_format(fmt),
        title=f"{department.year.year}年 {department.printed_name}部门整体绩效目标",
        params={"part": "department", "pk": department.pk, "fmt": fmt},
        back_url=reverse("department_detail", args=[department.pk]),
    )


@login_required
def document_preview(request, unit_pk, year):
    unit = selectors.unit_for(request.user, unit_pk)
    _year_of(request.user, unit, year)
    data = load_document_data(unit, year)
    document = get_layout(data.layout).document(data)
    return render(
        request,
        "declarations/document_preview.html",
        {"document": document, "unit": unit, "year": year, "formats": FORMATS},
    )


@login_required
def document_import(request, unit_pk, year):
    """A filler uploads an edited export of the unit's document; all or nothing."""
    from .services.workbook_import import WorkbookError, workbook_import

    unit = selectors.unit_for(request.user, unit_pk)
    if not (request.user.is_filler and request.user.unit_id == unit.pk):
        raise Http404
    _year_of(request.user, unit, year)
    problems, result = [], None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = ["请选择要导入的 .xlsx 文件"]
        elif upload.size > 10 * 1024 * 1024:
            problems = ["文件过大，上限为 10 MB"]
        else:
            try:
                result = workbook_import(content=upload.read(), unit=unit, year=year, user=request.user)
            except WorkbookError as error:
                problems = error.problems
    return render(request, "declarations/document_import.html",
                  {"unit": unit, "year": year, "problems": problems, "result": result})
