"""One project's table built from that project alone prints exactly what the unit's whole
document prints for it: the same number, title, cells and bindings (declarations/exports/
builders.py: load_project_data), in the wizard's preview, the reviewer's page and the export."""
import io

import openpyxl
import pytest
from django.urls import reverse

from declarations.exports.builders import load_document_data, load_project_data, project_number
from declarations.exports.layouts import get_layout
from declarations.exports.registry import export_project
from declarations.models import ProjectDeclaration, Unit
from indicators.models import Layout

from .conftest import SEEDS


def _whole(project):
    data = load_document_data(project.unit, project.year.year)
    layout = get_layout(data.layout)
    return layout.project_document(data, next(p for p in data.projects if p.pk == project.pk))


def _alone(project):
    layout = get_layout(project.unit.bureau.layout)
    data, printed, number = load_project_data(project, layout)
    return layout.project_document(data, printed, number=number), number


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_every_seed_project_prints_the_same_table_alone_as_in_the_whole_document(db, seed):
    name, year = SEEDS[seed]
    projects = ProjectDeclaration.objects.filter(unit__name=name, year__year=year).order_by("order", "id")
    assert projects.count() >= 1
    for project in projects:
        alone, number = _alone(project)
        assert number is not None  # every shipped layout's project table stands alone
        whole = _whole(project)
        assert (alone.title, alone.filename) == (whole.title, whole.filename)
        assert alone.blocks == whole.blocks


def test_the_zunhua_projects_are_numbered_by_their_place_among_the_printed_ones(zunhua_unit):
    projects = list(ProjectDeclaration.objects.filter(unit=zunhua_unit, year__year=2024).order_by("order", "id"))
    assert [project_number(p) for p in projects] == [1, 2, 3]
    last = projects[-1]
    ProjectDeclaration.objects.filter(pk=last.pk).update(order=projects[0].order - 1)
    ProjectDeclaration.objects.filter(pk=projects[1].pk).update(has_table=False)
    last.refresh_from_db()
    assert project_number(last) == 1
    alone, _number = _alone(last)
    assert alone.blocks == _whole(last).blocks
    assert alone.blocks[0].sheet_name.startswith("1.")
    # A project without a table of its own is 1, as the whole document answers for it.
    listed_only = ProjectDeclaration.objects.get(pk=projects[1].pk)
    assert project_number(listed_only) == 1
    assert _alone(listed_only)[0].blocks == _whole(listed_only).blocks


def test_a_project_table_naming_the_department_is_built_from_the_whole_document(zunhua_project):
    layout_row = Layout.objects.get(code=zunhua_project.unit.bureau.layout.code)
    definition = get_layout(layout_row).definition
    edited = {**definition, "tables": {**definition["tables"], "project": {
        **definition["tables"]["project"], "title": "{{ department.printed_name }}：{{ project.name }}",
    }}}
    Layout.objects.filter(pk=layout_row.pk).update(definition=edited, version=layout_row.version + 1)
    project = ProjectDeclaration.objects.select_related("unit__bureau__layout", "year").get(pk=zunhua_project.pk)
    layout = get_layout(project.unit.bureau.layout)
    assert not layout.project_table_stands_alone()
    data, _printed, number = load_project_data(project, layout)
    assert number is None and data.department is not None and len(data.projects) == 3
    alone, _ = _alone(project)
    assert alone.blocks[0].title == f"{data.department.printed_name}：{project.name}"


def test_the_shipped_project_tables_name_nothing_of_the_rest_of_the_document(db):
    for layout_row in Layout.objects.all():
        assert get_layout(layout_row).project_table_stands_alone(), layout_row.code


def test_the_wizard_preview_prints_the_project_numbered_as_in_the_document(client, filler, zunhua_project):
    client.force_login(filler)
    response = client.get(reverse("project_step", args=[zunhua_project.pk, "preview"]))
    assert response.status_code == 200
    assert _whole(zunhua_project).blocks[0].title in response.text


def test_the_reviewers_page_prints_the_project_numbered_as_in_the_document(client, reviewer, zunhua_project):
    ProjectDeclaration.objects.filter(pk=zunhua_project.pk).update(status="submitted")
    client.force_login(reviewer)
    response = client.get(reverse("review_declaration", args=["project", zunhua_project.pk]))
    assert response.status_code == 200
    assert _whole(zunhua_project).blocks[0].title in response.text


def _sheet_titles(project):
    _name, _type, content = export_project(project=project, fmt="xlsx")
    return [sheet.title for sheet in openpyxl.load_workbook(io.BytesIO(content)).worksheets
            if sheet.sheet_state == "visible"]


def test_the_exported_project_keeps_its_number_and_a_new_place_makes_a_new_file(zunhua_unit):
    projects = list(ProjectDeclaration.objects.filter(unit=zunhua_unit, year__year=2024).order_by("order", "id"))
    second = projects[1]
    assert _sheet_titles(second) == ["2.信访群众工作中心办公费"]
    # Another project moving behind it changes only its number: not the kept file of place 2.
    ProjectDeclaration.objects.filter(pk=projects[0].pk).update(order=projects[-1].order + 1)
    assert _sheet_titles(second) == ["1.信访群众工作中心办公费"]


def test_the_exported_project_records_only_its_own_version(zunhua_project):
    layout = get_layout(zunhua_project.unit.bureau.layout)
    from declarations.exports.registry import _with_meta

    data, printed, number = load_project_data(zunhua_project, layout, with_department=False)
    meta = _with_meta(layout.project_document(data, printed, number=number), data).meta
    assert [key for key in meta if key.startswith("version:")] == [f"version:project:{zunhua_project.pk}"]
    assert Unit.objects.get(pk=meta["unit"]) == zunhua_project.unit
