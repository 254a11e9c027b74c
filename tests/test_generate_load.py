"""`generate_load`: many bureaus, units and declarations, in every state, with money that adds up."""
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from declarations.exports.builders import load_document_data
from declarations.exports.layouts import get_layout
from declarations.models import (
    DepartmentDeclaration,
    Direction,
    FinanceBureau,
    Indicator,
    ProjectDeclaration,
    Status,
    Unit,
)
from declarations.services import load, validation
from declarations.services.load import LAYOUTS, generate_load, indicators_add, projects_add, units_add
from public.models import DocumentRelease, PublishedFile
from review.models import Event, Publication, Review, Snapshot
from review.services import serialize

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    return generate_load(bureaus=5, units=7, projects=3, indicators=6, year=2027, seed=3)


def _generated(run, model):
    return model.objects.filter(unit_id__in=run.unit_ids)


def _expected_indicators(unit):
    frameworks = load._frameworks()
    code = unit.bureau.layout.code
    definition = get_layout(code)
    project = load.indicator_count(frameworks[(code, "project")], ["annual"], 6)
    department = load.indicator_count(frameworks[(code, "department")], definition.department_terms, 6)
    return 3 * project + department


def test_it_creates_the_bureaus_units_declarations_and_indicators_asked_for(run):
    bureaus = FinanceBureau.objects.filter(pk__in=run.bureau_ids)
    units = Unit.objects.filter(pk__in=run.unit_ids).select_related("bureau__layout")
    assert bureaus.count() == 5 and units.count() == 7
    assert set(units.values_list("bureau_id", flat=True)) == set(run.bureau_ids)
    assert _generated(run, ProjectDeclaration).count() == 21
    assert _generated(run, DepartmentDeclaration).count() == 7
    assert {p.year.year for p in _generated(run, ProjectDeclaration)} == {2027}
    indicators = Indicator.objects.filter(project__unit__in=units).count() + Indicator.objects.filter(
        department__unit__in=units
    ).count()
    assert indicators == sum(_expected_indicators(unit) for unit in units) == run.counts["indicators"]
    assert run.counts["units"] == 7 and run.counts["projects"] == 21 and run.counts["departments"] == 7
    # Names read like real ones and codes are unique within their unit and year.
    unit = units.first()
    assert unit.name.startswith(unit.bureau.name.removesuffix("财政局"))
    for unit in units:
        codes = list(unit.projectdeclarations.values_list("code", flat=True))
        assert len(set(codes)) == len(codes) == 3 and all(codes)
    assert all(b.name.endswith("财政局") for b in bureaus)


def test_every_layout_is_used_and_every_mandatory_subcategory_has_an_indicator(run):
    units = Unit.objects.filter(pk__in=run.unit_ids).select_related("bureau__layout")
    assert {unit.bureau.layout.code for unit in units} == set(LAYOUTS)
    for indicator in Indicator.objects.filter(project__unit__in=units).select_related(
        "subcategory__category__framework__layout", "project__unit__bureau__layout"
    ):
        framework = indicator.subcategory.category.framework
        assert (framework.layout.code, framework.table_kind) == (indicator.project.unit.bureau.layout.code, "project")
    used = set(Indicator.objects.filter(department__unit__in=units).values_list(
        "subcategory__category__framework__layout__code", flat=True
    ))
    assert used == set(LAYOUTS)


def test_money_adds_up_and_validation_finds_no_errors(run):
    projects = _generated(run, ProjectDeclaration).select_related("unit__bureau__layout", "year")
    departments = _generated(run, DepartmentDeclaration).select_related("unit__bureau__layout", "year")
    for project in projects:
        assert project.fiscal_funds + project.other_funds == project.budget > 0
        assert validation.errors(validation.validate_project(project)) == [], project
        if project.unit.bureau.layout.code == "hebei":
            assert [p.percent for p in project.spending_plan.all()] == [25, 50, 75, 100]
        if project.unit.bureau.layout.code == "jiangsu":
            assert sum(line.amount for line in project.money_lines.all()) == project.budget
    with_money = 0
    for department in departments:
        assert validation.errors(validation.validate_department(department)) == [], department
        lines = list(department.money_lines.all())
        if not lines:
            assert department.unit.bureau.layout.code == "hebei"
            continue
        with_money += 1
        income = sum(line.amount for line in lines if line.direction == Direction.INCOME)
        expense = sum(line.amount for line in lines if line.direction == Direction.EXPENSE)
        projects_line = sum(line.amount for line in lines if line.kind in ("project", "specific"))
        budgets = sum(p.budget for p in department.unit.projectdeclarations.filter(year=department.year))
        assert income == expense and projects_line == budgets > Decimal(0)
    assert with_money >= 4


def test_states_are_spread_and_each_moved_declaration_has_its_review_records(run):
    declarations = [*_generated(run, ProjectDeclaration), *_generated(run, DepartmentDeclaration)]
    # 目标调整 starts from a published table by its unit's act; generate_load makes none.
    spread = [state for state in Status.values if state != Status.ADJUSTING]
    states = {state: sum(1 for d in declarations if d.status == state) for state in spread}
    assert all(states.values()), states
    assert states[Status.DRAFT] == max(states.values())
    for declaration in declarations:
        link = {"project" if isinstance(declaration, ProjectDeclaration) else "department": declaration}
        snapshots = list(Snapshot.objects.filter(**link))
        events = set(Event.objects.filter(**link).values_list("to_status", flat=True))
        if declaration.status == Status.DRAFT:
            assert snapshots == [] and events == set()
            continue
        # The snapshot is what serialising the declaration gives: it can be published as it is.
        assert [s.data for s in snapshots] == [serialize(declaration)]
        assert declaration.status in events
        reviewed = Review.objects.filter(**link).exists()
        assert reviewed == (declaration.status != Status.SUBMITTED)
        assert Publication.objects.filter(**link).exists() == (declaration.status == Status.PUBLISHED)
    published_units = {d.unit_id for d in declarations if d.status == Status.PUBLISHED}
    assert set(DocumentRelease.objects.filter(unit_id__in=run.unit_ids).values_list("unit_id", flat=True)) == (
        published_units
    )
    assert not PublishedFile.objects.filter(publication__project__unit_id__in=run.unit_ids).exists()


def test_one_filler_per_unit_and_one_reviewer_per_bureau_with_the_shared_password(run):
    for unit_id in run.unit_ids:
        filler = User.objects.get(username=f"load-filler-{unit_id}")
        assert filler.role == Role.FILLER and filler.unit_id == unit_id
    reviewers = [User.objects.get(username=f"load-reviewer-{pk}") for pk in run.bureau_ids]
    assert all(r.role == Role.REVIEWER for r in reviewers)
    assert check_password(run.password, reviewers[0].password)
    assert len(set(User.objects.filter(username__startswith="load-").values_list("password", flat=True))) == 1


def test_the_generated_documents_print_in_every_layout(run):
    for code in LAYOUTS:
        unit = Unit.objects.filter(pk__in=run.unit_ids, bureau__layout__code=code).first()
        data = load_document_data(unit, 2027)
        document = get_layout(code).document(data)
        assert document.blocks and unit.name in document.title + document.filename


def test_writing_is_in_bulk_so_the_queries_do_not_grow_with_the_units(db):
    """Besides the multi-row INSERTs (SQLite caps the rows of one at its variable limit) the number of
    queries is the same for five times the units, four times the indicators."""
    generate_load(bureaus=5, units=5, projects=2, indicators=4, seed=4)  # frameworks, year: made once
    with CaptureQueriesContext(connection) as small:
        generate_load(bureaus=5, units=5, projects=2, indicators=4, seed=5)
    with CaptureQueriesContext(connection) as large:
        result = generate_load(bureaus=5, units=25, projects=4, indicators=12, seed=5)

    def other(queries):
        return sum(1 for query in queries.captured_queries if not query["sql"].startswith("INSERT"))

    assert other(large) == other(small)
    inserts = len(large) - other(large)
    rows = sum(count for name, count in result.counts.items() if not name.startswith("state_"))
    assert rows > 1000 and inserts < rows / 20


def test_a_second_run_adds_new_bureaus_without_collisions(run):
    again = generate_load(bureaus=5, units=7, projects=3, indicators=6, year=2027, seed=3)
    names = set(FinanceBureau.objects.filter(pk__in=run.bureau_ids).values_list("name", flat=True))
    assert names.isdisjoint(FinanceBureau.objects.filter(pk__in=again.bureau_ids).values_list("name", flat=True))
    assert again.counts["projects"] == 21


def test_the_command_prints_what_it_made(capsys):
    call_command("generate_load", bureaus=2, units=3, projects=1, indicators=4, year=2028)
    out = capsys.readouterr().out
    assert "2028 年度已生成" in out and "units" in out and "load-test-password" in out
    assert ProjectDeclaration.objects.filter(year__year=2028).count() == 3


def test_more_units_projects_and_indicators_go_into_existing_ones(zunhua_unit, zunhua_project):
    before = set(zunhua_unit.projectdeclarations.values_list("name", flat=True))
    units_add(bureaus=[zunhua_unit.bureau], units=2, projects=2, indicators=6, year=2024)
    assert Unit.objects.filter(bureau=zunhua_unit.bureau).count() == 3
    projects_add(unit=zunhua_unit, projects=4, indicators=6, year=2024)
    projects_add(unit=zunhua_unit, projects=2, indicators=6, year=2024, status=Status.PUBLISHED)
    names = list(zunhua_unit.projectdeclarations.values_list("name", flat=True))
    assert len(names) == len(set(names)) == len(before) + 6
    # Each run with something published makes a new version of the unit's document, holding all of it.
    published = zunhua_unit.projectdeclarations.filter(status=Status.PUBLISHED).count()
    latest = DocumentRelease.objects.filter(unit=zunhua_unit).order_by("-number").first()
    assert published >= 2 and latest.publications.count() == published
    orders = list(zunhua_project.indicators.values_list("order", flat=True))
    indicators_add(declaration=zunhua_project, count=5)
    assert sorted(zunhua_project.indicators.values_list("order", flat=True)) == sorted(
        orders + list(range(max(orders) + 1, max(orders) + 6))
    )


def test_published_files_can_be_made_later_for_a_subset(run):
    units = load.published_files_create(limit=1, unit_ids=set(run.unit_ids))
    assert len(units) == 1
    release = DocumentRelease.objects.filter(unit=units[0]).order_by("-number").first()
    assert release.number == 2 and {f.format for f in release.files.all()} == {"pdf", "xlsx", "json", "csv"}
    assert PublishedFile.objects.filter(publication__isnull=False).exists()
