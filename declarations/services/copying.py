"""Copying a declaration to a later budget year as a new draft (复制上年申报).

The copy keeps every field, goal, spending plan, money line and indicator; each indicator
records the source's printed value as its 上年 value (and the source's 上年 as 前年), so the
unit sets this year's targets beside last year's. Money can be emptied so that last year's
amounts are not submitted by mistake.
"""
import calendar
import logging
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import BudgetYear, DepartmentDeclaration, ProjectDeclaration, Status

logger = logging.getLogger(__name__)

# Fields a copy never takes from its source: identity, year, state and bookkeeping.
NOT_COPIED = {"id", "year", "status", "version", "copied_from", "created_at", "updated_at", "adjustment_reason",
              "adjusted_on", "adjustment_of"}
# Emptied money is not stated: blank, never an invented 0.
PROJECT_MONEY_NONE = ["budget", "fiscal_funds", "other_funds", "carryover_funds", "half_year_plan", "mid_term_total"]


class CopyError(Exception):
    """A copy that cannot be made; the message is shown to the user."""


def _field_values(obj, exclude=()):
    skip = NOT_COPIED | set(exclude)
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name not in skip and field.attname not in skip
    }


def _clone(obj, **changes):
    """A new unsaved object of the same model with the same concrete fields, changed as given."""
    values = _field_values(obj)
    values.update(changes)
    return type(obj)(**values)


def _clean_and_save(obj):
    try:
        obj.full_clean()
    except ValidationError as error:
        details = "；".join(f"{field}: {'，'.join(msgs)}" for field, msgs in error.message_dict.items())
        raise CopyError(f"复制失败：{details}") from None
    obj.save()
    return obj


def _target_year(source_year, year):
    if year <= source_year:
        raise CopyError(f"只能复制到 {source_year} 年以后的预算年度，不能复制到 {year} 年")
    budget_year = BudgetYear.objects.filter(year=year).first()
    if budget_year is None:
        raise CopyError(f"{year} 年度尚未设立；预算年度由管理员设立")
    if not budget_year.is_open:
        raise CopyError(f"{year} 年度已停止填报，不能复制到该年度")
    return budget_year


def _shift_date(value, source_year, year):
    """A date in the source's budget year moves to the same day of the new year."""
    if value is None or value.year != source_year:
        return value
    day = min(value.day, calendar.monthrange(year, value.month)[1])
    return date(year, value.month, day)


def _owner(owner_field, owner):
    """Money lines and indicators belong to a department or a project, never both."""
    return {"department_id": None, "project_id": None, f"{owner_field}_id": owner.pk}


def _copy_money_lines(source_lines, owner_field, owner, *, keep_money):
    copies = {}  # source line id → its copy, so that a part points to the copy of its subtotal
    for line in sorted(source_lines, key=lambda line: line.parent_id is not None):
        if keep_money:
            # Last year's amount is this year's 上年金额.
            changes = {"prior_amount_1": line.prior_amount_2, "prior_amount_2": line.amount}
        else:
            changes = {
                "amount": None,  # not stated yet: blank, never an invented 0
                "half_year_amount": None,
                "share": None,
                "prior_amount_1": None,
                "prior_amount_2": None,
            }
        parent = copies.get(line.parent_id)
        copies[line.pk] = _clean_and_save(
            _clone(line, **_owner(owner_field, owner), **changes, parent_id=parent.pk if parent else None)
        )


def _copy_indicators(source_indicators, owner_field, owner):
    for indicator in source_indicators:
        _clean_and_save(
            _clone(
                indicator,
                **_owner(owner_field, owner),
                prior_value_1=indicator.prior_value_2,  # 前年 ← the source's 上年
                prior_value_2=indicator.value_display,  # 上年 ← the source's printed value
            )
        )


@transaction.atomic
def project_copy_to_year(*, project, year: int, keep_money: bool, code: str | None = None) -> ProjectDeclaration:
    """Copy a project declaration into a later budget year as a new draft (version 1).

    `code` is the new year's 项目编码 ("" when not known yet); None keeps the source's."""
    source = ProjectDeclaration.objects.select_related("year", "unit").get(pk=project.pk)
    source_year = source.year.year
    budget_year = _target_year(source_year, year)
    code = source.code if code is None else code.strip()
    existing = ProjectDeclaration.objects.filter(unit_id=source.unit_id, year=budget_year)
    if existing.filter(name=source.name).exists():
        raise CopyError(f"{year}年已有名为“{source.name}”的项目，不能再复制；请直接修改该项目")
    if code and existing.filter(code=code).exists():
        raise CopyError(f"{year}年已有项目编码为“{code}”的项目，不能再复制；请直接修改该项目")

    changes = {
        "code": code,
        "start_date": _shift_date(source.start_date, source_year, year),
        "end_date": _shift_date(source.end_date, source_year, year),
    }
    # A one-year project (项目期 2021年-2021年) becomes a one-year project of the new year.
    if source.period_start_year == source_year and source.period_end_year == source_year:
        changes.update(period_start_year=year, period_end_year=year)
    if not keep_money:
        changes.update({name: None for name in PROJECT_MONEY_NONE})
    copy = _clean_and_save(
        _clone(source, year_id=budget_year.pk, status=Status.DRAFT, version=1, copied_from_id=source.pk, **changes)
    )

    for item in source.goal_items.all():
        _clean_and_save(_clone(item, project_id=copy.pk))
    for step in source.milestones.all():
        _clean_and_save(_clone(step, project_id=copy.pk))
    for point in source.spending_plan.all():
        _clean_and_save(_clone(point, project_id=copy.pk))
    _copy_money_lines(source.money_lines.all(), "project", copy, keep_money=keep_money)
    _copy_indicators(source.indicators.all(), "project", copy)

    logger.info(
        "project.copied source=%s copy=%s unit=%s year=%s keep_money=%s",
        source.pk, copy.pk, source.unit_id, year, keep_money,
    )
    return copy


@transaction.atomic
def department_copy_to_year(*, department, year: int, keep_money: bool) -> DepartmentDeclaration:
    """Copy a 部门整体 declaration into a later budget year as a new draft (version 1)."""
    source = DepartmentDeclaration.objects.select_related("year", "unit").get(pk=department.pk)
    budget_year = _target_year(source.year.year, year)
    if DepartmentDeclaration.objects.filter(unit_id=source.unit_id, year=budget_year).exists():
        raise CopyError(f"{source.unit.name} {year}年已有部门整体绩效目标，不能再复制；请直接修改该申报")

    copy = _clean_and_save(
        _clone(source, year_id=budget_year.pk, status=Status.DRAFT, version=1, copied_from_id=source.pk)
    )
    for goal in source.sub_goals.all():
        _clean_and_save(_clone(goal, declaration_id=copy.pk))
    for measure in source.safeguards.all():
        _clean_and_save(_clone(measure, declaration_id=copy.pk))
    _copy_money_lines(source.money_lines.all(), "department", copy, keep_money=keep_money)
    _copy_indicators(source.indicators.all(), "department", copy)

    logger.info(
        "department.copied source=%s copy=%s unit=%s year=%s keep_money=%s",
        source.pk, copy.pk, source.unit_id, year, keep_money,
    )
    return copy

