"""Checks of a declaration before it is submitted, in the words of the ministry's review.

A finding is an error (it blocks submission) or a hint (a warning shown to filler and
reviewer). Each names the wizard step and form field where it is fixed and one of the four
review criteria of 财政部《项目支出绩效目标审核》: 完整性, 相关性, 适当性, 可行性.

The rules are tuned so that the five real seed documents pass without errors: what real
published documents do (vague values, a restated budget execution rate, duplicate rows) is
a hint, not an error.
"""
import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from indicators.models import Subcategory, TableKind

from ..models import (
    Direction,
    Indicator,
    MoneyKind,
    MoneyLine,
    ProjectDeclaration,
    SpendingCheckpoint,
    SubGoal,
    Term,
    Unit,
)
from ..values import QUALITATIVE, format_number

ERROR = "error"
HINT = "hint"

COMPLETENESS = "完整性"
RELEVANCE = "相关性"
APPROPRIATENESS = "适当性"
FEASIBILITY = "可行性"


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR or HINT
    step: str  # project: basic, funds, goals, indicators; department: profile, money, projects, goals, indicators
    field: str  # a form field name, f"indicator-{pk}", or ""
    message: str  # plain Chinese: what is wrong and what to do
    criterion: str  # 完整性, 相关性, 适当性 or 可行性


def errors(findings):
    return [finding for finding in findings if finding.level == ERROR]


def hints(findings):
    return [finding for finding in findings if finding.level == HINT]


# --- vocabulary ---------------------------------------------------------------------------

# Printed placeholder rows (湖北 prints “……” under a 二级 left open); they carry no value.
PLACEHOLDER = re.compile(r"^[.．。…·\s]+$")
# Words that say a direction but no measure; a 数量/质量/时效/成本 indicator should be a number.
VAGUE_WORDS = [
    "有效改善", "逐步减少", "显著改善", "明显提升", "有效提升", "明显改善", "进一步", "改善", "提升", "提高",
    "减少", "增加", "增强", "加强", "有效", "稳定", "显著", "明显", "良好", "较好", "逐步",
]
NUMBER_EXPECTED = ["数量", "质量", "时效", "成本"]
BUDGET_EXECUTION = ["预算执行率", "资金到位率", "按预算资金完成率", "预算资金执行率"]
SATISFACTION_FLOOR = Decimal("80")
COPY_BUDGET_MOVE = Decimal("0.2")
# 2026年6月底前, 2026年12月31日前, 2026年底, 2021 年 12 月底前完成
DEADLINE = re.compile(r"(\d{4})\s*年\s*(?:(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日|[底末])?|[底末])\s*(?:之前|以前|前)?")
TERM_LABELS = {Term.ANNUAL: "年度", Term.LONG: "长期"}


def is_placeholder(indicator):
    return bool(indicator.name) and bool(PLACEHOLDER.match(indicator.name))


def _amount(value):
    return format_number(Decimal(value or 0))


def _is_percent(unit):
    return (unit or "").strip().startswith("%")


def _has_digit(text):
    return any(ch.isdigit() for ch in unicodedata.normalize("NFKC", text or ""))


def _vague_word(text):
    if not text or _has_digit(text):
        return None
    return next((word for word in VAGUE_WORDS if word in text), None)


def _path(indicator):
    return f"{indicator.subcategory.category.name}／{indicator.subcategory.name}"


def _field(indicator):
    return f"indicator-{indicator.pk}"


# --- checks shared with the forms -----------------------------------------------------------

def check_funds(budget, fiscal_funds, other_funds, carryover_funds=None):
    """财政资金 + (结余结转) + 其他资金 must equal 预算数; an unstated part counts as 0. Returns a message
    or None. A table that states no 预算数, or none of its parts, has nothing to add up."""
    if budget is None or all(v is None for v in (fiscal_funds, other_funds, carryover_funds)):
        return None
    budget, fiscal, other, carryover = (Decimal(v or 0) for v in (budget, fiscal_funds, other_funds, carryover_funds))
    if fiscal + carryover + other == budget:
        return None
    parts = [f"财政资金 {_amount(fiscal)} 万元"]
    if carryover:
        parts.append(f"结余结转 {_amount(carryover)} 万元")
    parts.append(f"其他资金 {_amount(other)} 万元")
    return f"{' + '.join(parts)} ≠ 预算数 {_amount(budget)} 万元"


def check_spending_plan(percents, labels=None):
    """A cumulative plan: each share within 0–100, never decreasing, the last one 100%."""
    percents = [Decimal(p) for p in percents]
    if not percents:
        return None
    labels = list(labels) if labels else [f"第{n}个时间节点" for n in range(1, len(percents) + 1)]
    for label, percent in zip(labels, percents):
        if not Decimal(0) <= percent <= Decimal(100):
            return f"资金支出计划中{label}的累计比例 {format_number(percent)}% 应在 0–100% 之间"
    for n in range(1, len(percents)):
        if percents[n] < percents[n - 1]:
            return (
                f"资金支出计划是累计比例，不能减少：{labels[n]} {format_number(percents[n])}% "
                f"小于{labels[n - 1]} {format_number(percents[n - 1])}%"
            )
    if percents[-1] != Decimal(100):
        return f"资金支出计划到{labels[-1]}应累计支出 100%，现为 {format_number(percents[-1])}%"
    return None


# --- loading --------------------------------------------------------------------------------

def _related(owner, name, queryset):
    """Use what the caller prefetched, otherwise one query for the whole list."""
    cache = getattr(owner, "_prefetched_objects_cache", {})
    if name in cache:
        return list(cache[name])
    return list(queryset)


def _indicators(owner_field, owner, subcategories):
    """The owner's indicators, each with its 二级 and 一级: what the caller prefetched, otherwise
    one query. A row without its 二级 loaded takes it from `subcategories` (the framework's, by
    id, already read for the mandatory check) rather than a copy of 二级 and 一级 per row."""
    cache = getattr(owner, "_prefetched_objects_cache", {})
    if "indicators" in cache:
        indicators = list(cache["indicators"])
    elif subcategories:
        indicators = list(Indicator.objects.filter(**{owner_field: owner}))
    else:  # no framework read: 二级 and 一级 with each row
        return list(Indicator.objects.filter(**{owner_field: owner}).select_related("subcategory__category"))
    subcategories = subcategories or {}
    bare = [i for i in indicators if not Indicator.subcategory.is_cached(i)]
    missing = {i.subcategory_id for i in bare} - subcategories.keys()
    if missing:  # a 二级 outside the layout's framework (the layout changed since): read it
        subcategories = {**subcategories, **Subcategory.objects.select_related("category").in_bulk(missing)}
    for indicator in bare:
        indicator.subcategory = subcategories[indicator.subcategory_id]
    return indicators


def _cached(obj, *path):
    """obj.a.b… when every step is already loaded (select_related or assigned), else None."""
    for name in path:
        if obj is None or name not in obj._state.fields_cache:
            return None
        obj = obj._state.fields_cache[name]
    return obj


def _framework_subcategories(owner, table_kind, layout=None):
    """Every 二级 of the owner's layout's framework for this kind, with its 一级, by id: from the
    frameworks the caller prefetched on the unit's layout (`prefetch_for_validation`, the
    indicator step), otherwise one query."""
    layout = layout or _cached(owner, "unit", "bureau", "layout")
    if layout is not None and "frameworks" in getattr(layout, "_prefetched_objects_cache", {}):
        return {
            sub.pk: sub
            for framework in layout.frameworks.all() if framework.table_kind == table_kind
            for category in framework.categories.all()
            for sub in category.subcategories.all()
        }
    subcategories = Subcategory.objects.filter(category__framework__table_kind=table_kind).select_related("category")
    if layout is not None:
        subcategories = subcategories.filter(category__framework__layout_id=layout.pk)
    else:
        subcategories = subcategories.filter(category__framework__layout__bureaus__units__id=owner.unit_id)
    return {sub.pk: sub for sub in subcategories}


def _mandatory(subcategories):
    """The mandatory 二级 among them, in framework order."""
    return sorted(
        (sub for sub in subcategories.values() if sub.mandatory),
        key=lambda sub: (sub.category.order, sub.order, sub.pk),
    )


PROJECT_BUDGETS = "_validation_project_budgets"  # the sum of the unit's project budgets that year


def prefetch_for_validation(declarations):
    """Load what validating many declarations needs in a fixed number of queries (a list page).

    The caller prefetches the declarations' own rows (indicators__subcategory__category,
    money_lines, spending_plan); this adds the layouts' frameworks and, for 部门整体 ones, the
    sum of their units' project budgets. Validation falls back to its own queries without it."""
    from django.db.models import prefetch_related_objects

    from ..models import DepartmentDeclaration

    declarations = list(declarations)
    prefetch_related_objects(
        declarations, "unit__bureau__layout__frameworks__categories__subcategories"
    )
    departments = [d for d in declarations if isinstance(d, DepartmentDeclaration)]
    if departments:
        totals = {
            (row["unit_id"], row["year_id"]): row["total"]
            for row in ProjectDeclaration.objects.filter(
                unit_id__in={d.unit_id for d in departments}, year_id__in={d.year_id for d in departments}
            ).values("unit_id", "year_id").annotate(total=Sum("budget")).order_by()
        }
        for department in departments:
            setattr(department, PROJECT_BUDGETS, totals.get((department.unit_id, department.year_id)))
    return declarations


def _layout_definition(layout_code):
    from ..exports.layouts import get_layout

    try:
        return get_layout(layout_code)
    except LookupError:
        return None


def _prints_department_indicators(definition):
    """Hebei prints the 部门整体 part as prose (分项绩效目标), without an indicator table."""
    if definition is None:
        return True
    return bool(definition.prints_indicators("department"))


# --- indicator rules (both kinds of declaration) ----------------------------------------------

def _mandatory_findings(indicators, mandatory, terms, *, prints_table):
    """Every mandatory 二级 of the framework needs at least one 三级 (per term the layout prints)."""
    present = {(i.term, i.subcategory_id) for i in indicators if i.name and not is_placeholder(i)}
    findings = []
    missing_everywhere = []
    for term in terms:
        prefix = f"{TERM_LABELS.get(term, term)}绩效指标中，" if len(terms) > 1 else ""
        for sub in mandatory:
            if (term, sub.pk) in present:
                continue
            if prints_table:
                findings.append(Finding(
                    ERROR, "indicators", "",
                    f"{prefix}必填二级指标“{sub.category.name}／{sub.name}”下还没有三级指标，请至少填写一项",
                    COMPLETENESS,
                ))
            else:
                missing_everywhere.append(sub.name)
    if missing_everywhere:
        names = "、".join(dict.fromkeys(missing_everywhere))
        findings.append(Finding(
            HINT, "indicators", "",
            f"本申报不单独打印绩效指标表，以下必填二级指标尚无三级指标：{names}；需要公开指标表时请补充",
            COMPLETENESS,
        ))
    return findings


def _indicator_findings(indicator):
    """Errors of one row: a name, a value of its kind, a percentage within 0–100."""
    findings = []
    field = _field(indicator)
    if not indicator.name.strip():
        findings.append(Finding(
            ERROR, "indicators", field,
            f"“{_path(indicator)}”下有一项三级指标没有名称，请填写名称或删除该行",
            COMPLETENESS,
        ))
        label = f"“{_path(indicator)}”下未命名的三级指标"
    else:
        label = f"“{indicator.name}”"
    if is_placeholder(indicator):
        return findings
    if indicator.comparator == QUALITATIVE:
        if not indicator.text_value.strip():
            findings.append(Finding(
                ERROR, "indicators", field,
                f"{label}没有指标值，请填写数值（如“≥95%”）或定性描述",
                COMPLETENESS,
            ))
    elif indicator.number is None:
        findings.append(Finding(
            ERROR, "indicators", field, f"{label}是定量指标，请填写数值", COMPLETENESS,
        ))
    elif _is_percent(indicator.unit) and not Decimal(0) <= indicator.number <= Decimal(100):
        findings.append(Finding(
            ERROR, "indicators", field,
            f"{label}的指标值 {indicator.value_display} 超出 0–100% 的范围，请改正",
            APPROPRIATENESS,
        ))
    return findings


def _vague_value_hint(indicator):
    sub = indicator.subcategory.name
    if indicator.comparator != QUALITATIVE or not any(word in sub for word in NUMBER_EXPECTED):
        return None
    word = _vague_word(indicator.text_value)
    if word is None:
        return None
    value = indicator.text_value.strip()
    said = f"“{value}”" if value == word else f"“{value}”中的“{word}”"
    return Finding(
        HINT, "indicators", _field(indicator),
        f"“{indicator.name}”属于{sub}，指标值{said}无法衡量，宜改为数值，如“≥95%”“≤10次”",
        APPROPRIATENESS,
    )


def _satisfaction_hint(indicator):
    names = indicator.subcategory.name + indicator.subcategory.category.name
    if "满意度" not in names or indicator.number is None or not _is_percent(indicator.unit):
        return None
    if indicator.number >= SATISFACTION_FLOOR:
        return None
    return Finding(
        HINT, "indicators", _field(indicator),
        f"满意度指标“{indicator.name}”的指标值 {indicator.value_display} 低于 80%，请核实目标是否偏低",
        APPROPRIATENESS,
    )


def _budget_execution_hint(indicator):
    if "产出" not in indicator.subcategory.category.name:
        return None
    term = next((word for word in BUDGET_EXECUTION if word in indicator.name), None)
    if term is None:
        return None
    return Finding(
        HINT, "indicators", _field(indicator),
        f"“{indicator.name}”只是复述预算执行（{term}），不是项目的产出；请改为反映实际产出的数量、质量、时效或成本指标",
        RELEVANCE,
    )


def _period(start, end):
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"


def _deadline_hint(indicator, start, end):
    if "时效" not in indicator.subcategory.name:
        return None
    for text in (indicator.text_value, indicator.unit, indicator.name):
        for match in DEADLINE.finditer(unicodedata.normalize("NFKC", text or "")):
            year = int(match[1])
            month = int(match[2]) if match[2] else 12
            if not 1 <= month <= 12 or not 2000 <= year <= 2100:
                continue
            last_day = calendar.monthrange(year, month)[1]
            day = int(match[3]) if match[3] else last_day
            if not 1 <= day <= last_day:
                continue
            deadline = date(year, month, day)
            if start <= deadline <= end:
                continue
            return Finding(
                HINT, "indicators", _field(indicator),
                f"时效指标“{indicator.name}”的期限“{match[0]}”不在实施期（{_period(start, end)}）内，请改为实施期内的时间",
                FEASIBILITY,
            )
    return None


def _duplicate_hints(indicators):
    findings = []
    seen = set()
    for indicator in indicators:
        if is_placeholder(indicator) or not indicator.name.strip():
            continue
        key = (indicator.term, unicodedata.normalize("NFKC", indicator.name).strip())
        if key in seen:
            findings.append(Finding(
                HINT, "indicators", _field(indicator),
                f"三级指标“{indicator.name}”重复填写，请删除重复的一行或改为不同的指标",
                COMPLETENESS,
            ))
        seen.add(key)
    return findings


def _balance_hint(indicators):
    real = [i for i in indicators if i.name.strip() and not is_placeholder(i)]
    quantified = sum(1 for i in real if i.comparator != QUALITATIVE)
    qualitative = len(real) - quantified
    if quantified >= qualitative:
        return None
    return Finding(
        HINT, "indicators", "",
        f"定量指标 {quantified} 项少于定性指标 {qualitative} 项；能量化的指标请尽量用数值表述",
        APPROPRIATENESS,
    )


def _unit_mix_hint(indicators):
    units = {i.unit.strip() for i in indicators if i.number is not None}
    if "元" in units and "万元" in units:
        return Finding(
            HINT, "indicators", "",
            "指标值中“元”和“万元”两种金额单位混用，请统一为一种，以免数量级出错",
            APPROPRIATENESS,
        )
    return None


def _cost_hint(indicator, budget):
    names = indicator.subcategory.name + indicator.subcategory.category.name
    if "成本" not in names or indicator.number is None or not budget:
        return None
    unit = indicator.unit.strip()
    if unit == "万元":
        limit = budget
    elif unit == "元":
        limit = budget * 10000
    else:
        return None
    if indicator.number <= limit:
        return None
    return Finding(
        HINT, "indicators", _field(indicator),
        f"成本指标“{indicator.name}”的指标值 {indicator.value_display} 超过预算数 {_amount(budget)} 万元，请核实金额或单位",
        APPROPRIATENESS,
    )


def _copy_hints(indicators, source_indicators, budget, source_budget):
    """A copy whose money moved by more than 20% should not keep last year's targets unchanged."""
    budget, source_budget = Decimal(budget or 0), Decimal(source_budget or 0)
    if not budget:  # money not filled in yet
        return []
    if source_budget and abs(budget - source_budget) / source_budget <= COPY_BUDGET_MOVE:
        return []
    before = {}
    for old in source_indicators:
        before.setdefault((old.term, old.name.strip()), old.value_display)
    findings = []
    for indicator in indicators:
        if is_placeholder(indicator) or not indicator.name.strip():
            continue
        old = before.get((indicator.term, indicator.name.strip()))
        if old is None or old != indicator.value_display:
            continue
        findings.append(Finding(
            HINT, "indicators", _field(indicator),
            f"资金由 {_amount(source_budget)} 万元变为 {_amount(budget)} 万元，“{indicator.name}”的指标值仍为上年的"
            f"“{old}”；请按新的资金规模调整指标值",
            APPROPRIATENESS,
        ))
    return findings


def _indicator_set_findings(indicators, *, start, end, budget=None, long_end=None):
    findings = []
    for indicator in indicators:
        findings += _indicator_findings(indicator)
    for indicator in indicators:
        if is_placeholder(indicator):
            continue
        term_end = long_end if indicator.term == Term.LONG and long_end and long_end > end else end
        for hint in (
            _vague_value_hint(indicator),
            _cost_hint(indicator, budget),
            _satisfaction_hint(indicator),
            _deadline_hint(indicator, start, term_end),
            _budget_execution_hint(indicator),
        ):
            if hint is not None:
                findings.append(hint)
    findings += _duplicate_hints(indicators)
    for hint in (_balance_hint(indicators), _unit_mix_hint(indicators)):
        if hint is not None:
            findings.append(hint)
    return findings


def _terms(indicators, required):
    present = {i.term for i in indicators}
    return [term for term in (Term.LONG, Term.ANNUAL) if term in required or term in present]


# --- project ------------------------------------------------------------------------------

def _project_period(project):
    year = project.year.year
    start = project.start_date or date(project.period_start_year or year, 1, 1)
    end = project.end_date or date(project.period_end_year or year, 12, 31)
    return start, max(start, end)


def validate_project(project):
    """All findings of one project declaration; a bounded number of queries."""
    findings = []
    message = check_funds(project.budget, project.fiscal_funds, project.other_funds, project.carryover_funds)
    if message:
        findings.append(Finding(ERROR, "funds", "fiscal_funds", message, APPROPRIATENESS))

    plan = _related(project, "spending_plan", SpendingCheckpoint.objects.filter(project=project).order_by("order"))
    message = check_spending_plan([p.percent for p in plan], [p.label for p in plan])
    if message:
        findings.append(Finding(ERROR, "funds", "spending_plan", message, FEASIBILITY))

    subcategories = _framework_subcategories(project, TableKind.PROJECT)
    indicators = _indicators("project", project, subcategories)
    mandatory = _mandatory(subcategories)
    findings += _mandatory_findings(
        indicators, mandatory, _terms(indicators, {Term.ANNUAL}), prints_table=project.has_table
    )
    start, end = _project_period(project)
    findings += _indicator_set_findings(indicators, start=start, end=end, budget=project.budget)

    if project.copied_from_id:
        source = ProjectDeclaration.objects.filter(pk=project.copied_from_id).only("budget").first()
        if source is not None:
            source_indicators = Indicator.objects.filter(project_id=source.pk).only(
                "term", "name", "comparator", "number", "unit", "text_value"
            )
            findings += _copy_hints(indicators, source_indicators, project.budget, source.budget)
    return findings


# --- department ------------------------------------------------------------------------------

def _top(lines):
    """The lines not listed under a stated subtotal (their parts would count twice)."""
    return [line for line in lines if line.parent_id is None]


def _money_findings(department, lines):
    findings = []
    lines = _top(lines)
    income = sum((line.amount or 0 for line in lines if line.direction == Direction.INCOME), Decimal(0))
    expense = sum((line.amount or 0 for line in lines if line.direction == Direction.EXPENSE), Decimal(0))
    stated = all(line.amount is not None for line in lines)
    if lines and stated and income != expense:
        findings.append(Finding(
            ERROR, "money", "",
            f"收入合计 {_amount(income)} 万元 ≠ 支出合计 {_amount(expense)} 万元，请核对收入构成和支出构成",
            APPROPRIATENESS,
        ))
    # Jiangsu prints one 项目支出 line; Hubei splits it, and its 特定目标类 line holds the projects.
    for kind in (MoneyKind.PROJECT, MoneyKind.SPECIFIC):
        kind_lines = [line for line in lines if line.direction == Direction.EXPENSE and line.kind == kind]
        if not kind_lines:
            continue
        if any(line.amount is None for line in kind_lines):
            break  # not stated: nothing to compare
        declared = sum((line.amount for line in kind_lines), Decimal(0))
        if hasattr(department, PROJECT_BUDGETS):
            total = getattr(department, PROJECT_BUDGETS)
        else:
            total = ProjectDeclaration.objects.filter(
                unit_id=department.unit_id, year_id=department.year_id
            ).aggregate(total=Sum("budget"))["total"]
        projects = total or Decimal(0)
        if declared != projects:
            findings.append(Finding(
                ERROR, "money", f"expense-{kind}-amount",
                f"支出构成中“{MoneyKind(kind).label}” {_amount(declared)} 万元 ≠ 本年度各项目预算数合计 "
                f"{_amount(projects)} 万元，请核对该项支出或项目的预算数",
                APPROPRIATENESS,
            ))
        break
    return findings


def _expense_total(lines):
    expense = [line.amount or 0 for line in _top(lines) if line.direction == Direction.EXPENSE]
    income = [line.amount or 0 for line in _top(lines) if line.direction == Direction.INCOME]
    return sum(expense or income, Decimal(0))


def _missing_parts(department, definition, lines):
    """A 部门整体 needs every part its layout prints: errors naming each part still empty."""
    if definition is None:
        return []
    findings = []
    profile = [name for name in definition.department_profile_fields if name != "department_name"]
    if profile and not any(getattr(department, name, "") for name in profile):
        findings.append(Finding(ERROR, "profile", "", "尚未填写部门职能与机构人员情况", COMPLETENESS))
    if (definition.department_income_kinds or definition.department_expense_kinds) and not lines:
        findings.append(Finding(ERROR, "money", "", "尚未填写收支预算（收入构成、支出构成）", COMPLETENESS))
    goals = [name for name in definition.department_goal_fields if hasattr(department, name)]
    sub_goals = definition.department_sub_goals and _related(
        department, "sub_goals", SubGoal.objects.filter(declaration=department)
    )
    if not any(getattr(department, name) for name in goals) and not sub_goals:
        findings.append(Finding(ERROR, "goals", "", "尚未填写绩效目标", COMPLETENESS))
    return findings


def validate_department(department):
    """All findings of one 部门整体 declaration; a bounded number of queries."""
    layout = _cached(department, "unit", "bureau", "layout")
    if layout is None:
        layout = Unit.objects.select_related("bureau__layout").get(pk=department.unit_id).bureau.layout
    definition = _layout_definition(layout)
    lines = _related(department, "money_lines", MoneyLine.objects.filter(department=department))
    findings = _missing_parts(department, definition, lines)
    findings += _money_findings(department, lines)

    prints_indicators = _prints_department_indicators(definition)
    # A layout printing no indicators asks for none: no framework to read, the rows with their own 二级.
    subcategories = _framework_subcategories(department, TableKind.DEPARTMENT, layout) if prints_indicators else None
    indicators = _indicators("department", department, subcategories)
    required_terms = set(getattr(definition, "department_terms", None) or [Term.ANNUAL])
    if prints_indicators:
        mandatory = _mandatory(subcategories)
        findings += _mandatory_findings(indicators, mandatory, _terms(indicators, required_terms), prints_table=True)
    year = department.year.year
    long_end = date(department.long_term_end_year, 12, 31) if department.long_term_end_year else None
    findings += _indicator_set_findings(
        indicators, start=date(year, 1, 1), end=date(year, 12, 31), long_end=long_end
    )

    if department.copied_from_id:
        source_lines = MoneyLine.objects.filter(department_id=department.copied_from_id).only(
            "direction", "amount"
        )
        source_indicators = Indicator.objects.filter(department_id=department.copied_from_id).only(
            "term", "name", "comparator", "number", "unit", "text_value"
        )
        findings += _copy_hints(indicators, source_indicators, _expense_total(lines), _expense_total(source_lines))
    return findings


def draft_findings(declaration):
    """An error while the indicator grid keeps rows that are not valid yet (one query)."""
    from ..models import IndicatorDraft

    owner = "project" if isinstance(declaration, ProjectDeclaration) else "department"
    draft = IndicatorDraft.objects.filter(**{owner: declaration}).only("rows").first()
    if draft is None:
        return []
    return [Finding(
        ERROR, "indicators", "",
        f"绩效指标中有暂存的 {len(draft.rows)} 行尚未完成，请在“绩效指标”步骤改好（或放弃暂存）后再提交",
        COMPLETENESS,
    )]


# --- the gate before publication ----------------------------------------------------------

# Above this an amount in 万元 (10 亿元) is almost certainly an amount typed in 元.
WAN_LIMIT = Decimal("100000")


def publication_gate(declaration):
    """Reasons the tables disagree with each other, which block publication (empty when fine).

    The same blocking rules as submission (money that does not add up, the 部门整体's project lines
    against the projects, the spending plan against 100%), plus amounts that look typed in 元 where
    the tables declare 万元."""
    from ..models import ProjectDeclaration

    if isinstance(declaration, ProjectDeclaration):
        findings = validate_project(declaration)
        amounts = {
            "预算数": declaration.budget, "财政资金": declaration.fiscal_funds, "其他资金": declaration.other_funds,
            "半年计划执行数": declaration.half_year_plan, "项目总预算": declaration.mid_term_total,
        }
    else:
        findings = validate_department(declaration)
        amounts = {f"{line.get_direction_display()}{line.printed_label}": line.amount
                   for line in declaration.money_lines.all()}
    reasons = [f.message for f in errors(findings)]
    for label, amount in amounts.items():
        if amount is not None and amount >= WAN_LIMIT:
            reasons.append(f"{label} {amount.normalize():f} 万元超过 10 亿元，疑似按“元”填写，表内单位为“万元”")
    return reasons
