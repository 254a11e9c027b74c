"""An exported workbook, edited in Excel, imports back; a broken one says where and changes nothing."""
import io
import os
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
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


# --- versions: a workbook exported before a later save is refused --------------------------

def _web_edit_purpose(client, filler, project, purpose):
    """Save the project's 资金 step in the wizard, as the filler would in another window."""
    client.force_login(filler)
    url = reverse("project_step", args=[project.pk, "funds"])
    form = client.get(url).context["form"]
    data = {bound.html_name: bound.value() for bound in form if bound.value() is not None}
    data["purpose"] = purpose
    assert client.post(url, data).status_code == 302


def test_a_stale_workbook_is_refused_with_what_changed(client, unit, filler):
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    content = _edit(_export(unit), lambda book: setattr(_find(book[SHEET], "≥95%"), "value", "≥98%"))
    _web_edit_purpose(client, filler, project, "网页上后来改过的用途")
    with pytest.raises(WorkbookError) as error:
        workbook_import(content=content, unit=unit, year=2024, user=filler)
    assert error.value.problems == [
        f"“{project}”在导出这份工作簿之后已在网页上修改并保存（导出时为第 1 版，现在是第 2 版），导入会覆盖这些修改，"
        "因此没有导入。导出后改动的内容：工作表“1.驻京工作经费” B5（资金用途）：导出时为“预算数216万元。其中：财政资金216万元，"
        "其他资金0万元。主要用于：我市驻京信…”，现在为“网页上后来改过的用途”。请重新导出 Excel，在新文件中修改后再导入"
    ]
    project.refresh_from_db()
    assert (project.purpose, project.version) == ("网页上后来改过的用途", 2)  # the web edit survives
    assert project.indicators.get(name="有效化解信访完成率").value_display == "≥95%"  # nothing imported


def test_a_stale_workbook_with_an_edited_indicator_names_the_indicator(unit, filler):
    content = _export(unit)
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    indicator = project.indicators.get(name="有效化解信访完成率")
    indicator.number = 97
    indicator.save()
    ProjectDeclaration.objects.filter(pk=project.pk).update(version=2)  # as the indicator editor saves
    with pytest.raises(WorkbookError) as error:
        workbook_import(content=content, unit=unit, year=2024, user=filler)
    assert "，指标“有效化解信访完成率”：导出时为“≥95%”，现在为“≥97%”" in error.value.problems[0]


def test_a_stale_workbook_is_refused_in_the_upload_form(client, unit, filler):
    content = _export(unit)
    _web_edit_purpose(client, filler, ProjectDeclaration.objects.get(code="13028124P00096710001G"), "新用途")
    response = client.post(reverse("document_import", args=[unit.pk, 2024]), {"file": io.BytesIO(content)})
    assert 'data-testid="problems"' in response.text and "在导出这份工作簿之后已在网页上修改并保存" in response.text
    assert ProjectDeclaration.objects.get(code="13028124P00096710001G").purpose == "新用途"


def _without_versions(book):
    sheet = book["_bindings"]
    for row in sheet.iter_rows():
        if row[0].value == "meta" and str(row[1].value).startswith("version:"):
            row[1].value = "removed"


def test_a_workbook_without_the_version_it_was_made_from_is_refused(unit, filler):
    content = _edit(_export(unit), _without_versions)
    with pytest.raises(WorkbookError, match="工作簿没有记录导出时的版本"):
        workbook_import(content=content, unit=unit, year=2024, user=filler)


def test_a_workbook_of_the_format_before_versions_is_refused_with_a_clear_message(unit, filler):
    def old_format(book):
        next(r for r in book["_bindings"].iter_rows() if r[1].value == "format")[2].value = "pjd-workbook-1"

    with pytest.raises(WorkbookError, match="这份工作簿由旧版系统导出，没有记录导出时各申报的版本"):
        workbook_import(content=_edit(_export(unit), old_format), unit=unit, year=2024, user=filler)


def test_the_import_command_refuses_a_stale_workbook(unit, filler, tmp_path):
    path = tmp_path / "stale.xlsx"
    path.write_bytes(_export(unit))
    ProjectDeclaration.objects.filter(code="13028124P00096710001G").update(version=5)
    with pytest.raises(CommandError, match="导出时为第 1 版，现在是第 5 版"):
        call_command("import_xlsx", str(path), "--unit", "455", "--year", "2024")


# --- bounded cost: streamed, and refused past any cap, naming the sheet -----------------

def test_a_workbook_with_too_many_sheets_is_refused(unit, filler, settings):
    settings.WORKBOOK_IMPORT_MAX_SHEETS = 4
    with pytest.raises(WorkbookError) as error:
        workbook_import(content=_export(unit), unit=unit, year=2024, user=filler)
    assert error.value.problems == ["工作簿有 5 个工作表，超过上限 4 个，不能导入"]


def test_a_sheet_with_too_many_rows_is_refused_quickly_and_changes_nothing(unit, filler, settings):
    import time

    def change(book):
        _find(book[SHEET], "≥95%").value = "≥98%"
        for row in range(100, 10_100):
            book[SHEET].cell(row, 1).value = row

    content = _edit(_export(unit), change)
    settings.WORKBOOK_IMPORT_MAX_ROWS = 500
    started = time.monotonic()
    with pytest.raises(WorkbookError) as error:
        workbook_import(content=content, unit=unit, year=2024, user=filler)
    assert time.monotonic() - started < 5
    assert error.value.problems == ["工作表“1.驻京工作经费”超过 500 行的上限，不能导入"]
    assert ProjectDeclaration.objects.get(code="13028124P00096710001G").indicators.get(
        name="有效化解信访完成率").value_display == "≥95%"


def test_a_row_with_too_many_columns_is_refused(unit, filler, settings):
    content = _edit(_export(unit), lambda book: setattr(book[SHEET].cell(3, 150), "value", "x"))
    settings.WORKBOOK_IMPORT_MAX_COLUMNS = 100
    with pytest.raises(WorkbookError) as error:
        workbook_import(content=content, unit=unit, year=2024, user=filler)
    assert error.value.problems == ["工作表“1.驻京工作经费”第 3 行超过 100 列的上限，不能导入"]


def test_a_workbook_with_too_many_cells_is_refused(unit, filler, settings):
    def change(book):
        for row in range(100, 200):
            for column in range(1, 51):
                book[SHEET].cell(row, column).value = column

    content = _edit(_export(unit), change)
    settings.WORKBOOK_IMPORT_MAX_CELLS = 5_000
    with pytest.raises(WorkbookError) as error:
        workbook_import(content=content, unit=unit, year=2024, user=filler)
    assert error.value.problems == ["工作表“1.驻京工作经费”：工作簿的单元格总数超过 5,000 个的上限，不能导入"]


def test_reading_past_the_time_limit_is_refused(unit, filler, settings):
    settings.WORKBOOK_IMPORT_MAX_SECONDS = 0
    with pytest.raises(WorkbookError) as error:
        workbook_import(content=_export(unit), unit=unit, year=2024, user=filler)
    assert error.value.problems == ["工作表“_bindings”：读取工作簿超过 0 秒的时限，不能导入"]


def test_a_workbook_with_too_much_text_is_refused_before_it_is_opened(unit, filler, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_export(unit))) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in source.infolist():
            out.writestr(entry, source.read(entry))
        strings = "".join(f"<si><t>{n}{os.urandom(300).hex()}</t></si>" for n in range(2_000))
        out.writestr("xl/sharedStrings.xml", f"<sst>{strings}</sst>")  # 1.2 MB of distinct texts
    settings.WORKBOOK_IMPORT_MAX_SHARED_STRINGS_BYTES = 1024 * 1024
    with pytest.raises(WorkbookError) as error:
        workbook_import(content=buffer.getvalue(), unit=unit, year=2024, user=filler)
    assert error.value.problems == ["工作簿的文字表（sharedStrings.xml）解压后超过 1 MB 的上限，不能导入"]


def test_a_save_while_the_workbook_is_being_imported_wins(unit, filler, monkeypatch):
    from django.db.models import F

    from declarations.services import drafts

    content = _edit(_export(unit), lambda book: setattr(_find(book[SHEET], "≥95%"), "value", "≥98%"))
    checked = drafts.ensure_editable

    def saved_meanwhile(user, declaration):  # the wizard saves after the workbook was read
        type(declaration).objects.filter(pk=declaration.pk).update(version=F("version") + 1)
        checked(user, declaration)

    monkeypatch.setattr(drafts, "ensure_editable", saved_meanwhile)
    with pytest.raises(WorkbookError, match="在导出这份工作簿之后已被修改并保存，没有导入"):
        workbook_import(content=content, unit=unit, year=2024, user=filler)
    assert ProjectDeclaration.objects.get(code="13028124P00096710001G").indicators.get(
        name="有效化解信访完成率").value_display == "≥95%"
