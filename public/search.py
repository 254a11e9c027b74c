"""The portal's search table: one narrow row per table public now (public.models.SearchEntry),
written at publication and deleted at withdrawal, so a search reads neither declarations nor
snapshots however many tables a province publishes."""
from .models import PublishedFile, SearchEntry

SEARCH_PAGE = 50  # results a page
SEARCH_MAX_PAGES = 100  # deeper pages are refused (a narrower search finds them)


def anchor_of(publication):
    """The id of a table on its unit page, stable across re-publications of the declaration."""
    if publication.project_id:
        return f"project-{publication.project_id}"
    return f"department-{publication.department_id}"


def entry_of(publication, *, unit, year):
    """The (unsaved) search entry of a publication of `unit` (its bureau_id read) and `year` (a number)."""
    return SearchEntry(
        publication=publication, unit_id=unit.pk, bureau_id=unit.bureau_id, year=year,
        title=publication.title, unit_name=publication.unit_name, anchor=anchor_of(publication),
        published_at=publication.published_at,
        text=SearchEntry.text_of(title=publication.title, code=publication.code, unit_name=publication.unit_name),
    )


def entries_add(publications):
    """Entries of just-made publications whose declaration (project or department) is in place
    with its unit and year."""
    entries = []
    for publication in publications:
        declaration = publication.project or publication.department
        entries.append(entry_of(publication, unit=declaration.unit, year=declaration.year.year))
    SearchEntry.objects.bulk_create(entries, batch_size=2000)


def entries_remove(publication_ids):
    SearchEntry.objects.filter(publication_id__in=publication_ids).delete()


def search(query, year, page=1):
    """(results, total, page) of the tables public now whose name, project code or unit name
    holds `query`, in the budget year `year` (digits) when given: newest first, SEARCH_PAGE a page,
    in a fixed number of queries (the page, the PDFs of those, the count when there is more than
    one page). A page past the last (or past SEARCH_MAX_PAGES) answers the last."""
    entries = SearchEntry.objects.all()
    if year.isdigit():
        entries = entries.filter(year=int(year))
    if query:
        entries = entries.filter(text__contains=query.lower())
    ordered = entries.select_related("bureau").order_by("-published_at", "-publication_id")
    page = min(max(page, 1), SEARCH_MAX_PAGES)
    rows = list(ordered[(page - 1) * SEARCH_PAGE:page * SEARCH_PAGE + 1])
    if page == 1 and len(rows) <= SEARCH_PAGE:
        total = len(rows)
    else:
        total = entries.count()
        last = min(max(1, -(-total // SEARCH_PAGE)), SEARCH_MAX_PAGES)
        if page > last:
            return search(query, year, last)
    rows = rows[:SEARCH_PAGE]
    pdfs = {
        published.publication_id: published
        for published in PublishedFile.objects.filter(publication_id__in=[e.publication_id for e in rows], format="pdf")
        .only("pk", "publication_id", "sha256", "filename")
    }
    results = [
        {
            "unit_pk": entry.unit_id, "unit_name": entry.unit_name, "bureau_name": entry.bureau.name,
            "year": entry.year, "name": entry.title, "published_at": entry.published_at,
            "anchor": entry.anchor, "pdf": pdfs.get(entry.publication_id),
        }
        for entry in rows
    ]
    return results, total, page


def published_years():
    """The budget years with a table public now, newest first."""
    return list(SearchEntry.objects.order_by("-year").values_list("year", flat=True).distinct())
