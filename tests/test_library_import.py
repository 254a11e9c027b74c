"""Importing the indicator library (共性指标) from .xlsx/.csv: preview, apply, admin and command."""
import io
import re
import zipfile

import openpyxl
import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from declarations.services.demo import LIBRARY_FILE
from indicators.models import LibraryIndicator
from indicators.services import (
    FIELDS,
    LibraryImportError,
    library_apply,
    library_preview,
    library_read,
    library_read_yaml,
)

pytestmark = pytest.mark.django_db

HEADER = ["一级指标", "二级指标", "三级指标", "指标解释", "建议指标值", "取值依据"]
NEW = ["产出指标", "数量指标", "信访事项办结数", "年度办结的信访事项", "≥500件", "年度计划"]
CHANGED = ["产出指标", "成本指标", "信访费用支出", "信访费用支出", "≤180万元", "2025年预算"]
IMPORT_URL = "admin:indicators_libraryindicator_import"


def _xlsx(rows, header=HEADER, title="指标库"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows, header=HEADER, encoding="utf-8"):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _unchanged_row():
    entry = LibraryIndicator.objects.get(subcategory_name="数量指标", name="有效化解信访完成率")
    return [getattr(entry, name) for name in FIELDS]


def _preview(content, name="指标库.xlsx"):
    return library_preview(library_read(content, name))


def _library():
    return sorted(LibraryIndicator.objects.values_list(*FIELDS))


# --- preview and apply --------------------------------------------------------------------

def test_a_good_sheet_previews_what_is_added_updated_and_unchanged():
    preview = _preview(_xlsx([NEW, CHANGED, _unchanged_row()]))

    assert preview["errors"] == []
    assert [(row["row"], row["name"], row["suggested_value"]) for row in preview["add"]] == [(2, "信访事项办结数", "≥500件")]
    [(existing, new)] = preview["update"]
    assert (existing.name, existing.suggested_value, new["suggested_value"], new["basis"]) == (
        "信访费用支出", "≤185万元", "≤180万元", "2025年预算"
    )
    assert preview["unchanged"] == 1


def test_a_preview_writes_nothing():
    before = _library()
    _preview(_xlsx([NEW, CHANGED]))
    assert _library() == before


def test_applying_a_good_sheet_adds_and_updates_entries():
    count = LibraryIndicator.objects.count()

    assert library_apply(_preview(_xlsx([NEW, CHANGED, _unchanged_row()]))) == (1, 1)

    assert LibraryIndicator.objects.count() == count + 1
    assert LibraryIndicator.objects.get(name="信访事项办结数").basis == "年度计划"
    assert LibraryIndicator.objects.get(name="信访费用支出").suggested_value == "≤180万元"


def test_columns_may_come_in_any_order_and_other_columns_are_ignored():
    header = ["备注", "三级指标", "取值依据", "一级指标", "建议指标值", "二级指标", "指标解释"]
    row = ["不读", NEW[2], NEW[5], NEW[0], NEW[4], NEW[1], NEW[3]]

    preview = _preview(_xlsx([row], header=header))

    assert preview["errors"] == []
    assert {key: preview["add"][0][key] for key in ("category_name", "subcategory_name", "name", "basis")} == {
        "category_name": "产出指标", "subcategory_name": "数量指标", "name": "信访事项办结数", "basis": "年度计划",
    }


def test_header_names_are_matched_after_stripping_whitespace():
    preview = _preview(_xlsx([NEW], header=[f" {name}\n" for name in HEADER]))
    assert preview["errors"] == [] and len(preview["add"]) == 1


def test_a_csv_with_the_same_header_is_read():
    preview = _preview(_csv([NEW, CHANGED]), "library.csv")
    assert preview["errors"] == [] and len(preview["add"]) == 1 and len(preview["update"]) == 1


def test_a_csv_saved_by_chinese_excel_in_gbk_is_read():
    preview = _preview(_csv([NEW], encoding="gbk"), "library.csv")
    assert preview["errors"] == [] and preview["add"][0]["name"] == "信访事项办结数"


def test_a_percentage_cell_reads_as_printed():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(NEW[:4] + [0.95, ""])
    sheet["E2"].number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert _preview(buffer.getvalue())["add"][0]["suggested_value"] == "95%"


def test_blank_rows_are_skipped():
    preview = _preview(_xlsx([NEW, [None] * 6, CHANGED]))
    assert preview["errors"] == [] and [row["row"] for row in preview["add"]] == [2]


# --- errors -------------------------------------------------------------------------------

def _refused(content, name="指标库.xlsx"):
    """The preview's errors; applying it is refused and leaves the library as it was."""
    before = _library()
    preview = _preview(content, name)
    with pytest.raises(LibraryImportError, match="什么也没有导入"):
        library_apply(preview)
    assert _library() == before
    return preview["errors"]


def test_a_missing_header_is_an_error():
    errors = _refused(_xlsx([NEW[:5]], header=HEADER[:5]))
    assert errors == [
        "工作表“指标库”第1行：缺少表头 取值依据（表头须为 一级指标、二级指标、三级指标、指标解释、建议指标值、取值依据，顺序不限）"
    ]


def test_an_empty_third_level_cell_names_sheet_row_and_column():
    errors = _refused(_xlsx([NEW, ["产出指标", "数量指标", "", "", "≥1次", ""]]))
    assert errors == ["工作表“指标库”第3行 C列（三级指标）：不能为空"]


def test_a_formula_is_an_error():
    errors = _refused(_xlsx([NEW, ["产出指标", "数量指标", "=A2&B2", "", "", ""]]))
    assert errors == ["工作表“指标库”第3行 C列（三级指标）：不支持公式（=A2&B2），请把公式粘贴为数值或文字"]


def test_a_formula_kept_as_text_in_a_csv_is_an_error_but_a_value_like_eq_12_is_not():
    errors = _refused(_csv([NEW, ["产出指标", "数量指标", "=SUM(A1:A3)", "", "=12次", ""]]), "library.csv")
    assert errors == ["文件“library.csv”第3行 C列（三级指标）：不支持公式（=SUM(A1:A3)），请把公式粘贴为数值或文字"]


def test_a_too_long_text_is_an_error():
    errors = _refused(_xlsx([["产出指标", "数量指标", "长" * 201, "", "", ""]]))
    assert errors == ["工作表“指标库”第2行 C列（三级指标）：文字过长（201 个字符，最多 200 个）"]


def test_the_same_indicator_twice_is_an_error():
    errors = _refused(_xlsx([NEW, NEW]))
    assert errors == ["工作表“指标库”第3行：与工作表“指标库”第2行重复（一级、二级、三级指标都相同）"]


def test_a_placeholder_is_not_an_indicator():
    errors = _refused(_xlsx([["产出指标", "数量指标", "……", "", "", ""]]))
    assert errors == ["工作表“指标库”第2行 C列（三级指标）：“……”是占位符，不是指标"]


def test_a_text_file_renamed_xlsx_is_refused():
    errors = _refused(b"\xe4\xb8\x80\xe7\xba\xa7\xe6\x8c\x87\xe6\xa0\x87,plain text\n", "指标库.xlsx")
    assert errors == ["文件“指标库.xlsx”不是有效的 Excel（.xlsx）文件"]


def test_another_file_type_is_refused():
    assert _refused(b"whatever", "指标库.xls") == ["文件“指标库.xls”：只支持 .xlsx 和 .csv（旧版 .xls 请在 Excel 中另存为 .xlsx）"]


def _bomb(uncompressed_mb):
    """A valid .xlsx whose one sheet expands to `uncompressed_mb` MB of repeated rows."""
    row = "<row><c t=\"inlineStr\"><is><t>产出指标</t></is></c></row>".encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b"<worksheet><sheetData>")
            chunk = row * (1024 * 1024 // len(row))
            for _ in range(uncompressed_mb):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def test_an_xlsx_that_expands_to_a_huge_sheet_is_refused_before_parsing():
    content = _bomb(60)
    assert len(content) < 5 * 1024 * 1024

    assert _refused(content) == ["文件“指标库.xlsx”解压后超过 50 MB，不像是一个指标库表格，未读取"]


def test_a_file_over_5_mb_is_refused():
    upload = SimpleUploadedFile("指标库.csv", b"x" * (5 * 1024 * 1024 + 1))
    assert _refused(upload, "指标库.csv") == ["文件“指标库.csv”超过 5 MB 的上限"]


def test_more_than_10000_rows_is_an_error():
    rows = [["产出指标", "数量指标", f"指标{index}", "", "", ""] for index in range(10_001)]
    assert _refused(_csv(rows), "library.csv") == ["文件“library.csv”：超过 10000 行，请分成几个文件导入"]


def test_a_broken_xlsx_with_a_valid_zip_is_refused_without_a_crash():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-closed")
    assert _refused(buffer.getvalue()) == ["文件“指标库.xlsx”不是有效的 Excel（.xlsx）文件"]


# --- the starter library ------------------------------------------------------------------

def test_the_demo_library_is_the_fixture_file():
    entries = yaml.safe_load(LIBRARY_FILE.read_text(encoding="utf-8"))
    expected = sorted(
        (e["一级指标"], e["二级指标"], e["三级指标"], e.get("指标解释", ""), e.get("建议指标值", ""), e.get("取值依据", ""))
        for e in entries
    )
    assert len(entries) == 152
    assert _library() == expected


def test_loading_the_starter_library_again_keeps_what_an_administrator_changed():
    from declarations.services.demo import demo_load

    LibraryIndicator.objects.filter(name="信访费用支出").update(suggested_value="≤170万元")
    LibraryIndicator.objects.filter(name="有效化解信访完成率").delete()

    demo_load()

    assert LibraryIndicator.objects.get(name="信访费用支出").suggested_value == "≤170万元"
    assert LibraryIndicator.objects.filter(name="有效化解信访完成率").exists()


def test_the_fixture_previews_without_errors():
    assert library_preview(library_read_yaml(LIBRARY_FILE))["errors"] == []


# --- command ------------------------------------------------------------------------------

def test_import_library_prints_the_preview_and_writes_nothing_without_apply(tmp_path, capsys):
    path = tmp_path / "指标库.xlsx"
    path.write_bytes(_xlsx([NEW, CHANGED]))
    before = _library()

    call_command("import_library", str(path))

    out = capsys.readouterr().out
    assert "工作表“指标库”：新增 1 条，更新 1 条，0 条不变，0 处错误" in out
    assert "+ 工作表“指标库”第2行 产出指标 / 数量指标 / 信访事项办结数（≥500件）" in out
    assert "建议指标值：≤185万元 → ≤180万元" in out
    assert "仅预览，未写入" in out
    assert _library() == before


def test_import_library_with_apply_writes_the_library(tmp_path, capsys):
    path = tmp_path / "library.csv"
    path.write_bytes(_csv([NEW, CHANGED]))

    call_command("import_library", str(path), "--apply")

    assert "已导入指标库：新增 1 条，更新 1 条" in capsys.readouterr().out
    assert LibraryIndicator.objects.get(name="信访费用支出").suggested_value == "≤180万元"


def test_import_library_with_errors_fails_and_writes_nothing(tmp_path):
    path = tmp_path / "指标库.xlsx"
    path.write_bytes(_xlsx([NEW, ["产出指标", "数量指标", "", "", "", ""]]))
    before = _library()

    with pytest.raises(CommandError, match="有 1 处错误，什么也没有导入"):
        call_command("import_library", str(path), "--apply", stdout=io.StringIO())

    assert _library() == before


# --- admin --------------------------------------------------------------------------------

@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.get(username="admin"))
    return client


def _upload(client, content, name="指标库.xlsx"):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, content)})


def _payload(response):
    return re.search(r'name="payload" value="([^"]+)"', response.text).group(1)


def test_the_library_changelist_links_to_the_import(admin_client):
    response = admin_client.get(reverse("admin:indicators_libraryindicator_changelist"))
    assert f'href="{reverse(IMPORT_URL)}"' in response.text and "导入指标库" in response.text


def test_an_administrator_uploads_previews_and_confirms(admin_client):
    assert admin_client.get(reverse(IMPORT_URL)).status_code == 200

    preview = _upload(admin_client, _xlsx([NEW, CHANGED]))

    assert preview.status_code == 200
    assert "工作表“指标库”：新增 1 条，更新 1 条，0 条不变" in preview.text
    assert "信访事项办结数" in preview.text and "≤180万元" in preview.text
    assert not LibraryIndicator.objects.filter(name="信访事项办结数").exists()

    done = admin_client.post(reverse(IMPORT_URL), {"payload": _payload(preview)})

    assert done.status_code == 302 and done.url == reverse("admin:indicators_libraryindicator_changelist")
    assert LibraryIndicator.objects.filter(name="信访事项办结数").exists()
    assert LibraryIndicator.objects.get(name="信访费用支出").suggested_value == "≤180万元"


def test_a_preview_with_errors_has_no_confirm_button(admin_client):
    response = _upload(admin_client, _xlsx([["产出指标", "数量指标", "", "", "", ""]]))

    assert "第2行 C列（三级指标）：不能为空" in response.text
    assert 'name="payload"' not in response.text


def test_a_tampered_payload_is_refused(admin_client):
    payload = _payload(_upload(admin_client, _xlsx([NEW])))
    count = LibraryIndicator.objects.count()

    response = admin_client.post(reverse(IMPORT_URL), {"payload": payload[:-2] + "xx"}, follow=True)

    assert "导入内容无法核对，请重新上传文件" in response.text
    assert LibraryIndicator.objects.count() == count


@pytest.mark.parametrize("username", ["zunhua-xfj", "zunhua-czj"])
def test_fillers_and_reviewers_are_sent_to_the_admin_login(client, username):
    client.force_login(User.objects.get(username=username))
    payload = "x"

    for response in (
        client.get(reverse(IMPORT_URL)),
        client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile("指标库.xlsx", _xlsx([NEW]))}),
        client.post(reverse(IMPORT_URL), {"payload": payload}),
    ):
        assert response.status_code == 302 and reverse("admin:login") in response.url
    assert not LibraryIndicator.objects.filter(name="信访事项办结数").exists()


def test_staff_without_library_permissions_get_403(client):
    user = User.objects.get(username="zunhua-czj")
    user.is_staff = True
    user.save()
    client.force_login(user)

    assert client.get(reverse(IMPORT_URL)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302 and reverse("admin:login") in response.url
