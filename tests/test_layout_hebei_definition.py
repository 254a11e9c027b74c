"""The interpreter's document blocks, collections across the grid, percent cells and the numeral
filter, each on a tiny definition run over 遵化's demo data (the constructs the Hebei booklet uses)."""
import pytest

from declarations.exports.builders import load_document_data
from declarations.exports.document import Heading, Paragraph, Table, TitlePage, Toc, TocEntry
from declarations.exports.interpreter import DefinedLayout, DefinitionError, spread
from declarations.exports.layouts import get_layout

PROJECT = {
    "title": "{{ number }}.{{ project.name }}",
    "columns": [10, 10, 10, 10, 10, 10, 10],
    "parts": [],
}


def layout(blocks=(), *, department=None, project=PROJECT):
    document = {"blocks": list(blocks)}
    if department is not None:
        document["department"] = {"blocks": department}
    return DefinedLayout({"code": "test", "document": document, "tables": {"project": project}})


@pytest.fixture
def data(zunhua_unit):
    return load_document_data(zunhua_unit, 2024)


def test_a_title_page_prints_its_lines_and_its_footer_lines(data):
    spec = {"title_page": ["{{ unit.name }}", "{{ year }} 年"], "footer": ["{{ bureau.name }}"]}
    (page,) = layout([spec]).document(data).blocks
    assert page == TitlePage(lines=["遵化市信访局", "2024 年"], footer_lines=["遵化市财政局"])


def test_a_table_of_contents_lists_the_headings_and_tables_after_it_that_name_an_entry(data):
    blocks = layout([
        {"heading": "前言", "toc": True},
        {"toc": "目 录"},
        {"heading": "第一部分", "level": 0, "anchor": "p1", "toc": "第一部分 总则"},
        {"heading": "不列入"},
        {"heading": "一、目标", "anchor": "p1-1", "toc": True},
        {"projects": {"toc": True}},
    ]).document(data).blocks
    toc = next(block for block in blocks if isinstance(block, Toc))
    assert toc.title == "目 录"
    assert toc.entries[:2] == [TocEntry("第一部分 总则", "p1", level=0), TocEntry("一、目标", "p1-1", level=1)]
    assert toc.entries[2:] == [
        TocEntry("1.驻京信访工作经费", "project-1"), TocEntry("2.信访群众工作中心办公费", "project-2"),
        TocEntry("3.信访维稳专项工作经费", "project-3"),
    ]


def test_a_heading_has_its_level_anchor_and_page_break_and_a_block_with_a_blank_when_is_left_out(data):
    blocks = layout([
        {"heading": "第二部分", "level": 0, "anchor": "part-2", "new_page": True},
        {"heading": "{{ unit.name }}", "when": "{{ unit.no_such_field }}"},
    ]).document(data).blocks
    assert blocks == [Heading("第二部分", level=0, anchor="part-2", new_page=True)]


def test_paragraphs_split_a_text_field_into_paragraphs_each_bound_with_its_place(data):
    department = data.department
    department.overall_goal = "第一段。\n\n第二段。"
    blocks = layout(["department"], department=[{"paragraphs": "overall_goal"}]).document(data).blocks
    assert blocks == [
        Paragraph("第一段。", bind=f"department:{department.pk}:overall_goal#0"),
        Paragraph("第二段。", bind=f"department:{department.pk}:overall_goal#1"),
    ]


def test_blocks_repeat_for_each_item_numbered_with_the_numeral_filter_and_bound_after_their_prefix(data):
    each = {
        "each": "department.sub_goals", "as": "goal",
        "blocks": [
            {"heading": "（{{ counter|numeral }}）{{ goal.title }}", "level": 2, "bind": "title",
             "bind_prefix": "（{{ counter|numeral }}）"},
            {"paragraph": "绩效目标：{{ goal.goal }}（共{{ count }}项）", "bind": "goal", "bind_prefix": "绩效目标："},
        ],
    }
    blocks = layout(["department"], department=[each]).document(data).blocks
    goals = list(data.department.sub_goals.all())
    assert len(blocks) == 2 * len(goals) == 8
    assert blocks[0] == Heading(f"（一）{goals[0].title}", level=2, bind=f"subgoal:{goals[0].pk}:title",
                                bind_prefix="（一）")
    assert blocks[6].text == f"（四）{goals[3].title}"
    # A composed paragraph is not the stored value after its prefix: it prints, unbound.
    assert blocks[1] == Paragraph(f"绩效目标：{goals[0].goal}（共4项）")


def test_the_numeral_filter_counts_past_ten_and_prints_other_numbers_as_they_are(data):
    line = "{{ 12|numeral }} {{ 20|numeral }} {{ 0|numeral }} {{ 100|numeral }} {{ unit.name|numeral }}"
    spec = {"title_page": [line]}
    (page,) = layout([spec]).document(data).blocks
    assert page.lines == ["十二 二十 0 100 遵化市信访局"]


def test_project_tables_take_a_page_break_flag_rendered_with_their_number(data):
    blocks = layout([{"projects": {"new_page": "{% if number > 1 %}yes{% endif %}"}}]).document(data).blocks
    assert [(type(block), block.new_page) for block in blocks] == [(Table, False), (Table, True), (Table, True)]


def test_a_collection_across_the_grid_spreads_its_items_over_the_columns_a_row_per_entry(data):
    project = dict(PROJECT, parts=[{"rows": [{
        "across": "project.spending_plan", "as": "step", "span": 6,
        "first": [{"label": "资金支出计划（%）", "rowspan": 2}],
        "rows": [{"label": "{{ step.label }}"}, {"percent": "percent"}],
    }]}])
    table = layout(["projects"], project=project).document(data).blocks[0]
    labels, percents = table.parts[0].rows
    assert [(c.text, c.colspan, c.rowspan) for c in labels] == [
        ("资金支出计划（%）", 1, 2), ("3月底", 2, 1), ("6月底", 2, 1), ("10月底", 1, 1), ("12月底", 1, 1),
    ]
    steps = list(data.projects[0].spending_plan.all())
    assert [(c.text, c.colspan, c.bind) for c in percents] == [
        (text, span, f"spendingcheckpoint:{step.pk}:percent")
        for text, span, step in zip(["30%", "60%", "90%", "100%"], [2, 2, 1, 1], steps)
    ]


def test_a_collection_across_the_grid_without_items_prints_its_else_rows(data):
    project = dict(PROJECT, parts=[{"rows": [{
        "across": "project.no_such_collection", "span": 6, "rows": [{"label": "x"}],
        "else": [[{"label": "无计划", "span": 7}]],
    }]}])
    table = layout(["projects"], project=project).document(data).blocks[0]
    assert [[c.text for c in row] for row in table.parts[0].rows] == [["无计划"]]


def test_spread_gives_the_first_cells_the_extra_columns():
    assert spread(4, 6) == [2, 2, 1, 1]
    assert spread(3, 6) == [2, 2, 2]
    assert spread(5, 6) == [2, 1, 1, 1, 1]


def test_the_department_document_of_a_layout_with_department_blocks_prints_those_blocks(data):
    department = [{"heading": "部门整体", "toc": True}, {"paragraph": "{{ department.printed_name }}"}]
    document = layout(["department"], department=department).department_document(data)
    assert document.blocks == [Heading("部门整体"), Paragraph("遵化市信访局")]


def test_an_unknown_block_names_the_keys_a_block_may_have(data):
    with pytest.raises(DefinitionError, match="title_page"):
        layout([{"chart": "x"}]).document(data)


def test_the_packaged_hebei_booklet_opens_with_its_title_page_and_contents(data):
    blocks = get_layout("hebei").document(data).blocks
    assert isinstance(blocks[0], TitlePage) and blocks[0].footer_lines == ["遵化市信访局编制", "遵化市财政局"]
    toc = blocks[1]
    assert [entry.anchor for entry in toc.entries] == [
        "part-1", "part-1-1", "part-1-2", "part-1-3", "part-2", "project-1", "project-2", "project-3",
    ]
