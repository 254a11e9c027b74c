"""The review workflow: one table of allowed transitions, one function per act.

Each act runs in one transaction: it checks its guard (state and role), changes the state with a
conditional UPDATE (so two reviewers cannot act on the same state twice), writes the Event row
and the notifications, and raises ReviewError with a message the user can read otherwise.
"""
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from declarations.models import DepartmentDeclaration, ProjectDeclaration, Status
from declarations.services import drafts, validation
from declarations.services.interchange import department_to_dict, document_header, project_to_dict

from .models import ACTION_LABELS, Criterion, DeclarationLink, Event, Notification, Result, Review, ReviewComment, Snapshot

logger = logging.getLogger(__name__)


class ReviewError(Exception):
    """An act that is refused; the message is shown to the user."""


FILLER, REVIEWER = "filler", "reviewer"


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    actor: str
    label: str


TRANSITIONS = {
    "submit": Transition(frozenset({Status.DRAFT}), Status.SUBMITTED, FILLER, "提交"),
    "resubmit": Transition(frozenset({Status.RETURNED}), Status.SUBMITTED, FILLER, "重新提交"),
    "return": Transition(frozenset({Status.SUBMITTED, Status.APPROVED}), Status.RETURNED, REVIEWER, "退回修改"),
    "approve": Transition(frozenset({Status.SUBMITTED}), Status.APPROVED, REVIEWER, "审核通过"),
    "publish": Transition(frozenset({Status.APPROVED}), Status.PUBLISHED, REVIEWER, "公开"),
    "unpublish": Transition(frozenset({Status.PUBLISHED}), Status.APPROVED, REVIEWER, "撤回公开"),
    # 目标调整: reopened by the unit with a reason, then reviewed again like a first submission.
    "adjust": Transition(frozenset({Status.APPROVED, Status.PUBLISHED}), Status.ADJUSTING, FILLER, "调整"),
    "submit_adjustment": Transition(frozenset({Status.ADJUSTING}), Status.SUBMITTED, FILLER, "提交调整"),
}
assert set(ACTION_LABELS) >= {f"declaration.{past}" for past in ("submitted", "resubmitted", "returned", "approved",
                                                                 "published", "unpublished", "adjusted",
                                                                 "adjustment_submitted")}
PAST = {"submit": "submitted", "resubmit": "resubmitted", "return": "returned", "approve": "approved",
        "publish": "published", "unpublish": "unpublished", "adjust": "adjusted",
        "submit_adjustment": "adjustment_submitted"}


def kind_of(declaration):
    return "project" if isinstance(declaration, ProjectDeclaration) else "department"


def title_of(declaration):
    if isinstance(declaration, ProjectDeclaration):
        return f"{declaration.year.year}年 {declaration.unit.name}「{declaration.name}」"
    return f"{declaration.year.year}年 {declaration.printed_name}部门整体绩效目标"


def is_reviewer_of(user, declaration):
    return user.is_authenticated and (
        user.is_administrator or (user.is_reviewer and user.bureau_id == declaration.unit.bureau_id)
    )


def is_filler_of(user, declaration):
    return user.is_authenticated and user.is_filler and user.unit_id == declaration.unit_id


def allowed_actions(user, declaration):
    """The acts this user may take on the declaration now, by name."""
    actions = []
    for name, transition in TRANSITIONS.items():
        if declaration.status not in transition.sources:
            continue
        actor_ok = is_filler_of(user, declaration) if transition.actor == FILLER else is_reviewer_of(user, declaration)
        if actor_ok:
            actions.append(name)
    return actions


def guard(name, declaration, user):
    """Check that the act is allowed now for this user; raises ReviewError otherwise."""
    transition = TRANSITIONS[name]
    if declaration.status not in transition.sources:
        allowed = "、".join(s.label for s in Status if s in transition.sources)
        raise ReviewError(
            f"不能{transition.label}：当前状态为“{declaration.get_status_display()}”，只有“{allowed}”的申报可以{transition.label}"
        )
    if transition.actor == FILLER and not is_filler_of(user, declaration):
        raise ReviewError(f"只有本单位的填报人可以{transition.label}")
    if transition.actor == REVIEWER and not is_reviewer_of(user, declaration):
        raise ReviewError(f"只有该单位所属财政局的审核人可以{transition.label}")
    return transition


def locked(declaration):
    """The declaration, re-read and locked for the rest of the transaction."""
    model = type(declaration)
    return model.objects.select_for_update().select_related("unit__bureau", "year").get(pk=declaration.pk)


def move(name, declaration, user, *, comment="", data=None):
    """Change the state (conditionally), write the Event row; returns the refreshed declaration."""
    transition = guard(name, declaration, user)
    model = type(declaration)
    source = declaration.status
    changed = model.objects.filter(pk=declaration.pk, status=source).update(
        status=transition.target, updated_at=timezone.now()
    )
    if not changed:
        raise ReviewError("操作未完成：申报状态刚被他人改变，请刷新后重试")
    declaration.status = transition.target
    Event.objects.create(
        **DeclarationLink.link(declaration), action=f"declaration.{PAST[name]}", from_status=source,
        to_status=transition.target, user=user, comment=comment, data=data or {},
    )
    logger.info("declaration.%s kind=%s id=%s user=%s", PAST[name], kind_of(declaration), declaration.pk, user.pk)
    return declaration


def serialize(declaration):
    return project_to_dict(declaration) if isinstance(declaration, ProjectDeclaration) else department_to_dict(declaration)


def snapshots_of(declaration):
    return Snapshot.objects.filter(**DeclarationLink.link(declaration)).order_by("-number")


def latest_review(declaration):
    return Review.objects.filter(**DeclarationLink.link(declaration)).prefetch_related("comments").first()


def notify(users, message, url):
    users = [u for u in users if u.is_active]
    Notification.objects.bulk_create(Notification(user=u, message=message[:300], url=url) for u in users)
    recipients = [u.email for u in users if u.email]
    if recipients:
        # Mail goes out after the commit, so a rolled-back act sends nothing.
        transaction.on_commit(
            lambda: send_mail(f"【预算绩效目标】{message[:60]}", f"{message}\n\n{url}", settings.DEFAULT_FROM_EMAIL,
                              recipients, fail_silently=True)
        )


def _reviewers_of(declaration):
    return User.objects.filter(role=Role.REVIEWER, bureau_id=declaration.unit.bureau_id)


def fillers_of(declaration):
    return User.objects.filter(role=Role.FILLER, unit_id=declaration.unit_id)


def detail_url(declaration):
    return reverse(f"{kind_of(declaration)}_detail", args=[declaration.pk])


def _review_url(declaration):
    return reverse("review_declaration", args=[kind_of(declaration), declaration.pk])


@transaction.atomic
def declaration_submit(*, declaration, user):
    """草稿 → 已提交, or 退回修改 → 已提交: stores an immutable snapshot of the whole declaration."""
    declaration = locked(declaration)
    name = {Status.RETURNED: "resubmit", Status.ADJUSTING: "submit_adjustment"}.get(declaration.status, "submit")
    guard(name, declaration, user)
    findings = validation.draft_findings(declaration) + (
        validation.validate_project(declaration)
        if isinstance(declaration, ProjectDeclaration)
        else validation.validate_department(declaration)
    )
    errors = validation.errors(findings)
    if errors:
        raise ReviewError(f"还有 {len(errors)} 处需要修改后才能提交：" + "；".join(f.message for f in errors[:3]))
    link = DeclarationLink.link(declaration)
    number = (Snapshot.objects.filter(**link).aggregate(n=Max("number"))["n"] or 0) + 1
    snapshot = Snapshot.objects.create(
        **link, number=number, data=serialize(declaration), header=document_header(declaration.unit, declaration.year),
        created_by=user,
    )
    declaration = move(name, declaration, user, data={"snapshot": snapshot.number})
    notify(_reviewers_of(declaration), f"{title_of(declaration)}已{TRANSITIONS[name].label}，待审核",
            _review_url(declaration))
    return declaration


@transaction.atomic
def adjustment_start(*, declaration, user, reason, version):
    """审核通过 or 已公开 → 调整中 (目标调整, 财预〔2015〕88号: targets adjusted with the budget).

    The unit's filler reopens the declaration for editing with a reason, claiming the version the
    page was made from (drafts.EditConflict when someone saved since). What is public stays public,
    from its snapshot, until the adjusted version is approved and published; the reviewer sees the
    adjusted version against the approved one (`adjustment_of`)."""
    declaration = locked(declaration)
    guard("adjust", declaration, user)
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("开始调整必须填写调整原因")
    snapshot = approved_snapshot(declaration)
    if snapshot is None:
        raise ReviewError("找不到审核通过的版本，不能调整")
    drafts.claim_version(declaration, version)
    fields = {"adjustment_reason": reason, "adjusted_on": timezone.localdate(), "adjustment_of": snapshot.number}
    type(declaration).objects.filter(pk=declaration.pk).update(**fields)
    for name, value in fields.items():
        setattr(declaration, name, value)
    declaration = move("adjust", declaration, user, comment=reason, data={"snapshot": snapshot.number})
    notify(_reviewers_of(declaration), f"{title_of(declaration)}开始目标调整：{reason[:80]}", _review_url(declaration))
    return declaration


def adjustment_base(declaration):
    """The approved snapshot an adjustment in progress is compared with, or None."""
    if declaration.adjustment_of is None:
        return None
    return snapshots_of(declaration).filter(number=declaration.adjustment_of).first()


def diff_base(declaration, snapshots):
    """What the newest of `snapshots` (newest first) is shown against: during an adjustment the
    approved version it adjusts, once the adjusted one is submitted; else the previous submission."""
    if declaration.adjustment_of is not None:
        base = adjustment_base(declaration)
        return base if base is not None and snapshots and snapshots[0].number > base.number else None
    return snapshots[1] if len(snapshots) == 2 else None


def _review(declaration, user, *, result, reason, comments, snapshot):
    review = Review.objects.create(
        **DeclarationLink.link(declaration), snapshot=snapshot, reviewer=user, result=result, reason=reason
    )
    for comment in comments:
        if comment.get("criterion") not in Criterion.values:
            raise ReviewError(f"审核意见“{comment.get('text', '')[:20]}”需要选择审核要点（完整性、相关性、适当性、可行性）")
        if not comment.get("text", "").strip():
            continue
        ReviewComment.objects.create(
            review=review, target=comment.get("target", "")[:400], target_label=comment.get("target_label", "")[:400],
            criterion=comment["criterion"], text=comment["text"].strip(),
        )
    return review


@transaction.atomic
def declaration_return(*, declaration, user, reason, comments=(), result=Result.FAIR):
    """已提交 → 退回修改, with a reason and comments pinned to fields and indicators."""
    declaration = locked(declaration)
    guard("return", declaration, user)
    if not (reason or "").strip():
        raise ReviewError("退回修改必须填写退回理由")
    if result not in (Result.FAIR, Result.POOR):
        raise ReviewError("退回时审核结果应为“中（退回修改）”或“差（不予通过）”")
    snapshot = snapshots_of(declaration).first()
    review = _review(declaration, user, result=result, reason=reason.strip(), comments=comments, snapshot=snapshot)
    declaration = move("return", declaration, user, comment=reason.strip(), data={"review": review.pk})
    notify(fillers_of(declaration), f"{title_of(declaration)}被退回修改：{reason.strip()[:80]}", detail_url(declaration))
    return declaration


@transaction.atomic
def declaration_approve(*, declaration, user, result=Result.EXCELLENT, reason="", comments=()):
    """已提交 → 审核通过 (优 通过 or 良 修改后通过)."""
    declaration = locked(declaration)
    guard("approve", declaration, user)
    if result not in (Result.EXCELLENT, Result.GOOD):
        raise ReviewError("审核通过时审核结果应为“优（通过）”或“良（修改后通过）”")
    snapshot = snapshots_of(declaration).first()
    if snapshot is None:
        raise ReviewError("没有可审核的提交版本")
    review = _review(declaration, user, result=result, reason=(reason or "").strip(), comments=comments, snapshot=snapshot)
    declaration = move("approve", declaration, user, comment=(reason or "").strip(), data={"review": review.pk})
    notify(fillers_of(declaration), f"{title_of(declaration)}已审核通过", detail_url(declaration))
    return declaration


def approve_many(*, declarations, user):
    """Approve several declarations, each in its own transaction. Returns (approved, [(declaration, error)])."""
    approved, refused = [], []
    for declaration in declarations:
        try:
            approved.append(declaration_approve(declaration=declaration, user=user))
        except ReviewError as error:
            refused.append((declaration, str(error)))
    return approved, refused


def approved_snapshot(declaration):
    review = Review.objects.filter(**DeclarationLink.link(declaration)).select_related("snapshot").first()
    if review is None or not review.approved:
        return None
    return review.snapshot


def comments_for_wizard(declaration):
    """The pinned comments of the review that returned the declaration, by target (for the wizard)."""
    if declaration.status != Status.RETURNED:
        return {}
    review = latest_review(declaration)
    if review is None:
        return {}
    by_target = {}
    for comment in review.comments.all():
        by_target.setdefault(comment.target, []).append(comment)
    return by_target


def events_of(declaration):
    return Event.objects.filter(**DeclarationLink.link(declaration)).select_related("user")
