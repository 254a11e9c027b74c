"""The 东莞市 (Guangdong) 财政项目支出绩效目标批复表, a definition only: the published table's data,
imported and exported as PDF and Excel, prints the table's cells and nothing it does not state."""
from pathlib import Path

import pytest
import yaml

from declarations.exports.builders import load_document_data
from declarations.exports.layouts import get_layout
from declarations.exports.registry import export_document
from declarations.models import Unit
from declarations.services.importing import document_import

from .export_text import pdf_text, xlsx_text
from .table_text import coverage as table_coverage
from .table_text import table_cells, table_lines, unstated_values

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
SOURCE = HERE / "tables" / "guangdong-dongguan-2019-jiaotong-pifubiao.txt"
DOCUMENT = HERE / "documents" / "guangdong.yaml"


def source_lines():
    return table_lines(SOURCE)


@pytest.fixture
def imported():
    document_import(data=yaml.safe_load(DOCUMENT.read_text(encoding="utf-8")))
    return Unit.objects.get(name="东莞市交通运输局"), 2019


def coverage(text):
    return table_coverage(table_cells(source_lines()), text)


def test_the_pdf_prints_the_cells_of_the_published_table(imported):
    unit, year = imported
    _name, _type, content = export_document(unit=unit, year=year, fmt="pdf")
    share, missing = coverage(pdf_text(content))
    assert share >= 0.97, f"{share:.1%} of the cells; missing: {missing}"


def test_the_workbook_prints_the_cells_of_the_published_table(imported):
    unit, year = imported
    _name, _type, content = export_document(unit=unit, year=year, fmt="xlsx")
    share, missing = coverage(xlsx_text(content))
    assert share >= 0.97, f"{share:.1%} of the cells; missing: {missing}"


def test_no_value_is_printed_that_the_table_does_not_state(imported):
    unit, year = imported
    data = load_document_data(unit, year)
    document = get_layout(data.layout).document(data)
    assert unstated_values(document, "\n".join(source_lines())) == []


def test_the_mid_term_and_annual_blocks_sit_side_by_side_sharing_the_first_level(imported):
    unit, year = imported
    data = load_document_data(unit, year)
    table = get_layout(data.layout).document(data).blocks[0]
    rows = table.parts[-1].rows
    texts = lambda row: [cell.text for cell in row]  # noqa: E731
    assert texts(rows[0]) == ["", "预期产出指标", "数量指标（或建筑规模指标）", "镇街补助款完成结算项目数", "3",
                              "数量指标（或建筑规模指标）", "镇街补助款完成结算项目数", "3"]
    assert texts(rows[2]) == ["时效指标（工期指标）", "结算款支付及时性", "及时",
                              "时效指标（工期指标、形象进度指标）", "结算款支付及时性", "及时"]
    # The capture ends here: the mid-term 三级 without a value, no annual block.
    assert texts(rows[-1]) == ["可持续影响指标", "实现建设总目标控制程度", "", "", "", ""]
    assert rows[0][1].rowspan == 4 and rows[4][0].text == "效果指标" and rows[4][0].rowspan == 2
    assert sum(cell.colspan for cell in rows[0]) == len(table.column_widths)


def test_the_indicator_editor_shows_the_layouts_captions(client, imported):
    from django.urls import reverse

    from accounts.models import User
    from declarations.models import ProjectDeclaration

    project = ProjectDeclaration.objects.get(unit__name="东莞市交通运输局", year__year=2019)
    user = User.objects.get(username="admin")
    user.must_change_password = False
    user.save()
    client.force_login(user)
    page = client.get(reverse("project_step", args=[project.pk, "indicators"]))
    assert page.status_code == 200
    groups = page.context["grid"]["groups"]  # the grid's group headers
    shown = {g["category"] for g in groups} | {g["name"] for g in groups}
    assert {"预期产出指标", "效果指标", "数量指标", "预算（或投资规模）控制指标"} <= shown
    form = client.get(reverse("project_step", args=[project.pk, "indicators"]) + "?form=1")
    assert all(caption in form.text for caption in ("预期产出指标", "效果指标", "数量指标", "预算（或投资规模）控制指标"))
