"""The interpreter's indicator terms side by side (`side_by_side`) and printed 二级 captions
(`subcategory_label`), each on a tiny definition and the Hubei demo department (长期 and 年度)."""
import pytest

from declarations.exports.builders import load_document_data
from declarations.exports.interpreter import DefinedLayout
from declarations.models import Unit

pytestmark = pytest.mark.django_db

PROJECT_TABLE = {"title": "{{ project.name }}", "columns": [10], "parts": []}


def indicator_part(data, **indicators):
    spec = {"header": [[{"label": "指标"}]], "cells": [{"text": "name"}, {"field": "value"}], **indicators}
    layout = DefinedLayout({
        "code": "t",
        "tables": {"department": {"columns": [10] * 8, "parts": [{"indicators": spec}]}, "project": PROJECT_TABLE},
    })
    return layout.department_blocks(data)[0].parts


def test_side_by_side_terms_share_the_first_level_and_take_the_rows_of_their_longest_term():
    data = load_document_data(Unit.objects.get(name="阳新县信访局"), 2026)
    indicators = list(data.department.indicators.all())
    parts = indicator_part(data, terms=["long", "annual"], side_by_side=True,
                           subcategory_label="{{ term }}:{{ subcategory.name }}")
    assert len(parts) == 1
    rows = parts[0].rows
    per_sub = {}
    for indicator in indicators:
        per_sub.setdefault(indicator.subcategory_id, {"long": 0, "annual": 0})[indicator.term] += 1
    assert len(rows) == sum(max(counts.values()) for counts in per_sub.values())
    first = next(i for i in indicators if i.term == "long")
    row = rows[0]
    assert row[0].text == first.subcategory.category.name and row[0].rowspan > 1
    assert row[1].text == f"long:{first.subcategory.name}" and row[2].text == first.name
    assert row[2].bind == f"indicator:{first.pk}:name"
    assert row[4].text.startswith("annual:") or row[4].text == ""
    # a row: the 一级 (first of its 一级), each term's 二级 (first of its 二级), each term's two cells
    assert len(row) == 7 and {len(r) for r in rows} <= {4, 6, 7}


def test_a_subcategory_label_template_names_the_second_level_in_an_ordinary_part():
    data = load_document_data(Unit.objects.get(name="阳新县信访局"), 2026)
    parts = indicator_part(data, terms=["annual"], subcategory_label="【{{ subcategory.label }}】")
    assert parts[0].rows[0][1].text.startswith("【") and parts[0].rows[0][1].text.endswith("】")
