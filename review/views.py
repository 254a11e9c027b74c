"""Reviewer pages: the dashboard, one declaration's review page, the acts, the 审核表, notifications."""
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Count, F, IntegerField, Sum, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from config.paging import Counted
from declarations import selectors
from declarations.exports.builders import load_document_data, load_project_data, share_rows
from declarations.exports.layouts import get_layout
from declarations.models import BudgetYear, DepartmentDeclaration, FinanceBureau, ProjectDeclaration, Status
from declarations.services import validation
from declarations.services.interchange import declaration_diff
from declarations.views_exports import _download
from jobs.models import Job
from jobs.services import job_start
from jobs.views import progress_page

from . import services
from .forms import ApproveForm, ReturnForm, UnpublishForm, comment_targets
from .models import Criterion, Notification
from .tasks import render_review_sheet

KINDS = {"project": ProjectDeclaration, "department": DepartmentDeclaration}


def _declaration_visible(request, kind, pk):
    """The declaration within the user's scope (its unit's fillers, its bureau's reviewers), else 404."""
    if kind not in KINDS:
        raise Http404
    getter = selectors.project_declaration_for if kind == "project" else selectors.department_declaration_for
    return getter(request.user, pk)


def declaration_for_reviewer(request, kind, pk):
    declaration = _declaration_visible(request, kind, pk)
    if not services.is_reviewer_of(request.user, declaration):
        raise Http404
    return declaration


def _reviewer_only(request):
    if not (request.user.is_reviewer or request.user.is_administrator):
        raise Http404


def _queue(departments, projects):
    """(pending, unit name, rank, name, kind, pk) of every row, 待审核 (已提交) first, then by unit
    and name: one ordered UNION the database pages, so only the page's rows are read."""
    pending = Case(When(status=Status.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField())
    fields = ("pending", "unit__name", "rank", "row_name", "row_kind", "pk")
    department_rows = departments.order_by().annotate(
        pending=pending, rank=Value(0), row_kind=Value("department"),
        row_name=Concat(Coalesce(NullIf("department_name", Value("")), "unit__name"), Value("部门整体"),
                        output_field=CharField()),
    ).values_list(*fields)
    project_rows = projects.order_by().annotate(
        pending=pending, rank=Value(1), row_kind=Value("project"), row_name=F("name"),
    ).values_list(*fields)
    return department_rows.union(project_rows, all=True).order_by("pending", "unit__name", "rank", "row_name", "pk")


@login_required
def dashboard(request):
    """Per finance bureau and year: every unit, its declarations and their states, with charts."""
    _reviewer_only(request)
    user = request.user
    years = list(BudgetYear.objects.order_by("-year"))
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else None
    units = selectors.units_visible_to(user)
    # An administrator sees every bureau and narrows to one; a reviewer sees only their own.
    bureaus = list(FinanceBureau.objects.order_by("name").only("pk", "name")) if user.is_administrator else None
    bureau_id = request.GET.get("bureau", "") if bureaus is not None else ""
    bureau = next((b for b in bureaus if str(b.pk) == bureau_id), None) if bureau_id.isdigit() else None
    if bureau is not None:
        units = units.filter(bureau=bureau)
    projects, departments = ProjectDeclaration.objects.all(), DepartmentDeclaration.objects.all()
    if not (user.is_administrator and bureau is None):  # every unit: no IN (all units) on each query
        projects, departments = projects.filter(unit__in=units), departments.filter(unit__in=units)
    if year is None:
        year = next((y.year for y in years if projects.filter(year=y).exists() or departments.filter(year=y).exists()),
                    years[0].year if years else None)
    # By the year's key when it exists (no join to the years on every aggregate below).
    chosen_year = next((y for y in years if y.year == year), None)
    in_year = {"year": chosen_year} if chosen_year is not None else {"year__year": year}
    projects, departments = projects.filter(**in_year), departments.filter(**in_year)
    status = request.GET.get("status", "")
    if status in Status.values:
        projects, departments = projects.filter(status=status), departments.filter(status=status)
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit():
        projects, departments = projects.filter(unit_id=unit_id), departments.filter(unit_id=unit_id)
    kind = request.GET.get("kind", "")
    if kind == "project":
        departments = departments.none()
    elif kind == "department":
        projects = projects.none()

    # Counts, money and charts come from aggregates (one per table); only one page of rows is
    # loaded and checked, so the page stays quick for a province with tens of thousands of them.
    counts = {s.value: 0 for s in Status}
    by_unit = {}
    money = {}
    for queryset in (departments, projects):
        is_project = queryset.model is ProjectDeclaration
        aggregates = {"n": Count("id"), **({"total": Sum("budget")} if is_project else {})}
        for row in queryset.values("unit_id", "status").annotate(**aggregates).order_by():
            counts[row["status"]] += row["n"]
            by_unit.setdefault(row["unit_id"], {}).setdefault(row["status"], 0)
            by_unit[row["unit_id"]][row["status"]] += row["n"]
            if is_project and row["total"] is not None:
                money[row["status"]] = money.get(row["status"], 0) + row["total"]
    # Units of the bureau (or the chosen one) with no declaration at all for the year: without a
    # state or kind filter the aggregate above already names the units that have one.
    unfiled_units = units.filter(pk=unit_id) if unit_id.isdigit() else units
    if status in Status.values or kind in ("project", "department"):
        unfiled = unfiled_units.exclude(**{f"projectdeclarations__{k}": v for k, v in in_year.items()}).exclude(
            **{f"departmentdeclarations__{k}": v for k, v in in_year.items()}).count()
    else:
        unfiled = unfiled_units.count() - len(by_unit)
    page = Paginator(Counted(_queue(departments, projects), sum(counts.values())),
                     ROWS_PER_PAGE).get_page(request.GET.get("page"))
    related = ("unit__bureau__layout", "year")
    chosen_departments = {
        d.pk: d for d in DepartmentDeclaration.objects.filter(
            pk__in=[e[5] for e in page if e[4] == "department"]).select_related(*related).prefetch_related(
            "indicators__subcategory__category", "money_lines", "sub_goals")
    }
    chosen_projects = {
        p.pk: p for p in ProjectDeclaration.objects.filter(
            pk__in=[e[5] for e in page if e[4] == "project"]).select_related(*related).prefetch_related(
            "indicators__subcategory__category", "spending_plan", "money_lines", "goal_items")
    }
    validation.prefetch_for_validation([*chosen_departments.values(), *chosen_projects.values()])
    rows = []
    hints_by_criterion = {c: 0 for c in Criterion.values}
    for _pending, _unit, _rank, name, row_kind, pk in page:
        declaration = (chosen_projects if row_kind == "project" else chosen_departments)[pk]
        is_project = row_kind == "project"
        findings = validation.validate_project(declaration) if is_project else validation.validate_department(declaration)
        hints = validation.hints(findings)
        for hint in hints:
            hints_by_criterion[hint.criterion] = hints_by_criterion.get(hint.criterion, 0) + 1
        rows.append({
            "declaration": declaration, "kind": row_kind, "name": name,
            "budget": declaration.budget if is_project else None,
            "pending": declaration.status == Status.SUBMITTED, "colour": STATUS_COLOURS[declaration.status],
            "errors": validation.errors(findings), "hints": hints,
        })
    charts = {
        "units_by_state": _units_by_state(by_unit, unfiled),
        "money_by_state": _series(
            [(s.label, float(money.get(s.value) or 0), STATUS_COLOURS[s.value]) for s in Status]),
        "hints_by_criterion": _series([(c, n, HINT_COLOUR) for c, n in hints_by_criterion.items()]),
    }
    query = request.GET.copy()
    query.pop("page", None)
    # The unit filter lists one bureau's units: the reviewer's, or the one an administrator chose
    # (a province's thousands of units in one list would be most of the page).
    unit_choices = units.order_by("name").only("pk", "name") if bureaus is None or bureau is not None else []
    return render(request, "review/dashboard.html", {
        "rows": rows, "page": page, "query": query.urlencode(), "years": years, "year": year,
        "counts": [(s.label, counts[s.value], STATUS_COLOURS[s.value]) for s in Status]
        + [(UNFILED, unfiled, STATUS_COLOURS[UNFILED])],
        "selectable": any(row["pending"] for row in rows),
        "status": status, "kind": kind, "unit_id": unit_id, "units": unit_choices,
        "bureaus": bureaus, "bureau": bureau, "statuses": Status.choices, "charts": charts,
    })


# One colour per state, used by the badges, the counts and the charts alike.
UNFILED = "未填报"
STATUS_COLOURS = {
    Status.DRAFT: "#6c757d",
    Status.SUBMITTED: "#b35900",
    Status.RETURNED: "#dc3545",
    Status.APPROVED: "#198754",
    Status.PUBLISHED: "#0d6efd",
    Status.ADJUSTING: "#6610f2",
    UNFILED: "#adb5bd",
}
HINT_COLOUR = "#6f42c1"
# A unit is counted in the state of its least advanced declaration.
PROGRESS = [Status.DRAFT, Status.RETURNED, Status.ADJUSTING, Status.SUBMITTED, Status.APPROVED, Status.PUBLISHED]


def _series(items):
    """Labels, values and colours of one chart; empty when every value is 0 (the page says 无数据)."""
    if not any(value for _label, value, _colour in items):
        return None
    return {"labels": [i[0] for i in items], "data": [i[1] for i in items], "colours": [i[2] for i in items]}


def _units_by_state(by_unit, unfiled):
    units = {s: 0 for s in PROGRESS}
    for states in by_unit.values():
        units[next(s for s in PROGRESS if states.get(s.value))] += 1
    return _series([(s.label, units[s], STATUS_COLOURS[s]) for s in PROGRESS]
                   + [(UNFILED, unfiled, STATUS_COLOURS[UNFILED])])


ROWS_PER_PAGE = 50


@login_required
@require_POST
def approve_selected(request):
    _reviewer_only(request)
    chosen = []
    for item in request.POST.getlist("selected"):
        kind, _, pk = item.partition(":")
        if kind in KINDS and pk.isdigit():
            chosen.append(declaration_for_reviewer(request, kind, int(pk)))
    approved, refused = services.approve_many(declarations=chosen, user=request.user)
    if approved:
        messages.success(request, f"已批量审核通过 {len(approved)} 份申报。")
    for declaration, error in refused:
        messages.error(request, f"{services.title_of(declaration)}：{error}")
    if not chosen:
        messages.warning(request, "请先勾选要审核通过的申报。")
    target = request.POST.get("next", "")
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure())):
        target = reverse("review_dashboard")
    return HttpResponseRedirect(target)


@login_required
def review_declaration(request, kind, pk):
    declaration = declaration_for_reviewer(request, kind, pk)
    snapshots = list(services.snapshots_of(declaration)[:2])
    current = snapshots[0].data if snapshots else services.serialize(declaration)
    base = services.diff_base(declaration, snapshots)
    diff = declaration_diff(base.data, snapshots[0].data) if base is not None else None
    layout = get_layout(declaration.unit.bureau.layout)
    if kind == "project":
        data, printed, number = load_project_data(declaration, layout)
        document = layout.project_document(data, printed, number=number)
    else:
        data = load_document_data(declaration.unit, declaration.year.year)
        document = layout.department_document(data)
        printed = data.department
    share_rows(declaration, printed)  # validation reads the rows the document read
    findings = (validation.validate_project if kind == "project" else validation.validate_department)(declaration)
    targets = comment_targets(current)
    return render(request, "review/declaration.html", {
        "declaration": declaration, "kind": kind, "document": document, "snapshots": snapshots, "diff": diff,
        "diff_base": base,
        "findings": findings, "events": services.events_of(declaration), "review": services.latest_review(declaration),
        "actions": services.allowed_actions(request.user, declaration),
        # Both forms are on one page: their own id prefixes keep every label bound to its own box.
        "return_form": ReturnForm(targets=targets, auto_id="return_%s"),
        "approve_form": ApproveForm(targets=targets, auto_id="approve_%s"),
        "unpublish_form": UnpublishForm(),
    })


@login_required
@require_POST
def review_act(request, kind, pk, action):
    declaration = declaration_for_reviewer(request, kind, pk)
    current = services.serialize(declaration)
    try:
        if action == "return":
            form = ReturnForm(request.POST, targets=comment_targets(current))
            if not form.is_valid():
                return form_errors(request, declaration, kind, form)
            services.declaration_return(declaration=declaration, user=request.user, reason=form.cleaned_data["reason"],
                                        comments=form.cleaned_data["comments"], result=form.cleaned_data["result"])
            messages.success(request, "已退回修改，填报人会收到通知。")
        elif action == "approve":
            form = ApproveForm(request.POST, targets=comment_targets(current))
            if not form.is_valid():
                return form_errors(request, declaration, kind, form)
            services.declaration_approve(declaration=declaration, user=request.user, result=form.cleaned_data["result"],
                                         reason=form.cleaned_data["reason"], comments=form.cleaned_data["comments"])
            messages.success(request, "已审核通过。")
        else:  # publishing and withdrawing are the public app's (public/views.py: publication_act)
            raise Http404
    except services.ReviewError as error:
        messages.error(request, str(error))
    return redirect("review_declaration", kind, declaration.pk)


def form_errors(request, declaration, kind, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)
    return redirect("review_declaration", kind, declaration.pk)


@login_required
def review_sheet(request, kind, pk):
    """绩效目标审核表 of the latest review, as PDF: rendered by a worker (no PDF in a web
    request); the answer is the file when the job is over at once, else its progress page."""
    declaration = _declaration_visible(request, kind, pk)
    review = services.latest_review(declaration)
    if review is None:
        raise Http404
    job = job_start(
        kind=Job.EXPORT, user=request.user, title=f"导出：{services.title_of(declaration)}绩效目标审核表（PDF）",
        params={"part": "review_sheet", "kind": kind, "pk": declaration.pk, "review": review.pk},
        back_url=services.detail_url(declaration), task=render_review_sheet,
    )
    if job.state == Job.DONE:
        with default_storage.open(job.result_file, "rb") as handle:
            return _download(job.result_filename, job.result_content_type, handle.read())
    if job.state == Job.FAILED:
        return render(request, "declarations/export_failed.html", status=500)
    return progress_page(request, job)


@login_required
def notifications(request):
    items = list(request.user.notifications.all()[:100])
    unread = [n.pk for n in items if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "review/notifications.html", {"items": items, "unread": set(unread)})

