"""Reads scoped to what a user may see: every view fetches through these."""
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from .models import DepartmentDeclaration, ProjectDeclaration, Unit


def units_visible_to(user):
    """A filler sees their unit, a reviewer the units of their bureau, an administrator all."""
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_administrator:
        return Unit.objects.all()
    if user.is_reviewer and user.bureau_id:
        return Unit.objects.filter(bureau_id=user.bureau_id)
    if user.is_filler and user.unit_id:
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


def _unit_scope(user):
    """units_visible_to(user) as a condition on a declaration's unit, without a subquery."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    if user.is_reviewer and user.bureau_id:
        return Q(unit__bureau_id=user.bureau_id)
    if user.is_filler and user.unit_id:
        return Q(unit_id=user.unit_id)
    return Q(pk__in=[])


def _departments_for(user):
    return DepartmentDeclaration.objects.filter(_unit_scope(user)).select_related(
        "unit__bureau__layout", "unit__parent", "year"
    )


def _projects_for(user):
    return ProjectDeclaration.objects.filter(_unit_scope(user)).select_related(
        "unit__bureau__layout", "unit__parent", "year"
    )


def department_declarations_for(user):
    """The user's 部门整体 declarations, each with its `indicator_count` (the lists show it)."""
    return _departments_for(user).annotate(indicator_count=Count("indicators"))


def project_declarations_for(user):
    return _projects_for(user).annotate(indicator_count=Count("indicators"))


# One declaration's pages do not show its indicator count: no COUNT … GROUP BY over every
# selected column (half the cost of the read on a large database).
def department_declaration_for(user, pk):
    """The declaration, or 404 when it does not exist or lies outside the user's scope."""
    return get_object_or_404(_departments_for(user), pk=pk)


def project_declaration_for(user, pk):
    return get_object_or_404(_projects_for(user), pk=pk)


def unit_years_for(user):
    """(year, bureau name, unit name, unit id) of every unit and budget year the user has a
    declaration for, in the home page's order (newest year, bureau, unit): one query, to page."""
    units = units_visible_to(user)
    fields = ("year__year", "unit__bureau__name", "unit__name", "unit_id")
    departments = DepartmentDeclaration.objects.filter(unit__in=units).order_by().values_list(*fields)
    projects = ProjectDeclaration.objects.filter(unit__in=units).order_by().values_list(*fields)
    return departments.union(projects).order_by("-year__year", "unit__bureau__name", "unit__name", "unit_id")


def declarations_by_year(user, unit_years=None):
    """[(year, [(unit, [department declarations], [project declarations])])], newest year first;
    only the (year, …, unit id) rows of `unit_years` (a page of unit_years_for) when given."""
    departments = department_declarations_for(user)
    projects = project_declarations_for(user)
    if unit_years is not None:
        wanted = {(year, unit_id) for year, _bureau, _unit, unit_id in unit_years}
        scope = Q(unit_id__in={unit_id for _year, unit_id in wanted}, year__year__in={year for year, _ in wanted})
        departments, projects = departments.filter(scope), projects.filter(scope)
    else:
        wanted = None
    years = {}
    for dept in departments.order_by("unit__name"):
        if wanted is None or (dept.year.year, dept.unit_id) in wanted:
            years.setdefault(dept.year.year, {}).setdefault(dept.unit_id, (dept.unit, [], []))[1].append(dept)
    for project in projects.order_by("unit__name", "order", "id"):
        if wanted is None or (project.year.year, project.unit_id) in wanted:
            years.setdefault(project.year.year, {}).setdefault(project.unit_id, (project.unit, [], []))[2].append(project)
    return [
        (year, sorted(years[year].values(), key=lambda entry: (entry[0].bureau.name, entry[0].name)))
        for year in sorted(years, reverse=True)
    ]


def indicator_rows(indicators):
    """Indicators in framework order with the spans of their 一级/二级 cells, as the tables merge them.

    Returns a list of dicts: indicator, category (name or None when merged into the row above),
    category_span, subcategory (label or None), subcategory_span.
    """
    ordered = sorted(
        indicators,
        key=lambda i: (i.subcategory.category.order, i.subcategory.order, i.order, i.pk or 0),
    )
    rows = []
    for indicator in ordered:
        sub = indicator.subcategory
        rows.append({"indicator": indicator, "category_obj": sub.category, "subcategory_obj": sub})
    for key, span_key, name_key in (
        ("category_obj", "category_span", "category"),
        ("subcategory_obj", "subcategory_span", "subcategory"),
    ):
        start = 0
        while start < len(rows):
            end = start
            while end + 1 < len(rows) and rows[end + 1][key] == rows[start][key] and (
                key == "category_obj" or rows[end + 1]["category_obj"] == rows[start]["category_obj"]
            ):
                end += 1
            for position in range(start, end + 1):
                rows[position][name_key] = None
                rows[position][span_key] = 0
            obj = rows[start][key]
            rows[start][name_key] = obj.name if key == "category_obj" else obj.label
            rows[start][span_key] = end - start + 1
            start = end + 1
    return rows


def search_visible(user, text):
    """Project declarations whose name or code contains text, within the user's scope."""
    return project_declarations_for(user).filter(Q(name__icontains=text) | Q(code__icontains=text))


def unit_for(user, pk):
    return get_object_or_404(units_visible_to(user).select_related("bureau__layout"), pk=pk)


def documents_of(user):
    """(unit, year) pairs that have anything to print, within the user's scope."""
    pairs = set()
    for model in (DepartmentDeclaration, ProjectDeclaration):
        pairs.update(
            model.objects.filter(unit__in=units_visible_to(user)).values_list("unit_id", "year__year").distinct()
        )
    return pairs
