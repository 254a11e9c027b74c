"""The interpreter's constructs the Hubei definition brought: each on a tiny definition and demo data."""
from decimal import Decimal

import pytest

from declarations.exports.builders import load_document_data
from declarations.exports.document import Table
from declarations.exports.interpreter import DefinedLayout
from declarations.models import Unit

pytestmark = pytest.mark.django_db

PROJECT_TABLE = {"title": "{{ project.name }}", "columns": [10, 10], "parts": [{"rows": [[{"label": "项目"}, {"field": "name"}]]}]}


def data_of(name, year):
    return load_document_data(Unit.objects.get(name=name), year)


def department_rows(data, rows):
    layout = DefinedLayout({
        "code": "t",
        "tables": {"department": {"columns": [10] * 6, "parts": [{"rows": rows}]}, "project": PROJECT_TABLE},
    })
    return layout.department_blocks(data)[0].parts[0].rows


def texts(row):
    return [cell.text for cell in row]


def test_a_document_without_a_department_prints_the_blocks_without_department():
    layout = DefinedLayout({
        "code": "t",
        "document": {"blocks": ["department"], "blocks_without_department": ["projects"]},
        "tables": {"department": {"columns": [10], "parts": []}, "project": PROJECT_TABLE},
    })
    without = layout.document(data_of("固原市信访局", 2021))
    assert without.blocks and all(isinstance(b, Table) and b.anchor.startswith("project-") for b in without.blocks)
    with_department = layout.document(data_of("阳新县信访局", 2026))
    assert [b.anchor for b in with_department.blocks] == ["department"]


def test_first_cells_open_the_first_of_the_rows_and_run_down_all_of_them():
    data = data_of("阳新县信访局", 2026)
    rows = department_rows(data, [{
        "first": [{"label": "项目支出情况", "rowspan": "{{ count }}"}],
        "rows": [[{"label": "项目名称"}], {"each": "projects", "as": "project", "cells": [{"field": "name"}]}],
    }])
    assert len(rows) == 1 + len(data.projects) > 1
    assert texts(rows[0]) == ["项目支出情况", "项目名称"] and rows[0][0].rowspan == len(rows)
    assert texts(rows[1]) == [data.projects[0].name] and rows[1][0].bind == f"project:{data.projects[0].pk}:name"


MONEY_CELLS = [{"label": "{{ group.name }}"}, {"sum": "amount", "default": 0}, {"share": "share", "of": "amount"},
               {"sum": "prior_amount_1"}]
TOTAL_CELLS = [{"label": "合计"}, {"sum": "amount", "default": 0}, {"share": "share", "of": "amount"},
               {"sum": "prior_amount_1"}]


def money_rows(data, direction, groups):
    return department_rows(data, [{"money_groups": {
        "lines": "department.money_lines", "where": {"direction": direction}, "groups": groups,
        "cells": MONEY_CELLS, "total": TOTAL_CELLS,
    }}])


def test_a_money_group_of_one_line_prints_its_values_bound_to_the_line():
    data = data_of("阳新县信访局", 2026)
    line = data.department.money_lines.get(kind="fiscal_general")
    rows = money_rows(data, "income", [{"name": "财政拨款", "kinds": ["fiscal_general", "fiscal_fund"]},
                                       {"name": "其他", "kinds": ["special_account", "unit_funds"]}])
    assert texts(rows[0]) == ["财政拨款", "374.13", "100%", "341.70"]
    assert [c.bind for c in rows[0][1:]] == [f"moneyline:{line.pk}:{f}" for f in ("amount", "share", "prior_amount_1")]
    # Two lines make 其他: their sums, unbound.
    assert texts(rows[1]) == ["其他", "0.00", "0%", "0.00"] and not any(c.bind for c in rows[1])
    assert texts(rows[2]) == ["合计", "374.13", "100%", "341.70"] and not any(c.bind for c in rows[2])


def test_money_lines_of_kinds_in_no_group_print_as_rows_of_their_own_before_the_total():
    data = data_of("阳新县信访局", 2026)
    rows = money_rows(data, "expense", [{"name": "人员", "kinds": ["personnel"]}, {"name": "空", "kinds": ["basic"]}])
    assert [r[0].text for r in rows] == ["人员", "空", "运转类项目支出", "特定目标类项目支出", "合计"]
    assert texts(rows[1]) == ["空", "0.00", "0%", ""]
    assert texts(rows[-1])[1] == "374.13"


def test_a_share_not_declared_is_the_groups_part_of_the_total_and_unbound():
    data = data_of("如皋市信访局", 2024)
    rows = money_rows(data, "expense", [{"name": "基本支出", "kinds": ["basic"]}])
    share = (Decimal("866.92") * 100 / Decimal("1051.92")).quantize(Decimal("0.01"))
    assert texts(rows[0]) == ["基本支出", "866.92", f"{share}%", ""] and rows[0][2].bind == ""
    assert rows[0][1].bind  # the amount is the one line's
    assert texts(rows[-1]) == ["合计", "1051.92", "100%", ""]
