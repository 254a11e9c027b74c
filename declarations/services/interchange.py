"""The JSON interchange format: declarations as the readable document shape, and their diff.

The shape is the one the loader reads (docs/demo-data.md, `documents.document_load`), so a
document written here loads back into the same rows. Amounts are strings without trailing
zeros, dates are YYYY-MM-DD, blank optional texts are None, and every documented key is
present. Everything is ordered as printed: 长期 indicators before 年度 ones, income lines
before expense lines, each by their order.

`declaration_diff` compares two snapshots of one declaration (project or 部门整体).
"""
from datetime import date
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, prefetch_related_objects

from ..models import (
    BudgetYear,
    CoverNote,
    DepartmentDeclaration,
    Direction,
    Indicator,
    MoneyKind,
    ProjectDeclaration,
    Term,
    Unit,
)
from ..values import format_number

# Printed order: Hubei and the national layout print 长期 before 年度; income before expense.
TERM_RANK = {Term.LONG: 0, Term.ANNUAL: 1}
DIRECTION_RANK = {Direction.INCOME: 0, Direction.EXPENSE: 1}


# --- values -------------------------------------------------------------------------------

def _number(value):
    return None if value is None else format_number(Decimal(value))


def _text(value):
    """A blank optional text is None in the document, as the demo files write it."""
    return value if value not in (None, "") else None


def _date(value):
    return value.isoformat() if value is not None else None


def _pair(first, second):
    return None if first is None and second is None else [first, second]


def _indicator_prefetch():
    return Prefetch("indicators", queryset=Indicator.objects.select_related("subcategory__category"))


PROJECT_PREFETCH = ("goal_items", "milestones", "spending_plan", "money_lines", _indicator_prefetch)
DEPARTMENT_PREFETCH = ("sub_goals", "safeguards", "money_lines", _indicator_prefetch)


def _prefetch(objects, lookups):
    """Fetch each relation once for all objects; relations already prefetched are not fetched again."""
    prefetch_related_objects(list(objects), *[lookup() if callable(lookup) else lookup for lookup in lookups])


def _ordered(items, key):
    return sorted(items, key=lambda item: (*key(item), item.order, item.pk or 0))


# --- parts --------------------------------------------------------------------------------

def money_line_to_dict(line, parent=None):
    return {
        "direction": line.direction,
        "kind": line.kind,
        "label": _text(line.label),
        "parent": parent,
        "amount": _number(line.amount),
        "half_year": _number(line.half_year_amount),
        "share": _number(line.share),
        "prior": [_number(line.prior_amount_1), _number(line.prior_amount_2)],
    }


def indicator_to_dict(indicator):
    subcategory = indicator.subcategory
    prior_1, prior_2 = indicator.prior_value_1, indicator.prior_value_2
    return {
        "category": subcategory.category.name,
        "subcategory": subcategory.name,
        "name": indicator.name,
        "description": _text(indicator.description),
        "value": indicator.value_display,
        "half_value": _text(indicator.half_year_value),
        "basis": _text(indicator.basis),
        "standard": _text(indicator.standard),
        "weight": _number(indicator.weight),
        "indicator_class": _text(indicator.indicator_class),
        "prior_values": None if not prior_1 and not prior_2 else [prior_1, prior_2],
        "related_project": _text(indicator.related_project),
        "printed_unit": _text(indicator.printed_unit),
        "term": indicator.term,
    }


def _money(owner):
    lines = _ordered(owner.money_lines.all(), lambda line: (DIRECTION_RANK.get(line.direction, 9),))
    position = {line.pk: index for index, line in enumerate(lines)}
    return [money_line_to_dict(line, position.get(line.parent_id)) for line in lines]


def _indicators(owner):
    indicators = _ordered(owner.indicators.all(), lambda indicator: (TERM_RANK.get(indicator.term, 9),))
    return [indicator_to_dict(indicator) for indicator in indicators]


# --- declarations -------------------------------------------------------------------------

def project_to_dict(project):
    """One entry of `projects:` (docs/demo-data.md). Five queries unless already prefetched."""
    _prefetch([project], PROJECT_PREFETCH)
    return {
        "code": project.code,
        "name": project.name,
        "title_name": _text(project.title_name),
        "supervising_department": _text(project.supervising_department),
        "implementing_unit": _text(project.implementing_unit),
        "attribute": _text(project.attribute),
        "level": _text(project.level),
        "category": _text(project.category),
        "start_date": _date(project.start_date),
        "end_date": _date(project.end_date),
        "period": _pair(project.period_start_year, project.period_end_year),
        "period_months": _pair(project.period_start_month, project.period_end_month),
        "owner_name": _text(project.owner_name),
        "owner_phone": _text(project.owner_phone),
        "budget": _number(project.budget),
        "fiscal_funds": _number(project.fiscal_funds),
        "other_funds": _number(project.other_funds),
        "carryover_funds": _number(project.carryover_funds),
        "half_year_plan": _number(project.half_year_plan),
        "mid_term_total": _number(project.mid_term_total),
        "purpose": _text(project.purpose),
        "necessity": _text(project.necessity),
        "feasibility": _text(project.feasibility),
        "content": _text(project.content),
        "legal_basis": _text(project.legal_basis),
        "overview": _text(project.overview),
        "milestones": [
            {"content": step.content, "start": _text(step.start), "end": _text(step.end)}
            for step in _ordered(project.milestones.all(), lambda step: ())
        ],
        "long_term_goal": _text(project.long_term_goal),
        "annual_goal": _text(project.annual_goal),
        "goal_items": [item.text for item in _ordered(project.goal_items.all(), lambda item: ())],
        "spending_plan": [
            {"label": point.label, "percent": _number(point.percent)}
            for point in _ordered(project.spending_plan.all(), lambda point: ())
        ],
        "money": _money(project),
        "indicators": _indicators(project),
        "table": project.has_table,
        **_sign_off(project),
    }


def _sign_off(declaration):
    return {
        "filler_name": _text(declaration.filler_name),
        "filler_phone": _text(declaration.filler_phone),
        "checker_name": _text(declaration.checker_name),
        "head_name": _text(declaration.head_name),
        "fill_date": _date(declaration.fill_date),
        "unit_name_stated": declaration.unit_name_stated,
        **_adjustment(declaration),
    }


def _adjustment(declaration):
    """`adjustment` ({date, reason}) of a declaration that was adjusted (目标调整); absent otherwise."""
    if not declaration.adjustment_reason:
        return {}
    return {"adjustment": {"date": _date(declaration.adjusted_on), "reason": declaration.adjustment_reason}}


def department_to_dict(department):
    """The `department:` mapping (docs/demo-data.md). Four queries unless already prefetched."""
    _prefetch([department], DEPARTMENT_PREFETCH)
    return {
        "department_name": _text(department.department_name),
        "compiled_by": _text(department.compiled_by),
        "functions": _text(department.functions),
        "organisation": _text(department.organisation),
        "overall_goal": _text(department.overall_goal),
        "sub_goals": [
            {"title": goal.title, "goal": goal.goal, "indicators": _text(goal.indicators)}
            for goal in _ordered(department.sub_goals.all(), lambda goal: ())
        ],
        "safeguards": [measure.text for measure in _ordered(department.safeguards.all(), lambda measure: ())],
        "long_term_goal": _text(department.long_term_goal),
        "long_term_end_year": department.long_term_end_year,
        "annual_goal": _text(department.annual_goal),
        "annual_goal_brief": _text(department.annual_goal_brief),
        "annual_tasks": _text(department.annual_tasks),
        **_sign_off(department),
        "money": _money(department),
        "indicators": _indicators(department),
    }


def cover_to_dict(cover):
    if cover is None:
        return None
    return {
        "title": cover.title,
        "body": cover.body,
        "attachment": _text(cover.attachment),
        "signed_by": _text(cover.signed_by),
        "signed_on": _date(cover.signed_on),
    }


def _unit_to_dict(unit, *, with_parent=True):
    data = {"code": unit.code, "name": unit.name}
    if with_parent:
        parent = unit.parent
        data["parent"] = {"code": parent.code, "name": parent.name} if parent is not None else None
    return data


def document_header(unit, year):
    """The part of a document that is not a declaration: bureau, unit, year and cover note."""
    year_number = year.year if isinstance(year, BudgetYear) else int(year)
    unit = Unit.objects.select_related("bureau__layout", "parent").get(pk=unit.pk)
    cover = CoverNote.objects.filter(unit=unit, year__year=year_number).first()
    return header_of(unit, year_number, cover)


def header_of(unit, year_number, cover=None):
    """document_header from objects in hand (bureau, layout and parent loaded), without queries."""
    bureau = unit.bureau
    return {
        "bureau": {
            "name": bureau.name,
            "province": bureau.province,
            "layout": bureau.layout.code,
            "title_prefix": bureau.title_prefix,
        },
        "unit": _unit_to_dict(unit),
        "year": year_number,
        "cover": cover_to_dict(cover),
    }


def document_to_dict(unit, year):
    """One unit's whole document for one budget year, in the shape document_load reads.

    The `seed:` key of the demo files is omitted: it names where a document came from.
    A constant number of queries, however many projects the unit has.
    """
    header = document_header(unit, year)
    year_number = header["year"]
    department = DepartmentDeclaration.objects.filter(unit=unit, year__year=year_number).first()
    projects = list(
        ProjectDeclaration.objects.filter(unit=unit, year__year=year_number).order_by("order", "id")
    )
    _prefetch(projects, PROJECT_PREFETCH)
    return {
        **header,
        "department": department_to_dict(department) if department is not None else None,
        "projects": [project_to_dict(project) for project in projects],
    }


# --- diff ---------------------------------------------------------------------------------

# Keys of the document shape that are not model fields (or whose model field says less).
LABELS = {
    "adjustment": "目标调整",
    "period": "项目期",
    "goal_items": "绩效目标条目",
    "milestones": "项目实施进度计划",
    "spending_plan": "资金支出计划",
    "money": "收支明细",
    "indicators": "三级指标",
    "table": "打印项目表",
    "sub_goals": "分项绩效目标",
    "safeguards": "工作保障措施",
}
INDICATOR_LABELS = {
    "category": "一级指标",
    "subcategory": "二级指标",
    "name": "三级指标",
    "description": "绩效指标描述",
    "value": "指标值",
    "half_value": "半年指标值",
    "basis": "指标值确定依据",
    "indicator_class": "指标分类",
    "prior_values": "前年/上年指标值",
    "related_project": "对应项目",
    "printed_unit": "表列计量单位",
    "term": "期限",
}
INDICATOR_KEY = ("term", "category", "subcategory", "name")


def field_label(key):
    """The Chinese label of a document key: the model field's verbose_name where there is one."""
    if key in LABELS:
        return LABELS[key]
    for model in (ProjectDeclaration, DepartmentDeclaration):
        try:
            return str(model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            continue
    return key


def _join(parts):
    return "；".join(part for part in parts if part)


def _money_line_text(line):
    direction = Direction(line["direction"]).label if line.get("direction") in Direction.values else line.get("direction")
    kind = MoneyKind(line["kind"]).label if line.get("kind") in MoneyKind.values else line.get("kind")
    text = f"{direction} {kind} {line.get('amount') or 0}万元"
    extras = []
    if line.get("half_year") not in (None, ""):
        extras.append(f"半年 {line['half_year']}万元")
    if line.get("share") not in (None, ""):
        extras.append(f"占比 {line['share']}%")
    prior = list(line.get("prior") or []) + [None, None]
    if prior[0] not in (None, "") or prior[1] not in (None, ""):
        extras.append(f"前年 {prior[0] or ''} 上年 {prior[1] or ''}".strip())
    return f"{text}（{'，'.join(extras)}）" if extras else text


def printable(key, value):
    """A value of a document key as one readable line of text ("" when empty)."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "period" and isinstance(value, (list, tuple)):
        start, end = (list(value) + [None, None])[:2]
        return f"{start or ''}—{end or ''}"
    if key == "adjustment" and isinstance(value, dict):
        return f"{value.get('date') or ''} 调整，调整原因：{value.get('reason') or ''}".strip()
    if key == "spending_plan":
        return _join(f"{point.get('label', '')} {point.get('percent', '')}%" for point in value)
    if key == "money":
        return _join(_money_line_text(line) for line in value)
    if key == "sub_goals":
        return _join(
            f"{index}. {goal.get('title', '')}：{_join([goal.get('goal') or '', goal.get('indicators') or ''])}"
            for index, goal in enumerate(value, start=1)
        )
    if key == "prior_values" and isinstance(value, (list, tuple)):
        return " / ".join(str(item or "") for item in value)
    if isinstance(value, (list, tuple)):
        if all(isinstance(item, str) for item in value):
            return _join(f"{index}. {item}" for index, item in enumerate(value, start=1))
        return _join(printable(key, item) for item in value)
    if isinstance(value, dict):
        return "，".join(f"{k}: {printable(k, v)}" for k, v in value.items())
    if isinstance(value, (date, Decimal)):
        return str(value)
    return str(value)


def _empty(value):
    return value in (None, "", []) or value == [None, None] or value == ["", ""]


def _same(old, new):
    return (_empty(old) and _empty(new)) or old == new


def _keys(old, new):
    return list(new) + [key for key in old if key not in new]


def _changes(old, new, *, skip, labels):
    return [
        {"field": key, "label": labels(key), "old": printable(key, old.get(key)), "new": printable(key, new.get(key))}
        for key in _keys(old, new)
        if key not in skip and not _same(old.get(key), new.get(key))
    ]


def indicator_key(indicator):
    return tuple(indicator.get(part) or (Term.ANNUAL if part == "term" else "") for part in INDICATOR_KEY)


def indicator_key_text(indicator):
    term, category, subcategory, name = indicator_key(indicator)
    term_label = Term(term).label if term in Term.values else term
    return f"{category}/{subcategory}/{name} ({term_label})"


def _indicator_diff(old_rows, new_rows):
    unmatched = {}
    for row in old_rows:
        unmatched.setdefault(indicator_key(row), []).append(row)
    added, changed = [], []
    for row in new_rows:
        candidates = unmatched.get(indicator_key(row))
        if not candidates:
            added.append(row)
            continue
        before = candidates.pop(0)  # duplicates of one key are matched in order
        changes = _changes(before, row, skip=INDICATOR_KEY, labels=lambda key: INDICATOR_LABELS.get(key, key))
        if changes:
            changed.append({"key": indicator_key_text(row), "old": before, "new": row, "changes": changes})
    matched_away = {id(row) for rows in unmatched.values() for row in rows}
    removed = [row for row in old_rows if id(row) in matched_away]
    return {"added": added, "removed": removed, "changed": changed}


def declaration_diff(old, new):
    """What changed between two snapshots (project_to_dict / department_to_dict) of one declaration."""
    old, new = old or {}, new or {}
    return {
        "fields": _changes(old, new, skip={"indicators"}, labels=field_label),
        "indicators": _indicator_diff(list(old.get("indicators") or []), list(new.get("indicators") or [])),
    }


# --- JSON file ----------------------------------------------------------------------------

def document_to_json(unit, year):
    """The document as the text `export_json` writes: UTF-8 JSON, Chinese unescaped, indent 1.

    `importing.document_import` reads it back into the same rows (docs/interchange.md).
    """
    import json

    return json.dumps(document_to_dict(unit, year), ensure_ascii=False, indent=1) + "\n"
