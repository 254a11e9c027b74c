from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from . import next_steps, selectors
from .models import BudgetYear
from review.services import events_of, latest_review

from .services import validation
from .services.drafts import can_edit
from .values import format_amount


# Units (of a year) per page of the home page: an administrator sees a province's thousands.
HOME_UNITS_PER_PAGE = 20


@login_required
def home(request):
    page = Paginator(selectors.unit_years_for(request.user), HOME_UNITS_PER_PAGE).get_page(request.GET.get("page"))
    years = selectors.declarations_by_year(request.user, unit_years=list(page.object_list))
    starts = []
    if request.user.is_filler and request.user.unit_id:
        starts = next_steps.year_starts(request.user.unit)
        next_steps.for_declarations(
            [(department, "department") for _year, units in years for _unit, departments, _projects in units
             for department in departments]
            + [(project, "project") for _year, units in years for _unit, _departments, projects in units
               for project in projects]
        )
    return render(request, "declarations/home.html", {"years": years, "starts": starts, "page": page})


def _check_view_permission(user, declaration):
    # The selector already limits the queryset; the rule is the same scope said once more.
    if not user.has_perm("declarations.view_declaration", declaration):
        raise PermissionDenied


def _copy_years(declaration):
    """The open budget years a declaration can be copied into (later than its own)."""
    return BudgetYear.objects.filter(is_open=True, year__gt=declaration.year.year).order_by("year")


@login_required
def project_detail(request, pk):
    project = selectors.project_declaration_for(request.user, pk)
    _check_view_permission(request.user, project)
    indicators = project.indicators.select_related("subcategory__category")
    return render(
        request,
        "declarations/project_detail.html",
        {
            "project": project,
            "goal_items": project.goal_items.all(),
            "spending_plan": project.spending_plan.all(),
            "money_lines": project.money_lines.all(),
            "rows": selectors.indicator_rows(indicators),
            "can_edit": can_edit(request.user, project),
            "findings": validation.validate_project(project),
            "events": events_of(project),
            "review": latest_review(project),
            "kind": "project",
            "copy_years": _copy_years(project),
            "amounts": {
                field: format_amount(getattr(project, field))
                for field in ("budget", "fiscal_funds", "other_funds", "carryover_funds", "half_year_plan", "mid_term_total")
            },
        },
    )


@login_required
def department_detail(request, pk):
    department = selectors.department_declaration_for(request.user, pk)
    _check_view_permission(request.user, department)
    indicators = list(department.indicators.select_related("subcategory__category"))
    return render(
        request,
        "declarations/department_detail.html",
        {
            "department": department,
            "sub_goals": department.sub_goals.all(),
            "safeguards": department.safeguards.all(),
            "money_lines": department.money_lines.all(),
            "long_rows": selectors.indicator_rows([i for i in indicators if i.term == "long"]),
            "annual_rows": selectors.indicator_rows([i for i in indicators if i.term == "annual"]),
            "projects": department.unit.projectdeclarations.filter(year=department.year),
            "can_edit": can_edit(request.user, department),
            "findings": validation.validate_department(department),
            "events": events_of(department),
            "review": latest_review(department),
            "kind": "department",
            "copy_years": _copy_years(department),
        },
    )
