"""An exported workbook, edited in Excel, imports back; a broken one says where and changes nothing."""
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from declarations.exports.registry import export_document
from declarations.models import ProjectDeclaration, Status, Unit
from declarations.services.interchange import document_to_dict
from declarations.services.workbook_import import WorkbookError, workbook_import

from .conftest import SEEDS

SHEET = "1.驻京工作经费"


@pytest.fixture
def unit(db):
    return Unit.objects.get(code="455")


@pytest.fixture
def filler(db):
    return User.objects.get(username="zunhua-xfj")


def _export(unit, year=2024):
    return export_document(unit=unit, year=year, fmt="xlsx")[2]


def _edit(content, change):
    book = openpyxl.load_workbook(io.BytesIO(content))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _find(sheet, text):
    return next(c for row in sheet.iter_rows() for c in row if c.value == text)


def test_an_unchanged_export_imports_without_changes(unit, filler):
    before = document_to_dict(unit, 2024)
    result = workbook_import(content=_export(unit), unit=unit, year=2024, user=filler)
    assert result.total == 0
    assert document_to_dict(unit, 2024) == before


@pytest.mark.parametrize("seed", SEEDS)
def test_every_seed_round_trips_through_excel_unchanged(db, seed):
    name, year = SEEDS[seed]
    unit = Unit.objects.get(name=name)
    user = User.objects.get(role="filler", unit=unit)
    before = document_to_dict(unit, year)
    assert workbook_import(content=_export(unit, year), unit=unit, year=year, user=user).total == 0
    assert document_to_dict(unit, year) == before


def test_edited_values_are_saved(unit, filler):
    def change(book):
        sheet = book[SHEET]
        budget = next(c for row in sheet.iter_rows() for c in row if c.value == 216)
        budget.value = 220
        fiscal = sheet.cell(budget.row, budget.column + 2)
        fiscal.value = 220
        _find(sheet, "≥95%").value = "≥98%"
        _find(sheet, "30%").value = "35%"
        _find(sheet, "1.依法处置到非接待场所上访，打击违法上访行为，整顿信访秩序，做好驻京信访维稳工作。").value = "1.新的第一条目标"
        book["遵化市信访局2024年部门预算绩效文本"]["A1"].value  # the prose sheet stays as it is

    result = workbook_import(content=_edit(_export(unit), change), unit=unit, year=2024, user=filler)
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    assert (project.budget, project.fiscal_funds) == (Decimal("220"), Decimal("220"))
    assert project.indicators.get(name="有效化解信访完成率").value_display == "≥98%"
    assert project.spending_plan.get(label="3月底").percent == 35
    assert project.goal_items.first().text == "新的第一条目标"
    assert result.total == 5 and project.version == 2


def test_text_in_an_amount_cell_names_the_sheet_and_cell_and_changes_nothing(unit, filler):
    def change(book):
        sheet = book[SHEET]
        _find(sheet, "≥95%").value = "≥98%"  # a valid edit in the same file is not saved either
        next(c for row in sheet.iter_rows() for c in row if c.value == 216).value = "二百一十六"

    with pytest.raises(WorkbookError) as error:
        workbook_import(content=_edit(_export(unit), change), unit=unit, year=2024, user=filler)
    assert error.value.problems == ["工作表“1.驻京工作经费” C4（预算数）：“二百一十六”不是金额，应填写万元数，如 185 或 16.5"]
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    assert project.indicators.get(name="有效化解信访完成率").value_display == "≥95%"


def test_a_value_that_does_not_parse_is_refused(unit, filler):
    content = _edit(_export(unit), lambda book: setattr(_find(book[SHEET], "≥95%"), "value", "≥九十五"))
    with pytest.raises(WorkbookError, match=r"工作表“1.驻京工作经费” [A-Z]\d+（指标值）：.*无法识别"):
        workbook_import(content=content, unit=unit, year=2024, user=filler)


def test_an_inserted_row_is_detected_as_a_changed_structure(unit, filler):
    content = _edit(_export(unit), lambda book: book[SHEET].insert_rows(5))
    with pytest.raises(WorkbookError, match="表格结构被改动"):
        workbook_import(content=content, unit=unit, year=2024, user=filler)


def test_moved_merged_cells_are_detected(unit, filler):
    def change(book):
        sheet = book[SHEET]
        merged = next(r for r in sheet.merged_cells.ranges if sheet.cell(r.min_row, r.min_col).value == "产出指标")
        sheet.unmerge_cells(str(merged))
        sheet.cell(merged.min_row, 1).value = None
        sheet.cell(merged.min_row + 1, 1).value = "产出指标"

    with pytest.raises(WorkbookError, match="应为“产出指标”"):
        workbook_import(content=_edit(_export(unit), change), unit=unit, year=2024, user=filler)


def test_a_renamed_sheet_is_named_in_the_error(unit, filler):
    content = _edit(_export(unit), lambda book: setattr(book[SHEET], "title", "改过名字"))
    with pytest.raises(WorkbookError, match="找不到工作表“1.驻京工作经费”"):
        workbook_import(content=content, unit=unit, year=2024, user=filler)


def test_a_formula_is_refused(unit, filler):
    content = _edit(_export(unit), lambda book: setattr(_find(book[SHEET], "遵办字[2019]28号"), "value", "=A1"))
    with pytest.raises(WorkbookError, match="不支持公式"):
        workbook_import(content=content, unit=unit, year=2024, user=filler)


def test_a_workbook_of_another_unit_is_refused(db, filler):
    rugao = Unit.objects.get(name="如皋市信访局")
    with pytest.raises(WorkbookError, match="导出自另一个单位或年度"):
        workbook_import(content=_export(rugao), unit=Unit.objects.get(code="455"), year=2024, user=filler)


def test_a_workbook_without_the_bindings_sheet_is_refused(unit, filler):
    content = _edit(_export(unit), lambda book: book.remove(book["_bindings"]))
    with pytest.raises(WorkbookError, match="没有本系统导出时记录的单元格对应关系"):
        workbook_import(content=content, unit=unit, year=2024, user=filler)


@pytest.mark.parametrize("content", [b"", b"not a workbook at all", b"PK\x03\x04broken"])
def test_a_file_that_is_not_a_workbook_is_refused(unit, filler, content):
    with pytest.raises(WorkbookError, match="不是有效的 Excel 工作簿|无法读取工作簿"):
        workbook_import(content=content, unit=unit, year=2024, user=filler)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(unit, filler):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (30 * 1024 * 1024))
    with pytest.raises(WorkbookError, match="压缩炸弹"):
        workbook_import(content=buffer.getvalue(), unit=unit, year=2024, user=filler)


def test_a_submitted_declaration_is_not_changed_by_an_import(unit, filler):
    ProjectDeclaration.objects.filter(code="13028124P00096710001G").update(status=Status.SUBMITTED)
    content = _edit(_export(unit), lambda book: setattr(_find(book[SHEET], "≥95%"), "value", "≥98%"))
    with pytest.raises(WorkbookError, match="不能修改"):
        workbook_import(content=content, unit=unit, year=2024, user=filler)
    assert ProjectDeclaration.objects.get(code="13028124P00096710001G").indicators.get(
        name="有效化解信访完成率").value_display == "≥95%"


HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["=1+1", "@SUM(A1)", "\u202eRTL", "😀" * 50, "'; DROP TABLE x; --", "<script>x</script>",
                     "９５％", "1,5", "1e400", "-3", "NaN", "\x00\x01", "≥", "x" * 5000]),
    st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
)


@pytest.fixture(scope="module")
def zunhua_workbook(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return _export(Unit.objects.get(code="455"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(new=HOSTILE, target=st.sampled_from(["≥95%", 216, "遵办字[2019]28号", "30%", "有效化解信访完成率"]))
def test_hostile_cell_values_give_a_clear_error_or_a_saved_value_never_a_crash(
    unit, filler, zunhua_workbook, new, target
):
    from django.db import transaction
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(new, str) and ILLEGAL_CHARACTERS_RE.search(new):
        new = ILLEGAL_CHARACTERS_RE.sub("", new)  # a spreadsheet program cannot store these either
    before = document_to_dict(unit, 2024)
    content = _edit(zunhua_workbook, lambda book: setattr(_find(book[SHEET], target), "value", new))
    with transaction.atomic():
        try:
            result = workbook_import(content=content, unit=unit, year=2024, user=filler)
        except WorkbookError as error:
            assert error.problems and all("：" in p for p in error.problems)
            assert document_to_dict(unit, 2024) == before
        else:
            assert result.total <= 1
        transaction.set_rollback(True)  # each example starts from the demo again


def test_a_filler_uploads_an_edited_workbook_in_the_browser_form(client, unit, filler):
    client.force_login(filler)
    content = _edit(_export(unit), lambda book: setattr(_find(book[SHEET], "≥95%"), "value", "≥97%"))
    response = client.post(reverse("document_import", args=[unit.pk, 2024]),
                           {"file": io.BytesIO(content)}, format="multipart")
    assert 'data-testid="imported"' in response.text and "共更新 1 处" in response.text


def test_a_broken_upload_lists_the_problems_and_changes_nothing(client, unit, filler):
    client.force_login(filler)
    upload = io.BytesIO(b"not a workbook")
    upload.name = "x.xlsx"
    response = client.post(reverse("document_import", args=[unit.pk, 2024]), {"file": upload})
    assert 'data-testid="problems"' in response.text and "数据未作任何改动" in response.text


def test_import_xlsx_command_updates_the_draft(unit, filler, tmp_path):
    path = tmp_path / "edited.xlsx"
    path.write_bytes(_edit(_export(unit), lambda book: setattr(_find(book[SHEET], "≥95%"), "value", "≥96%")))
    call_command("import_xlsx", str(path), "--unit", "455", "--year", "2024")
    assert ProjectDeclaration.objects.get(code="13028124P00096710001G").indicators.get(
        name="有效化解信访完成率").value_display == "≥96%"
