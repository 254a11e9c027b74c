"""Exports beyond the golden values: page furniture, Excel structure, downloads, safety."""
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from declarations.exports.pdf import StaticOnlyURLFetcher
from declarations.exports.registry import export_document, export_project
from declarations.models import Indicator, ProjectDeclaration, Unit

from .export_text import pdf_page_count, pdf_text, visible_sheets


@pytest.fixture
def zunhua_pdf(db):
    return export_document(unit=Unit.objects.get(code="455"), year=2024, fmt="pdf")


@pytest.fixture
def zunhua_book(db):
    _name, _type, content = export_document(unit=Unit.objects.get(code="455"), year=2024, fmt="xlsx")
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_hebei_booklet_has_a_title_page_a_contents_page_and_numbered_pages(zunhua_pdf):
    filename, content_type, content = zunhua_pdf
    assert (filename, content_type) == ("2024-遵化市信访局-绩效目标.pdf", "application/pdf")
    text = pdf_text(content)
    pages = text.split("\f")
    assert "2024 年部门预算绩效文本" in pages[0] and "遵化市财政局" in pages[0]
    assert "目 录" in pages[1]
    count = pdf_page_count(content)
    assert f"第 {count} 页 共 {count} 页" in text


def test_the_contents_page_gives_the_real_page_of_each_project_table(zunhua_pdf):
    pages = pdf_text(zunhua_pdf[2]).split("\f")
    contents = pages[1]
    for title in ("1.驻京工作经费绩效目标表", "2.信访群众工作中心办公费绩效目标表"):
        page = int(re.search(re.escape(title) + r"[\s.]*?(\d+)\n", contents)[1])
        assert title in pages[page - 1].replace(" ", "")


def test_a_long_indicator_table_repeats_its_header_on_every_page(zunhua_project):
    first = zunhua_project.indicators.first()
    for n in range(60):
        Indicator.objects.create(
            project=zunhua_project, subcategory=first.subcategory, order=100 + n, name=f"补充指标{n}",
            description="说明" * 20, comparator="≥", number=Decimal(n), unit="%", basis="测试依据",
        )
    _name, _type, content = export_project(project=zunhua_project, fmt="pdf")
    pages = pdf_text(content).split("\f")
    printed = [page for page in pages if page.strip()]
    assert len(printed) >= 3
    assert all("指标值确定依据" in page for page in printed)


def test_the_workbook_has_one_sheet_per_table_plus_the_prose(zunhua_book):
    assert [sheet.title for sheet in visible_sheets(zunhua_book)] == [
        "遵化市信访局2024年部门预算绩效文本", "1.驻京工作经费", "2.信访群众工作中心办公费", "3.信访维稳专项工作经费",
    ]


def test_amounts_are_numbers_with_a_number_format_and_values_stay_text(zunhua_book):
    sheet = zunhua_book["1.驻京工作经费"]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value is not None}
    budget = next(cell for cell in cells.values() if cell.value == 216)
    assert budget.data_type == "n" and budget.number_format == "0.00"
    assert cells["≥95%"].data_type == "s"
    assert "遵办字[2019]28号" in cells


def test_first_level_cells_are_merged_over_their_rows(zunhua_book):
    sheet = zunhua_book["1.驻京工作经费"]
    output = next(cell for row in sheet.iter_rows() for cell in row if cell.value == "产出指标")
    merged = next(r for r in sheet.merged_cells.ranges if output.coordinate in r)
    assert (merged.max_row - merged.min_row + 1, merged.min_col, merged.max_col) == (4, 1, 1)


def test_sheets_print_on_a4_fitted_to_width_with_the_header_repeated(zunhua_book):
    sheet = zunhua_book["1.驻京工作经费"]
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    header_row = int(sheet.print_title_rows.split(":")[0].strip("$"))
    assert sheet.cell(header_row, 1).value == "一级指标"


def test_a_project_named_like_an_html_tag_prints_as_text_and_reads_no_file(zunhua_project):
    zunhua_project.name = '<img src="file:///etc/passwd">'
    zunhua_project.save()
    _name, _type, content = export_project(project=zunhua_project, fmt="pdf")
    assert '<img src="file:///etc/passwd">' in pdf_text(content)


def test_the_pdf_fetcher_refuses_files_outside_static_and_network_addresses():
    fetcher = StaticOnlyURLFetcher()
    for url in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "https://example.com/x.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 3


def test_the_pdf_fetcher_serves_our_own_stylesheet_and_data_urls(settings):
    from django.contrib.staticfiles import finders

    fetcher = StaticOnlyURLFetcher()
    css = fetcher.fetch("file://" + finders.find("print/document.css"))
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_a_formula_in_user_text_is_written_as_a_string_cell(zunhua_project):
    indicator = zunhua_project.indicators.first()
    indicator.name = '=HYPERLINK("http://x","y")'
    indicator.save()
    _name, _type, content = export_project(project=zunhua_project, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    cell = next(c for row in book.active.iter_rows() for c in row if c.value == '=HYPERLINK("http://x","y")')
    assert cell.data_type == "s"
    assert cell.quotePrefix


@pytest.mark.parametrize("text", ["+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1"])
def test_every_formula_lead_character_is_neutralised(zunhua_project, text):
    zunhua_project.purpose = text
    zunhua_project.save()
    _name, _type, content = export_project(project=zunhua_project, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    # XML stores a carriage return as a line feed; the lead character is what matters here.
    cell = next(c for row in book.active.iter_rows() for c in row if c.value == text.replace("\r", "\n"))
    assert cell.data_type == "s" and cell.quotePrefix


def test_export_tables_writes_the_whole_document(db, tmp_path):
    out = tmp_path / "rugao.xlsx"
    call_command("export_tables", "--unit", "如皋市信访局", "--year", "2024", "--format", "xlsx", "--out", str(out))
    book = openpyxl.load_workbook(out)
    assert len(visible_sheets(book)) == 5  # 部门整体 + 4 projects


def test_export_tables_finds_a_unit_by_its_code(db, tmp_path):
    out = tmp_path / "laoting.pdf"
    call_command("export_tables", "--unit", "482001", "--year", "2025", "--format", "pdf", "--out", str(out))
    assert "乐亭县信访局" in pdf_text(out.read_bytes())


def test_export_tables_says_when_the_unit_is_unknown(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到单位"):
        call_command("export_tables", "--unit", "无此单位", "--year", "2024", "--format", "pdf", "--out", str(tmp_path / "x"))


def test_the_owner_downloads_the_whole_document_as_pdf(client, filler, zunhua_unit):
    client.force_login(filler)
    response = client.get(reverse("document_download", args=[zunhua_unit.pk, 2024, "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "驻京信访工作经费" in pdf_text(response.content)


def test_the_owner_downloads_one_project_table_as_excel(client, filler, zunhua_project):
    client.force_login(filler)
    response = client.get(reverse("project_download", args=[zunhua_project.pk, "xlsx"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [sheet.title for sheet in visible_sheets(book)] == ["1.驻京工作经费"]


def test_the_reviewer_downloads_the_department_part(client, reviewer, db):
    from declarations.models import DepartmentDeclaration

    dept = DepartmentDeclaration.objects.get(unit__code="455")
    client.force_login(reviewer)
    response = client.get(reverse("department_download", args=[dept.pk, "pdf"]))
    assert response.status_code == 200
    assert "推进依法逐级信访" in pdf_text(response.content)


@pytest.mark.parametrize("persona", ["other_filler", "other_reviewer"])
def test_another_units_downloads_answer_404(client, request, persona, zunhua_project, zunhua_unit):
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("document_download", args=[zunhua_unit.pk, 2024, "pdf"]),
        reverse("document_preview", args=[zunhua_unit.pk, 2024]),
        reverse("project_download", args=[zunhua_project.pk, "xlsx"]),
    ):
        assert client.get(url).status_code == 404


def test_an_unknown_format_answers_404(client, filler, zunhua_project):
    client.force_login(filler)
    assert client.get(reverse("project_download", args=[zunhua_project.pk, "docx"])).status_code == 404


def test_the_preview_shows_the_same_tables_as_the_pdf(client, filler, zunhua_unit):
    client.force_login(filler)
    response = client.get(reverse("document_preview", args=[zunhua_unit.pk, 2024]))
    assert response.status_code == 200
    for text in ("1.驻京工作经费绩效目标表", "有效化解信访完成率", "≥95%", "下载 PDF"):
        assert text in response.text


def test_the_document_is_read_and_built_in_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    from declarations.exports.builders import load_document_data
    from declarations.exports.layouts import get_layout

    unit = Unit.objects.get(code="455")
    with django_assert_max_num_queries(16):
        document = get_layout("hebei").document(load_document_data(unit, 2024))
    assert len(document.tables) == ProjectDeclaration.objects.filter(unit=unit).count()
