"""The progress page of a job, seen by the user who asked for it only."""
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_safe

from .models import Job


def _job_of(request, pk):
    return get_object_or_404(Job, pk=pk, user=request.user)


def progress_page(request, job, status=200):
    """The whole page, or its progress part alone for htmx's polling."""
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/job.html"
    return render(request, template, {"job": job}, status=status)


@login_required
@require_safe
def job_status(request, pk):
    return progress_page(request, _job_of(request, pk))


def file_response(job):
    """The job's result file as a download."""
    response = FileResponse(default_storage.open(job.result_file, "rb"), content_type=job.result_content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(job.result_filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_safe
def job_file(request, pk):
    job = _job_of(request, pk)
    if job.state != Job.DONE or not job.result_file:
        raise Http404
    return file_response(job)
