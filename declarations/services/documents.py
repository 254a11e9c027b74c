"""Loading whole documents (one unit, one budget year) from the readable YAML/JSON shape.

The shape is described in docs/demo-data.md. Loading is all or nothing: a document that
does not fit the models raises DocumentError naming the place, and nothing is written.
"""
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from indicators.models import Framework, Layout, Subcategory, TableKind

from .. import values
from ..models import (
    BudgetYear,
    CoverNote,
    DepartmentDeclaration,
    FinanceBureau,
    GoalItem,
    Indicator,
    MoneyLine,
    ProjectDeclaration,
    ProjectMilestone,
    SafeguardMeasure,
    SpendingCheckpoint,
    SubGoal,
    Term,
    Unit,
)

logger = logging.getLogger(__name__)


class DocumentError(Exception):
    """A document that cannot be loaded; the message names where and why."""


@dataclass
class LoadResult:
    unit: Unit
    year: int
    created: bool


def read_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _text(value):
    return "" if value is None else str(value).strip()


def _amount(value, where):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise DocumentError(f"{where}：金额“{value}”不是数字") from None


def _date(value, where):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DocumentError(f"{where}：日期“{value}”应为 YYYY-MM-DD") from None


def _clean_and_save(obj, where):
    try:
        obj.full_clean()
    except ValidationError as error:
        details = "；".join(f"{field}: {'，'.join(msgs)}" for field, msgs in error.message_dict.items())
        raise DocumentError(f"{where}：{details}") from None
    obj.save()
    return obj


# --- frameworks -------------------------------------------------------------------------

def framework_load(*, data):
    """Create or update one layout's frameworks (一级/二级 in order). Idempotent."""
    layout, _ = Layout.objects.get_or_create(code=data["layout"], defaults={"name": data["name"]})
    if layout.name != data["name"]:
        layout.name = data["name"]
        layout.save(update_fields=["name"])
    for table_kind, spec in data["frameworks"].items():
        if table_kind not in TableKind.values:
            raise DocumentError(f"版式 {layout.code}：未知表类型“{table_kind}”")
        framework, _ = Framework.objects.get_or_create(layout=layout, table_kind=table_kind)
        for c_order, category_spec in enumerate(spec["categories"], start=1):
            category, _ = framework.categories.get_or_create(
                name=category_spec["name"], defaults={"order": c_order}
            )
            if category.order != c_order:
                category.order = c_order
                category.save(update_fields=["order"])
            for s_order, sub_spec in enumerate(category_spec.get("subcategories", []), start=1):
                wanted = {
                    "order": s_order,
                    "mandatory": bool(sub_spec.get("mandatory", False)),
                    "note": _text(sub_spec.get("note")),
                }
                sub, created = category.subcategories.get_or_create(name=sub_spec["name"], defaults=wanted)
                if not created and any(getattr(sub, k) != v for k, v in wanted.items()):
                    for key, value in wanted.items():
                        setattr(sub, key, value)
                    sub.save(update_fields=list(wanted))
    return layout


def frameworks_load_dir(directory):
    return [framework_load(data=read_yaml(path)) for path in sorted(Path(directory).glob("*.yaml"))]


# --- documents --------------------------------------------------------------------------

class _Subcategories:
    """Looks up 二级 by (一级, 二级) name within one layout and table kind."""

    def __init__(self, layout):
        self.by_kind = {}
        for sub in Subcategory.objects.filter(category__framework__layout=layout).select_related(
            "category__framework"
        ):
            key = (sub.category.framework.table_kind, sub.category.name, sub.name)
            self.by_kind[key] = sub
        self.layout = layout

    def get(self, table_kind, category, subcategory, where):
        try:
            return self.by_kind[(table_kind, category, subcategory)]
        except KeyError:
            raise DocumentError(
                f"{where}：版式 {self.layout.code} 的指标框架中没有“{category} / {subcategory}”"
            ) from None


def _bureau(spec):
    try:
        layout = Layout.objects.get(code=spec["layout"])
    except Layout.DoesNotExist:
        raise DocumentError(f"财政局 {spec['name']}：未知版式“{spec['layout']}”") from None
    bureau, created = FinanceBureau.objects.get_or_create(
        name=spec["name"],
        defaults={"province": spec["province"], "layout": layout, "title_prefix": _text(spec.get("title_prefix"))},
    )
    if created:
        _clean_and_save(bureau, f"财政局 {bureau.name}")
    return bureau


def _unit(spec, bureau, *, parent=None):
    unit, created = Unit.objects.get_or_create(
        bureau=bureau,
        name=spec["name"],
        defaults={
            "code": _text(spec.get("code")),
            "parent": parent,
        },
    )
    if created:
        _clean_and_save(unit, f"单位 {unit.name}")
    return unit


def _money_lines(owner_field, owner, lines, where, keep=_clean_and_save):
    orders, made = {}, []
    for index, line in enumerate(lines or [], start=1):
        here = f"{where} 收支第{index}行"
        direction = line["direction"]
        orders[direction] = orders.get(direction, 0) + 1
        prior = list(line.get("prior") or [None, None]) + [None, None]
        share = line.get("share")
        parent = line.get("parent")
        if parent is not None and not (isinstance(parent, int) and 0 <= parent < len(made)):
            raise DocumentError(f"{here}：parent 应为排在它之前的小计行的序号（0 到 {len(made) - 1}）")
        made.append(keep(
            MoneyLine(
                **{owner_field: owner},
                direction=direction,
                kind=line["kind"],
                label=_text(line.get("label")),
                parent=made[parent] if parent is not None else None,
                order=orders[direction],
                amount=_amount(line.get("amount"), here),
                half_year_amount=_amount(line.get("half_year"), here),
                share=_amount(share, here),
                prior_amount_1=_amount(prior[0], here),
                prior_amount_2=_amount(prior[1], here),
            ),
            here,
        ))


def _indicators(owner_field, owner, table_kind, rows, subcategories, where, keep=_clean_and_save):
    orders = {}
    for index, row in enumerate(rows or [], start=1):
        here = f"{where} 第{index}个指标（{row.get('name', '')}）"
        term = row.get("term") or Term.ANNUAL
        orders[term] = orders.get(term, 0) + 1
        prior = list(row.get("prior_values") or [None, None]) + [None, None]
        indicator = Indicator(
            **{owner_field: owner},
            subcategory=subcategories.get(table_kind, row["category"], row["subcategory"], here),
            term=term,
            order=orders[term],
            name=_text(row["name"]),
            description=_text(row.get("description")),
            half_year_value=_text(row.get("half_value")),
            basis=_text(row.get("basis")),
            standard=_text(row.get("standard")),
            weight=_amount(row.get("weight"), here),
            indicator_class=_text(row.get("indicator_class")),
            prior_value_1=_text(prior[0]),
            prior_value_2=_text(prior[1]),
            related_project=_text(row.get("related_project")),
            printed_unit=_text(row.get("printed_unit")),
        )
        try:
            indicator.set_value(_text(row.get("value")))
        except values.ValueSyntaxError as error:
            raise DocumentError(f"{here}：{error}") from None
        keep(indicator, here)


def _department(spec, unit, year, subcategories, keep=_clean_and_save):
    where = f"{unit.name} {year.year}年 部门整体"
    department = keep(
        DepartmentDeclaration(
            unit=unit,
            year=year,
            department_name=_text(spec.get("department_name")),
            compiled_by=_text(spec.get("compiled_by")),
            functions=_text(spec.get("functions")),
            organisation=_text(spec.get("organisation")),
            overall_goal=_text(spec.get("overall_goal")),
            long_term_goal=_text(spec.get("long_term_goal")),
            long_term_end_year=spec.get("long_term_end_year"),
            annual_goal=_text(spec.get("annual_goal")),
            annual_goal_brief=_text(spec.get("annual_goal_brief")),
            annual_tasks=_text(spec.get("annual_tasks")),
            **_sign_off(spec, where),
        ),
        where,
    )
    for order, goal in enumerate(spec.get("sub_goals") or [], start=1):
        keep(
            SubGoal(
                declaration=department,
                order=order,
                title=_text(goal["title"]),
                goal=_text(goal.get("goal")),
                indicators=_text(goal.get("indicators")),
            ),
            f"{where} 分项绩效目标{order}",
        )
    for order, text in enumerate(spec.get("safeguards") or [], start=1):
        keep(SafeguardMeasure(declaration=department, order=order, text=_text(text)), f"{where} 保障措施{order}")
    _money_lines("department", department, spec.get("money"), where, keep)
    _indicators("department", department, TableKind.DEPARTMENT, spec.get("indicators"), subcategories, where, keep)
    return department


def _sign_off(spec, where):
    return {
        "filler_name": _text(spec.get("filler_name")),
        "filler_phone": _text(spec.get("filler_phone")),
        "checker_name": _text(spec.get("checker_name")),
        "head_name": _text(spec.get("head_name")),
        "fill_date": _date(spec.get("fill_date"), where),
        "unit_name_stated": spec.get("unit_name_stated", True) is not False,
        **_adjustment(spec, where),
    }


def _adjustment(spec, where):
    adjustment = spec.get("adjustment") or {}
    return {"adjustment_reason": _text(adjustment.get("reason")), "adjusted_on": _date(adjustment.get("date"), where)}


def _project(spec, unit, year, order, subcategories, keep=_clean_and_save):
    where = f"{unit.name} {year.year}年 项目“{spec.get('name', '')}”"
    period = list(spec.get("period") or [None, None])
    months = list(spec.get("period_months") or [None, None]) + [None, None]
    project = keep(
        ProjectDeclaration(
            unit=unit,
            year=year,
            order=order,
            code=_text(spec.get("code")),
            name=_text(spec["name"]),
            title_name=_text(spec.get("title_name")),
            supervising_department=_text(spec.get("supervising_department")),
            implementing_unit=_text(spec.get("implementing_unit")),
            attribute=_text(spec.get("attribute")),
            level=_text(spec.get("level")),
            category=_text(spec.get("category")),
            start_date=_date(spec.get("start_date"), where),
            end_date=_date(spec.get("end_date"), where),
            period_start_year=period[0],
            period_end_year=period[1] if len(period) > 1 else None,
            period_start_month=months[0],
            period_end_month=months[1],
            owner_name=_text(spec.get("owner_name")),
            owner_phone=_text(spec.get("owner_phone")),
            budget=_amount(spec.get("budget"), where),
            fiscal_funds=_amount(spec.get("fiscal_funds"), where),
            other_funds=_amount(spec.get("other_funds"), where),
            carryover_funds=_amount(spec.get("carryover_funds"), where),
            half_year_plan=_amount(spec.get("half_year_plan"), where),
            mid_term_total=_amount(spec.get("mid_term_total"), where),
            purpose=_text(spec.get("purpose")),
            necessity=_text(spec.get("necessity")),
            feasibility=_text(spec.get("feasibility")),
            content=_text(spec.get("content")),
            legal_basis=_text(spec.get("legal_basis")),
            overview=_text(spec.get("overview")),
            long_term_goal=_text(spec.get("long_term_goal")),
            annual_goal=_text(spec.get("annual_goal")),
            has_table=spec.get("table", True) is not False,
            **_sign_off(spec, where),
        ),
        where,
    )
    for item_order, text in enumerate(spec.get("goal_items") or [], start=1):
        keep(GoalItem(project=project, order=item_order, text=_text(text)), f"{where} 绩效目标{item_order}")
    for step_order, step in enumerate(spec.get("milestones") or [], start=1):
        keep(
            ProjectMilestone(
                project=project,
                order=step_order,
                content=_text(step["content"]),
                start=_text(step.get("start")),
                end=_text(step.get("end")),
            ),
            f"{where} 项目实施进度计划第{step_order}行",
        )
    for point_order, point in enumerate(spec.get("spending_plan") or [], start=1):
        keep(
            SpendingCheckpoint(
                project=project,
                order=point_order,
                label=_text(point["label"]),
                percent=_amount(point["percent"], where),
            ),
            f"{where} 资金支出计划 {point.get('label')}",
        )
    _money_lines("project", project, spec.get("money"), where, keep)
    _indicators("project", project, TableKind.PROJECT, spec.get("indicators"), subcategories, where, keep)
    return project


def document_exists(unit, year):
    return (
        DepartmentDeclaration.objects.filter(unit=unit, year=year).exists()
        or ProjectDeclaration.objects.filter(unit=unit, year=year).exists()
        or CoverNote.objects.filter(unit=unit, year=year).exists()
    )


def document_owner(data):
    """Find or create the bureau, unit (with its 主管部门) and budget year a document names."""
    try:
        bureau = _bureau(data["bureau"])
        parent = _unit(data["unit"]["parent"], bureau) if data["unit"].get("parent") else None
        unit = _unit(data["unit"], bureau, parent=parent)
        year, _ = BudgetYear.objects.get_or_create(year=int(data["year"]))
    except KeyError as missing:
        raise DocumentError(f"文档缺少字段 {missing}") from None
    return unit, year


def with_unit_profile(department, unit):
    """Files of the first interchange version state 职能/机构 on the unit; they belong to the 部门整体."""
    legacy = {key: unit.get(key) for key in ("functions", "organisation") if unit.get(key)}
    return {**legacy, **{key: value for key, value in department.items() if value not in (None, "")}}


def _create_document(data, unit, year):
    """Create the cover note, 部门整体 and projects of a document for a unit-year that has none."""
    subcategories = _Subcategories(unit.bureau.layout)
    try:
        cover = data.get("cover")
        if cover:
            _clean_and_save(
                CoverNote(
                    unit=unit,
                    year=year,
                    title=_text(cover["title"]),
                    body=_text(cover["body"]),
                    attachment=_text(cover.get("attachment")),
                    signed_by=_text(cover.get("signed_by")),
                    signed_on=_date(cover.get("signed_on"), "公开说明"),
                ),
                f"{unit.name} 公开说明",
            )
        if data.get("department"):
            _department(with_unit_profile(data["department"], data["unit"]), unit, year, subcategories)
        for order, project in enumerate(data.get("projects") or [], start=1):
            _project(project, unit, year, order, subcategories)
    except KeyError as missing:
        raise DocumentError(f"{unit.name} {year.year}年：缺少字段 {missing}") from None


@transaction.atomic
def document_load(*, data):
    """Create one unit's declarations for one budget year from a document.

    A document whose unit already has declarations for that year is left as it is, so that
    loading the demo twice changes nothing and never overwrites what users have edited.
    (Replacing drafts is `importing.document_import`.)
    """
    unit, year = document_owner(data)
    if document_exists(unit, year):
        return LoadResult(unit=unit, year=year.year, created=False)
    _create_document(data, unit, year)
    logger.info("document.loaded unit=%s year=%s", unit.pk, year.year)
    return LoadResult(unit=unit, year=year.year, created=True)
