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
    return _download(*export_document(unit=unit, year=year, fmt=_format(fmt)))


@login_required
def project_download(request, pk, fmt):
    project = selectors.project_declaration_for(request.user, pk)
    return _download(*export_project(project=project, fmt=_format(fmt)))


@login_required
def department_download(request, pk, fmt):
    department = selectors.department_declaration_for(request.user, pk)
    return _download(*export_department(department=department, fmt=_format(fmt)))


@login_required
def document_preview(request, unit_pk, year):
    unit = selectors.unit_for(request.user, unit_pk)
    _year_of(request.user, unit, year)
    data = load_document_data(unit, year)
    document = get_layout(data.layout_code).document(data)
    return render(
        request,
        "declarations/document_preview.html",
        {"document": document, "unit": unit, "year": year, "formats": FORMATS},
    )
