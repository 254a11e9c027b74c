"""Writing drafts: every wizard step saves here, atomically, guarded by state and version.

A save first claims the declaration's version with a conditional UPDATE (works on SQLite and
PostgreSQL alike): when someone else saved in between, nothing is written and EditConflict
tells the user, who keeps what they typed.
"""
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from ..models import (
    BudgetYear,
    DepartmentDeclaration,
    GoalItem,
    Indicator,
    IndicatorDraft,
    MoneyLine,
    ProjectDeclaration,
    ProjectMilestone,
    SafeguardMeasure,
    SpendingCheckpoint,
    Status,
    SubGoal,
)

logger = logging.getLogger(__name__)
EDITABLE = {Status.DRAFT, Status.RETURNED, Status.ADJUSTING}


class DraftError(Exception):
    """A save that is refused; the message is shown to the user."""


class NotEditable(DraftError):
    pass


class EditConflict(DraftError):
    pass


class MissingVersion(DraftError):
    """A save that does not say which version it was made from: refused, never saved blindly."""


MAX_VERSION = 2**31 - 1
MISSING_VERSION = "页面没有带上有效的版本号，无法确认您是在最新内容上修改的，本次没有保存。请刷新页面后重新填写。"


def parse_version(raw):
    """The version a form was made from, or None when `raw` is missing or not a positive number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        number = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            return None
        number = int(text)
    return number if 0 < number <= MAX_VERSION else None


def can_edit(user, declaration):
    """Fillers edit their own unit's drafts, returned declarations and those under adjustment;
    administrators any of these."""
    if declaration.status not in EDITABLE:
        return False
    if user.is_administrator:
        return True
    return user.is_filler and user.unit_id == declaration.unit_id


def ensure_editable(user, declaration):
    if declaration.status not in EDITABLE:
        raise NotEditable(f"该申报当前状态为“{declaration.get_status_display()}”，不能修改")
    if not can_edit(user, declaration):
        raise NotEditable("您没有修改该申报的权限")


def claim_version(declaration, version):
    """Claim `version` of the declaration for one save (conditional UPDATE to version + 1), or
    raise: MissingVersion without a usable version, EditConflict when it is no longer current."""
    model = type(declaration)
    version = parse_version(version)
    if version is None:
        raise MissingVersion(MISSING_VERSION)
    claimed = model.objects.filter(pk=declaration.pk, version=version).update(version=F("version") + 1)
    if not claimed:
        raise EditConflict("这份申报已被他人（或您在另一个窗口）修改并保存。您刚才填写的内容没有保存，请核对后重新提交。")
    declaration.version = version + 1


def _full_clean(obj, exclude=None):
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        raise DraftError("；".join(f"{k}: {'，'.join(v)}" for k, v in error.message_dict.items())) from None


@transaction.atomic
def project_create(*, user, unit, year, form):
    """Create a project draft from the 基本信息 step (the form is valid)."""
    project = form.save(commit=False)
    project.unit = unit
    project.year = year
    project.status = Status.DRAFT
    project.order = (ProjectDeclaration.objects.filter(unit=unit, year=year).count() or 0) + 1
    _full_clean(project)  # amounts not stated stay blank: never an invented 0
    project.save()
    logger.info("project.created project=%s unit=%s year=%s user=%s", project.pk, unit.pk, year.year, user.pk)
    return project


@transaction.atomic
def project_step_save(*, user, project, form, version, spending_plan=None, goal_items=None, income_lines=None):
    """Save one step of the project wizard (the form is valid)."""
    ensure_editable(user, project)
    claim_version(project, version)
    project = form.save(commit=False)
    _full_clean(project, exclude=["unit", "year"])
    project.save()
    if spending_plan is not None:
        project.spending_plan.all().delete()
        SpendingCheckpoint.objects.bulk_create(
            SpendingCheckpoint(project=project, order=n, label=label, percent=percent)
            for n, (label, percent) in enumerate(spending_plan, start=1)
        )
    if goal_items is not None:
        project.goal_items.all().delete()
        GoalItem.objects.bulk_create(
            GoalItem(project=project, order=n, text=text) for n, text in enumerate(goal_items, start=1)
        )
    if income_lines is not None:
        _income_lines_save(project, income_lines)
    logger.info("project.step_saved project=%s user=%s version=%s", project.pk, user.pk, project.version)
    return project


@transaction.atomic
def project_milestones_save(*, user, project, version, milestones):
    """Replace the project's 项目实施进度计划 with `milestones` (dicts of content, start, end, in order)."""
    ensure_editable(user, project)
    claim_version(project, version)
    rows = [ProjectMilestone(project=project, order=n, **row) for n, row in enumerate(milestones, start=1)]
    for row in rows:
        _full_clean(row)
    project.milestones.all().delete()
    ProjectMilestone.objects.bulk_create(rows)
    logger.info(
        "project.milestones_saved project=%s user=%s rows=%s version=%s", project.pk, user.pk, len(rows), project.version
    )
    return project


def _income_lines_save(project, amounts):
    """The project's stated income line per kind gets its amount (keeping its printed name and the
    lines under it, 宁乡's 上级财政资金); a blank amount removes it, a new kind is added last."""
    stated = {}
    for line in project.money_lines.filter(direction="income", parent__isnull=True).order_by("order", "pk"):
        if line.kind in amounts and line.kind in stated:
            line.delete()  # one stated line per kind the step asks for
        else:
            stated.setdefault(line.kind, line)
    order = max((line.order for line in stated.values()), default=0)
    for kind, amount in amounts.items():
        line = stated.get(kind)
        if line is not None and amount is None:
            line.delete()
        elif line is not None:
            line.amount = amount
            _full_clean(line)
            line.save(update_fields=["amount"])
        elif amount is not None:
            order += 1
            line = MoneyLine(project=project, direction="income", kind=kind, order=order, amount=amount)
            _full_clean(line)
            line.save()


@transaction.atomic
def department_create(*, user, unit, year):
    if DepartmentDeclaration.objects.filter(unit=unit, year=year).exists():
        raise DraftError(f"{unit.name} {year.year} 年度的部门整体绩效目标已存在")
    department = DepartmentDeclaration(unit=unit, year=year, department_name=unit.name)
    _full_clean(department)
    department.save()
    logger.info("department.created department=%s unit=%s year=%s user=%s", department.pk, unit.pk, year.year, user.pk)
    return department


@transaction.atomic
def department_step_save(
    *, user, department, version, form=None, money_lines=None, sub_goals=None, safeguards=None
):
    """Save one step of the department wizard (the form, if any, is valid)."""
    ensure_editable(user, department)
    claim_version(department, version)
    if form is not None:
        department = form.save(commit=False)
        _full_clean(department, exclude=["unit", "year"])
        department.save()
    if money_lines is not None:
        department.money_lines.all().delete()
        orders = {}
        created = []
        for line in money_lines:
            orders[line["direction"]] = orders.get(line["direction"], 0) + 1
            money_line = MoneyLine(department=department, order=orders[line["direction"]], **line)
            _full_clean(money_line)
            created.append(money_line)
        MoneyLine.objects.bulk_create(created)
    if sub_goals is not None:
        department.sub_goals.all().delete()
        SubGoal.objects.bulk_create(
            SubGoal(declaration=department, order=n, **goal) for n, goal in enumerate(sub_goals, start=1)
        )
    if safeguards is not None:
        department.safeguards.all().delete()
        SafeguardMeasure.objects.bulk_create(
            SafeguardMeasure(declaration=department, order=n, text=text) for n, text in enumerate(safeguards, start=1)
        )
    logger.info("department.step_saved department=%s user=%s version=%s", department.pk, user.pk, department.version)
    return department


INDICATOR_FIELDS = [
    "subcategory_id", "term", "name", "description", "comparator", "number", "unit", "text_value",
    "half_year_value", "basis", "indicator_class", "prior_value_1", "prior_value_2", "related_project",
]
# Set only when a row carries them (the grid does where the layout prints them; the form does not).
OPTIONAL_INDICATOR_FIELDS = ["standard", "weight"]


@transaction.atomic
def indicators_save(*, user, declaration, version, rows, terms):
    """Replace the declaration's indicators of `terms` with `rows` (dicts, in printed order).

    Rows with an `id` of an existing indicator update it (keeping its history); the others are
    created; indicators of these terms that are not in `rows` are deleted.
    """
    ensure_editable(user, declaration)
    claim_version(declaration, version)
    owner = "project" if isinstance(declaration, ProjectDeclaration) else "department"
    existing = {i.pk: i for i in declaration.indicators.filter(term__in=terms)}
    kept = set()
    orders = {}
    for row in rows:
        indicator = existing.get(row.get("id")) or Indicator(**{owner: declaration})
        for field in INDICATOR_FIELDS:
            setattr(indicator, field, row.get(field, "" if field not in ("number", "subcategory_id") else None))
        for field in OPTIONAL_INDICATOR_FIELDS:
            if field in row:
                setattr(indicator, field, row[field])
        orders[indicator.term] = orders.get(indicator.term, 0) + 1
        indicator.order = orders[indicator.term]
        _full_clean(indicator, exclude=["department", "project"])
        indicator.save()
        kept.add(indicator.pk)
    declaration.indicators.filter(term__in=terms).exclude(pk__in=kept).delete()
    IndicatorDraft.objects.filter(**{owner: declaration}).delete()
    logger.info("%s.indicators_saved id=%s user=%s rows=%s", owner, declaration.pk, user.pk, len(rows))
    return declaration


MAX_DRAFT_ROWS = 400


@transaction.atomic
def indicator_draft_save(*, user, declaration, version, rows):
    """Keep the grid's rows (plain dicts) while some are not valid yet, in the database.

    The declaration's version is checked, not claimed: a draft does not change what prints, so it
    does not make another window's rows stale, but a draft made from an old version is refused."""
    ensure_editable(user, declaration)
    model = type(declaration)
    current = parse_version(version)
    if current is None:
        raise MissingVersion(MISSING_VERSION)
    if not model.objects.filter(pk=declaration.pk, version=current).exists():
        raise EditConflict("这份申报已被他人（或您在另一个窗口）修改并保存。您刚才填写的内容没有保存，请核对后重新提交。")
    if len(rows) > MAX_DRAFT_ROWS:
        raise DraftError(f"指标不能超过 {MAX_DRAFT_ROWS} 行")
    owner = "project" if isinstance(declaration, ProjectDeclaration) else "department"
    draft, _ = IndicatorDraft.objects.update_or_create(
        **{owner: declaration}, defaults={"rows": rows, "based_on": current, "saved_by": user}
    )
    logger.info("%s.indicator_draft_saved id=%s user=%s rows=%s", owner, declaration.pk, user.pk, len(rows))
    return draft


@transaction.atomic
def indicator_draft_discard(*, user, declaration):
    """Drop the kept rows: the grid shows the saved indicators again."""
    ensure_editable(user, declaration)
    owner = "project" if isinstance(declaration, ProjectDeclaration) else "department"
    deleted, _ = IndicatorDraft.objects.filter(**{owner: declaration}).delete()
    logger.info("%s.indicator_draft_discarded id=%s user=%s", owner, declaration.pk, user.pk)
    return bool(deleted)


def open_years():
    return BudgetYear.objects.filter(is_open=True)
