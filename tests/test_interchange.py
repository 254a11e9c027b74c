"""The interchange format: declarations as the readable document shape, round trips and diffs."""
import copy
import json
import re
from decimal import Decimal

import pytest

from declarations.models import DepartmentDeclaration, ProjectDeclaration, Unit
from declarations.services.demo import demo_document_paths
from declarations.services.documents import document_load, read_yaml
from declarations.services.interchange import (
    declaration_diff,
    department_to_dict,
    document_to_dict,
    project_to_dict,
)

from .conftest import SEEDS

PROJECT_KEYS = [
    "code", "name", "title_name", "supervising_department", "implementing_unit", "attribute", "level",
    "category", "start_date", "end_date", "period", "period_months", "owner_name", "owner_phone", "budget",
    "fiscal_funds", "other_funds", "carryover_funds", "half_year_plan", "mid_term_total", "purpose", "necessity",
    "feasibility", "content", "legal_basis", "overview", "milestones", "long_term_goal", "annual_goal", "goal_items",
    "spending_plan", "money", "indicators", "table", "filler_name", "filler_phone", "checker_name", "head_name",
    "fill_date", "unit_name_stated",
]
DEPARTMENT_KEYS = [
    "department_name", "compiled_by", "functions", "organisation", "overall_goal", "sub_goals", "safeguards",
    "long_term_goal", "long_term_end_year", "annual_goal", "annual_goal_brief", "annual_tasks", "filler_name",
    "filler_phone", "checker_name", "head_name", "fill_date", "unit_name_stated", "money", "indicators",
]
INDICATOR_KEYS = [
    "category", "subcategory", "name", "description", "value", "half_value", "basis", "standard", "weight",
    "indicator_class", "prior_values", "related_project", "printed_unit", "term",
]
MONEY_KEYS = ["direction", "kind", "label", "parent", "amount", "half_year", "share", "prior"]


def _document(seed, unit=None):
    name, year = SEEDS[seed]
    return document_to_dict(unit or Unit.objects.get(name=name), year)


def _as_copy(document):
    data = copy.deepcopy(document)
    data["unit"]["name"] += "（副本）"
    data["unit"]["code"] = f"{data['unit']['code']}-copy"
    return data


def _all_indicators(document):
    rows = list((document["department"] or {}).get("indicators", []))
    for project in document["projects"]:
        rows += project["indicators"]
    return rows


# --- round trip -----------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS)
def test_a_document_loaded_as_a_new_unit_serialises_to_the_same_document(seed):
    original = _document(seed)
    data = _as_copy(original)

    result = document_load(data=json.loads(json.dumps(data)))

    assert result.created
    again = document_to_dict(result.unit, original["year"])
    assert again["unit"]["name"] == original["unit"]["name"] + "（副本）"
    assert again == data


@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS)
def test_a_document_is_plain_json(seed):
    document = _document(seed)

    assert json.loads(json.dumps(document, ensure_ascii=False)) == document


@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEEDS)
def test_every_indicator_value_survives_the_round_trip(seed):
    original = _document(seed)
    result = document_load(data=_as_copy(original))

    again = document_to_dict(result.unit, original["year"])

    fields = ["name", "value", "half_value", "prior_values", "basis", "term"]
    assert [[row[f] for f in fields] for row in _all_indicators(again)] == [
        [row[f] for f in fields] for row in _all_indicators(original)
    ]


@pytest.mark.django_db
def test_printed_values_come_out_as_printed():
    values = {row["value"] for row in _all_indicators(_document("hebei-laoting-2025"))}

    assert {"≤10批次", "≤180万元", "≥90%", "有效改善", "逐步减少"} <= values


@pytest.mark.django_db
@pytest.mark.parametrize("path", demo_document_paths(), ids=lambda path: path.stem)
def test_a_document_matches_its_demo_file_up_to_number_and_space_spelling(path):
    source = read_yaml(path)
    unit = Unit.objects.get(bureau__name=source["bureau"]["name"], name=source["unit"]["name"])

    assert _comparable(document_to_dict(unit, source["year"])) == _comparable(source)


def _comparable(value, key=None):
    """Blank is absent, numbers are numbers, whitespace is ignored, term defaults to annual, a unit
    name is stated unless a declaration says it is not."""
    if isinstance(value, dict):
        data = {k: _comparable(v, k) for k, v in value.items()
                if k != "seed" and not (k == "unit_name_stated" and v is True)}
        if "subcategory" in data:
            data.setdefault("term", "annual")
        return {k: v for k, v in data.items() if v not in ("", [])}
    if isinstance(value, list):
        items = [_comparable(item, key) for item in value]
        return "" if key in ("prior", "prior_values", "period") and not any(items) else items
    if value is None:
        return ""
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value) and key not in ("code", "filler_phone"):
        return Decimal(value).normalize()
    return re.sub(r"\s+", "", str(value))


# --- shape ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_project_has_every_documented_key_in_order(zunhua_project):
    data = project_to_dict(zunhua_project)

    assert list(data) == PROJECT_KEYS
    assert all(list(row) == INDICATOR_KEYS for row in data["indicators"])
    assert data["code"] == "13028124P00096710001G"
    assert data["table"] is True


@pytest.mark.django_db
def test_a_department_has_every_documented_key_in_order():
    data = department_to_dict(DepartmentDeclaration.objects.get(unit__name="阳新县信访局"))

    assert list(data) == DEPARTMENT_KEYS
    assert all(list(line) == MONEY_KEYS for line in data["money"])
    assert data["fill_date"] == "2025-11-26"


@pytest.mark.django_db
def test_amounts_are_strings_without_trailing_zeros():
    guyuan = _document("ningxia-guyuan-2021")
    yangxin = _document("hubei-yangxin-2026")

    assert [p["budget"] for p in guyuan["projects"]] == ["2", "1", "2.5", "0.5"]
    assert guyuan["projects"][0]["period"] == [2021, 2021]
    assert guyuan["projects"][0]["carryover_funds"] is None
    assert yangxin["department"]["money"][0] == {
        "direction": "income", "kind": "fiscal_general", "label": None, "parent": None, "amount": "374.13",
        "half_year": None,
        "share": "100", "prior": ["341.7", "282.9"],
    }


@pytest.mark.django_db
def test_the_cover_note_comes_with_its_date():
    cover = _document("ningxia-guyuan-2021")["cover"]

    assert cover["signed_by"] == "固原市信访局"
    assert cover["signed_on"] == "2021-02-20"


@pytest.mark.django_db
def test_a_unit_names_its_parent_and_the_document_omits_the_seed():
    document = _document("hebei-laoting-2025")

    assert "seed" not in document
    assert document["unit"]["parent"] == {"code": "", "name": "乐亭县信访局"}
    assert document["bureau"]["layout"] == "hebei"


@pytest.mark.django_db
def test_long_term_indicators_come_before_annual_ones_and_income_before_expense():
    department = _document("hubei-yangxin-2026")["department"]

    terms = [row["term"] for row in department["indicators"]]
    assert terms == sorted(terms, key=lambda term: term != "long") and terms[0] == "long"
    directions = [line["direction"] for line in department["money"]]
    assert directions == ["income"] * 3 + ["expense"] * 3


# --- queries --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_project_takes_a_bounded_number_of_queries(django_assert_max_num_queries):
    project = ProjectDeclaration.objects.get(unit__name="阳新县信访局", order=1)

    with django_assert_max_num_queries(5):
        project_to_dict(project)


@pytest.mark.django_db
def test_a_department_takes_a_bounded_number_of_queries(django_assert_max_num_queries):
    department = DepartmentDeclaration.objects.get(unit__name="如皋市信访局")

    with django_assert_max_num_queries(4):
        department_to_dict(department)


@pytest.mark.django_db
def test_a_document_takes_the_same_queries_however_many_projects(django_assert_num_queries):
    laoting, yangxin = Unit.objects.get(name="乐亭县信访局本级"), Unit.objects.get(name="阳新县信访局")

    with django_assert_num_queries(13):
        assert len(_document("hebei-laoting-2025", laoting)["projects"]) == 2
    with django_assert_num_queries(13):
        assert len(_document("hubei-yangxin-2026", yangxin)["projects"]) == 4


# --- diff -----------------------------------------------------------------------------------

@pytest.fixture
def snapshot(zunhua_project):
    return project_to_dict(zunhua_project)


def _indicator(name, value, **extra):
    return {"category": "产出指标", "subcategory": "数量指标", "name": name, "value": value, "term": "annual", **extra}


@pytest.mark.django_db
def test_identical_snapshots_have_no_differences(snapshot):
    assert declaration_diff(snapshot, copy.deepcopy(snapshot)) == {
        "fields": [],
        "indicators": {"added": [], "removed": [], "changed": []},
    }


@pytest.mark.django_db
def test_a_changed_budget_and_purpose_are_listed_with_old_and_new(snapshot):
    new = copy.deepcopy(snapshot)
    new["budget"] = "230"
    new["purpose"] = "新的资金用途"

    fields = {change["field"]: change for change in declaration_diff(snapshot, new)["fields"]}

    assert set(fields) == {"budget", "purpose"}
    assert fields["budget"] == {"field": "budget", "label": "预算数", "old": "216", "new": "230"}
    assert fields["purpose"]["label"] == "资金用途"
    assert fields["purpose"]["old"] == snapshot["purpose"]
    assert fields["purpose"]["new"] == "新的资金用途"


@pytest.mark.django_db
def test_a_changed_indicator_value_is_listed_as_a_指标值_change(snapshot):
    new = copy.deepcopy(snapshot)
    first = new["indicators"][0]
    old_value = first["value"]
    first["value"] = "≥99%"

    changed = declaration_diff(snapshot, new)["indicators"]["changed"]

    assert len(changed) == 1
    assert changed[0]["key"] == f"{first['category']}/{first['subcategory']}/{first['name']} (年度)"
    assert changed[0]["changes"] == [{"field": "value", "label": "指标值", "old": old_value, "new": "≥99%"}]


@pytest.mark.django_db
def test_an_added_and_a_removed_indicator_are_listed(snapshot):
    new = copy.deepcopy(snapshot)
    removed = new["indicators"].pop(1)
    added = _indicator("新增指标", "≥3次")
    new["indicators"].append(added)

    result = declaration_diff(snapshot, new)["indicators"]

    assert result["added"] == [added]
    assert result["removed"] == [removed]
    assert result["changed"] == []


def test_indicators_with_the_same_key_are_matched_in_order():
    old = {"indicators": [_indicator("……", ""), _indicator("……", "")]}
    new = {"indicators": [_indicator("……", ""), _indicator("……", "5次")]}

    result = declaration_diff(old, new)["indicators"]

    assert (result["added"], result["removed"]) == ([], [])
    assert [c["changes"][0]["new"] for c in result["changed"]] == ["5次"]


def test_lists_are_compared_whole_and_printed_readably():
    plan = [{"label": "3月底", "percent": "25"}, {"label": "6月底", "percent": "50"}]
    old = {"spending_plan": plan, "goal_items": ["甲"], "table": True}
    new = {"spending_plan": plan[:1], "goal_items": ["甲", "乙"], "table": False}

    fields = {change["field"]: change for change in declaration_diff(old, new)["fields"]}

    assert fields["spending_plan"]["label"] == "资金支出计划"
    assert fields["spending_plan"]["old"] == "3月底 25%；6月底 50%"
    assert fields["spending_plan"]["new"] == "3月底 25%"
    assert fields["goal_items"] == {"field": "goal_items", "label": "绩效目标条目", "old": "1. 甲", "new": "1. 甲；2. 乙"}
    assert (fields["table"]["old"], fields["table"]["new"]) == ("是", "否")


@pytest.mark.django_db
def test_department_money_changes_are_printed_with_their_kinds():
    old = department_to_dict(DepartmentDeclaration.objects.get(unit__name="如皋市信访局"))
    new = copy.deepcopy(old)
    new["money"][0]["amount"] = "1100"
    new["annual_goal"] = "新的年度目标"

    fields = {change["field"]: change for change in declaration_diff(old, new)["fields"]}

    assert set(fields) == {"money", "annual_goal"}
    assert fields["money"]["label"] == "收支明细"
    assert fields["money"]["old"].startswith("收入 一般公共预算资金 1051.92万元；支出 基本支出 866.92万元（半年 433.46万元）")
    assert fields["money"]["new"].startswith("收入 一般公共预算资金 1100万元；")
    assert fields["annual_goal"]["label"] == "年度目标"


def test_a_diff_is_plain_json():
    old = {"budget": "1", "period": [2021, 2021], "indicators": [_indicator("甲", "1次")]}
    new = {"budget": "2", "period": None, "indicators": [_indicator("甲", "2次", prior_values=["1次", ""])]}

    result = declaration_diff(old, new)

    json.dumps(result)
    assert [f["field"] for f in result["fields"]] == ["budget", "period"]
    assert result["fields"][1]["old"] == "2021—2021"
