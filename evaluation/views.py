"""Pages of 运行监控 and 绩效自评: thin views over the selectors and the services.

No view renders a PDF (issue 16): a download not kept yet is a job (evaluation/tasks.py), and a
published self-evaluation's files are rendered once by a worker and served as stored files."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from config.paging import Counted
from declarations.models import BudgetYear, FinanceBureau
from declarations.services.workbook_import import WorkbookError
from declarations.views_exports import export_or_job
from public.views import stored_download
from review.services import is_filler_of, is_reviewer_of

from . import exports, forms, selectors, services, tables
from .models import PublicationFormat
from .services import EvaluationError
from .tasks import render_evaluation_export

FORMATS = PublicationFormat.values
ROWS_PER_PAGE = 50


@login_required
def home(request):
    """Rounds and the user's projects: what to fill in (filler) or to follow (reviewer), a page of
    50 rows each; an administrator narrows them by finance bureau, anyone by budget year."""
    user = request.user
    years = list(BudgetYear.objects.order_by("-year"))
    year = next((y for y in years if str(y.year) == request.GET.get("year")), None)
    bureaus = list(FinanceBureau.objects.order_by("name").only("pk", "name")) if user.is_administrator else None
    bureau = next((b for b in bureaus or () if str(b.pk) == request.GET.get("bureau")), None)
    rounds = selectors.rounds_for(user).order_by("-year__year", "-checkpoint_month", "-id")
    # The lists show names only: the declarations' long texts stay unread.
    projects = selectors.projects_for(user).only("name", "order", "unit_id", "year_id", "unit__name",
                                                  "unit__bureau_id", "year__year")
    if year is not None:
        rounds, projects = rounds.filter(year=year), projects.filter(year=year)
    if bureau is not None:
        rounds, projects = rounds.filter(bureau=bureau), projects.filter(unit__bureau=bureau)

    sizes = selectors.project_counts(projects)  # also the number of projects: no second COUNT
    monitoring_page = Paginator(selectors.RoundEntries(rounds, projects, sizes), ROWS_PER_PAGE).get_page(
        request.GET.get("monitoring_page"))
    entries = list(monitoring_page)
    reports = {(r.round_id, r.project_id): r for r in selectors.reports_for(user).filter(
        round__in={r.pk for r, _p in entries}, project__in={p.pk for _r, p in entries if p is not None})}
    round_rows = []
    for monitoring_round, project in entries:
        if not round_rows or round_rows[-1][0] != monitoring_round:
            round_rows.append((monitoring_round, []))
        if project is not None:
            round_rows[-1][1].append((project, reports.get((monitoring_round.pk, project.pk))))

    page = Paginator(Counted(projects, sum(sizes.values())), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    evaluations = {e.project_id: e for e in selectors.evaluations_for(user).filter(project__in=[p.pk for p in page])}
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("monitoring_page", None)
    can_open = user.is_reviewer or (user.is_administrator and bureau is not None)
    return render(request, "evaluation/home.html", {
        "round_rows": round_rows, "monitoring_page": monitoring_page,
        "projects": [(p, evaluations.get(p.pk)) for p in page], "page": page,
        "round_form": forms.RoundForm() if can_open else None, "is_filler": user.is_filler,
        "years": years, "year": year, "bureaus": bureaus, "bureau": bureau, "query": query.urlencode(),
    })


@login_required
@require_POST
def round_open(request):
    user = request.user
    if not (user.is_reviewer or user.is_administrator):
        raise Http404
    form = forms.RoundForm(request.POST)
    bureau = user.bureau if user.is_reviewer else None
    chosen = request.POST.get("bureau", "")
    if bureau is None and chosen.isdigit():  # an administrator names the bureau
        from declarations.models import FinanceBureau

        bureau = FinanceBureau.objects.filter(pk=int(chosen)).first()
    if not form.is_valid() or bureau is None:
        messages.error(request, "开启运行监控失败：请检查预算年度、监控期间和截至月份")
        return redirect("evaluation_home")
    try:
        monitoring_round = services.round_open(user=user, bureau=bureau, **form.cleaned_data)
    except EvaluationError as error:
        messages.error(request, str(error))
        return redirect("evaluation_home")
    messages.success(request, f"已开启{monitoring_round}")
    return redirect("monitoring_round", monitoring_round.pk)


def _round_for_reviewer(request, pk):
    monitoring_round = selectors.round_for(request.user, pk)
    if not services.can_manage_rounds(request.user, monitoring_round.bureau):
        raise Http404
    return monitoring_round


@login_required
def round_dashboard(request, pk):
    """The reviewer's view of a round: progress (submitted/total) and the declarations at risk, 50 at a time."""
    monitoring_round = _round_for_reviewer(request, pk)
    progress = selectors.round_progress(monitoring_round)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "evaluation/round.html", {
        "round": monitoring_round, "progress": progress, "query": query.urlencode(),
        "page": selectors.at_risk_page(progress["at_risk"], request.GET.get("page"), ROWS_PER_PAGE),
    })


@login_required
@require_POST
def round_close(request, pk):
    monitoring_round = _round_for_reviewer(request, pk)
    try:
        services.round_close(monitoring_round=monitoring_round, user=request.user)
        messages.success(request, "运行监控已关闭")
    except EvaluationError as error:
        messages.error(request, str(error))
    return redirect("monitoring_round", pk)


def _project_of_filler(request, pk):
    project = selectors.projects_for(request.user).filter(pk=pk).select_related("unit__bureau").first()
    if project is None or not is_filler_of(request.user, project):
        raise Http404
    return project


@login_required
@require_POST
def monitoring_start(request, pk, project_pk):
    monitoring_round = selectors.round_for(request.user, pk)
    project = _project_of_filler(request, project_pk)
    try:
        report = services.monitoring_report_start(monitoring_round=monitoring_round, project=project,
                                                  user=request.user)
    except EvaluationError as error:
        messages.error(request, str(error))
        return redirect("evaluation_home")
    return redirect("monitoring_report", report.pk)


def _save_grid(request, head, rows, save):
    """(saved, status) of a posted grid: saved only when every form is valid and the version is
    current; otherwise the page is shown again with everything typed (400 errors, 409 conflict)."""
    if not head.is_bound:
        return False, 200
    if not (head.is_valid() and all(form.is_valid() for _value, form in rows)):
        messages.error(request, "有填写错误，未保存；请按提示修改")
        return False, 400
    try:
        save(head.cleaned_data, {value.pk: form.cleaned_data for value, form in rows})
    except EvaluationError as error:
        messages.error(request, str(error))
        return False, 409
    messages.success(request, "已保存")
    return True, 200


@login_required
def monitoring_report(request, pk):
    """The monitoring form (a grid, one row per indicator); read-only unless the filler may edit."""
    report = selectors.report_for(request.user, pk)
    values = tables.monitoring_values(report)
    editable = services.can_edit(request.user, report)
    data = request.POST if request.method == "POST" and editable else None
    if request.method == "POST" and not editable:
        messages.error(request, "当前不能修改这份运行监控表")
        return redirect("monitoring_report", pk)
    head = forms.MonitoringReportForm(data, initial={"version": report.version,
                                                      "executed_amount": report.executed_amount})
    rows = forms.row_forms(forms.MonitoringValueForm, values, data, services.MONITORING_VALUE_FIELDS)
    saved, status = _save_grid(request, head, rows, lambda cleaned, by_row: services.monitoring_report_save(
        report=report, user=request.user, version=cleaned["version"], executed_amount=cleaned["executed_amount"],
        rows=by_row))
    if saved:
        return redirect("monitoring_report", pk)
    return render(request, "evaluation/monitoring.html", {
        **_context(request, report), "data": tables.monitoring_data(report, values), "head": head, "rows": rows,
    }, status=status)


def _context(request, obj):
    user = request.user
    return {
        "obj": obj, "acts": services.allowed_acts(user, obj), "can_edit": services.can_edit(user, obj),
        "is_reviewer": is_reviewer_of(user, obj.project), "events": obj.events.select_related("user"),
        "comment_form": forms.CommentForm(),
    }


ACTS = {
    "monitoring": {
        "submit": lambda obj, user, comment: services.monitoring_report_submit(report=obj, user=user),
        "approve": lambda obj, user, comment: services.monitoring_report_approve(report=obj, user=user,
                                                                                 comment=comment),
        "return": lambda obj, user, comment: services.monitoring_report_return(report=obj, user=user,
                                                                               comment=comment),
    },
    "self_evaluation": {
        "submit": lambda obj, user, comment: services.self_evaluation_submit(evaluation=obj, user=user),
        "approve": lambda obj, user, comment: services.self_evaluation_approve(evaluation=obj, user=user,
                                                                               comment=comment),
        "return": lambda obj, user, comment: services.self_evaluation_return(evaluation=obj, user=user,
                                                                             comment=comment),
        "publish": lambda obj, user, comment: services.self_evaluation_publish(evaluation=obj, user=user),
    },
}
DONE = {"submit": "已提交，等待财政局审核", "approve": "已审核通过", "return": "已退回修改", "publish": "已公开"}


def _act(request, kind, obj, act, page):
    if act not in ACTS[kind]:
        raise Http404
    if act not in services.allowed_acts(request.user, obj) and not (
            is_filler_of(request.user, obj.project) or is_reviewer_of(request.user, obj.project)):
        raise Http404
    try:
        ACTS[kind][act](obj, request.user, request.POST.get("comment", ""))
        messages.success(request, DONE[act])
    except EvaluationError as error:
        messages.error(request, str(error))
    return redirect(page, obj.pk)


@login_required
@require_POST
def monitoring_act(request, pk, act):
    return _act(request, "monitoring", selectors.report_for(request.user, pk), act, "monitoring_report")


def _export(request, obj, fmt, *, part, page):
    """The kept file at once, else a job renders it (declarations.views_exports.export_or_job)."""
    if fmt not in FORMATS:
        raise Http404
    return export_or_job(
        request, exports.export_table, obj=obj, fmt=fmt, title=services.title_of(obj),
        params={"part": part, "pk": obj.pk, "fmt": fmt}, back_url=reverse(page, args=[obj.pk]),
        task=render_evaluation_export,
    )


@login_required
def monitoring_export(request, pk, fmt):
    report = selectors.report_for(request.user, pk)
    return _export(request, report, fmt, part="monitoring", page="monitoring_report")


def _import(request, obj, service, page):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要导入的 Excel 文件")
        return redirect(page, obj.pk)
    try:
        _obj, count = service(obj, request.user, upload.read())
        messages.success(request, f"已导入，更新了 {count} 个单元格")
    except WorkbookError as error:
        for problem in error.problems[:20]:
            messages.error(request, problem)
    except EvaluationError as error:
        messages.error(request, str(error))
    return redirect(page, obj.pk)


@login_required
@require_POST
def monitoring_import(request, pk):
    report = selectors.report_for(request.user, pk)
    if not is_filler_of(request.user, report.project):
        raise Http404
    return _import(request, report, lambda obj, user, content: services.monitoring_report_import(
        report=obj, user=user, content=content), "monitoring_report")


# -- self-evaluation ------------------------------------------------------------------------

@login_required
@require_POST
def self_evaluation_start(request, project_pk):
    project = _project_of_filler(request, project_pk)
    try:
        evaluation = services.self_evaluation_start(project=project, user=request.user)
    except EvaluationError as error:
        messages.error(request, str(error))
        return redirect("evaluation_home")
    return redirect("self_evaluation", evaluation.pk)


@login_required
def self_evaluation(request, pk):
    """The self-evaluation form with its computed scores; the reviewer judges 定性 rows here."""
    evaluation = selectors.evaluation_for(request.user, pk)
    values = tables.self_evaluation_values(evaluation)
    editable = services.can_edit(request.user, evaluation)
    if request.method == "POST" and not editable:
        messages.error(request, "当前不能修改这份绩效自评表")
        return redirect("self_evaluation", pk)
    data = request.POST if request.method == "POST" else None
    head = forms.SelfEvaluationForm(data, initial={
        "version": evaluation.version, **{name: getattr(evaluation, name) for name in services.SELF_EVALUATION_FIELDS}})
    rows = forms.row_forms(forms.SelfEvaluationValueForm, values, data, services.SELF_EVALUATION_VALUE_FIELDS)
    saved, status = _save_grid(request, head, rows, lambda cleaned, by_row: services.self_evaluation_save(
        evaluation=evaluation, user=request.user, version=cleaned["version"], fields=cleaned, rows=by_row))
    if saved:
        return redirect("self_evaluation", pk)
    scored = tables.self_evaluation_rows(evaluation, values)
    publication = selectors.with_file_count(evaluation.publications.filter(withdrawn_at__isnull=True)).first()
    judging = evaluation.status == "submitted" and is_reviewer_of(request.user, evaluation.project)
    judge_forms = {row["value"].pk: forms.JudgementForm(prefix=f"judge-{row['value'].pk}", initial={
        "judgement": row["value"].judgement, "judged_score": row["value"].judged_score})
        for row in scored if judging and row["value"].is_judged_by_reviewer}
    return render(request, "evaluation/self_evaluation.html", {
        **_context(request, evaluation), "data": tables.self_evaluation_data(evaluation, values), "head": head,
        "rows": [(value, form, row, judge_forms.get(value.pk)) for (value, form), row in zip(rows, scored)],
        "judging": bool(judge_forms),
        "publication": publication, "files_ready": publication is not None and selectors.files_ready(publication),
    }, status=status)


@login_required
@require_POST
def self_evaluation_judge(request, pk):
    evaluation = selectors.evaluation_for(request.user, pk)
    if not is_reviewer_of(request.user, evaluation.project):
        raise Http404
    judgements, invalid = {}, False
    for value in tables.self_evaluation_values(evaluation):
        form = forms.JudgementForm(request.POST, prefix=f"judge-{value.pk}")
        if f"judge-{value.pk}-judgement" not in request.POST:
            continue
        if not form.is_valid():
            invalid = True
            continue
        judgements[value.pk] = (form.cleaned_data["judgement"], form.cleaned_data["judged_score"])
    if invalid:
        messages.error(request, "评分应为不小于 0 的数字")
        return redirect("self_evaluation", pk)
    try:
        services.self_evaluation_judge(evaluation=evaluation, user=request.user, judgements=judgements)
        messages.success(request, "已保存定性指标评定")
    except EvaluationError as error:
        messages.error(request, str(error))
    return redirect("self_evaluation", pk)


@login_required
@require_POST
def self_evaluation_act(request, pk, act):
    return _act(request, "self_evaluation", selectors.evaluation_for(request.user, pk), act, "self_evaluation")


@login_required
def self_evaluation_export(request, pk, fmt):
    evaluation = selectors.evaluation_for(request.user, pk)
    return _export(request, evaluation, fmt, part="self_evaluation", page="self_evaluation")


@login_required
@require_POST
def self_evaluation_files(request, pk):
    """重新生成公开文件: the reviewer starts the files' job again (after one failed); its page answers."""
    evaluation = selectors.evaluation_for(request.user, pk)
    publication = evaluation.publications.filter(withdrawn_at__isnull=True).first()
    if publication is None or not is_reviewer_of(request.user, evaluation.project):
        raise Http404
    try:
        job = services.self_evaluation_files_start(publication=publication, user=request.user)
    except EvaluationError as error:
        messages.error(request, str(error))
        return redirect("self_evaluation", pk)
    return redirect("job", job.pk)


@login_required
@require_POST
def self_evaluation_import(request, pk):
    evaluation = selectors.evaluation_for(request.user, pk)
    if not is_filler_of(request.user, evaluation.project):
        raise Http404
    return _import(request, evaluation, lambda obj, user, content: services.self_evaluation_import(
        evaluation=obj, user=user, content=content), "self_evaluation")


# -- public ---------------------------------------------------------------------------------

def public_self_evaluations(request):
    """Published self-evaluations, newest first, a page at a time (no login)."""
    publications = selectors.current_publications().only("pk", "data", "published_at")
    page = Paginator(publications, 50).get_page(request.GET.get("page"))
    return render(request, "evaluation/public_self_evaluations.html", {"page": page})


def public_self_evaluation(request, pk):
    """A published self-evaluation, from its snapshot only (no login); its files once stored."""
    publication = selectors.current_publication(pk)
    return render(request, "evaluation/public_self_evaluation.html", {
        "publication": publication, "data": publication.data, "files_ready": selectors.files_ready(publication),
    })


@require_safe
def public_self_evaluation_file(request, pk, fmt):
    """The stored PDF or Excel of a publication in force (rendered once by a worker, never here);
    before it is stored, a small 404 page says it is being made."""
    stored = selectors.public_file(pk, fmt) if fmt in FORMATS else None
    if stored is None:
        if fmt in FORMATS and selectors.current_publications().filter(pk=pk).exists():
            return render(request, "evaluation/public_file_pending.html", {"pk": pk}, status=404)
        raise Http404
    return stored_download(request, stored=stored.file, filename=stored.filename, content_type=stored.content_type,
                           size=stored.size, etag=stored.sha256, max_age=0)  # its URL holds no hash: revalidated, 304 when unchanged
