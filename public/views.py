"""The public portal: anonymous pages over what is published now, from the published snapshots
only; and the reviewer's acts of publishing and withdrawing."""
from functools import wraps

import logging

from django.conf import settings
from django.core.cache import cache
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.encoding import escape_uri_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_POST, require_safe

from declarations.models import BudgetYear, FinanceBureau, Unit
from review.forms import UnpublishForm
from review.services import ReviewError
from review.views import declaration_for_reviewer, form_errors

from . import search as search_entries
from . import services
from .generation import portal_generation
from .models import BatchExport, DocumentRelease

logger = logging.getLogger(__name__)

# Raised when a change of code or templates alters every page, so that revalidation fetches it anew
# and no page rendered by the previous code is served from the cache.
PAGES_VERSION = "3"
# A rendered page stays valid for its generation; older generations are never asked for again and
# simply age out.
PAGE_CACHE_SECONDS = 24 * 3600


def _public(response, max_age):
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _generation(request, *args, **kwargs):
    if not hasattr(request, "_portal_generation"):
        request._portal_generation = portal_generation()
    return request._portal_generation


def _etag(request, *args, **kwargs):
    return f"p{PAGES_VERSION}-{_generation(request)[0]}"


def _last_modified(request, *args, **kwargs):
    return _generation(request)[1]


def portal_page(view):
    """A public page: GET and HEAD; revalidated on every visit by an ETag and Last-Modified taken
    from the portal's generation (public/generation.py), which changes with each publication,
    withdrawal and release, so a page seen before one is never shown after it, and an unchanged
    page answers 304."""
    conditional = require_safe(condition(etag_func=_etag, last_modified_func=_last_modified)(view))

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response

    return wrapper


def rendered_once(view):
    """A public page rendered once per generation: later visits get the stored HTML for one read
    of the generation row. The key holds the view and its URL arguments only (the query string
    is not read by these pages, so it cannot fill the cache); pages are the same for everyone
    (no user, no CSRF token)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        number = _generation(request)[0]
        arguments = ":".join(f"{value}" for value in (*args, *(kwargs[k] for k in sorted(kwargs))))
        key = f"public-page:{PAGES_VERSION}:{number}:{view.__name__}:{arguments}"
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, (response.content, response["Content-Type"]), PAGE_CACHE_SECONDS)
        return response

    return wrapper


def _published_pairs():
    """(unit id, year id) of every unit and year with a table public now, in one light query."""
    rows = services.current_publications().values_list(
        "project__unit_id", "project__year_id", "department__unit_id", "department__year_id"
    )
    return {(p_unit or d_unit, p_year or d_year) for p_unit, p_year, d_unit, d_year in rows}


@portal_page
@rendered_once
def index(request):
    pairs = _published_pairs()
    bureaus = FinanceBureau.objects.filter(units__pk__in={u for u, _ in pairs}).distinct().order_by("province", "name")
    years = BudgetYear.objects.filter(pk__in={y for _, y in pairs}).order_by("-year")
    return render(request, "public/index.html", {"bureaus": bureaus, "years": years})


@portal_page
def search(request):
    # Control characters (NUL above all) are never part of a name; PostgreSQL refuses NUL outright.
    query = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable()).strip()[:50]
    year = request.GET.get("year", "")
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    results, total, page = search_entries.search(query, year, page) if query or year else ([], 0, 1)
    pages = min(-(-total // search_entries.SEARCH_PAGE), search_entries.SEARCH_MAX_PAGES)
    return render(request, "public/search.html", {
        "query": query, "year": year, "results": results, "total": total, "years": search_entries.published_years(),
        "page": page, "pages": pages, "first": (page - 1) * search_entries.SEARCH_PAGE + 1,
        "last": (page - 1) * search_entries.SEARCH_PAGE + len(results),
        "capped": total > pages * search_entries.SEARCH_PAGE,
    })


@portal_page
@rendered_once
def bureau(request, pk):
    bureau = get_object_or_404(FinanceBureau, pk=pk)
    rows = (
        services.current_publications()
        .filter(Q(project__unit__bureau=bureau) | Q(department__unit__bureau=bureau))
        .order_by("published_at", "pk")
        .values_list("project__unit_id", "department__unit_id", "project__year__year", "department__year__year",
                     "unit_name")
    )
    by_unit = {}
    for p_unit, d_unit, p_year, d_year, unit_name in rows:
        entry = by_unit.setdefault(p_unit or d_unit, {"pk": p_unit or d_unit, "years": set()})
        entry["name"] = unit_name  # as published, the newest publication's
        entry["years"].add(p_year or d_year)
    if not by_unit:
        raise Http404
    units = sorted(
        ({**entry, "years": sorted(entry["years"], reverse=True)} for entry in by_unit.values()),
        key=lambda entry: entry["name"],
    )
    years = sorted({year for entry in units for year in entry["years"]}, reverse=True)
    return render(request, "public/bureau.html", {"bureau": bureau, "units": units, "years": years})


@portal_page
@rendered_once
def unit_year(request, unit_pk, year):
    unit = get_object_or_404(Unit.objects.select_related("bureau__layout"), pk=unit_pk)
    budget_year = get_object_or_404(BudgetYear, year=year)
    release = services.current_release(unit, budget_year)
    if release is None:
        raise Http404
    publications = list(release.publications.select_related("snapshot", "project").prefetch_related("files"))
    publications.sort(key=lambda p: (p.project_id is not None, p.project.order if p.project else 0, p.pk))
    for publication in services.table_history(publications):
        publication.anchor = search_entries.anchor_of(publication)
    document = services.release_document(release)
    older = DocumentRelease.objects.filter(unit=unit, year=budget_year, number__lt=release.number).prefetch_related(
        "files", "publications"
    )
    older = [r for r in older if services.release_is_public(r)]
    return render(request, "public/unit_year.html", {
        "unit": unit, "unit_name": publications[0].unit_name or unit.name, "year": year,
        "release": release, "document": document, "publications": publications, "older": older,
    })


def stored_download(request, *, stored, filename, content_type, size, etag, max_age, immutable=False):
    """The answer to a download already authorised: 304 when the browser holds it; headers only
    for HEAD; with PUBLIC_ACCEL_REDIRECT_PREFIX an empty body and X-Accel-Redirect (nginx sends
    the file from the storage, docs/scaling.md); otherwise the file streamed from the storage.
    Any stored public file is served this way (evaluation's published self-evaluations too)."""
    disposition = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    if request.headers.get("If-None-Match") == f'"{etag}"':
        response = HttpResponse(status=304)
    elif request.method == "HEAD":
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = size
        response["Content-Disposition"] = disposition
    elif settings.PUBLIC_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type=content_type)
        # Percent-encoded: the storage names hold Chinese; nginx unescapes the URI before the lookup.
        # `v` (the content's hash) lets nginx keep the bytes it fetched: the same name with other
        # content is another entry.
        response["X-Accel-Redirect"] = escape_uri_path(settings.PUBLIC_ACCEL_REDIRECT_PREFIX + stored.name) + f"?v={etag}"
        response["Content-Disposition"] = disposition
    else:
        try:
            handle = stored.open("rb")
        except OSError:  # the storage lost the file: a clear 404 and a logged error, not a 500
            logger.error("public.file_missing name=%s", stored.name)
            raise Http404("文件暂不可用") from None
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = disposition
    response["ETag"] = f'"{etag}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=max_age, **({"immutable": True} if immutable else {}))
    return response


@require_safe
def published_file(request, pk, sha256, filename):
    published = services.public_file(pk=pk, sha256=sha256)
    if published is None:
        raise Http404
    return stored_download(request, stored=published.file, filename=published.filename,
                           content_type=published.content_type, size=published.size, etag=published.sha256,
                           max_age=31536000, immutable=True)


@require_POST
@csrf_exempt  # anonymous and harmless: anyone may ask for the ZIP, and the bureau page is cached for all
def batch_start(request, bureau_pk, year):
    bureau = get_object_or_404(FinanceBureau, pk=bureau_pk)
    budget_year = get_object_or_404(BudgetYear, year=year)
    try:
        batch = services.batch_start(bureau=bureau, year=budget_year)
    except services.NothingPublished:
        raise Http404 from None
    return redirect("public_batch", batch.pk)


@require_safe
def batch_status(request, pk):
    batch = get_object_or_404(BatchExport.objects.select_related("bureau", "year"), pk=pk)
    template = "public/_batch_progress.html" if request.headers.get("HX-Request") else "public/batch.html"
    return render(request, template, {"batch": batch})


@require_safe
def batch_download(request, pk):
    batch = get_object_or_404(BatchExport.objects.select_related("bureau", "year"), pk=pk, state=BatchExport.DONE)
    if batch.fingerprint != services.batch_fingerprint(batch.bureau, batch.year):
        raise Http404  # something in it has been withdrawn or replaced since: build a new one
    return stored_download(request, stored=batch.file, filename=f"{batch.year.year}-{batch.bureau.name}-公开文档.zip",
                           content_type="application/zip", size=batch.file.size if request.method == "HEAD" else 0,
                           etag=batch.sha256, max_age=3600)


@require_safe
def robots(request):
    lines = ["User-agent: *", "Allow: /public/", "Disallow: /admin/", "Disallow: /review/", "Disallow: /projects/",
             "Disallow: /departments/", "Disallow: /documents/", "Disallow: /login/"]
    return _public(HttpResponse("\n".join(lines) + "\n", content_type="text/plain"), max_age=86400)


# --- the reviewer's acts ------------------------------------------------------------------

@login_required
@require_POST
def publication_act(request, kind, pk, action):
    """公开 (a job, answered by its progress page) or 撤回公开 (at once; the unit's document without
    the table is then made anew by a job, whose page answers) of one declaration, by a reviewer of
    its finance bureau."""
    declaration = declaration_for_reviewer(request, kind, pk)
    try:
        if action == "publish":
            job = services.declaration_publish_start(declaration=declaration, user=request.user)
            return redirect("job", job.pk)
        elif action == "unpublish":
            form = UnpublishForm(request.POST)
            if not form.is_valid():
                return form_errors(request, declaration, kind, form)
            job = services.declaration_unpublish_start(declaration=declaration, user=request.user,
                                                       reason=form.cleaned_data["reason"])
            messages.success(request, "已撤回公开：公众已看不到该表及其文件。")
            if job is not None:  # the unit's other tables: its document made anew by a worker
                return redirect("job", job.pk)
        else:
            raise Http404
    except ReviewError as error:
        messages.error(request, str(error))
    return redirect("review_declaration", kind, declaration.pk)
