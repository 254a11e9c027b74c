"""Shared pieces of the layouts: one read of a unit's document, amounts, merged indicator rows."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, prefetch_related_objects

from indicators.models import Subcategory

from ..models import (
    CoverNote, DepartmentDeclaration, GoalItem, ProjectDeclaration, ProjectMilestone, SafeguardMeasure,
    SpendingCheckpoint, SubGoal, Unit,
)
from ..values import format_amount, format_number
from .document import LABEL, NUMBER, Cell, label, value

NUMERALS = "一二三四五六七八九十"


def numeral(n):
    """1 → 一, 12 → 十二: the numbering of （一）（二） items."""
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return NUMERALS[tens - 1] + "十" + (NUMERALS[ones - 1] if ones else "")


def paragraphs(content):
    """Blank-line or line-break separated paragraphs of a stored text."""
    return [line.strip() for line in (content or "").splitlines() if line.strip()]


@dataclass
class DocumentData:
    unit: Unit
    year: int
    cover: CoverNote | None
    department: DepartmentDeclaration | None
    projects: list[ProjectDeclaration]
    frameworks: dict  # table kind → Framework with categories and subcategories prefetched
    standalone: bool = False  # the department document printed alone

    @property
    def bureau(self):
        return self.unit.bureau

    @property
    def layout(self):
        return self.unit.bureau.layout

    @property
    def layout_code(self):
        return self.unit.bureau.layout.code


def _rows(name, model, owner):
    """A prefetch of an owner's rows in their order, without the joins their model's ordering by
    owner would add (each owner's rows come in the same order)."""
    return Prefetch(name, queryset=model.objects.order_by(f"{owner}_id", "order"))


def _attach_subcategories(declarations, frameworks):
    """Give each indicator its 二级 (and 一级) from the frameworks already read, instead of a copy
    of both per row; a 二级 outside them (the layout changed since) is read."""
    subcategories = {
        sub.pk: sub
        for framework in frameworks.values() for category in framework.categories.all()
        for sub in category.subcategories.all()
    }
    indicators = [indicator for declaration in declarations for indicator in declaration.indicators.all()]
    missing = {indicator.subcategory_id for indicator in indicators} - subcategories.keys()
    if missing:
        subcategories.update(Subcategory.objects.select_related("category").in_bulk(missing))
    for indicator in indicators:
        indicator.subcategory = subcategories[indicator.subcategory_id]


def _unit_with_layout(unit):
    """The unit with its bureau, layout and 主管部门 loaded: the caller's own object when it has
    them already (a page reads them with its declaration), else one query."""
    cached = unit._state.fields_cache
    bureau = cached.get("bureau")
    if bureau is not None and "layout" in bureau._state.fields_cache and "parent" in cached:
        return unit
    return Unit.objects.select_related("bureau__layout", "parent").get(pk=unit.pk)


def load_document_data(unit, year, *, project_ids=None, with_department=True):
    """Everything one unit prints for one year, in a fixed number of queries.

    The frameworks are prefetched on the unit's layout object, where validation finds them too
    (services/validation.py: _framework_subcategories)."""
    unit = _unit_with_layout(unit)
    department = None
    if with_department:
        department = (
            DepartmentDeclaration.objects.filter(unit=unit, year__year=year)
            .select_related("year")
            .prefetch_related(
                _rows("sub_goals", SubGoal, "declaration"), _rows("safeguards", SafeguardMeasure, "declaration"),
                "money_lines", "indicators",
            )
            .first()
        )
    projects = ProjectDeclaration.objects.filter(unit=unit, year__year=year).select_related("year")
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
    projects = list(
        projects.order_by("order", "id").prefetch_related(
            _rows("goal_items", GoalItem, "project"), _rows("milestones", ProjectMilestone, "project"),
            _rows("spending_plan", SpendingCheckpoint, "project"), "money_lines", "indicators",
        )
    )
    layout = unit.bureau.layout
    prefetch_related_objects([layout], "frameworks__categories__subcategories")
    frameworks = {framework.table_kind: framework for framework in layout.frameworks.all()}
    _attach_subcategories(([department] if department is not None else []) + projects, frameworks)
    cover = CoverNote.objects.filter(unit=unit, year__year=year).first()
    return DocumentData(unit=unit, year=year, cover=cover, department=department, projects=projects, frameworks=frameworks)


def project_number(project):
    """The number the unit's whole document gives the project's table: its place among the
    unit's projects of the year with a table of their own, ordered by ("order", "id"); 1 for a
    project without one (as `LayoutDefinition.project_document` answers). One count."""
    if not project.has_table:
        return 1
    earlier = ProjectDeclaration.objects.filter(
        Q(order__lt=project.order) | Q(order=project.order, pk__lt=project.pk),
        unit_id=project.unit_id, year_id=project.year_id, has_table=True,
    )
    return earlier.count() + 1


def load_project_data(project, layout, *, with_department=True):
    """(data, the project as read into it, number) to print one project's table in `layout`.

    When the layout's project table reads nothing of the document but its project (no
    `department`, `projects`, `standalone`: `project_table_stands_alone`), only that project is
    read and its number is one count; otherwise the whole document, and number None (the
    layout finds it in `data`)."""
    year = project.year.year
    if layout.project_table_stands_alone():
        data = load_document_data(project.unit, year, project_ids=[project.pk], with_department=False)
        printed = data.projects[0]
        return data, printed, project_number(printed)
    data = load_document_data(project.unit, year, with_department=with_department)
    return data, next(p for p in data.projects if p.pk == project.pk), None


def share_rows(declaration, printed):
    """Let `declaration` (a page's own object) use the related rows already read for the document
    into `printed` (the same declaration, read with every prefetch): validating it and showing its
    progress then read nothing again."""
    if printed is not None and printed.pk == declaration.pk and type(printed) is type(declaration):
        declaration._prefetched_objects_cache = dict(getattr(printed, "_prefetched_objects_cache", {}))


def amount_cell(amount, *, decimals=None, suffix="", colspan=1, rowspan=1, blank_if_none=True, bind="", prefix=""):
    """An amount in 万元: printed text plus the number and format Excel needs. A `prefix` (a caption
    printed in the amount's cell, "资金总额：") prints alone, unbound, when the amount is blank."""
    if amount is None and blank_if_none:
        if prefix:  # aligned as the amounts beside it
            return Cell(text=prefix, colspan=colspan, rowspan=rowspan, kind=NUMBER)
        return value("", colspan, rowspan, bind=bind)
    amount = Decimal(amount or 0)
    if decimals is None:
        shown = format_amount(amount)
        places = len(shown.split(".")[1]) if "." in shown else 0
    else:
        shown = format_amount(amount, decimals)
        places = decimals
    number_format = "0" + ("." + "0" * places if places else "")
    if prefix:
        number_format = f'"{prefix.replace(chr(34), "")}"{number_format}'
    if suffix:
        number_format += f'"{suffix}"'
    return Cell(
        text=f"{prefix}{shown}{suffix}", colspan=colspan, rowspan=rowspan, kind=NUMBER, number=amount,
        number_format=number_format, bind=bind,
    )


def percent_cell(percent, colspan=1, rowspan=1, bind=""):
    """A percentage as printed (30%, 83.99%); text in Excel too, as the declaration states it."""
    if percent is None:
        return value("", colspan, rowspan, bind=bind)
    return value(f"{format_number(Decimal(percent))}%", colspan, rowspan, bind=bind)


def sum_amounts(amounts):
    present = [a for a in amounts if a is not None]
    return sum(present, Decimal(0)) if present else None


def indicator_rows(
    indicators,
    framework,
    cells_for,
    *,
    category_label=lambda number, category: category.name,
    include_empty_subcategories=False,
    empty_cells=None,
    category_colspan=1,
    subcategory_colspan=1,
    subcategory_label=lambda sub: sub.label,
    merge_categories=True,
    subcategory_cell=True,
):
    """Rows of an indicator table in framework order, 一级 and 二级 merged down over their rows
    (with merge_categories=False printed again on every row instead).

    `cells_for(indicator)` gives the cells right of the 二级; with include_empty_subcategories
    a framework 二级 without indicators still prints, with `empty_cells()` (固原's 选填 rows).
    Without `subcategory_cell` the 二级 has no cell of its own (the indicator's cells name it).
    """
    by_subcategory = {}
    for indicator in indicators:
        by_subcategory.setdefault(indicator.subcategory_id, []).append(indicator)
    groups = []  # (category, number, [(subcategory, [indicators or None])])
    categories = list(framework.categories.all()) if framework else []
    known = set()
    for number, category in enumerate(categories, start=1):
        subs = []
        for sub in category.subcategories.all():
            known.add(sub.pk)
            items = sorted(by_subcategory.get(sub.pk, []), key=lambda i: (i.order, i.pk or 0))
            if items:
                subs.append((sub, items))
            elif include_empty_subcategories:
                subs.append((sub, [None]))
        if subs:
            groups.append((category, number, subs))
    stray = [i for i in indicators if i.subcategory_id not in known]
    if stray:  # an indicator of another framework still prints, after the rest
        raise ValueError(f"指标不属于本版式的指标框架：{', '.join(i.name for i in stray)}")
    rows = []
    for category, number, subs in groups:
        category_span = sum(len(items) for _sub, items in subs) if merge_categories else 1
        first_of_category = True
        for sub, items in subs:
            first_of_sub = True
            for indicator in items:
                row = []
                if first_of_category:
                    row.append(Cell(category_label(number, category), category_colspan, category_span, LABEL))
                if first_of_sub and subcategory_cell:
                    row.append(Cell(subcategory_label(sub), subcategory_colspan,
                                    len(items) if merge_categories else 1, LABEL))
                row += cells_for(indicator) if indicator is not None else empty_cells()
                rows.append(row)
                first_of_category = first_of_sub = not merge_categories
    return rows


def header_row(*names, spans=None):
    spans = spans or [1] * len(names)
    return [label(name, span) for name, span in zip(names, spans)]
