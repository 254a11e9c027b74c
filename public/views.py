"""The public portal: anonymous pages over what is published now, and nothing else."""
from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_GET, require_POST

from declarations.exports.builders import load_document_data
from declarations.exports.layouts import get_layout
from declarations.models import BudgetYear, FinanceBureau, Unit

from . import services
from .models import BatchExport, DocumentRelease, PublishedFile

PAGE_MAX_AGE = 300


def _public(response, max_age=PAGE_MAX_AGE):
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _published_pairs():
    """(unit id, year id) of every unit and year with a table public now, in one light query."""
    rows = services.current_publications().values_list(
        "project__unit_id", "project__year_id", "department__unit_id", "department__year_id"
    )
    return {(p_unit or d_unit, p_year or d_year) for p_unit, p_year, d_unit, d_year in rows}


@require_GET
def index(request):
    pairs = _published_pairs()
    bureaus = FinanceBureau.objects.filter(units__pk__in={u for u, _ in pairs}).distinct().order_by("province", "name")
    years = BudgetYear.objects.filter(pk__in={y for _, y in pairs}).order_by("-year")
    return _public(render(request, "public/index.html", {"bureaus": bureaus, "years": years}))


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:50]
    year = request.GET.get("year", "")
    publications = services.current_publications()
    if year.isdigit():
        publications = publications.filter(Q(project__year__year=year) | Q(department__year__year=year))
    if query:
        publications = publications.filter(
            Q(project__name__icontains=query) | Q(project__code__icontains=query)
            | Q(project__unit__name__icontains=query) | Q(department__unit__name__icontains=query)
            | Q(department__department_name__icontains=query)
        )
    results = []
    if query or year:
        publications = publications.select_related("project__unit__bureau", "department__unit__bureau")
        for publication in publications.order_by("-published_at")[:200]:
            declaration = publication.declaration
            results.append({
                "unit": declaration.unit, "year": declaration.year.year,
                "name": getattr(declaration, "name", None) or f"{declaration.printed_name}部门整体绩效目标",
                "published_at": publication.published_at,
            })
    years = BudgetYear.objects.filter(pk__in={y for _, y in _published_pairs()}).order_by("-year")
    return _public(render(request, "public/search.html", {"query": query, "year": year, "results": results, "years": years}))


@require_GET
def bureau(request, pk):
    bureau = get_object_or_404(FinanceBureau, pk=pk)
    pairs = _published_pairs()
    year_of = dict(BudgetYear.objects.values_list("pk", "year"))
    units = {}
    for unit in Unit.objects.filter(bureau=bureau, pk__in={u for u, _ in pairs}).order_by("name"):
        units[unit] = sorted((year_of[y] for u, y in pairs if u == unit.pk), reverse=True)
    if not units:
        raise Http404
    years = sorted({year for years in units.values() for year in years}, reverse=True)
    return _public(render(request, "public/bureau.html", {"bureau": bureau, "units": units, "years": years}))


@require_GET
def unit_year(request, unit_pk, year):
    unit = get_object_or_404(Unit.objects.select_related("bureau__layout"), pk=unit_pk)
    budget_year = get_object_or_404(BudgetYear, year=year)
    release = services.current_release(unit, budget_year)
    if release is None:
        raise Http404
    publications = list(release.publications.select_related("snapshot", "project", "department").prefetch_related("files"))
    project_ids = [p.project_id for p in publications if p.project_id]
    with_department = any(p.department_id for p in publications)
    data = load_document_data(unit, year, project_ids=project_ids, with_department=with_department)
    document = get_layout(data.layout_code).document(data)
    older = DocumentRelease.objects.filter(unit=unit, year=budget_year, number__lt=release.number).prefetch_related(
        "files", "publications__project", "publications__department"
    )
    older = [r for r in older if _release_is_public(r)]
    return _public(render(request, "public/unit_year.html", {
        "unit": unit, "year": year, "release": release, "document": document, "publications": publications,
        "older": older,
    }))


def _release_is_public(release):
    """A release is public while every table in it is published now (a re-publication keeps it)."""
    return all(p.declaration.status == "published" for p in release.publications.all())


def _file_is_public(published):
    if published.publication_id:
        return published.publication.declaration.status == "published"
    return _release_is_public(published.release)


@require_GET
def published_file(request, pk, sha256, filename):
    published = get_object_or_404(
        PublishedFile.objects.select_related("publication__project", "publication__department", "release"),
        pk=pk, sha256=sha256,
    )
    if not _file_is_public(published):
        raise Http404
    if request.headers.get("If-None-Match") == f'"{published.sha256}"':
        response = HttpResponse(status=304)
    elif settings.PUBLIC_FILES_ACCEL_REDIRECT:
        # The app only authorises; nginx sends the bytes from the media folder (docs/scaling.md).
        response = HttpResponse(content_type=published.content_type)
        response["X-Accel-Redirect"] = escape_uri_path(settings.PUBLIC_FILES_ACCEL_REDIRECT + published.file.name)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(published.filename)}"
    else:
        response = FileResponse(published.file.open("rb"), content_type=published.content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(published.filename)}"
    response["ETag"] = f'"{published.sha256}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=31536000, immutable=True)
    return response


@require_POST
def batch_start(request, bureau_pk, year):
    bureau = get_object_or_404(FinanceBureau, pk=bureau_pk)
    budget_year = get_object_or_404(BudgetYear, year=year)
    try:
        batch = services.batch_start(bureau=bureau, year=budget_year)
    except services.NothingPublished:
        raise Http404 from None
    return redirect("public_batch", batch.pk)


@require_GET
def batch_status(request, pk):
    batch = get_object_or_404(BatchExport.objects.select_related("bureau", "year"), pk=pk)
    template = "public/_batch_progress.html" if request.headers.get("HX-Request") else "public/batch.html"
    return render(request, template, {"batch": batch})


@require_GET
def batch_download(request, pk):
    batch = get_object_or_404(BatchExport, pk=pk, state=BatchExport.DONE)
    if batch.fingerprint != services.batch_fingerprint(batch.bureau, batch.year):
        raise Http404  # something in it has been withdrawn or replaced since: build a new one
    response = FileResponse(batch.file.open("rb"), content_type="application/zip")
    name = f"{batch.year.year}-{batch.bureau.name}-公开文档.zip"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    response["ETag"] = f'"{batch.sha256}"'
    return _public(response, max_age=3600)


@require_GET
def robots(request):
    lines = ["User-agent: *", "Allow: /public/", "Disallow: /admin/", "Disallow: /review/", "Disallow: /projects/",
             "Disallow: /departments/", "Disallow: /documents/", "Disallow: /login/"]
    return _public(HttpResponse("\n".join(lines) + "\n", content_type="text/plain"), max_age=86400)
