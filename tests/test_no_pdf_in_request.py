"""Issue 16: no web worker ever renders a PDF. A render inside a web request raises PdfInRequest;
the same render inside a job (even one run in the request's thread, huey's immediate mode) and in
a command works."""
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.test import RequestFactory

from declarations.exports.builders import load_document_data
from declarations.exports.layouts import get_layout
from declarations.exports.pdf import PdfInRequest, render_pdf
from declarations.tasks import render_export
from jobs.context import WebRequestMiddleware
from jobs.models import Job
from jobs.services import job_start

from .export_text import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(zunhua_project):
    data = load_document_data(zunhua_project.unit, 2024, with_department=False)
    return get_layout(data.layout).project_document(data, data.projects[0])


def _request(view):
    """The view called as a request is: through the marking middleware."""
    return WebRequestMiddleware(view)(RequestFactory().get("/some/page/"))


def test_the_marking_middleware_comes_first_so_every_view_and_middleware_runs_marked():
    assert settings.MIDDLEWARE[0] == "jobs.context.WebRequestMiddleware"


def test_a_view_that_renders_a_pdf_in_the_request_fails_loudly(document):
    with pytest.raises(PdfInRequest, match=r"inside a web request: PDFs render in jobs"):
        _request(lambda request: HttpResponse(render_pdf(document), content_type="application/pdf"))


def test_the_request_mark_ends_with_the_request(document):
    with pytest.raises(PdfInRequest):
        _request(lambda request: HttpResponse(render_pdf(document)))
    assert "驻京信访工作经费" in pdf_text(render_pdf(document))  # as a command renders it


def test_a_job_started_by_the_request_renders_the_pdf_in_it(filler, zunhua_project):
    """Tests run huey in immediate mode: the job runs inside the request that started it."""

    def view(request):
        job = job_start(kind=Job.EXPORT, user=filler, title="导出", back_url="", task=render_export,
                        params={"part": "project", "pk": zunhua_project.pk, "fmt": "pdf"})
        return HttpResponse(job.state)

    assert _request(view).content == b"done"
    job = Job.objects.get()
    with default_storage.open(job.result_file, "rb") as handle:
        assert "驻京信访工作经费" in pdf_text(handle.read())
