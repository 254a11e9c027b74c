"""Publication files: generated once from the approved snapshot, stored, hashed, never changed."""
import csv
import hashlib
import io
import json
import logging
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from declarations.exports.builders import load_document_data
from declarations.exports.layouts import get_layout
from declarations.exports.pdf import render_pdf
from declarations.exports.xlsx import render_xlsx
from declarations.models import ProjectDeclaration, Status
from declarations.services.interchange import document_header

from .models import BatchExport, DocumentRelease, PublishedFile

logger = logging.getLogger(__name__)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


class PublicationError(Exception):
    """Files could not be made; the publication is not completed."""


def _store(owner_field, owner, fmt, filename, content):
    digest = hashlib.sha256(content).hexdigest()
    record = PublishedFile(**{owner_field: owner}, format=fmt, filename=filename, sha256=digest, size=len(content))
    record.file.save(f"{digest[:16]}-{filename}", ContentFile(content), save=False)
    record.save()
    return record


def _csv_cell(value):
    """A CSV cell that no spreadsheet evaluates: formula lead characters get a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def indicators_csv(rows):
    """CSV (UTF-8 with BOM, so Excel reads Chinese) of (unit, year, declaration, indicator dict)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["单位", "预算年度", "申报", "期限", "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值",
                     "半年指标值", "指标值确定依据", "指标分类", "前年指标值", "上年指标值"])
    for unit, year, declaration, item in rows:
        prior = item.get("prior_values") or ["", ""]
        writer.writerow([_csv_cell(v) for v in (
            unit, year, declaration, "长期" if item.get("term") == "long" else "年度", item["category"],
            item["subcategory"], item["name"], item.get("description"), item.get("value"), item.get("half_value"),
            item.get("basis"), item.get("indicator_class"), prior[0], prior[1],
        )])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _check_unchanged(declaration, snapshot):
    from review.services import serialize

    if serialize(declaration) != snapshot.data:
        raise PublicationError(f"{declaration}：当前内容与公开的版本不一致，不能生成公开文件")


def publication_files_create(*, publication):
    """PDF, Excel, JSON and CSV of one published table, from its approved snapshot."""
    declaration = publication.declaration
    _check_unchanged(declaration, publication.snapshot)
    unit, year = declaration.unit, declaration.year.year
    data = load_document_data(unit, year)
    layout = get_layout(data.layout_code)
    if isinstance(declaration, ProjectDeclaration):
        project = next(p for p in data.projects if p.pk == declaration.pk)
        document = layout.project_document(data, project)
    else:
        document = layout.department_document(data)
    base = document.filename
    snapshot = publication.snapshot.data
    name = snapshot.get("name") or f"{snapshot.get('department_name') or unit.name}部门整体"
    files = [
        _store("publication", publication, "pdf", f"{base}.pdf", render_pdf(document)),
        _store("publication", publication, "xlsx", f"{base}.xlsx", render_xlsx(document)),
        _store("publication", publication, "json", f"{base}.json",
               json.dumps(snapshot, ensure_ascii=False, indent=1).encode("utf-8")),
        _store("publication", publication, "csv", f"{base}-指标.csv",
               indicators_csv((unit.name, year, name, item) for item in snapshot.get("indicators") or [])),
    ]
    logger.info("publication.files_created publication=%s files=%s", publication.pk, len(files))
    return files


def current_publications(**filters):
    """Publications in force: not withdrawn, of declarations that are published now."""
    from review.models import Publication

    return (
        Publication.objects.filter(withdrawn_at__isnull=True, **filters)
        .filter(Q(project__status=Status.PUBLISHED) | Q(department__status=Status.PUBLISHED))
        .select_related("snapshot", "project__unit", "department__unit", "project__year", "department__year")
    )


@transaction.atomic
def release_refresh(*, unit, year):
    """Make a new version of the unit's whole published document for the year.

    It holds exactly the tables that are public now; with none, no new version is made and
    the public pages show nothing for the unit and year.
    """
    publications = list(
        current_publications().filter(Q(project__unit=unit, project__year=year) | Q(department__unit=unit, department__year=year))
    )
    if not publications:
        return None
    project_ids = [p.project_id for p in publications if p.project_id]
    department = next((p for p in publications if p.department_id), None)
    for publication in publications:
        _check_unchanged(publication.declaration, publication.snapshot)
    data = load_document_data(unit, year.year, project_ids=project_ids, with_department=department is not None)
    layout = get_layout(data.layout_code)
    document = layout.document(data)
    number = (DocumentRelease.objects.filter(unit=unit, year=year).aggregate(n=Max("number"))["n"] or 0) + 1
    release = DocumentRelease.objects.create(unit=unit, year=year, number=number)
    release.publications.set(publications)
    snapshots = {p.project_id: p.snapshot.data for p in publications if p.project_id}
    document_json = {
        **document_header(unit, year),
        "department": department.snapshot.data if department else None,
        "projects": [snapshots[project.pk] for project in data.projects if project.pk in snapshots],
    }
    base = document.filename
    _store("release", release, "pdf", f"{base}.pdf", render_pdf(document))
    _store("release", release, "xlsx", f"{base}.xlsx", render_xlsx(document))
    _store("release", release, "json", f"{base}.json",
           json.dumps(document_json, ensure_ascii=False, indent=1).encode("utf-8"))
    rows = []
    for publication in publications:
        snapshot = publication.snapshot.data
        name = snapshot.get("name") or f"{snapshot.get('department_name') or unit.name}部门整体"
        rows += [(unit.name, year.year, name, item) for item in snapshot.get("indicators") or []]
    _store("release", release, "csv", f"{base}-指标.csv", indicators_csv(rows))
    logger.info("release.created unit=%s year=%s number=%s", unit.pk, year.year, number)
    return release


def current_release(unit, year):
    """The newest release of the unit and year, if anything of it is public now."""
    if not current_publications().filter(
        Q(project__unit=unit, project__year=year) | Q(department__unit=unit, department__year=year)
    ).exists():
        return None
    return DocumentRelease.objects.filter(unit=unit, year=year).prefetch_related("files").first()


# --- batch download -----------------------------------------------------------------------

def _batch_files(bureau, year):
    """The files of every unit's current release in the bureau and year: (arcname, PublishedFile)."""
    from declarations.models import Unit

    entries = []
    for unit in Unit.objects.filter(bureau=bureau).order_by("name"):
        release = current_release(unit, year)
        if release is None:
            continue
        for published in release.files.all():
            entries.append((f"{year.year}/{unit.name}/{published.filename}", published))
    return entries


def _fingerprint(entries):
    return hashlib.sha256("\n".join(f"{a}:{f.sha256}" for a, f in entries).encode()).hexdigest()


def batch_fingerprint(bureau, year):
    """A digest of what a ZIP of the bureau and year would hold now."""
    return _fingerprint(_batch_files(bureau, year))


class NothingPublished(PublicationError):
    pass


def batch_start(*, bureau, year):
    """A ZIP of the bureau's published documents for the year: reused when nothing changed."""
    entries = _batch_files(bureau, year)
    if not entries:
        raise NothingPublished(f"{bureau.name} {year.year} 年度还没有公开的文档")
    fingerprint = _fingerprint(entries)
    existing = (
        BatchExport.objects.filter(bureau=bureau, year=year, fingerprint=fingerprint)
        .exclude(state=BatchExport.FAILED)
        .first()
    )
    if existing:
        return existing
    batch = BatchExport.objects.create(bureau=bureau, year=year, fingerprint=fingerprint, total=len(entries))
    from .tasks import build_batch

    transaction.on_commit(lambda: build_batch(batch.pk))
    return batch


def batch_build(batch_id):
    """Write the ZIP, updating the progress as files go in (run by the task worker)."""
    batch = BatchExport.objects.select_related("bureau", "year").get(pk=batch_id)
    BatchExport.objects.filter(pk=batch.pk).update(state=BatchExport.RUNNING)
    try:
        entries = _batch_files(batch.bureau, batch.year)
        BatchExport.objects.filter(pk=batch.pk).update(total=len(entries))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for done, (arcname, published) in enumerate(entries, start=1):
                with published.file.open("rb") as handle:
                    archive.writestr(arcname, handle.read())
                BatchExport.objects.filter(pk=batch.pk).update(done=done)
        content = buffer.getvalue()
        batch.refresh_from_db()
        batch.sha256 = hashlib.sha256(content).hexdigest()
        batch.file.save(f"{batch.year.year}-{batch.bureau.name}-公开文档-{batch.sha256[:12]}.zip",
                        ContentFile(content), save=False)
        batch.state, batch.finished_at = BatchExport.DONE, timezone.now()
        batch.save(update_fields=["file", "sha256", "state", "finished_at"])
        logger.info("batch.done batch=%s files=%s", batch.pk, len(entries))
    except Exception as error:  # the worker must record the failure rather than die silently
        logger.exception("batch.failed batch=%s", batch.pk)
        BatchExport.objects.filter(pk=batch.pk).update(state=BatchExport.FAILED, error=str(error)[:2000])
