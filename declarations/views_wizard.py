"""The fill-in wizards for 项目 and 部门整体 declarations. Thin: forms check, services write."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.module_loading import import_string
from django.views.decorators.http import require_POST

from . import forms, indicator_editor, indicator_grid, selectors
from .next_steps import FIRST_STEP
from .exports.builders import load_document_data, load_project_data, share_rows
from .exports.layouts import get_layout
from .models import BudgetYear, DepartmentDeclaration, ProjectDeclaration
from .services import drafts, validation
from .services.copying import CopyError, department_copy_to_year, project_copy_to_year

PROJECT_STEPS = [
    ("basic", "基本信息"),
    ("funds", "资金"),
    ("goals", "目标"),
    ("milestones", "实施进度计划"),
    ("indicators", "绩效指标"),
    ("preview", "预览与提交"),
]
DEPARTMENT_STEPS = [
    ("profile", "职能与机构人员"),
    ("money", "收支"),
    ("projects", "项目支出情况"),
    ("goals", "目标"),
    ("indicators", "绩效指标"),
    ("preview", "预览与提交"),
]


def _layout(declaration_or_unit):
    unit = getattr(declaration_or_unit, "unit", declaration_or_unit)
    return get_layout(unit.bureau.layout)


# A project listed only in the 部门整体 table (项目支出情况) prints no table of its own: no goals or indicators.
NO_OWN_TABLE = {"goals", "indicators"}


def _steps(declaration, kind):
    """The steps of this declaration's wizard: only those asking for what its layout prints."""
    steps = _layout(declaration).wizard_steps(kind, PROJECT_STEPS if kind == "project" else DEPARTMENT_STEPS)
    if kind == "project" and not declaration.has_table:
        steps = [(key, label) for key, label in steps if key not in NO_OWN_TABLE]
    return steps


def _editable_or_404(request, declaration):
    if not drafts.can_edit(request.user, declaration):
        if declaration.status not in drafts.EDITABLE and request.user.is_filler:
            return False
        raise Http404
    return True


def _progress(steps, findings, complete):
    """Each step with whether it is complete and how many errors and hints point at it.

    `complete` maps a step to a function answering whether it is filled in: asked only for the
    steps this layout has (a step it leaves out costs no query)."""
    result = []
    for key, label in steps:
        errors = sum(1 for f in findings if f.step == key and f.level == "error")
        hints = sum(1 for f in findings if f.step == key and f.level == "hint")
        done = key in complete and not errors and complete[key]()
        result.append({"key": key, "label": label, "complete": done, "errors": errors, "hints": hints})
    return result


def _project_complete(project):
    return {
        "basic": lambda: bool(project.name),
        "funds": lambda: bool(project.budget),
        "goals": lambda: bool(project.annual_goal or project.long_term_goal or project.goal_items.exists()),
        "milestones": lambda: project.milestones.exists(),
        "indicators": lambda: project.indicators.exists(),
        "preview": lambda: project.status not in drafts.EDITABLE,
    }


def _department_complete(department):
    return {
        "profile": lambda: bool(department.department_name or department.functions),
        "money": lambda: department.money_lines.exists() or not _layout(department).department_income_kinds,
        "projects": lambda: True,
        "goals": lambda: bool(department.overall_goal or department.annual_goal or department.long_term_goal),
        "indicators": lambda: department.indicators.exists() or not _layout(department).department_terms,
        "preview": lambda: department.status not in drafts.EDITABLE,
    }


def _state(declaration, kind):
    """(steps, findings, progress) of a declaration as saved now."""
    # Its indicators once, for validation and the step's check mark alike (and the indicator step's rows).
    prefetch_related_objects([declaration], "indicators")
    if kind == "project":
        findings = validation.validate_project(declaration)
        steps, complete = _steps(declaration, "project"), _project_complete(declaration)
    else:
        findings = validation.validate_department(declaration)
        steps, complete = _steps(declaration, "department"), _department_complete(declaration)
    findings = findings + validation.draft_findings(declaration)
    return steps, findings, _progress(steps, findings, complete)


def _percent(progress):
    return round(100 * sum(1 for s in progress if s["complete"]) / len(progress))


def wizard_state(declaration, kind, step):
    """The progress bar, step badges and this step's findings as data, for a page that saved
    without reloading (the indicator grid), so none of them stays stale."""
    _steps_, findings, progress = _state(declaration, kind)
    return {
        "percent": _percent(progress),
        "steps": progress,
        "findings": [{"level": f.level, "criterion": f.criterion, "message": f.message}
                     for f in findings if f.step == step],
    }


def _wizard_context(request, declaration, kind, step):
    steps, findings, progress = _state(declaration, kind)
    from review.services import comments_for_wizard, latest_review

    comments = comments_for_wizard(declaration)
    if request.user.unit_id == declaration.unit_id:
        request.user.unit = declaration.unit  # the navigation bar's unit: the one read with the page
    return {
        "review_comments": comments,
        "returned_review": latest_review(declaration) if declaration.status == "returned" else None,
        "declaration": declaration,
        "kind": kind,
        "step": step,
        "steps": progress,
        "step_label": dict(steps)[step],
        "percent_complete": _percent(progress),
        "step_findings": [f for f in findings if f.step == step],
        "findings": findings,
        "editable": drafts.can_edit(request.user, declaration),
        "layout": _layout(declaration),
    }


def _conflict(request, declaration, kind, step, form_or_rows, message):
    """A stale save: show what the user typed beside what is saved now; nothing is lost."""
    fresh = type(declaration).objects.get(pk=declaration.pk)
    fields = {f.name: f for f in fresh._meta.fields}
    rows = []
    for key, typed in request.POST.items():
        if key in ("csrfmiddlewaretoken", "version", "action", "row"):
            continue
        field = fields.get(key)
        saved = getattr(fresh, key) if field else ""
        label = str(field.verbose_name) if field else key
        rows.append({"label": label, "typed": typed, "saved": "" if saved is None else saved,
                     "differs": field is not None and str(saved) != typed})
    saved_indicators = [
        (i.subcategory.name, i.name, i.value_display) for i in fresh.indicators.select_related("subcategory")
    ] if step == "indicators" else []
    return render(
        request,
        "declarations/wizard/conflict.html",
        {"declaration": fresh, "kind": kind, "step": step, "message": message, "rows": rows,
         "saved_indicators": saved_indicators},
        status=409,
    )


# --- project ------------------------------------------------------------------------------

@login_required
def project_new(request):
    if not request.user.is_filler:
        raise Http404
    unit = request.user.unit
    layout = _layout(unit)
    form_class = forms.project_step_form_class(layout, "basic")
    if request.method == "POST":
        form = form_class(request.POST, creating=True, unit=unit)
        if form.is_valid():
            year = form.cleaned_data["year"]
            if ProjectDeclaration.objects.filter(unit=unit, year=year, name=form.cleaned_data["name"]).exists():
                form.add_error("name", f"{year.year} 年度已有同名项目")
            else:
                try:
                    project = drafts.project_create(user=request.user, unit=unit, year=year, form=form)
                except drafts.DraftError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, "项目已创建为草稿，下一步填写资金。")
                    return redirect("project_step", project.pk, "funds")
    else:
        form = form_class(creating=True, initial={"year": BudgetYear.objects.filter(is_open=True).first()})
    return render(
        request,
        "declarations/wizard/project_new.html",
        {"form": form, "steps": [{"key": k, "label": v} for k, v in layout.wizard_steps("project", PROJECT_STEPS)],
         "layout": layout},
    )


@login_required
def project_step(request, pk, step):
    project = selectors.project_declaration_for(request.user, pk)
    if step not in dict(_steps(project, "project")):
        raise Http404
    editable = _editable_or_404(request, project)
    if step == "indicators":
        return _indicator_editor(request, project, "project", editable)
    if step == "preview":
        return _preview(request, project, "project")
    if step == "milestones":
        return _milestones(request, project, editable)
    layout = _layout(project)
    form_class = forms.project_step_form_class(layout, step)
    extra = {"layout": layout} if step in ("funds", "goals") else {}
    if request.method == "POST" and editable:
        form = form_class(request.POST, instance=project, **extra)
        if form.is_valid():
            try:
                drafts.project_step_save(
                    user=request.user,
                    project=project,
                    form=form,
                    version=form.cleaned_data.get("version"),
                    spending_plan=form.spending_plan() if step == "funds" and form.checkpoints else None,
                    income_lines=form.income_lines() if step == "funds" and layout.project_income_kinds else None,
                    goal_items=form.goal_items() if step == "goals" else None,
                )
            except drafts.EditConflict as conflict:
                return _conflict(request, project, "project", step, form, str(conflict))
            except drafts.DraftError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"“{dict(PROJECT_STEPS)[step]}”已保存。")
                return redirect("project_step", project.pk, _next_step(_steps(project, "project"), step))
        project.refresh_from_db()
    else:
        form = form_class(instance=project, **extra)
    context = _wizard_context(request, project, "project", step)
    _pin_comments(form, context["review_comments"])
    context["form"] = form
    template = "project_funds.html" if step == "funds" else "step_form.html"
    return render(request, f"declarations/wizard/{template}", context)


def _milestones(request, project, editable):
    """项目实施进度计划: rows added, changed and removed together, saved with the version claim."""
    form = forms.ProjectMilestonesForm(request.POST if request.method == "POST" and editable else None, project=project)
    if request.method == "POST" and editable and form.is_valid():
        try:
            drafts.project_milestones_save(
                user=request.user, project=project, version=form.cleaned_data["version"], milestones=form.milestones(),
            )
        except drafts.EditConflict as conflict:
            return _conflict(request, project, "project", "milestones", form, str(conflict))
        except drafts.DraftError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "“实施进度计划”已保存。")
            if request.POST.get("action") == "more":  # 保存并再添加: the saved rows and two empty ones
                return redirect("project_step", project.pk, "milestones")
            return redirect("project_step", project.pk, _next_step(_steps(project, "project"), "milestones"))
    context = _wizard_context(request, project, "project", "milestones")
    context["form"] = form
    return render(request, "declarations/wizard/milestones.html", context)


def _pin_comments(form, comments):
    """Show the reviewer's comments on a field right under it (help text), tagged with the criterion.

    crispy-forms renders help text unescaped, so the help text is built escaped here: a comment is
    the reviewer's text and is shown as text, never as markup."""
    for name, field in form.fields.items():
        pinned = comments.get("goal_items" if name == "goal_items_text" else name)
        if pinned:
            notes = format_html_join("；", "审核意见〔{}〕：{}", ((c.criterion, c.text) for c in pinned))
            field.help_text = format_html("{}　{}", notes, field.help_text) if field.help_text else notes


def _next_step(steps, step):
    keys = [k for k, _ in steps]
    return keys[min(keys.index(step) + 1, len(keys) - 1)]


# --- department ---------------------------------------------------------------------------

@login_required
@require_POST
def department_new(request):
    if not request.user.is_filler:
        raise Http404
    form = forms.DepartmentNewForm(request.POST)
    if form.is_valid():
        try:
            department = drafts.department_create(
                user=request.user, unit=request.user.unit, year=form.cleaned_data["year"]
            )
        except drafts.DraftError as error:
            form.add_error("year", str(error))
        else:
            return redirect("department_step", department.pk, "profile")
    return render(request, "declarations/year_form.html", {
        "form": form, "title": "填报部门整体绩效目标", "action": reverse("department_new"), "submit": "开始填报",
    })


@login_required
def department_step(request, pk, step):
    department = selectors.department_declaration_for(request.user, pk)
    if step not in dict(_steps(department, "department")):
        raise Http404
    editable = _editable_or_404(request, department)
    if step == "indicators":
        return _indicator_editor(request, department, "department", editable)
    if step == "preview":
        return _preview(request, department, "department")
    layout = _layout(department)
    context = _wizard_context(request, department, "department", step)
    if step == "projects":
        projects = list(department.unit.projectdeclarations.filter(year=department.year).order_by("order", "id"))
        context.update(
            projects=projects,
            totals=department.unit.projectdeclarations.filter(year=department.year).aggregate(
                budget=Sum("budget"), half_year=Sum("half_year_plan"), mid_term=Sum("mid_term_total")
            ),
        )
        return render(request, "declarations/wizard/department_projects.html", context)
    if step == "money":
        form = forms.DepartmentMoneyForm(
            request.POST if request.method == "POST" and editable else None, layout=layout, department=department
        )
    else:
        form_class = forms.department_step_form_class(layout, step)
        form = form_class(
            request.POST if request.method == "POST" and editable else None, instance=department, layout=layout
        )
    if request.method == "POST" and editable and form.is_valid():
        kwargs = {"user": request.user, "department": department, "version": form.cleaned_data.get("version")}
        if step == "money":
            kwargs["money_lines"] = form.lines()
        else:
            kwargs["form"] = form
            if step == "goals":
                kwargs["sub_goals"] = form.sub_goals()
                kwargs["safeguards"] = form.safeguards()
        try:
            drafts.department_step_save(**kwargs)
        except drafts.EditConflict as conflict:
            return _conflict(request, department, "department", step, form, str(conflict))
        except drafts.DraftError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{dict(DEPARTMENT_STEPS)[step]}”已保存。")
            if request.POST.get("action") == "more":  # 保存并再添加: the saved blocks and two empty ones
                return redirect("department_step", department.pk, step)
            return redirect("department_step", department.pk, _next_step(_steps(department, "department"), step))
    _pin_comments(form, context["review_comments"])
    context["form"] = form
    template = "department_money.html" if step == "money" else "step_form.html"
    if getattr(form, "sub_goal_blocks", None) is not None:
        template = "department_goals.html"
    return render(request, f"declarations/wizard/{template}", context)


# --- indicators ---------------------------------------------------------------------------

def indicator_setup(declaration, kind):
    """(layout, framework, terms, allowed 二级 ids) of a declaration's indicator step."""
    layout = _layout(declaration)
    table_kind = "project" if kind == "project" else "department"
    # On the layout row, where validation finds them too (no second read of the framework).
    layout_row = declaration.unit.bureau.layout
    prefetch_related_objects([layout_row], "frameworks__categories__subcategories")
    framework = next((f for f in layout_row.frameworks.all() if f.table_kind == table_kind), None)
    if framework is None:
        raise Http404
    terms = ["annual"] if kind == "project" else list(layout.department_terms)
    allowed = {sub.pk for category in framework.categories.all() for sub in category.subcategories.all()}
    return layout, framework, terms, allowed


def _saved_indicators(declaration, terms):
    """The saved indicators of these terms in term and row order, from those `_state` read."""
    return sorted((i for i in declaration.indicators.all() if i.term in terms), key=lambda i: (i.term, i.order))


def _indicator_editor(request, declaration, kind, editable):
    """The grid (views_grid) by default; the one-form editor below with ?form=1, for htmx and posts."""
    if request.method == "GET" and request.GET.get("form") != "1" and not request.htmx:
        return _indicator_grid(request, declaration, kind, editable)
    layout, framework, terms, allowed = indicator_setup(declaration, kind)
    error_message = None
    # The rows on the page were made from this version; a re-rendered form keeps it (never the newest).
    version = declaration.version
    if request.method == "POST" and editable:
        version = drafts.parse_version(request.POST.get("version"))
        rows = indicator_editor.rows_from_post(request.POST, allowed)
        action = request.POST.get("action", "save")
        if version is None:
            error_message = drafts.MISSING_VERSION
        elif action == "save":
            cleaned = indicator_editor.check_rows(rows, fields=layout.indicator_fields)
            if cleaned is not None:
                try:
                    drafts.indicators_save(
                        user=request.user, declaration=declaration, version=version, rows=cleaned, terms=terms,
                    )
                except drafts.EditConflict as conflict:
                    return _conflict(request, declaration, kind, "indicators", rows, str(conflict))
                except drafts.DraftError as error:
                    error_message = str(error)
                else:
                    messages.success(request, "绩效指标已保存。")
                    saved_url = reverse(f"{kind}_step", args=[declaration.pk, "indicators"]) + "?form=1"
                    if request.htmx:  # a whole page again: banners, badges and progress as saved now
                        return HttpResponse(status=204, headers={"HX-Redirect": saved_url})
                    return redirect(saved_url)
        else:
            rows = indicator_editor.apply_action(rows, action, frameworks_subcategories=allowed)
    else:
        rows = None  # the saved ones, from those read for the page's state
    context = _wizard_context(request, declaration, kind, "indicators")
    if rows is None:
        rows = indicator_editor.rows_from_indicators(_saved_indicators(declaration, terms))
    row_errors = sum(1 for row in rows if row.errors)
    context.update(
        term_groups=indicator_editor.groups(framework, rows, terms, comments=context["review_comments"]),
        library=indicator_editor.library_for(framework),
        references=indicator_editor.reference_values([r.name for r in rows], exclude_unit=declaration.unit),
        fields=[f for f in layout.indicator_fields if f != "description"],
        show_description="description" in layout.indicator_fields,
        field_labels=indicator_editor.FIELD_LABELS,
        comparators=[("≥", "≥"), ("≤", "≤"), ("=", "="), (">", ">"), ("<", "<"), ("", "数值"), ("定性", "定性")],
        row_errors=row_errors,
        error_message=error_message,
        version="" if version is None else version,
    )
    template = "declarations/wizard/_indicator_editor.html" if request.htmx else "declarations/wizard/indicators.html"
    return render(request, template, context)


def _indicator_grid(request, declaration, kind, editable):
    """The indicator step as a grid: the rows travel as data (json_script), not as inputs.

    Rows kept as a draft (some not valid yet) are shown instead of the saved ones, with their errors."""
    layout, framework, terms, allowed = indicator_setup(declaration, kind)
    draft = indicator_grid.draft_of(declaration)
    context = _wizard_context(request, declaration, kind, "indicators")
    if draft is not None:
        rows = [dict(row) for row in draft.rows if isinstance(row, dict)]
    else:
        rows = indicator_editor.rows_from_indicators(_saved_indicators(declaration, terms))
        indicator_editor.groups(framework, rows, terms, comments=context["review_comments"])  # pins comments
    context.update(
        grid=indicator_grid.grid_data(
            declaration=declaration, layout=layout, framework=framework, terms=terms, editable=editable,
            rows=rows, references=indicator_editor.reference_values(
                [r["name"] if isinstance(r, dict) else r.name for r in rows], exclude_unit=declaration.unit
            ),
            library=indicator_editor.library_for(framework),
        ),
        draft=draft,
        grid_urls={
            "save": reverse(f"{kind}_indicator_grid", args=[declaration.pk]),
            "paste": reverse(f"{kind}_indicator_paste", args=[declaration.pk]),
        },
    )
    return render(request, "declarations/wizard/indicator_grid.html", context)


def _int(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@login_required
def value_preview(request):
    """htmx: the printed value composed from a row's parts, or the parse error of the quick box."""
    data = request.GET if request.method == "GET" else request.POST
    key = data.get("key", "")
    quick = data.get(f"{key}-quick", "").strip()
    if quick:
        from .values import ValueSyntaxError, parse

        try:
            shown = parse(quick, strict=True).display()
        except ValueSyntaxError as error:
            return HttpResponse(f'<span class="text-danger">{_escape(str(error))}</span>')
        return HttpResponse(f"<strong>{_escape(shown)}</strong>")
    shown = indicator_editor.preview(
        data.get(f"{key}-comparator", ""), data.get(f"{key}-number", ""), data.get(f"{key}-unit", ""),
        data.get(f"{key}-text", ""),
    )
    return HttpResponse(f"<strong>{_escape(shown)}</strong>" if shown else '<span class="text-muted">—</span>')


def _escape(text):
    from django.utils.html import escape

    return escape(text)


# --- preview, submit, copy ----------------------------------------------------------------

def _preview(request, declaration, kind):
    layout = _layout(declaration)
    if kind == "project":
        data, printed, number = load_project_data(declaration, layout)
        document = layout.project_document(data, printed, number=number)
    else:
        data = load_document_data(declaration.unit, declaration.year.year)
        document = layout.department_document(data)
        printed = data.department
    share_rows(declaration, printed)
    context = _wizard_context(request, declaration, kind, "preview")
    context.update(
        document=document,
        errors=validation.errors(context["findings"]),
        hints=validation.hints(context["findings"]),
        step_url=f"{kind}_step",
    )
    return render(request, "declarations/wizard/preview.html", context)


@login_required
@require_POST
def declaration_submit(request, kind, pk):
    from review.services import ReviewError, declaration_submit

    declaration = _declaration_for(request, kind, pk)
    try:
        declaration_submit(declaration=declaration, user=request.user)
    except ReviewError as error:
        messages.error(request, str(error))
        return redirect(f"{kind}_step", declaration.pk, "preview")
    messages.success(request, "已提交，等待财政局审核。提交后不能再修改，除非被退回。")
    return redirect(f"{kind}_detail", declaration.pk)


@login_required
@require_POST
def declaration_adjust(request, kind, pk):
    """开始调整 of an approved or published declaration by its unit's filler (目标调整)."""
    from review.services import ReviewError, adjustment_start

    declaration = _declaration_for(request, kind, pk)
    form = forms.AdjustmentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect(f"{kind}_detail", declaration.pk)
    try:
        adjustment_start(declaration=declaration, user=request.user, reason=form.cleaned_data["reason"],
                         version=form.cleaned_data["version"])
    except (ReviewError, drafts.DraftError) as error:
        messages.error(request, str(error))
        return redirect(f"{kind}_detail", declaration.pk)
    messages.success(request, "已开始调整：修改后预览并提交，财政局审核通过并公开后，公众看到调整后的表；在此之前仍是原公开的表。")
    return redirect(f"{kind}_step", declaration.pk, FIRST_STEP[kind])


def _declaration_for(request, kind, pk):
    """The declaration within the user's scope (404 otherwise)."""
    if kind == "project":
        return selectors.project_declaration_for(request.user, pk)
    return selectors.department_declaration_for(request.user, pk)


@login_required
@require_POST
def declaration_copy(request, kind, pk):
    declaration = _declaration_for(request, kind, pk)
    if not (request.user.is_filler and request.user.unit_id == declaration.unit_id):
        raise Http404
    form = forms.CopyForm(
        request.POST, source_year=declaration.year.year, project=declaration if kind == "project" else None
    )
    if not form.is_valid():
        return render(request, "declarations/year_form.html", {
            "form": form, "title": f"复制“{declaration}”", "action": reverse(f"{kind}_copy", args=[declaration.pk]),
            "submit": "复制",
        })
    year, keep_money = int(form.cleaned_data["year"]), form.keep_money()
    try:
        if kind == "project":
            copy = project_copy_to_year(project=declaration, year=year, keep_money=keep_money, code=form.new_code())
        else:
            copy = department_copy_to_year(department=declaration, year=year, keep_money=keep_money)
    except CopyError as error:
        messages.error(request, str(error))
        return redirect(f"{kind}_detail", declaration.pk)
    messages.success(request, f"已复制为 {year} 年度草稿{'（保留金额）' if keep_money else '（金额已清空）'}。")
    for advise in map(import_string, settings.DECLARATION_COPY_ADVISORS):
        for warning in advise(declaration):
            messages.warning(request, warning)
    first = "basic" if kind == "project" else "profile"
    return redirect(reverse(f"{kind}_step", args=[copy.pk, first]))
