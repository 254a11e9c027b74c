"""The 监控表 and 自评表 print in the layout as data (PDF and Excel, every entered value) and
round-trip through Excel."""
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from evaluation import exports, services, tables
from evaluation.models import MonitoringReport

from ..export_text import flat, pdf_text
from .conftest import fill_self_evaluation, values_by_name

pytestmark = pytest.mark.django_db
ENTERED = {"reached_value": "72%", "expected_value": "88%", "deviation_text": "上半年集中化解积案",
           "note": "已约谈承办单位", "likelihood": "possible", "deviation_cause": "staff"}


@pytest.fixture
def filled_report(report, filler):
    value = values_by_name(report)["信访事项按期结案率"]
    services.monitoring_report_save(report=report, user=filler, version=report.version,
                                    executed_amount=Decimal("98.5"), rows={value.pk: ENTERED})
    return MonitoringReport.objects.get(pk=report.pk)


def _cells(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[book.sheetnames[0]]
    return sheet, {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}


def test_the_monitoring_pdf_holds_every_entered_value(filled_report):
    _name, _type, content = exports.render(tables.monitoring_data(filled_report), "pdf")
    text = flat(pdf_text(content))
    for expected in ["项目支出绩效目标执行监控表", "（2024年1-7月）", "驻京信访工作经费", "98.50", "45.6%", "60%",
                     "72%", "88%", "人员保障", "上半年集中化解积案", "有可能", "已约谈承办单位",
                     "未达到目标值（完成80.00%）"]:
        assert flat(expected) in text, expected


def test_the_monitoring_workbook_holds_every_entered_value(filled_report):
    _name, _type, content = exports.render(tables.monitoring_data(filled_report), "xlsx")
    sheet, cells = _cells(content)
    assert sheet.title == "运行监控"
    assert {"72%", "88%", "人员保障", "上半年集中化解积案", "有可能", "已约谈承办单位", "98.5", "45.6%"} <= cells


def test_the_self_evaluation_pdf_and_workbook_hold_the_scores(evaluation, filler):
    fill_self_evaluation(evaluation, filler, reached={"信访事项按期结案率": "72%"}, executed="194.4")
    data = tables.self_evaluation_data(evaluation)
    text = flat(pdf_text(exports.render(data, "pdf")[2]))
    for expected in ["项目支出绩效自评表", "（2024年度）", "年初预算数", "216.00", "194.40", "90%", "72%", "12.5", "10",
                     "总分", "自评等级：中"]:
        assert flat(expected) in text, expected
    _sheet, cells = _cells(exports.render(data, "xlsx")[2])
    assert {"72%", "12.5", "自评等级：中", "66.5"} <= cells


def test_the_monitoring_indicator_rows_merge_their_categories_down(filled_report):
    table = exports.document(tables.monitoring_data(filled_report)).tables[0]
    body = table.parts[1].rows
    assert body[1][0].text == "产出指标" and body[1][0].rowspan == 4
    assert body[2][0].text == "质量指标"  # the 一级 merged down: the row starts with its 二级


def test_a_bureau_layout_may_define_its_own_monitoring_table(filled_report):
    custom = {"code": "custom", "tables": {"monitoring": {
        "title": "某市运行监控表", "sheet_name": "监控", "columns": [1, 1],
        "parts": [{"rows": [[{"label": "执行数"}, {"money": "executed_amount"}]]}]}}}

    class Layout:
        code, version, definition = "custom", 1, custom

    table = exports.document(tables.monitoring_data(filled_report), Layout()).tables[0]
    assert table.title == "某市运行监控表" and table.parts[0].rows[0][1].text == "98.50"


def _download(client, url):
    response = client.get(url)
    return b"".join(response.streaming_content) if response.streaming else response.content


def _edit(content, changes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet_name, coordinate, new in changes:
        book[sheet_name][coordinate] = new
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _find(content, text):
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[book.sheetnames[0]]
    return next(c.coordinate for row in sheet.iter_rows() for c in row if c.value == text)


def test_an_edited_monitoring_workbook_imports_back(client, filler, filled_report):
    client.force_login(filler)
    content = _download(client, reverse("monitoring_export", args=[filled_report.pk, "xlsx"]))
    edited = _edit(content, [("运行监控", _find(content, "72%"), "75%"),
                             ("运行监控", _find(content, "人员保障"), "经费保障")])
    upload = io.BytesIO(edited)
    upload.name = "edited.xlsx"
    response = client.post(reverse("monitoring_import", args=[filled_report.pk]), {"file": upload}, follow=True)
    body = response.content.decode()
    assert "已导入，更新了 2 个单元格" in body, [line for line in body.splitlines() if "alert" in line]
    value = values_by_name(filled_report)["信访事项按期结案率"]
    assert (value.reached_value, value.deviation_cause) == ("75%", "funding")


def test_a_wrong_cell_names_sheet_row_and_column_and_changes_nothing(client, filler, filled_report):
    client.force_login(filler)
    content = _download(client, reverse("monitoring_export", args=[filled_report.pk, "xlsx"]))
    where = _find(content, "有可能")
    edited = _edit(content, [("运行监控", where, "大概吧"), ("运行监控", _find(content, "72%"), "75%")])
    upload = io.BytesIO(edited)
    upload.name = "edited.xlsx"
    body = client.post(reverse("monitoring_import", args=[filled_report.pk]), {"file": upload},
                       follow=True).content.decode()
    row, column = openpyxl.utils.cell.coordinate_from_string(where)[1], openpyxl.utils.column_index_from_string(
        openpyxl.utils.cell.coordinate_from_string(where)[0])
    assert f"工作表“运行监控”第 {row} 行第 {column} 列（{where}）：“大概吧”不是可选项" in body
    assert values_by_name(filled_report)["信访事项按期结案率"].reached_value == "72%"


def test_a_stale_workbook_is_refused(client, filler, filled_report):
    client.force_login(filler)
    content = _download(client, reverse("monitoring_export", args=[filled_report.pk, "xlsx"]))
    services.monitoring_report_save(report=filled_report, user=filler, version=filled_report.version,
                                    executed_amount=Decimal("99"), rows={})
    upload = io.BytesIO(_edit(content, [("运行监控", _find(content, "72%"), "75%")]))
    upload.name = "edited.xlsx"
    body = client.post(reverse("monitoring_import", args=[filled_report.pk]), {"file": upload},
                       follow=True).content.decode()
    assert "已过期" in body


def test_an_edited_self_evaluation_workbook_imports_back(client, filler, evaluation):
    fill_self_evaluation(evaluation, filler, reached={"信访事项按期结案率": "72%"})
    client.force_login(filler)
    content = _download(client, reverse("self_evaluation_export", args=[evaluation.pk, "xlsx"]))
    upload = io.BytesIO(_edit(content, [("绩效自评", _find(content, "72%"), "91%")]))
    upload.name = "edited.xlsx"
    client.post(reverse("self_evaluation_import", args=[evaluation.pk]), {"file": upload})
    assert values_by_name(evaluation)["信访事项按期结案率"].reached_value == "91%"


def test_the_published_files_come_from_the_snapshot(client, filler, reviewer, evaluation,
                                                   django_capture_on_commit_callbacks):
    fill_self_evaluation(evaluation, filler)
    services.self_evaluation_submit(evaluation=evaluation, user=filler)
    value = values_by_name(evaluation)["处置极端突发信访事件"]
    services.self_evaluation_judge(evaluation=evaluation, user=reviewer, judgements={value.pk: ("", Decimal("25"))})
    services.self_evaluation_approve(evaluation=evaluation, user=reviewer)
    value.reached_value = "已改动"
    with django_capture_on_commit_callbacks(execute=True):  # the files' job, after the commit
        services.self_evaluation_publish(evaluation=evaluation, user=reviewer)
        value.save()  # a live edit after the snapshot, before the worker renders
    publication = evaluation.publications.get()
    text = flat(pdf_text(_download(client, reverse("public_self_evaluation_file", args=[publication.pk, "pdf"]))))
    assert flat("自评等级：优") in text and "已改动" not in text


def test_a_bureau_layout_may_define_its_own_monitoring_and_self_evaluation_tables():
    """The admin's schema check lets an administrator write both tables into a layout as data."""
    from pathlib import Path

    import yaml

    from declarations.services.layouts import schema_errors

    default = yaml.safe_load((Path(__file__).resolve().parents[2] / "evaluation" / "definitions"
                              / "national-evaluation.yaml").read_text(encoding="utf-8"))
    assert schema_errors(default) == []
    definition = yaml.safe_load((Path(__file__).resolve().parents[2] / "declarations" / "exports" / "definitions"
                                 / "hebei.yaml").read_text(encoding="utf-8"))
    definition["tables"].update(default["tables"])
    assert schema_errors(definition) == []
