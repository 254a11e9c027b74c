"""The interpreter constructs the Jiangsu definition brought: each on a tiny definition."""
from decimal import Decimal

import pytest

from declarations.exports.builders import load_document_data
from declarations.exports.document import bind
from declarations.exports.interpreter import DefinedLayout
from declarations.models import Unit

pytestmark = pytest.mark.django_db


def layout(rows=(), indicators=None, **top):
    parts = [{"rows": list(rows)}]
    if indicators is not None:
        parts.append({"indicators": indicators})
    return DefinedLayout({
        "code": "test", "amounts": {"decimals": None}, **top,
        "document": {"blocks": ["department"]},
        "tables": {"department": {"columns": [10, 10, 10, 10], "parts": parts}},
    })


def data_of(name, year):
    return load_document_data(Unit.objects.get(name=name), year)


def table(definition, data):
    return definition.document(data).blocks[0]


def test_a_lines_cell_sums_the_lines_of_its_direction_and_kinds_and_binds_the_only_line():
    data = data_of("阳新县信访局", 2026)
    lines = {line.kind: line for line in data.department.money_lines.all()}
    rows = table(layout([[
        {"lines": "income", "kinds": ["fiscal_general"], "suffix": "万元"},
        {"lines": "expense", "kinds": ["personnel", "operating"], "span": 2},
        {"lines": "expense"},
    ]]), data).parts[0].rows
    one, two, every = rows[0]
    assert (one.text, one.bind) == ("374.13万元", bind(lines["fiscal_general"], "amount"))
    assert (two.number, two.colspan, two.bind) == (Decimal("341.13"), 2, "")
    assert every.number == Decimal("374.13")


def test_a_lines_cell_sums_another_column_and_prints_blank_without_lines():
    data = data_of("如皋市信访局", 2024)
    row = table(layout([[
        {"lines": "expense", "kinds": ["basic"], "column": "half_year_amount"},
        {"lines": "income", "kinds": ["carryover"]},
        {"lines": "income", "kinds": ["fiscal_general"], "bind": False},
    ]]), data).parts[0].rows[0]
    basic = next(line for line in data.department.money_lines.all() if line.kind == "basic")
    assert (row[0].text, row[0].bind) == ("433.46", bind(basic, "half_year_amount"))
    assert (row[1].text, row[1].number) == ("", None)
    assert (row[2].text, row[2].bind) == ("1051.92", "")


def test_a_kind_without_lines_is_summed_from_its_kind_parts():
    cells = [[{"lines": "expense", "kinds": ["project"]}]]
    parted = layout(cells, kind_parts={"project": ["personnel", "operating", "specific"]})
    assert table(parted, data_of("阳新县信访局", 2026)).parts[0].rows[0][0].text == "374.13"
    assert table(layout(cells), data_of("阳新县信访局", 2026)).parts[0].rows[0][0].text == ""
    # A kind with lines of its own is not summed from its parts.
    assert table(parted, data_of("如皋市信访局", 2024)).parts[0].rows[0][0].text == "185"


def test_a_group_of_rows_puts_its_lead_cell_down_all_of_them_nested_or_not():
    rows = table(layout([
        {"lead": {"label": "外"}, "rows": [
            {"lead": {"label": "内"}, "rows": [[{"label": "一"}], [{"label": "二"}]]},
            {"rows": [[{"label": "三"}]]},
            {"when": "", "cells": [{"label": "不印"}]},
        ]},
    ]), data_of("如皋市信访局", 2024)).parts[0].rows
    assert [[(c.text, c.rowspan) for c in row] for row in rows] == [
        [("外", 3), ("内", 2), ("一", 1)], [("二", 1)], [("三", 1)],
    ]


def test_an_indicator_part_lead_cell_runs_down_all_its_rows():
    data = data_of("如皋市信访局", 2024)
    spec = {"header": [[{"label": "指标"}]], "cells": [{"text": "name"}]}
    plain = table(layout(indicators=spec), data).parts[1].rows
    led = table(layout(indicators={**spec, "lead": {"label": ""}}), data).parts[1].rows
    assert (led[0][0].text, led[0][0].kind, led[0][0].rowspan) == ("", "label", len(plain))
    assert [led[0][1:], *led[1:]] == plain and len(plain) > 1


def test_the_first_cell_list_whose_condition_prints_is_chosen():
    data = data_of("如皋市信访局", 2024)
    related = next(i for i in data.department.indicators.all() if i.related_project)
    choose = {"choose": [
        {"when": "{% if indicator.related_project %}yes{% endif %}",
         "cells": [{"text": "name"}, {"prose": "{{ indicator.related_project }}"}]},
        {"cells": [{"text": "name", "span": 2}]},
    ]}
    rows = table(layout(
        [{"cells": {"choose": [{"when": "", "cells": [{"label": "否"}]}, {"cells": [{"label": "是"}]}]}}],
        indicators={"header": [], "cells": choose},
    ), data).parts
    assert rows[0].rows == [[rows[0].rows[0][0]]] and rows[0].rows[0][0].text == "是"
    split = [row for row in rows[1].rows if any(c.text == related.related_project for c in row)]
    assert split and [c.colspan for c in split[0][-2:]] == [1, 1] and split[0][-1].bind == ""
    whole = [row for row in rows[1].rows if row[-1].colspan == 2]
    assert whole and whole[0][-1].bind.endswith(":name")


def test_bind_when_binds_a_cell_only_when_its_condition_prints_and_the_standalone_flag_is_such_a_condition():
    definition = layout([{"each": "projects", "as": "project", "cells": [
        {"money": "budget", "bind_when": "{% if standalone %}yes{% endif %}"},
        {"prose": "项目 {{ counter }}：{{ project.name }}", "bind": "name", "bind_prefix": "项目 {{ counter }}：",
         "bind_when": "{% if standalone or not project.has_table %}yes{% endif %}"},
    ]}])
    data = data_of("如皋市信访局", 2024)
    in_document = table(definition, data).parts[0].rows
    alone = definition.department_document(data).blocks[0].parts[0].rows
    assert len(in_document) == len(data.projects) == 4  # {{ projects }}: every project of the year
    assert all(cell.bind == "" and cell.bind_prefix == "" for row in in_document for cell in row)
    first = data.projects[0]
    assert alone[0][0].bind == bind(first, "budget")
    assert (alone[0][1].text, alone[0][1].bind, alone[0][1].bind_prefix) == (
        f"项目 1：{first.name}", bind(first, "name"), "项目 1：",
    )
