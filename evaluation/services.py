"""Writes of 运行监控 and 绩效自评: one named function per act, atomic, guarded and logged.

States follow the declaration's (草稿 → 已提交 → 审核通过 / 退回修改 → 已公开 for a self-evaluation),
one table of allowed transitions; a state change is a conditional UPDATE and an EvaluationEvent row
in the same transaction. Saves claim the row's version (declarations.services.drafts.claim_version),
so a stale form saves nothing and the user keeps what they typed.
"""
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from declarations.models import ProjectDeclaration, Status
from declarations.services.drafts import DraftError, claim_version
from review.services import fillers_of, is_filler_of, is_reviewer_of, notify

from . import tables
from .models import (
    EVENT_LABELS, EvaluationEvent, Likelihood, MonitoringReport, MonitoringRound, MonitoringValue, PublicationFormat,
    RoundStatus, SelfEvaluation, SelfEvaluationPublication, SelfEvaluationPublicationFile, SelfEvaluationValue, State,
)

logger = logging.getLogger(__name__)
ELIGIBLE = (Status.APPROVED, Status.PUBLISHED)
EDITABLE = (State.DRAFT, State.RETURNED)
FILLER, REVIEWER = "filler", "reviewer"


class EvaluationError(Exception):
    """An act that is refused; the message is shown to the user."""


@dataclass(frozen=True)
class Transition:
    sources: tuple
    target: str
    actor: str
    label: str
    past: str


TRANSITIONS = {
    "submit": Transition((State.DRAFT, State.RETURNED), State.SUBMITTED, FILLER, "提交", "submitted"),
    "return": Transition((State.SUBMITTED, State.APPROVED), State.RETURNED, REVIEWER, "退回修改", "returned"),
    "approve": Transition((State.SUBMITTED,), State.APPROVED, REVIEWER, "审核通过", "approved"),
    "publish": Transition((State.APPROVED,), State.PUBLISHED, REVIEWER, "公开", "published"),
}
assert {f"monitoring.{t.past}" for t in TRANSITIONS.values()} <= set(EVENT_LABELS)


def _kind(obj):
    return "monitoring" if isinstance(obj, MonitoringReport) else "self_evaluation"


def _event(obj, action, user, *, source="", target="", comment=""):
    link = {"report": obj} if isinstance(obj, MonitoringReport) else {"evaluation": obj}
    EvaluationEvent.objects.create(**link, action=f"{_kind(obj)}.{action}", from_status=source, to_status=target,
                                   user=user, comment=comment)


def allowed_acts(user, obj):
    acts = []
    for name, transition in TRANSITIONS.items():
        if name == "publish" and isinstance(obj, MonitoringReport):
            continue  # monitoring reports are the bureau's working data, not published
        if obj.status not in transition.sources:
            continue
        if (is_filler_of if transition.actor == FILLER else is_reviewer_of)(user, obj.project):
            acts.append(name)
    return acts


def can_edit(user, obj):
    return obj.status in EDITABLE and is_filler_of(user, obj.project)


def _guard(name, obj, user):
    transition = TRANSITIONS[name]
    if name == "publish" and isinstance(obj, MonitoringReport):
        raise EvaluationError("运行监控表不公开")
    if obj.status not in transition.sources:
        allowed = "、".join(State(s).label for s in transition.sources)
        raise EvaluationError(f"不能{transition.label}：当前状态为“{obj.get_status_display()}”，只有“{allowed}”的可以{transition.label}")
    if transition.actor == FILLER and not is_filler_of(user, obj.project):
        raise EvaluationError(f"只有本单位的填报人可以{transition.label}")
    if transition.actor == REVIEWER and not is_reviewer_of(user, obj.project):
        raise EvaluationError(f"只有该单位所属财政局的审核人可以{transition.label}")
    return transition


def _locked(obj):
    return type(obj).objects.select_for_update().select_related("project__unit__bureau", "project__year").get(pk=obj.pk)


def _move(name, obj, user, *, comment=""):
    transition = _guard(name, obj, user)
    source = obj.status
    changed = type(obj).objects.filter(pk=obj.pk, status=source).update(status=transition.target,
                                                                       updated_at=timezone.now())
    if not changed:
        raise EvaluationError("操作未完成：状态刚被他人改变，请刷新后重试")
    obj.status = transition.target
    _event(obj, transition.past, user, source=source, target=transition.target, comment=comment)
    logger.info("%s.%s id=%s user=%s", _kind(obj), transition.past, obj.pk, user.pk)
    return obj


def _ensure_editable(user, obj):
    if obj.status not in EDITABLE:
        raise EvaluationError(f"当前状态为“{obj.get_status_display()}”，不能修改")
    if not is_filler_of(user, obj.project):
        raise EvaluationError("只有本单位的填报人可以修改")


def _claim(obj, version):
    try:
        claim_version(obj, version)
    except DraftError as error:
        raise EvaluationError(str(error)) from None


# -- monitoring rounds ----------------------------------------------------------------------

def can_manage_rounds(user, bureau):
    return user.is_authenticated and (user.is_administrator or (user.is_reviewer and user.bureau_id == bureau.pk))


@transaction.atomic
def round_open(*, user, bureau, year, period_label, checkpoint_month):
    """The finance bureau opens a monitoring round for a budget year (1-7月, checkpoint 7)."""
    if not can_manage_rounds(user, bureau):
        raise EvaluationError("只有该财政局的审核人或管理员可以开启运行监控")
    period_label = (period_label or "").strip()
    if not period_label:
        raise EvaluationError("请填写监控期间，如“1-7月”")
    if MonitoringRound.objects.filter(bureau=bureau, year=year, period_label=period_label).exists():
        raise EvaluationError(f"{year.year}年“{period_label}”的运行监控已开启过")
    monitoring_round = MonitoringRound(bureau=bureau, year=year, period_label=period_label,
                                       checkpoint_month=checkpoint_month, opened_by=user)
    monitoring_round.full_clean()
    monitoring_round.save()
    logger.info("monitoring_round.opened id=%s bureau=%s year=%s user=%s", monitoring_round.pk, bureau.pk,
                year.year, user.pk)
    return monitoring_round


@transaction.atomic
def round_close(*, monitoring_round, user):
    """Close a round: its reports can no longer be started or saved."""
    if not can_manage_rounds(user, monitoring_round.bureau):
        raise EvaluationError("只有该财政局的审核人或管理员可以关闭运行监控")
    changed = MonitoringRound.objects.filter(pk=monitoring_round.pk, status=RoundStatus.OPEN).update(
        status=RoundStatus.CLOSED, closed_by=user, closed_at=timezone.now())
    if not changed:
        raise EvaluationError("该运行监控已关闭")
    logger.info("monitoring_round.closed id=%s user=%s", monitoring_round.pk, user.pk)
    monitoring_round.refresh_from_db()
    return monitoring_round


def eligible_projects(bureau_id, year_id):
    """Project declarations that are monitored and self-evaluated: approved or published ones."""
    return ProjectDeclaration.objects.filter(unit__bureau_id=bureau_id, year_id=year_id, status__in=ELIGIBLE)


def _annual_indicators(project):
    return [i for i in project.indicators.all() if i.term == "annual"]


# -- monitoring reports ---------------------------------------------------------------------

@transaction.atomic
def monitoring_report_start(*, monitoring_round, project, user):
    """Start the project's report in an open round, pre-filled from the declaration."""
    if not is_filler_of(user, project):
        raise EvaluationError("只有本单位的填报人可以填报运行监控")
    if not monitoring_round.is_open:
        raise EvaluationError("该运行监控已关闭，不能再填报")
    if project.unit.bureau_id != monitoring_round.bureau_id or project.year_id != monitoring_round.year_id:
        raise EvaluationError("该项目不属于这一运行监控")
    if project.status not in ELIGIBLE:
        raise EvaluationError("只有审核通过或已公开的项目可以填报运行监控")
    existing = MonitoringReport.objects.filter(round=monitoring_round, project=project).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            report = MonitoringReport.objects.create(round=monitoring_round, project=project)
    except IntegrityError:  # a second window started it at the same moment
        return MonitoringReport.objects.get(round=monitoring_round, project=project)
    MonitoringValue.objects.bulk_create(
        MonitoringValue(report=report, indicator=indicator, expected_value=indicator.value_display)
        for indicator in _annual_indicators(project)
    )
    _event(report, "started", user, target=State.DRAFT)
    logger.info("monitoring.started id=%s project=%s user=%s", report.pk, project.pk, user.pk)
    return report


MONITORING_VALUE_FIELDS = ["reached_value", "expected_value", "deviation_cause", "deviation_text", "likelihood", "note"]


def _save_rows(model, owner_field, owner, rows, fields):
    """Update the owner's value rows from {pk: {field: value}} (rows of other owners are ignored)."""
    by_pk = {v.pk: v for v in model.objects.filter(**{owner_field: owner})}
    changed = []
    for pk, row in rows.items():
        value = by_pk.get(pk)
        if value is None:
            continue
        for name in fields:
            if name in row:
                setattr(value, name, row[name])
        try:
            value.full_clean(exclude=[owner_field, "indicator"])
        except ValidationError as error:
            raise EvaluationError(f"{value.indicator.name}：{'；'.join(error.messages)}") from None
        changed.append(value)
    model.objects.bulk_update(changed, fields)
    return changed


@transaction.atomic
def monitoring_report_save(*, report, user, version, executed_amount, rows):
    """Save the report's money and indicator rows ({value pk: {field: value}}), guarded by version."""
    report = _locked(report)
    _ensure_editable(user, report)
    if not report.round.is_open:
        raise EvaluationError("该运行监控已关闭，不能再修改")
    _claim(report, version)
    MonitoringReport.objects.filter(pk=report.pk).update(executed_amount=executed_amount, updated_at=timezone.now())
    report.executed_amount = executed_amount
    _save_rows(MonitoringValue, "report", report, rows, MONITORING_VALUE_FIELDS)
    logger.info("monitoring.saved id=%s user=%s version=%s", report.pk, user.pk, report.version)
    return report


def monitoring_problems(report):
    """What stops submission: an executed amount, and a cause for every target not certain."""
    problems = []
    if report.executed_amount is None:
        problems.append("请填写截至目前执行数")
    for value in report.values.select_related("indicator"):
        if value.likelihood != Likelihood.CERTAIN and not value.deviation_cause:
            problems.append(f"“{value.indicator.name}”完成目标可能性为“{value.get_likelihood_display()}”，请选择偏差原因")
    return problems


@transaction.atomic
def monitoring_report_submit(*, report, user):
    """草稿 or 退回修改 → 已提交, once nothing stops it (monitoring_problems)."""
    return _submit(_locked(report), user, monitoring_problems)


def _submit(obj, user, problems_of):
    _guard("submit", obj, user)
    problems = problems_of(obj)
    if problems:
        raise EvaluationError("还不能提交：" + "；".join(problems[:3]))
    obj = _move("submit", obj, user)
    notify(_reviewers(obj), f"{title_of(obj)}已提交，待审核", _url(obj))
    return obj


@transaction.atomic
def monitoring_report_approve(*, report, user, comment=""):
    report = _locked(report)
    report = _move("approve", report, user, comment=(comment or "").strip())
    notify(fillers_of(report.project), f"{title_of(report)}已审核通过", _url(report))
    return report


@transaction.atomic
def monitoring_report_return(*, report, user, comment):
    report = _locked(report)
    return _return(report, user, comment)


def _return(obj, user, comment):
    _guard("return", obj, user)
    if not (comment or "").strip():
        raise EvaluationError("退回修改必须填写退回理由")
    obj = _move("return", obj, user, comment=comment.strip())
    notify(fillers_of(obj.project), f"{title_of(obj)}被退回修改：{comment.strip()[:80]}", _url(obj))
    return obj


def _url(obj):
    if isinstance(obj, MonitoringReport):
        return reverse("monitoring_report", args=[obj.pk])
    return reverse("self_evaluation", args=[obj.pk])


def title_of(obj):
    """The table as messages and job titles name it: 2024年1-7月运行监控「项目」, 2024年「项目」绩效自评."""
    if isinstance(obj, MonitoringReport):
        return f"{obj.round}「{obj.project.name}」"
    return f"{obj.project.year.year}年「{obj.project.name}」绩效自评"


def _reviewers(obj):
    from accounts.models import Role, User

    return User.objects.filter(role=Role.REVIEWER, bureau_id=obj.project.unit.bureau_id)


# -- self-evaluations -----------------------------------------------------------------------

def _goal_text(project):
    items = [item.text for item in project.goal_items.all()]
    return project.annual_goal or "\n".join(f"{n}.{text}" for n, text in enumerate(items, start=1))


@transaction.atomic
def self_evaluation_start(*, project, user):
    """Start the project's 绩效自评, pre-filled from the declaration (money, goal, 年度指标)."""
    if not is_filler_of(user, project):
        raise EvaluationError("只有本单位的填报人可以填报绩效自评")
    if project.status not in ELIGIBLE:
        raise EvaluationError("只有审核通过或已公开的项目可以填报绩效自评")
    existing = SelfEvaluation.objects.filter(project=project).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            evaluation = SelfEvaluation.objects.create(
                project=project, initial_budget=project.budget, full_year_budget=project.budget,
                goal_set=_goal_text(project),
            )
    except IntegrityError:
        return SelfEvaluation.objects.get(project=project)
    SelfEvaluationValue.objects.bulk_create(
        SelfEvaluationValue(evaluation=evaluation, indicator=indicator) for indicator in _annual_indicators(project)
    )
    _event(evaluation, "started", user, target=State.DRAFT)
    logger.info("self_evaluation.started id=%s project=%s user=%s", evaluation.pk, project.pk, user.pk)
    return evaluation


SELF_EVALUATION_FIELDS = ["initial_budget", "full_year_budget", "executed_amount", "goal_achieved"]
SELF_EVALUATION_VALUE_FIELDS = ["reached_value", "analysis"]


@transaction.atomic
def self_evaluation_save(*, evaluation, user, version, fields, rows):
    """Save the self-evaluation's money, achieved goal and indicator rows, guarded by version."""
    evaluation = _locked(evaluation)
    _ensure_editable(user, evaluation)
    _claim(evaluation, version)
    changes = {name: fields[name] for name in SELF_EVALUATION_FIELDS if name in fields}
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(**changes, updated_at=timezone.now())
    for name, value in changes.items():
        setattr(evaluation, name, value)
    _save_rows(SelfEvaluationValue, "evaluation", evaluation, rows, SELF_EVALUATION_VALUE_FIELDS)
    logger.info("self_evaluation.saved id=%s user=%s version=%s", evaluation.pk, user.pk, evaluation.version)
    return evaluation


def self_evaluation_problems(evaluation):
    problems = []
    if evaluation.executed_amount is None:
        problems.append("请填写全年执行数")
    for value in evaluation.values.select_related("indicator"):
        if not value.reached_value.strip():
            problems.append(f"请填写“{value.indicator.name}”的实际完成值")
    return problems


@transaction.atomic
def self_evaluation_submit(*, evaluation, user):
    """草稿 or 退回修改 → 已提交, once every indicator has its 实际完成值 (self_evaluation_problems)."""
    return _submit(_locked(evaluation), user, self_evaluation_problems)


@transaction.atomic
def self_evaluation_judge(*, evaluation, user, judgements):
    """The reviewer scores the 定性 indicators: {value pk: (judgement, typed score or None)}."""
    evaluation = _locked(evaluation)
    if evaluation.status != State.SUBMITTED:
        raise EvaluationError("只有已提交的绩效自评可以评定定性指标")
    if not is_reviewer_of(user, evaluation.project):
        raise EvaluationError("只有该单位所属财政局的审核人可以评定定性指标")
    rows = tables.self_evaluation_rows(evaluation)
    changed = []
    for row in rows:
        value = row["value"]
        if value.pk not in judgements or not value.is_judged_by_reviewer:
            continue
        judgement, score = judgements[value.pk]
        if score is not None and not 0 <= score <= row["points"]:
            raise EvaluationError(f"“{value.indicator.name}”的得分应在 0 到 {row['points']} 之间")
        value.judgement, value.judged_score = judgement or "", score
        changed.append(value)
    SelfEvaluationValue.objects.bulk_update(changed, ["judgement", "judged_score"])
    _event(evaluation, "judged", user, source=evaluation.status, target=evaluation.status)
    logger.info("self_evaluation.judged id=%s user=%s rows=%s", evaluation.pk, user.pk, len(changed))
    return evaluation


@transaction.atomic
def self_evaluation_approve(*, evaluation, user, comment=""):
    evaluation = _locked(evaluation)
    _guard("approve", evaluation, user)
    pending = [row["value"].indicator.name for row in tables.self_evaluation_rows(evaluation)
               if row["value"].is_judged_by_reviewer and row["outcome"].status == "pending"]
    if pending:
        raise EvaluationError("请先评定定性指标：" + "、".join(pending[:3]))
    evaluation = _move("approve", evaluation, user, comment=(comment or "").strip())
    notify(fillers_of(evaluation.project), f"{title_of(evaluation)}已审核通过", _url(evaluation))
    return evaluation


@transaction.atomic
def self_evaluation_return(*, evaluation, user, comment):
    evaluation = _locked(evaluation)
    return _return(evaluation, user, comment)


@transaction.atomic
def self_evaluation_publish(*, evaluation, user):
    """审核通过 → 已公开: the public sees the snapshot taken now, never the live rows. Its PDF and
    Excel are rendered once by a worker, after the commit (self_evaluation_files_start); the
    public page says 文件生成中 until they are stored."""
    evaluation = _locked(evaluation)
    _guard("publish", evaluation, user)
    publication = SelfEvaluationPublication.objects.create(
        evaluation=evaluation, data=tables.self_evaluation_data(evaluation), published_by=user
    )
    evaluation = _move("publish", evaluation, user)
    notify(fillers_of(evaluation.project), f"{title_of(evaluation)}已公开", _url(evaluation))
    # After the commit: the worker must find the publication (and job_start's row) committed.
    # Robust: the publication stands if the queue cannot be reached; the reviewer starts it again.
    transaction.on_commit(lambda: self_evaluation_files_start(publication=publication, user=user), robust=True)
    logger.info("self_evaluation.publication id=%s publication=%s", evaluation.pk, publication.pk)
    return evaluation


def self_evaluation_files_start(*, publication, user):
    """A job (as `user`, a reviewer of the project's bureau) that renders the publication's
    files; joins the one already waiting or running. Called after 公开, and by the reviewer's
    重新生成公开文件 when a job failed."""
    from jobs.models import Job
    from jobs.services import job_start

    from .tasks import render_publication_files

    evaluation = publication.evaluation
    if not is_reviewer_of(user, evaluation.project):
        raise EvaluationError("只有该单位所属财政局的审核人可以生成公开文件")
    return job_start(
        kind=Job.PUBLISH, user=user, title=f"生成公开文件：{title_of(evaluation)}", params={"publication": publication.pk},
        back_url=reverse("self_evaluation", args=[evaluation.pk]), task=render_publication_files,
    )


def self_evaluation_files_create(*, publication):
    """The PDF and Excel of a published self-evaluation, from its snapshot alone, each rendered
    once and stored under its SHA-256 (public.services.store_once); a format already stored is
    left as it is, so a job run twice stores each once. Runs in a worker (jobs.services.job_run),
    never in a web request."""
    from public.services import store_once

    from . import exports

    stored = {file.format: file for file in publication.files.all()}
    for fmt in PublicationFormat.values:
        if fmt not in stored:
            filename, _content_type, content = exports.render(publication.data, fmt)
            stored[fmt] = store_once(SelfEvaluationPublicationFile(publication=publication, format=fmt,
                                                                   filename=filename), content)
    logger.info("self_evaluation.files_created publication=%s", publication.pk)
    return [stored[fmt] for fmt in PublicationFormat.values]


def self_evaluation_files_job(job):
    """The worker's part of self_evaluation_files_start. A PDF over its time or memory limit
    ends the job with the limit named; the publication stays, its files still to be made."""
    from declarations.exports.worker import RenderError
    from jobs.services import JobRefused

    publication = SelfEvaluationPublication.objects.get(pk=job.params["publication"])
    try:
        self_evaluation_files_create(publication=publication)
    except RenderError as error:
        raise JobRefused(f"生成公开文件失败：{error.summary}") from None
    return {"message": "公开文件已生成。"}


# -- Excel round trip -----------------------------------------------------------------------

@transaction.atomic
def monitoring_report_import(*, report, user, content):
    """Apply an edited export of the report (all or nothing); returns (report, changed cell count)."""
    from .importing import read_changes

    report = _locked(report)
    _ensure_editable(user, report)
    owner, rows = read_changes(content, obj=report, row_pks=set(report.values.values_list("pk", flat=True)))
    executed = owner["executed_amount"] if "executed_amount" in owner else report.executed_amount
    report = monitoring_report_save(report=report, user=user, version=report.version, executed_amount=executed,
                                    rows=rows)
    return report, len(owner) + sum(len(row) for row in rows.values())


@transaction.atomic
def self_evaluation_import(*, evaluation, user, content):
    """Apply an edited export of the self-evaluation (all or nothing); returns (evaluation, count)."""
    from .importing import read_changes

    evaluation = _locked(evaluation)
    _ensure_editable(user, evaluation)
    owner, rows = read_changes(content, obj=evaluation,
                               row_pks=set(evaluation.values.values_list("pk", flat=True)))
    evaluation = self_evaluation_save(evaluation=evaluation, user=user, version=evaluation.version, fields=owner,
                                      rows=rows)
    return evaluation, len(owner) + sum(len(row) for row in rows.values())


# -- learning from the 自评 when a project is copied to the next year ----------------------

def copy_advice(source):
    """Warnings for a copy of `source` (a project declaration): the indicators its self-evaluation
    shows missed, or far exceeded (more than 150% of the target), whose targets deserve a new look.
    Called by the declarations' copy view through settings.DECLARATION_COPY_ADVISORS."""
    if not isinstance(source, ProjectDeclaration):
        return []
    evaluation = SelfEvaluation.objects.filter(project=source).first()
    if evaluation is None:
        return []
    missed, exceeded = [], []
    for row in tables.self_evaluation_rows(evaluation):
        name = f"{row['value'].indicator.name}（目标 {row['value'].indicator.value_display}，实际 {row['value'].reached_value or '未填'}）"
        if row["outcome"].status == "exceeded":
            exceeded.append(name)
        elif row["outcome"].is_miss:
            missed.append(name)
    warnings = []
    if missed:
        warnings.append("上年绩效自评未达到目标值的指标，请核实本年度目标是否可行：" + "；".join(missed))
    if exceeded:
        warnings.append("上年绩效自评大幅超过目标值（超过 150%）的指标，请考虑提高本年度目标：" + "；".join(exceeded))
    return warnings
