"""Publication: the act, and the files and pages made from the approved snapshots alone.

Everything public is built from immutable snapshots (the declaration and its header as
submitted), never from live rows: editing next year's draft, renaming a unit or changing a
cover note afterwards changes nothing that is public. A withdrawal is final for what it
withdrew: its files and the releases that held it stay unreachable, and a new publication
makes new files.

This app depends on review (snapshots, the transition table, notifications), never the other
way round.
"""
import csv
import hashlib
import io
import json
import logging
import shutil
import tempfile
import zipfile
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from declarations.exports.document import safe_filename
from declarations.exports.layouts import get_layout
from declarations.exports.pdf import render_pdf
from declarations.exports.snapshots import document_data_from_snapshots
from declarations.exports.worker import RenderError
from declarations.exports.xlsx import render_xlsx
from declarations.models import DepartmentDeclaration, ProjectDeclaration, Status
from declarations.services import validation
from indicators.models import PublishedValue
from jobs.models import Job
from jobs.services import JobRefused, job_start, storage_errors
from review import services as review
from review.models import DeclarationLink, Publication

from . import search
from .generation import portal_changed
from .models import BatchExport, DocumentRelease, PublishedFile

logger = logging.getLogger(__name__)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


class PublicationError(Exception):
    """Files could not be made; the publication is not completed."""


def _store(owner_field, owner, fmt, filename, content):
    """The PublishedFile of one format of a publication or a release (store_once)."""
    return store_once(PublishedFile(**{owner_field: owner}, format=fmt, filename=filename), content)


def fitting_filename(name, limit):
    """`name` cut to `limit` characters, its extension kept (a long unit and project name)."""
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:limit]
    return f"{stem[:limit - len(extension) - 1]}.{extension}"


def store_once(record, content):
    """Save `record` (a model with `file`, `filename`, `sha256` and `size`, as PublishedFile)
    with `content`: its bytes are written first, under a name made from their hash, and a stored
    file of that name holding the same bytes is reused: a publication run again (its worker
    killed before the commit) writes no second copy, and nothing points at a file that is not
    written. A stored file that no longer holds its bytes (damaged) is never reused."""
    digest = hashlib.sha256(content).hexdigest()
    record.sha256, record.size = digest, len(content)
    record.filename = fitting_filename(record.filename, type(record)._meta.get_field("filename").max_length)
    field = record.file.field
    name = field.generate_filename(record, f"{digest[:16]}-{record.filename}")
    if field.storage.exists(name) and _stored_digest(field.storage, name) == digest:
        record.file.name = name
    else:
        record.file.save(f"{digest[:16]}-{record.filename}", ContentFile(content), save=False)
    record.save()
    return record


def _stored_digest(storage, name):
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


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


def _stated(value):
    """The value without its empty keys, recursively: a key a later version of the format added
    (empty in this declaration) does not make a snapshot taken before it differ."""
    if isinstance(value, dict):
        return {key: _stated(item) for key, item in value.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_stated(item) for item in value]
    return value


def _check_unchanged(declaration, snapshot):
    if _stated(review.serialize(declaration)) != _stated(snapshot.data):
        raise PublicationError(f"{declaration}：当前内容与审核通过的版本不一致，不能公开；请退回后重新提交审核")


def table_name(snapshot_data, header):
    """The printed name of a published table: the project's name, or 〈unit〉部门整体绩效目标."""
    if "budget" in snapshot_data or "goal_items" in snapshot_data:  # a project
        return snapshot_data.get("name") or ""
    return f"{snapshot_data.get('department_name') or header.get('unit', {}).get('name', '')}部门整体绩效目标"


def _printed_projects(publications):
    """The published projects in the unit's printed order (ordering is structure, not content)."""
    projects = [p for p in publications if p.project_id]
    return sorted(projects, key=lambda p: (p.project.order, p.project_id))


def document_data(publications, *, unit_pk):
    """DocumentData of published tables, from their snapshots alone."""
    publications = list(publications)
    department = next((p for p in publications if p.department_id), None)
    projects = _printed_projects(publications)
    newest = max(publications, key=lambda p: (p.snapshot.created_at, p.snapshot_id))
    header = (department or newest).snapshot.header
    return document_data_from_snapshots(
        header=header, unit_pk=unit_pk,
        department=(department.department_id, department.snapshot.data) if department else None,
        projects=[(p.project_id, p.snapshot.data) for p in projects],
    )


def release_document(release):
    """The printable document of a release (the public page's 在线阅读), from its snapshots."""
    publications = release.publications.select_related("snapshot", "project")
    data = document_data(publications, unit_pk=release.unit_id)
    return get_layout(data.layout).document(data)


def _current_of(unit, year):
    return list(
        current_publications()
        .filter(Q(project__unit=unit, project__year=year) | Q(department__unit=unit, department__year=year))
        .select_related("snapshot", "project")
    )


def publication_files_create(*, publication):
    """PDF, Excel, JSON and CSV of one published table, from its approved snapshot.

    A 部门整体 table that lists the unit's projects lists the published ones only, as published."""
    declaration = publication.declaration
    unit, year = declaration.unit, declaration.year
    snapshot = publication.snapshot
    if isinstance(declaration, ProjectDeclaration):
        data = document_data([publication], unit_pk=unit.pk)
        layout = get_layout(data.layout)
        printed = list(
            ProjectDeclaration.objects.filter(unit=unit, year=year, has_table=True).order_by("order", "id")
            .values_list("pk", flat=True)
        )
        number = printed.index(declaration.pk) + 1 if declaration.pk in printed else 1
        document = layout.project_document(data, data.projects[0], number=number)
    else:
        others = [p for p in _current_of(unit, year) if p.project_id]
        data = document_data([publication, *others], unit_pk=unit.pk)
        document = get_layout(data.layout).department_document(data)
    base = document.filename
    name = table_name(snapshot.data, snapshot.header)
    files = [
        _store("publication", publication, "pdf", f"{base}.pdf", render_pdf(document)),
        _store("publication", publication, "xlsx", f"{base}.xlsx", render_xlsx(document)),
        _store("publication", publication, "json", f"{base}.json",
               json.dumps(snapshot.data, ensure_ascii=False, indent=1).encode("utf-8")),
        _store("publication", publication, "csv", f"{base}-指标.csv",
               indicators_csv((publication.unit_name, year.year, name, item)
                              for item in snapshot.data.get("indicators") or [])),
    ]
    logger.info("publication.files_created publication=%s files=%s", publication.pk, len(files))
    return files


def current_publications(**filters):
    """Publications in force: not withdrawn nor replaced by an adjusted version, of declarations
    that are published now or under adjustment (the published table stays public meanwhile)."""
    return (
        Publication.objects.filter(withdrawn_at__isnull=True, replaced_by__isnull=True, **filters)
        .filter(Q(project__status=Status.PUBLISHED) | Q(department__status=Status.PUBLISHED)
                | Q(project__adjustment_of__isnull=False) | Q(department__adjustment_of__isnull=False))
        .select_related("snapshot", "project__unit", "department__unit", "project__year", "department__year")
    )


def release_is_public(release):
    """A release is public while none of its tables has been withdrawn since (publications prefetched)."""
    publications = list(release.publications.all())
    return bool(publications) and all(p.withdrawn_at is None for p in publications)


def public_file(*, pk, sha256):
    """The published file with this id and hash while it is public, else None, in one query
    however many tables its release holds: a table's file while its publication stands, a
    release's file while none of the release's tables has been withdrawn."""
    withdrawn_in_release = Publication.objects.filter(releases=OuterRef("release_id"), withdrawn_at__isnull=False)
    return (
        PublishedFile.objects.filter(pk=pk, sha256=sha256)
        .filter(Q(publication__isnull=False, publication__withdrawn_at__isnull=True)
                | Q(release__isnull=False) & ~Exists(withdrawn_in_release))
        .first()
    )


@transaction.atomic
def release_refresh(*, unit, year):
    """Make a new version of the unit's whole published document for the year.

    It holds exactly the tables that are public now, as published; with none, no new version
    is made and the public pages show nothing for the unit and year.
    """
    # One refresh of a unit at a time (a withdrawal's job beside a publication's): the second
    # waits, then reads what the first committed and takes the next number.
    list(type(unit).objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True))
    publications = _current_of(unit, year)
    if not publications:
        return None
    data = document_data(publications, unit_pk=unit.pk)
    document = get_layout(data.layout).document(data)
    number = (DocumentRelease.objects.filter(unit=unit, year=year).aggregate(n=Max("number"))["n"] or 0) + 1
    release = DocumentRelease.objects.create(unit=unit, year=year, number=number)
    release.publications.set(publications)
    department = next((p for p in publications if p.department_id), None)
    header = (department or max(publications, key=lambda p: (p.snapshot.created_at, p.snapshot_id))).snapshot.header
    document_json = {
        **header,
        "department": department.snapshot.data if department else None,
        "projects": [p.snapshot.data for p in _printed_projects(publications)],
    }
    base = document.filename
    _store("release", release, "pdf", f"{base}.pdf", render_pdf(document))
    _store("release", release, "xlsx", f"{base}.xlsx", render_xlsx(document))
    _store("release", release, "json", f"{base}.json",
           json.dumps(document_json, ensure_ascii=False, indent=1).encode("utf-8"))
    rows = []
    for publication in publications:
        snapshot = publication.snapshot
        name = table_name(snapshot.data, snapshot.header)
        rows += [(publication.unit_name, year.year, name, item) for item in snapshot.data.get("indicators") or []]
    _store("release", release, "csv", f"{base}-指标.csv", indicators_csv(rows))
    portal_changed()
    logger.info("release.created unit=%s year=%s number=%s", unit.pk, year.year, number)
    return release


def current_release(unit, year):
    """The newest release of the unit and year, while it is public."""
    release = (
        DocumentRelease.objects.filter(unit=unit, year=year)
        .prefetch_related("files", "publications")
        .first()
    )
    return release if release is not None and release_is_public(release) else None


# --- the acts -----------------------------------------------------------------------------

def publication_fields(snapshot):
    """What a Publication row copies from its snapshot for listing and search."""
    header = snapshot.header or {}
    return {
        "title": table_name(snapshot.data, header)[:300],
        "unit_name": (header.get("unit") or {}).get("name", "")[:100],
        "code": (snapshot.data.get("code") or "")[:40],
    }


def published_values(publication, snapshot, *, unit_id, year):
    """The 参考值 rows of a publication (unsaved): one per 三级 with a value."""
    unit_name = (snapshot.header.get("unit") or {}).get("name", "")
    return [
        PublishedValue(
            publication_id=publication.pk, unit_id=unit_id, unit_name=unit_name[:100], year=year,
            name=item["name"][:300], value=(item.get("value") or "")[:300], basis=(item.get("basis") or "")[:300],
        )
        for item in snapshot.data.get("indicators") or []
        if item.get("name")
    ]


@transaction.atomic
def declaration_publish(*, declaration, user, refresh_release=True):
    """审核通过 → 已公开: publishes exactly the approved snapshot.

    The unit's whole-document release is remade too, unless the caller publishes several
    tables of a unit at once and remakes it once at the end (refresh_release=False)."""
    declaration = review.locked(declaration)
    review.guard("publish", declaration, user)
    snapshot = review.approved_snapshot(declaration)
    if snapshot is None:
        raise review.ReviewError("找不到审核通过的版本，不能公开")
    try:
        _check_unchanged(declaration, snapshot)
    except PublicationError as error:
        raise review.ReviewError(str(error)) from None
    reasons = validation.publication_gate(declaration)
    if reasons:
        raise review.ReviewError("不能公开，表内数据不一致：" + "；".join(reasons))
    publication = Publication.objects.create(
        **DeclarationLink.link(declaration), snapshot=snapshot, published_by=user, **publication_fields(snapshot)
    )
    PublishedValue.objects.bulk_create(
        published_values(publication, snapshot, unit_id=declaration.unit_id, year=declaration.year.year)
    )
    replaced = _replace_adjusted(declaration, publication)
    declaration = review.move("publish", declaration, user,
                              data={"snapshot": snapshot.number, "publication": publication.pk, "replaced": replaced})
    try:
        publication_files_create(publication=publication)
        if refresh_release:
            release_refresh(unit=declaration.unit, year=declaration.year)
    except PublicationError as error:
        raise review.ReviewError(str(error)) from None
    except RenderError as error:  # a document over the PDF time or memory limit
        logger.warning("publication.pdf_refused kind=%s id=%s reason=%s", review.kind_of(declaration), declaration.pk,
                       error.reason)
        raise review.ReviewError(f"生成公开文件失败，未公开：{error.summary}") from None
    except storage_errors():
        logger.exception("publication.storage_unavailable kind=%s id=%s", review.kind_of(declaration), declaration.pk)
        raise review.ReviewError("文件存储不可用，未公开；已记录错误，请稍后重试或联系管理员") from None
    except Exception:
        # A renderer that fails (a missing font, a full disk) must not publish half a declaration;
        # the transaction rolls back this one only, and the failure is logged for the operator.
        logger.exception("publication.files_failed kind=%s id=%s", review.kind_of(declaration), declaration.pk)
        raise review.ReviewError("生成公开文件失败，未公开；已记录错误，请联系管理员后重试") from None
    search.entries_add([publication])
    portal_changed()
    review.notify(review.fillers_of(declaration), f"{review.title_of(declaration)}已公开", review.detail_url(declaration))
    return declaration


def _replace_adjusted(declaration, publication):
    """目标调整 published: the earlier publications of the declaration give way to `publication`.

    They stay public as the table's history (已调整, their own files), not withdrawn; their
    reference values give way to the new ones; the adjustment is over. Returns their ids."""
    earlier = list(
        Publication.objects.filter(**DeclarationLink.link(declaration), withdrawn_at__isnull=True, replaced_by__isnull=True)
        .exclude(pk=publication.pk).values_list("pk", flat=True)
    )
    Publication.objects.filter(pk__in=earlier).update(replaced_by=publication)
    PublishedValue.objects.filter(publication_id__in=earlier).delete()
    if declaration.adjustment_of is not None:
        type(declaration).objects.filter(pk=declaration.pk).update(adjustment_of=None)
        declaration.adjustment_of = None
    return earlier


def table_history(publications):
    """Set `history` on each current publication: the earlier ones of its declaration that an
    adjusted version replaced (newest first, files prefetched), in one query for all."""
    publications = list(publications)
    projects = [p.project_id for p in publications if p.project_id]
    departments = [p.department_id for p in publications if p.department_id]
    earlier = (
        Publication.objects.filter(Q(project_id__in=projects) | Q(department_id__in=departments),
                                   replaced_by__isnull=False, withdrawn_at__isnull=True)
        .select_related("snapshot").prefetch_related("files").order_by("-published_at", "-pk")
    ) if publications else []
    by_declaration = {}
    for old in earlier:
        by_declaration.setdefault((old.project_id, old.department_id), []).append(old)
    for publication in publications:
        publication.history = by_declaration.get((publication.project_id, publication.department_id), [])
    return publications


def declaration_publish_start(*, declaration, user):
    """公开 from the review page: a job a worker runs (declaration_publish_job), since making the
    files takes seconds. What the guard refuses now is refused at once, with its message."""
    review.guard("publish", declaration, user)
    from .tasks import publish_declaration

    kind = review.kind_of(declaration)
    return job_start(
        kind=Job.PUBLISH, user=user, title=f"公开：{review.title_of(declaration)}",
        params={"kind": kind, "pk": declaration.pk}, back_url=reverse("review_declaration", args=[kind, declaration.pk]),
        task=publish_declaration,
    )


def declaration_publish_job(job):
    """The worker's part: declaration_publish as the user who asked; a ReviewError ends the job
    with its message and nothing published."""
    model = ProjectDeclaration if job.params["kind"] == "project" else DepartmentDeclaration
    try:
        declaration_publish(declaration=model.objects.get(pk=job.params["pk"]), user=job.user)
    except review.ReviewError as error:
        raise JobRefused(str(error)) from None
    return {"message": "已公开。"}


def declaration_unpublish_start(*, declaration, user, reason):
    """撤回公开 from the review page: the tables leave the portal at once, in this request (their
    files answer 404, the unit's document that held them is no longer public); the unit's document
    without them is then made anew by a worker (release_refresh renders its PDF, which no web
    request does). Returns that job, or None when nothing else of the unit and year stays public."""
    declaration = declaration_unpublish(declaration=declaration, user=user, reason=reason, refresh=False)
    if not _current_of(declaration.unit, declaration.year):
        return None
    from .tasks import refresh_release

    return job_start(  # after the withdrawal's commit: the worker may read the job at once
        kind=Job.PUBLISH, user=user,
        title=f"撤回公开后重新生成公开文档：{declaration.unit.name} {declaration.year.year} 年度",
        # Its own job per withdrawal (never one already running, which read the tables before it).
        params={"unit": declaration.unit_id, "year": declaration.year_id, "withdrawn": withdrawn_ids(declaration)},
        back_url=reverse("review_declaration", args=[review.kind_of(declaration), declaration.pk]),
        task=refresh_release,
    )


def withdrawn_ids(declaration):
    """The ids of the declaration's publications withdrawn last (those of its newest withdrawal)."""
    newest = Publication.objects.filter(**DeclarationLink.link(declaration), withdrawn_at__isnull=False).aggregate(
        at=Max("withdrawn_at"))["at"]
    return sorted(Publication.objects.filter(**DeclarationLink.link(declaration), withdrawn_at=newest)
                  .values_list("pk", flat=True))


def release_refresh_job(job):
    """The worker's part of a withdrawal: the unit's document of what is public now."""
    from declarations.models import BudgetYear, Unit

    try:
        release = release_refresh(unit=Unit.objects.get(pk=job.params["unit"]),
                                  year=BudgetYear.objects.get(pk=job.params["year"]))
    except RenderError as error:
        raise JobRefused(f"单位的公开文档未能重新生成：{error}") from None
    return {"message": "已撤回公开，单位的公开文档已重新生成。" if release else "已撤回公开。"}


@transaction.atomic
def declaration_unpublish(*, declaration, user, reason, refresh=True):
    """已公开 → 审核通过 (撤回公开). Final for what it withdraws: the publication's files, the
    releases that held it and its reference values are never public again; the withdrawn
    publication stays listed for the record. `refresh=False` leaves making the unit's document
    anew to the caller (declaration_unpublish_start: a job)."""
    declaration = review.locked(declaration)
    review.guard("unpublish", declaration, user)
    if not (reason or "").strip():
        raise review.ReviewError("撤回公开必须填写理由")
    withdrawn = list(
        Publication.objects.filter(**DeclarationLink.link(declaration), withdrawn_at__isnull=True)
        .values_list("pk", flat=True)
    )
    Publication.objects.filter(pk__in=withdrawn).update(withdrawn_at=timezone.now())
    PublishedValue.objects.filter(publication_id__in=withdrawn).delete()
    search.entries_remove(withdrawn)
    declaration = review.move("unpublish", declaration, user, comment=reason.strip(), data={"publications": withdrawn})
    if refresh:
        release_refresh(unit=declaration.unit, year=declaration.year)
    portal_changed()
    review.notify(review.fillers_of(declaration), f"{review.title_of(declaration)}已撤回公开：{reason.strip()[:80]}",
                  review.detail_url(declaration))
    return declaration



# --- batch download -----------------------------------------------------------------------

def bureau_releases(bureau, year):
    """The current release of every unit of the bureau and year (its newest, while none of its
    tables is withdrawn), with its files and publications, in unit-name order: three queries
    however many units the bureau has."""
    newest = DocumentRelease.objects.filter(unit=OuterRef("unit"), year=year).order_by("-number").values("number")[:1]
    return list(
        DocumentRelease.objects.filter(unit__bureau=bureau, year=year, number=Subquery(newest))
        .exclude(publications__withdrawn_at__isnull=False)
        .select_related("unit")
        .prefetch_related("files", "publications")
        .order_by("unit__name", "unit_id")
    )


def _batch_files(bureau, year):
    """The files of every unit's current release in the bureau and year: (arcname, PublishedFile)."""
    entries = []
    for release in bureau_releases(bureau, year):
        publications = release.publications.all()
        folder = safe_filename(next((p.unit_name for p in publications if p.unit_name), release.unit.name))
        for published in release.files.all():
            # Both parts made safe: a name holding "/" or ".." must not escape its folder when unpacked.
            entries.append((f"{year.year}/{folder}/{safe_filename(published.filename)}", published))
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


# PDF and Excel files are compressed already: deflating them again costs time and saves nothing.
ALREADY_COMPRESSED = {"pdf", "xlsx"}
COPY_CHUNK = 1024 * 1024


FETCHERS = 8  # members read from storage at once (an object store answers each read after a round trip)


def _fetched(published):
    """A member's bytes, read from storage into a spooled temporary file (in memory up to 8 MB,
    then on disk)."""
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    storage, name = published.file.storage, published.file.name
    if hasattr(storage, "bucket_name"):  # an object store (django-storages S3): one GET, not HEAD + GETs
        from storages.utils import clean_name

        body = storage.connection.meta.client.get_object(
            Bucket=storage.bucket_name, Key=storage._normalize_name(clean_name(name)))["Body"]
        shutil.copyfileobj(body, buffer, COPY_CHUNK)
    else:
        with storage.open(name, "rb") as source:
            shutil.copyfileobj(source, buffer, COPY_CHUNK)
    buffer.seek(0)
    return buffer


def write_zip(entries, target, progress=lambda done: None):
    """Write the ZIP of (arcname, PublishedFile) to the seekable file `target`, member by member:
    PDF and Excel stored, text deflated. Up to 2 × FETCHERS members are read from storage ahead of
    the writer, in threads, each into a spooled temporary file. `progress(done)` is called as
    members go in."""
    pending = deque()
    remaining = iter(entries)
    with zipfile.ZipFile(target, "w") as archive, ThreadPoolExecutor(FETCHERS) as pool:
        try:
            def read_ahead():
                while len(pending) < 2 * FETCHERS:
                    entry = next(remaining, None)
                    if entry is None:
                        return
                    pending.append((*entry, pool.submit(_fetched, entry[1])))

            read_ahead()
            done = 0
            while pending:
                arcname, published, fetched = pending.popleft()
                read_ahead()
                info = zipfile.ZipInfo(arcname, date_time=timezone.localtime(published.created_at).timetuple()[:6])
                info.compress_type = (
                    zipfile.ZIP_STORED if published.format in ALREADY_COMPRESSED else zipfile.ZIP_DEFLATED)
                info.file_size = published.size  # lets zipfile choose ZIP64 up front for a very large member
                with fetched.result() as source, archive.open(info, "w") as member:
                    shutil.copyfileobj(source, member, COPY_CHUNK)
                done += 1
                progress(done)
        finally:
            pool.shutdown(cancel_futures=True)
            for *_, fetched in pending:  # a failure part-way: close what was read ahead
                # A future the shutdown cancelled has no result; asking its exception() would raise
                # CancelledError over the storage's own error.
                if fetched.done() and not fetched.cancelled() and fetched.exception() is None:
                    fetched.result().close()


def _sha256_of(handle):
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(COPY_CHUNK), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def batch_build(batch_id):
    """Write the ZIP into a temporary file, then into the default storage, updating the progress
    as files go in (run by the task worker). A ZIP is built once for its content (batch_start
    reuses it while the fingerprint holds)."""
    batch = BatchExport.objects.select_related("bureau", "year").get(pk=batch_id)
    BatchExport.objects.filter(pk=batch.pk).update(state=BatchExport.RUNNING)
    try:
        entries = _batch_files(batch.bureau, batch.year)
        total = len(entries)
        BatchExport.objects.filter(pk=batch.pk).update(total=total)
        step = max(1, total // 100)  # about a hundred progress updates, not one per file

        def progress(done):
            if done % step == 0 or done == total:
                BatchExport.objects.filter(pk=batch.pk).update(done=done)

        with tempfile.TemporaryFile(prefix="batch-") as handle:
            write_zip(entries, handle, progress)
            batch.refresh_from_db()
            batch.sha256 = _sha256_of(handle)
            batch.file.save(f"{batch.year.year}-{batch.bureau.name}-公开文档-{batch.sha256[:12]}.zip",
                            File(handle), save=False)
        batch.state, batch.finished_at = BatchExport.DONE, timezone.now()
        batch.save(update_fields=["file", "sha256", "state", "finished_at"])
        logger.info("batch.done batch=%s files=%s", batch.pk, total)
    except Exception as error:  # the worker must record the failure rather than die silently
        logger.exception("batch.failed batch=%s", batch.pk)
        BatchExport.objects.filter(pk=batch.pk).update(state=BatchExport.FAILED, error=str(error)[:2000])
