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


def department_declarations_for(user):
    return (
        DepartmentDeclaration.objects.filter(unit__in=units_visible_to(user))
        .select_related("unit__bureau__layout", "unit__parent", "year")
        .annotate(indicator_count=Count("indicators"))
    )


def project_declarations_for(user):
    return (
        ProjectDeclaration.objects.filter(unit__in=units_visible_to(user))
        .select_related("unit__bureau__layout", "unit__parent", "year")
        .annotate(indicator_count=Count("indicators"))
    )


def department_declaration_for(user, pk):
    """The declaration, or 404 when it does not exist or lies outside the user's scope."""
    return get_object_or_404(department_declarations_for(user), pk=pk)


def project_declaration_for(user, pk):
    return get_object_or_404(project_declarations_for(user), pk=pk)


def declarations_by_year(user):
    """[(year, [(unit, [department declarations], [project declarations])])], newest year first."""
    years = {}
    for dept in department_declarations_for(user).order_by("unit__name"):
        years.setdefault(dept.year.year, {}).setdefault(dept.unit_id, (dept.unit, [], []))[1].append(dept)
    for project in project_declarations_for(user).order_by("unit__name", "order", "id"):
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
