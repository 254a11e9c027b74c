"""Downloads of the printed forms and their on-screen preview (the same Document as the PDF)."""
import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.encoding import escape_uri_path

from . import selectors
from .exports.builders import load_document_data
from .exports.layouts import get_layout
from .exports.registry import FORMATS, export_department, export_document, export_project

logger = logging.getLogger(__name__)


def _export_or_error_page(request, export, **kwargs):
    """Run an export; when the renderer fails, log it and answer a readable error page."""
    try:
        return _download(*export(**kwargs))
    except Exception:
        logger.exception("export.failed user=%s %s", request.user.pk, kwargs)
        return render(request, "declarations/export_failed.html", status=500)


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
    return _export_or_error_page(request, export_document, unit=unit, year=year, fmt=_format(fmt))


@login_required
def project_download(request, pk, fmt):
    project = selectors.project_declaration_for(request.user, pk)
    return _export_or_error_page(request, export_project, project=project, fmt=_format(fmt))


@login_required
def department_download(request, pk, fmt):
    department = selectors.department_declaration_for(request.user, pk)
    return _export_or_error_page(request, export_department, department=department, fmt=_format(fmt))


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
