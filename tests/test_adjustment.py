"""目标调整: an approved or published declaration adjusted with a reason, reviewed again against
the approved version, published with a note; the earlier table stays public as its history."""
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.exports.builders import load_document_data
from declarations.exports.layouts import get_layout
from declarations.models import DepartmentDeclaration, ProjectDeclaration, Status
from declarations.services import drafts
from declarations.services.copying import project_copy_to_year
from declarations.services.interchange import project_to_dict
from indicators.models import PublishedValue
from public import services as publishing
from public.models import PublishedFile
from review import services
from review.models import Event, Notification, Publication

from .export_text import pdf_text

REASON = "预算调整：追加驻京工作经费"


def _approve(declaration, filler, reviewer):
    declaration = services.declaration_submit(declaration=declaration, user=filler)
    return services.declaration_approve(declaration=declaration, user=reviewer)


def _publish(declaration, filler, reviewer):
    return publishing.declaration_publish(declaration=_approve(declaration, filler, reviewer), user=reviewer)


def _adjust(declaration, filler, reason=REASON):
    return services.adjustment_start(declaration=declaration, user=filler, reason=reason, version=declaration.version)


def _fresh(declaration):
    return type(declaration).objects.get(pk=declaration.pk)


@pytest.fixture
def project(zunhua_project):
    return zunhua_project


@pytest.fixture
def published(project, filler, reviewer):
    return _publish(project, filler, reviewer)


def _edit_purpose(declaration, filler, text):
    """A live edit during the adjustment, as the wizard's 资金 step saves it (version claimed)."""
    declaration = _fresh(declaration)
    with drafts.transaction.atomic():
        drafts.ensure_editable(filler, declaration)
        drafts.claim_version(declaration, declaration.version)
        ProjectDeclaration.objects.filter(pk=declaration.pk).update(purpose=text)
    return _fresh(declaration)


def _adjusted_and_approved(published, filler, reviewer, purpose="调整后的资金用途：追加经费"):
    adjusting = _adjust(published, filler)
    _edit_purpose(adjusting, filler, purpose)
    return _approve(_fresh(adjusting), filler, reviewer)


def _unit_page(client, declaration):
    return client.get(reverse("public_unit_year", args=[declaration.unit_id, declaration.year.year]))


def _download(client, published_file):
    response = client.get(reverse("public_file", args=[published_file.pk, published_file.sha256, published_file.filename]))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def _table_file(publication, fmt):
    return PublishedFile.objects.get(publication=publication, format=fmt)


def _note(day=None):
    day = day or timezone.localdate()
    return f"本表于{day.year}年{day.month}月{day.day}日调整，调整原因：{REASON}"


# --- the service --------------------------------------------------------------------------

def test_starting_an_adjustment_reopens_a_published_declaration_for_editing(published, filler, reviewer):
    adjusting = _adjust(published, filler)
    stored = _fresh(adjusting)
    assert stored.status == Status.ADJUSTING
    assert stored.adjustment_reason == REASON and stored.adjusted_on == timezone.localdate()
    assert stored.adjustment_of == services.approved_snapshot(stored).number == 1
    assert stored.version == published.version + 1
    assert drafts.can_edit(filler, stored)
    event = Event.objects.filter(project=stored).first()
    assert (event.action, event.from_status, event.to_status, event.comment) == (
        "declaration.adjusted", Status.PUBLISHED, Status.ADJUSTING, REASON)
    assert event.verb == "开始调整"
    assert Notification.objects.filter(user=reviewer, message__contains="开始目标调整").exists()


def test_an_approved_declaration_not_yet_published_can_be_adjusted_too(project, filler, reviewer):
    approved = _approve(project, filler, reviewer)
    assert _adjust(approved, filler).status == Status.ADJUSTING


def test_starting_an_adjustment_needs_a_reason(published, filler):
    with pytest.raises(services.ReviewError, match="调整原因"):
        _adjust(published, filler, reason="   ")
    assert _fresh(published).status == Status.PUBLISHED


@pytest.mark.parametrize("state", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED])
def test_only_approved_or_published_declarations_can_be_adjusted(project, filler, state):
    ProjectDeclaration.objects.filter(pk=project.pk).update(status=state)
    with pytest.raises(services.ReviewError, match="只有“审核通过、已公开”的申报可以调整"):
        _adjust(_fresh(project), filler)
    assert _fresh(project).status == state and _fresh(project).adjustment_reason == ""


def test_another_units_filler_cannot_start_an_adjustment(published, other_filler):
    with pytest.raises(services.ReviewError, match="只有本单位的填报人可以调整"):
        _adjust(published, other_filler)


def test_a_reviewer_cannot_start_an_adjustment(published, reviewer):
    with pytest.raises(services.ReviewError, match="只有本单位的填报人可以调整"):
        _adjust(published, reviewer)


def test_an_adjustment_started_from_a_stale_page_is_refused_and_changes_nothing(published, filler):
    stale = published.version
    ProjectDeclaration.objects.filter(pk=published.pk).update(version=stale + 1)  # another window acted since
    with pytest.raises(drafts.EditConflict):
        services.adjustment_start(declaration=_fresh(published), user=filler, reason=REASON, version=stale)
    stored = _fresh(published)
    assert stored.status == Status.PUBLISHED and stored.adjustment_reason == "" and stored.adjustment_of is None
    assert not Event.objects.filter(project=stored, action="declaration.adjusted").exists()


def test_an_adjustment_without_a_version_is_refused(published, filler):
    with pytest.raises(drafts.MissingVersion):
        services.adjustment_start(declaration=published, user=filler, reason=REASON, version="")


def test_the_adjusted_version_goes_through_review_again(published, filler, reviewer):
    adjusting = _adjust(published, filler)
    submitted = services.declaration_submit(declaration=adjusting, user=filler)
    assert submitted.status == Status.SUBMITTED
    assert Event.objects.filter(project=published).first().action == "declaration.adjustment_submitted"
    returned = services.declaration_return(declaration=submitted, user=reviewer, reason="调整后的指标值偏低")
    resubmitted = services.declaration_submit(declaration=returned, user=filler)
    assert services.declaration_approve(declaration=resubmitted, user=reviewer).status == Status.APPROVED
    assert services.snapshots_of(published).first().data["adjustment"] == {
        "date": timezone.localdate().isoformat(), "reason": REASON}


def test_the_adjustment_base_is_the_approved_snapshot(published, filler):
    adjusting = _adjust(published, filler)
    _edit_purpose(adjusting, filler, "调整后的资金用途")
    submitted = services.declaration_submit(declaration=_fresh(adjusting), user=filler)
    base = services.adjustment_base(submitted)
    assert base.number == 1 and services.snapshots_of(submitted).first().number == 2


def test_a_copy_to_next_year_does_not_carry_the_adjustment(published, filler):
    _adjust(published, filler)
    copy = project_copy_to_year(project=_fresh(published), year=2025, keep_money=True)
    assert (copy.adjustment_reason, copy.adjusted_on, copy.adjustment_of) == ("", None, None)


def test_the_interchange_carries_the_adjustment_only_when_there_is_one(project):
    assert "adjustment" not in project_to_dict(project)
    ProjectDeclaration.objects.filter(pk=project.pk).update(adjustment_reason=REASON, adjusted_on=date(2026, 3, 5))
    assert project_to_dict(_fresh(project))["adjustment"] == {"date": "2026-03-05", "reason": REASON}


# --- publication --------------------------------------------------------------------------

def test_the_public_sees_the_old_table_until_the_adjustment_is_published(client, published, filler, reviewer):
    old = Publication.objects.get(project=published)
    old_pdf = _table_file(old, "pdf")
    approved = _adjusted_and_approved(published, filler, reviewer)
    assert approved.status == Status.APPROVED
    page = _unit_page(client, published)
    assert page.status_code == 200
    assert "调整后的资金用途" not in page.text and "本表于" not in page.text
    assert list(publishing.current_publications(project=published)) == [old]
    search = client.get(reverse("public_search"), {"q": "驻京工作经费"})
    assert "驻京工作经费" in search.text
    response, content = _download(client, old_pdf)
    assert response.status_code == 200 and "调整原因" not in pdf_text(content)


def test_a_returned_adjustment_leaves_the_published_table_public(published, filler, reviewer):
    old = Publication.objects.get(project=published)
    submitted = services.declaration_submit(declaration=_adjust(published, filler), user=filler)
    services.declaration_return(declaration=submitted, user=reviewer, reason="调整依据不足")
    assert list(publishing.current_publications(project=published)) == [old]


def test_publishing_the_adjustment_shows_the_note_and_keeps_the_old_table_as_history(
    client, published, filler, reviewer
):
    old = Publication.objects.get(project=published)
    old_pdf = _table_file(old, "pdf")
    approved = _adjusted_and_approved(published, filler, reviewer)
    publishing.declaration_publish(declaration=approved, user=reviewer)
    new = Publication.objects.filter(project=published).exclude(pk=old.pk).get()
    old.refresh_from_db()
    assert old.replaced_by == new and old.withdrawn_at is None
    assert _fresh(published).adjustment_of is None and _fresh(published).status == Status.PUBLISHED
    assert list(publishing.current_publications(project=published)) == [new]
    assert set(PublishedValue.objects.filter(unit_id=published.unit_id).values_list("publication_id", flat=True)) == {new.pk}

    page = _unit_page(client, published).text
    assert _note() in page
    assert "调整后的资金用途" in page  # the document read online is the adjusted one
    assert 'data-testid="table-history"' in page and "已调整" in page and "审核通过的第1次提交" in page
    assert reverse("public_file", args=[old_pdf.pk, old_pdf.sha256, old_pdf.filename]) in page
    assert 'data-testid="older"' in page  # the whole document's earlier version too
    response, content = _download(client, old_pdf)
    assert response.status_code == 200 and "调整原因" not in pdf_text(content)


def test_withdrawing_an_adjusted_table_withdraws_its_history_too(client, published, filler, reviewer):
    old = Publication.objects.get(project=published)
    publishing.declaration_publish(declaration=_adjusted_and_approved(published, filler, reviewer), user=reviewer)
    publishing.declaration_unpublish(declaration=_fresh(published), user=reviewer, reason="撤回")
    assert _download(client, _table_file(old, "pdf"))[0].status_code == 404


def test_the_page_of_a_unit_with_adjusted_tables_costs_no_more_queries_per_history_entry(
    client, published, filler, reviewer, django_assert_max_num_queries
):
    for round_ in range(2):
        publishing.declaration_publish(
            declaration=_adjusted_and_approved(_fresh(published), filler, reviewer, purpose=f"第{round_}次调整"),
            user=reviewer,
        )
    with django_assert_max_num_queries(40) as counted:
        assert _unit_page(client, published).status_code == 200
    first = len(counted.captured_queries)
    publishing.declaration_publish(
        declaration=_adjusted_and_approved(_fresh(published), filler, reviewer, purpose="第三次调整"), user=reviewer)
    with django_assert_max_num_queries(first) as counted:
        page = _unit_page(client, published)
    assert page.text.count('data-testid="table-history-entry"') == 3


# --- exports ------------------------------------------------------------------------------

def test_the_published_pdf_and_excel_of_the_adjusted_table_print_the_note(client, published, filler, reviewer):
    publishing.declaration_publish(declaration=_adjusted_and_approved(published, filler, reviewer), user=reviewer)
    new = Publication.objects.get(project=published, replaced_by__isnull=True)
    response, content = _download(client, _table_file(new, "pdf"))
    assert _note() in pdf_text(content).replace("\n", "")
    response, content = _download(client, _table_file(new, "xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cells = [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]
    assert _note() in cells


@pytest.mark.parametrize("unit_name, year", [
    ("遵化市信访局", 2024), ("如皋市信访局", 2024), ("阳新县信访局", 2026), ("固原市信访局", 2021),
])  # hebei (the department as prose blocks), jiangsu, hubei, ningxia
def test_every_seed_layout_prints_the_note_under_each_adjusted_table(db, unit_name, year):
    ProjectDeclaration.objects.filter(unit__name=unit_name, year__year=year).update(
        adjustment_reason=REASON, adjusted_on=date(2026, 3, 5))
    DepartmentDeclaration.objects.filter(unit__name=unit_name, year__year=year).update(
        adjustment_reason=REASON, adjusted_on=date(2026, 3, 5))
    data = load_document_data(ProjectDeclaration.objects.filter(unit__name=unit_name).first().unit, year)
    layout = get_layout(data.layout)
    note = _note(date(2026, 3, 5))
    for project in layout.printed_projects(data):
        assert layout.project_table(data, project, 1).after_lines[-1] == note
    if data.department is not None:  # 固原 2021 declares projects only
        department = layout.department_document(data)
        printed = [line for block in department.blocks for line in getattr(block, "after_lines", [])]
        printed += [block.text for block in department.blocks if block.kind == "paragraph"]
        assert note in printed


def test_a_table_never_adjusted_prints_no_note_line(zunhua_project):
    data = load_document_data(zunhua_project.unit, 2024)
    layout = get_layout(data.layout)
    for project in layout.printed_projects(data):
        assert all(line.strip() for line in layout.project_table(data, project, 1).after_lines)
        assert not any("调整原因" in line for line in layout.project_table(data, project, 1).after_lines)


def test_every_shipped_layout_prints_the_adjustment_note_under_each_of_its_tables():
    from declarations.exports.layouts import packaged_definitions

    for code, definition in packaged_definitions().items():
        for kind, table in definition["tables"].items():
            assert "{{ adjustment }}" in table.get("after", []), f"{code}: tables.{kind}"
        blocks = (definition.get("document") or {}).get("department", {}).get("blocks", [])
        if blocks:
            assert {"paragraph": "{{ adjustment }}", "when": "{{ adjustment }}"} in blocks, f"{code}: department"


def test_a_declaration_under_adjustment_round_trips_through_excel_with_its_note(published, filler):
    from declarations.exports.registry import export_document
    from declarations.services.interchange import document_to_dict
    from declarations.services.workbook_import import workbook_import

    _adjust(published, filler)
    unit = published.unit
    before = document_to_dict(unit, 2024)
    content = export_document(unit=unit, year=2024, fmt="xlsx")[2]
    cells = [c.value for s in openpyxl.load_workbook(io.BytesIO(content)) for r in s.iter_rows() for c in r if c.value]
    assert _note() in cells
    assert workbook_import(content=content, unit=unit, year=2024, user=filler).total == 0
    assert document_to_dict(unit, 2024) == before
