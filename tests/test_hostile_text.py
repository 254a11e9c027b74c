"""Hostile text in every text field reaches every page, export and notification as text, never as markup.

The payload carries an element, an htmx attribute that would resubmit the declaration, a script and
template syntax. Pages must show it escaped (so the tests cannot pass vacuously: the escaped form is
looked for too); exports and mails must carry it as the literal text the user typed.
"""
import io
import re

import openpyxl
import pytest
from django.core import mail
from django.db import models
from django.urls import reverse

from declarations.exports.registry import export_department, export_project
from declarations.models import (
    CoverNote, DepartmentDeclaration, GoalItem, ProjectDeclaration, SafeguardMeasure,
    SpendingCheckpoint, SubGoal,
)
from public import services as publishing
from review import services
from review.forms import comment_targets
from review.models import Event, Notification, Review

from .export_text import pdf_text
from .seed_text import flat

PARTS = [
    '<b id="xss">粗</b>',
    '<div hx-post="/projects/1/submit/" hx-trigger="load">载</div>',
    "<script>alert(1)</script>",
    '{{ 7|add:1 }}{% now "Y" %}',
]
PAYLOAD = "".join(PARTS)
RAW = ['<b id="xss">', "<div hx-post", 'hx-trigger="load"', "<script>alert", "8{% now"]
ESCAPED = "&lt;b id=&quot;xss&quot;&gt;粗&lt;/b&gt;"
TEMPLATE_AS_TEXT = "{{ 7|add:1 }}{% now &quot;Y&quot; %}"  # template syntax shown, never evaluated


def hostile(max_length, suffix=""):
    """As much of the payload as the field holds (at least the bold element), plus a suffix."""
    limit = (max_length or 10_000) - len(suffix)
    text = ""
    for part in PARTS:
        if len(text) + len(part) <= limit:
            text += part
    return text + suffix


def text_fields(model):
    """Every free-text field of the model: a field added later is covered without touching this test."""
    return [
        f for f in model._meta.get_fields()
        if isinstance(f, (models.CharField, models.TextField)) and f.concrete and not f.choices
    ]


def make_hostile(obj, suffix=""):
    for field in text_fields(type(obj)):
        setattr(obj, field.name, hostile(field.max_length, suffix))
    obj.save()


def assert_shown_as_text(response, shown=True, status=200):
    """No markup of the payload in the page; and (unless the page shows no user text) its escaped form."""
    assert response.status_code == status, response.request["PATH_INFO"]
    html = response.content.decode()
    leaked = [raw for raw in RAW if raw in html]
    assert not leaked, f"{response.request['PATH_INFO']}: {leaked}"
    if shown:
        assert ESCAPED in html, f"{response.request['PATH_INFO']} does not show the text at all"


@pytest.fixture
def department(zunhua_unit):
    return DepartmentDeclaration.objects.get(unit=zunhua_unit, year__year=2024)


@pytest.fixture
def filled(zunhua_project, department, zunhua_unit):
    """The 遵化 project, its 部门整体 declaration, their children, the unit and cover note, all hostile."""
    make_hostile(zunhua_unit)
    make_hostile(CoverNote.objects.get_or_create(unit=zunhua_unit, year=zunhua_project.year)[0])
    for declaration in (zunhua_project, department):
        make_hostile(declaration)
        for n, indicator in enumerate(declaration.indicators.all()):
            make_hostile(indicator, suffix=f"#{n}")
    for model in (GoalItem, SpendingCheckpoint):
        for n, child in enumerate(model.objects.filter(project=zunhua_project)):
            make_hostile(child, suffix=f"#{n}")
    for model in (SubGoal, SafeguardMeasure):
        for n, child in enumerate(model.objects.filter(declaration=department)):
            make_hostile(child, suffix=f"#{n}")
    return zunhua_project, department


PINNED_FIELDS = {"name", "purpose", "annual_goal", "goal_items", "department_name", "overall_goal", "long_term_goal"}


def _return_with_comments(declaration, filler, reviewer):
    declaration = services.declaration_submit(declaration=declaration, user=filler)
    targets = [value for value, _label in comment_targets(services.serialize(declaration)) if value]
    fields = [t for t in targets if t in PINNED_FIELDS]
    indicators = [t for t in targets if t.startswith("indicator:")]
    chosen = fields + indicators[:2]
    assert len(fields) >= 3
    return services.declaration_return(
        declaration=declaration, user=reviewer, reason=PAYLOAD,
        comments=[{"target": t, "target_label": t, "criterion": "完整性", "text": PAYLOAD} for t in chosen],
    )


@pytest.fixture
def returned(filled, filler, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tuple(_return_with_comments(d, filler, reviewer) for d in filled)


@pytest.fixture
def published(filled, filler, reviewer):
    for declaration in filled:
        declaration = services.declaration_submit(declaration=declaration, user=filler)
        declaration = services.declaration_approve(declaration=declaration, user=reviewer, reason=PAYLOAD)
        publishing.declaration_publish(declaration=declaration, user=reviewer)
    return filled


def assert_grid_carries_text(response, expected):
    """The indicator grid's page: no markup of the payload, the rows as JSON text escaped for a
    <script> element (`json_script`), and `expected` among the data the grid shows as text."""
    assert_shown_as_text(response, shown=False)
    html = response.content.decode()
    assert "\\u003Cb id=" in html  # < escaped inside the JSON, so the data cannot close its element
    assert expected(response.context["grid"]), response.request["PATH_INFO"]


def _wizard_urls(project, department):
    """Every step the wizards show for these declarations (their layouts decide which); the
    indicator step as its one-form editor (the grid's page is checked by assert_grid_carries_text)."""
    from declarations.exports.layouts import get_layout
    from declarations.views_wizard import DEPARTMENT_STEPS, PROJECT_STEPS

    project_steps = get_layout(project.unit.bureau.layout).wizard_steps("project", PROJECT_STEPS)
    department_steps = get_layout(department.unit.bureau.layout).wizard_steps("department", DEPARTMENT_STEPS)
    form = {"indicators": "?form=1"}
    return [reverse("project_step", args=[project.pk, s]) + form.get(s, "") for s, _label in project_steps] + [
        reverse("department_step", args=[department.pk, s]) + form.get(s, "") for s, _label in department_steps
    ]


def test_the_filler_sees_hostile_text_as_text_on_every_wizard_step_and_page(client, filled, filler):
    project, department = filled
    client.force_login(filler)
    for url in _wizard_urls(project, department) + [
        reverse("home"),
        reverse("project_detail", args=[project.pk]),
        reverse("department_detail", args=[department.pk]),
        reverse("document_preview", args=[project.unit_id, 2024]),
    ]:
        assert_shown_as_text(client.get(url))
    assert_grid_carries_text(client.get(reverse("project_step", args=[project.pk, "indicators"])),
                             lambda grid: any(PAYLOAD[:20] in row["name"] for row in grid["rows"]))
    for url in (reverse("project_detail", args=[project.pk]), reverse("department_detail", args=[department.pk])):
        assert TEMPLATE_AS_TEXT in client.get(url).content.decode()


def test_pinned_review_comments_reach_the_wizard_as_text_beside_their_fields(client, returned, filler):
    project, department = returned
    client.force_login(filler)
    for url in _wizard_urls(project, department):
        assert_shown_as_text(client.get(url))
    funds = client.get(reverse("project_step", args=[project.pk, "funds"])).content.decode()
    beside = f'<div id="id_purpose_helptext" class="form-text">审核意见〔完整性〕：{ESCAPED}'
    assert beside in funds
    department_goals = client.get(reverse("department_step", args=[department.pk, "goals"])).content.decode()
    assert f'<div id="id_overall_goal_helptext" class="form-text">审核意见〔完整性〕：{ESCAPED}' in department_goals
    indicators = client.get(reverse("project_step", args=[project.pk, "indicators"]) + "?form=1").content.decode()
    assert f'data-testid="row-comment">审核意见〔完整性〕：{ESCAPED}' in indicators
    assert_grid_carries_text(
        client.get(reverse("project_step", args=[project.pk, "indicators"])),
        lambda grid: any(c.startswith("审核意见〔完整性〕：" + PAYLOAD[:20]) for r in grid["rows"] for c in r.get("comments", [])),
    )


def test_the_reviewer_sees_hostile_text_as_text_on_the_review_page_diff_and_dashboard(
    client, returned, filler, reviewer
):
    project, department = returned
    ProjectDeclaration.objects.filter(pk=project.pk).update(purpose=PAYLOAD + "改")
    services.declaration_submit(declaration=project, user=filler)
    client.force_login(reviewer)
    page = client.get(reverse("review_declaration", args=["project", project.pk]))
    assert_shown_as_text(page)
    html = page.content.decode()
    assert ESCAPED + "&lt;div" in html[html.index('data-testid="diff"'):]
    for url in (reverse("review_declaration", args=["department", department.pk]),
                reverse("review_dashboard") + "?year=2024", reverse("notifications")):
        assert_shown_as_text(client.get(url))


def test_notifications_carry_hostile_text_as_plain_text_in_the_app_and_in_mail(client, returned, filler):
    assert Notification.objects.filter(user=filler, message__contains=PARTS[0]).exists()
    bodies = [m.body for m in mail.outbox if filler.email in m.to]
    assert bodies and all(PARTS[0] in body and "&lt;" not in body for body in bodies)
    client.force_login(filler)
    assert_shown_as_text(client.get(reverse("notifications")))


def test_the_administrator_sees_hostile_text_as_text_in_the_admin(client, returned, administrator, zunhua_unit):
    project, department = returned
    client.force_login(administrator)
    indicator = project.indicators.first()
    for name, pk in [
        ("declarations_projectdeclaration", project.pk),
        ("declarations_departmentdeclaration", department.pk),
        ("declarations_indicator", indicator.pk),
        ("declarations_unit", zunhua_unit.pk),
        ("declarations_covernote", CoverNote.objects.filter(unit=zunhua_unit).first().pk),
        ("review_notification", Notification.objects.filter(message__contains=PARTS[0]).first().pk),
        ("review_review", Review.objects.get(project=project).pk),
        ("review_event", Event.objects.get(project=project, action="declaration.returned").pk),
    ]:
        # The indicator list pages by 50, newest first: filtered to the declaration, as its page links it.
        narrowed = f"?project={project.pk}" if name == "declarations_indicator" else ""
        assert_shown_as_text(client.get(reverse(f"admin:{name}_changelist") + narrowed))
        assert_shown_as_text(client.get(reverse(f"admin:{name}_change", args=[pk])))


def test_the_public_sees_hostile_text_as_text_after_publication(client, published, zunhua_unit):
    assert_shown_as_text(client.get(reverse("public_index")), shown=False)  # lists bureaus only
    for url in (
        reverse("public_bureau", args=[zunhua_unit.bureau_id]),
        reverse("public_unit_year", args=[zunhua_unit.pk, 2024]),
        reverse("public_search") + "?q=粗",
    ):
        assert_shown_as_text(client.get(url))
    assert_shown_as_text(client.get(reverse("public_search"), {"q": PAYLOAD}))  # the query echoed back
    page = client.get(reverse("public_unit_year", args=[zunhua_unit.pk, 2024])).content.decode()
    links = re.findall(r'href="(/public/files/[^"]+)"', page)
    assert links and all(client.get(link).status_code == 200 for link in links)


def test_the_project_table_prints_and_exports_hostile_text_literally(filled):
    project, _department = filled
    _name, _type, pdf = export_project(project=project, fmt="pdf")
    assert flat(PAYLOAD) in flat(pdf_text(pdf))
    _name, _type, xlsx = export_project(project=project, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert any(cell.value == PAYLOAD and cell.data_type == "s" for cell in cells)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]


def test_the_department_table_prints_and_exports_hostile_text_literally(filled):
    _project, department = filled
    _name, _type, pdf = export_department(department=department, fmt="pdf")
    assert flat(PAYLOAD) in flat(pdf_text(pdf))
    _name, _type, xlsx = export_department(department=department, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    paragraphs = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert "\u3000\u3000" + PAYLOAD in paragraphs  # an indented prose paragraph, as typed


def test_the_review_sheet_prints_the_reason_and_comments_literally(client, returned, reviewer):
    project, _department = returned
    client.force_login(reviewer)
    response = client.get(reverse("review_sheet", args=["project", project.pk]))
    assert response.status_code == 200
    assert flat(PAYLOAD) in flat(pdf_text(response.content))


def test_a_stale_save_of_hostile_text_shows_it_as_text_on_the_conflict_page(client, filled, filler):
    project, _department = filled
    client.force_login(filler)
    response = client.post(
        reverse("project_step", args=[project.pk, "goals"]),
        {"version": 99999, "annual_goal": PAYLOAD, "long_term_goal": PAYLOAD, "goal_items_text": PAYLOAD},
    )
    assert_shown_as_text(response, status=409)


def test_the_value_preview_fragment_shows_hostile_parts_as_text(client, filled, filler):
    client.force_login(filler)
    for data in ({"key": "r1", "r1-comparator": "定性", "r1-text": PAYLOAD},
                 {"key": "r1", "r1-comparator": "≥", "r1-number": "95", "r1-unit": PARTS[0]},
                 {"key": "r1", "r1-quick": PAYLOAD}):
        response = client.post(reverse("value_preview"), data)
        assert response.status_code == 200
        assert not [raw for raw in RAW if raw in response.content.decode()]
        assert "&lt;b id=&quot;xss&quot;&gt;" in response.content.decode()


def test_a_refused_batch_approval_names_the_hostile_declaration_as_text(client, filled, reviewer):
    project, _department = filled
    client.force_login(reviewer)
    response = client.post(reverse("review_approve_selected"), {"selected": [f"project:{project.pk}"]}, follow=True)
    assert "不能审核通过" in response.content.decode()
    assert_shown_as_text(response)


def test_hostile_indicator_library_entries_are_offered_as_text(client, zunhua_project, filler, administrator):
    """The library comes from uploaded files; its entries reach the indicator editor and the admin as text."""
    from indicators.models import LibraryIndicator

    keys = {"category_name", "subcategory_name"}  # they tie an entry to its 二级; the rest is free text
    for n, entry in enumerate(LibraryIndicator.objects.all()):
        for field in text_fields(LibraryIndicator):
            if field.name not in keys:
                setattr(entry, field.name, hostile(field.max_length, suffix=f"#{n}"))
        entry.save()
    client.force_login(filler)
    url = reverse("project_step", args=[zunhua_project.pk, "indicators"])
    assert_shown_as_text(client.get(url + "?form=1"))
    assert_grid_carries_text(client.get(url), lambda grid: any(
        PAYLOAD[:20] in entry["name"] for entries in grid["library"].values() for entry in entries))
    client.force_login(administrator)
    assert_shown_as_text(client.get(reverse("admin:indicators_libraryindicator_changelist")))


def test_a_hostile_library_upload_previews_as_text(client, administrator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    book = openpyxl.Workbook()
    book.active.append(["一级指标", "二级指标", "三级指标", "指标解释", "建议指标值", "取值依据"])
    book.active.append(["产出指标", "数量指标", PAYLOAD, PAYLOAD, hostile(200), PAYLOAD])  # a new entry
    book.active.append(["产出指标", "数量指标", "有效化解信访完成率", PAYLOAD, hostile(200), PAYLOAD])  # an update
    content = io.BytesIO()
    book.save(content)
    client.force_login(administrator)
    upload = SimpleUploadedFile(PARTS[0] + ".xlsx", content.getvalue())
    response = client.post(reverse("admin:indicators_libraryindicator_import"), {"file": upload})
    assert_shown_as_text(response)
    assert 'data-testid="adds"' in response.content.decode() and 'data-testid="updates"' in response.content.decode()
