"""Whole-document exports are kept by content hash: the same content never renders twice."""
import pytest
from django.db.models import F

import declarations.exports.registry as registry
from declarations.exports.registry import export_department, export_document, export_project
from declarations.models import DepartmentDeclaration, ProjectDeclaration
from indicators.models import Layout


@pytest.fixture
def renders(monkeypatch):
    """Counts the runs of each renderer (WeasyPrint for PDF, openpyxl for Excel)."""
    counts = {"pdf": 0, "xlsx": 0}

    def counted(fmt, real):
        def render(*args, **kwargs):
            counts[fmt] += 1
            return real(*args, **kwargs)
        return render

    monkeypatch.setattr(registry, "render_pdf", counted("pdf", registry.render_pdf))
    monkeypatch.setattr(registry, "render_xlsx", counted("xlsx", registry.render_xlsx))
    return counts


def test_a_second_pdf_of_the_unchanged_document_is_served_without_rendering(zunhua_unit, renders):
    first = export_document(unit=zunhua_unit, year=2024, fmt="pdf")
    second = export_document(unit=zunhua_unit, year=2024, fmt="pdf")
    assert renders["pdf"] == 1
    assert second == first and second[2].startswith(b"%PDF")


def test_an_edit_of_a_declaration_renders_a_new_file(zunhua_unit, zunhua_project, renders):
    before = export_document(unit=zunhua_unit, year=2024, fmt="xlsx")[2]
    ProjectDeclaration.objects.filter(pk=zunhua_project.pk).update(purpose="改过的资金用途", version=F("version") + 1)
    after = export_document(unit=zunhua_unit, year=2024, fmt="xlsx")[2]
    assert renders["xlsx"] == 2 and after != before


def test_a_layout_change_renders_a_new_file(zunhua_unit, renders):
    export_document(unit=zunhua_unit, year=2024, fmt="xlsx")
    Layout.objects.filter(bureaus__units=zunhua_unit).update(version=F("version") + 1)
    export_document(unit=zunhua_unit, year=2024, fmt="xlsx")
    assert renders["xlsx"] == 2


def test_each_format_is_kept_apart(zunhua_unit, renders):
    export_document(unit=zunhua_unit, year=2024, fmt="xlsx")
    name, content_type, content = export_document(unit=zunhua_unit, year=2024, fmt="pdf")
    assert renders == {"pdf": 1, "xlsx": 1}
    assert name.endswith(".pdf") and content_type == "application/pdf" and content.startswith(b"%PDF")


def test_a_project_and_the_department_table_are_kept_too(zunhua_unit, zunhua_project, renders):
    department = DepartmentDeclaration.objects.get(unit=zunhua_unit, year__year=2024)
    for _ in range(2):
        project_table = export_project(project=zunhua_project, fmt="xlsx")[2]
        department_table = export_department(department=department, fmt="xlsx")[2]
    assert renders["xlsx"] == 2 and project_table != department_table


def test_the_content_key_reads_nothing_more_than_the_document_already_read(db, django_assert_num_queries):
    from declarations.exports.builders import load_document_data
    from declarations.exports.layouts import get_layout
    from declarations.exports.registry import _with_meta, content_key
    from declarations.models import Unit

    data = load_document_data(Unit.objects.get(code="455"), 2024)
    layout = get_layout(data.layout)
    document = _with_meta(layout.document(data), data)
    with django_assert_num_queries(0):
        key = content_key(layout, "pdf", document, data, part="document")
    assert len(key) == 64
