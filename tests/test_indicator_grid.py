"""The indicator grid: a pasted block lands in its groups, saves are all-or-draft, nothing typed is lost."""
import json
from decimal import Decimal

import pytest

from django.urls import reverse

from accounts.models import User
from declarations import indicator_grid
from declarations.models import (
    BudgetYear, DepartmentDeclaration, Indicator, IndicatorDraft, ProjectDeclaration, Status,
)
from indicators.models import Framework

from .seed_text import SEED_DIR

pytestmark = pytest.mark.django_db

LAOTING_BLOCK = "\n".join(
    (SEED_DIR / "hebei-laoting-2025-petition-bureau.txt").read_text(encoding="utf-8").splitlines()[76:84]
)


@pytest.fixture
def laoting(db, client):
    client.force_login(User.objects.get(username="laoting-xfj"))
    return client


@pytest.fixture
def draft(db):
    """A new 乐亭 project for 2026 with no indicators yet."""
    return ProjectDeclaration.objects.create(
        unit_id=ProjectDeclaration.objects.get(code="13022525P00RERB10015T").unit_id,
        year=BudgetYear.objects.get_or_create(year=2026)[0], name="信访专项资金", code="13022525P00RERB10015T",
        budget=Decimal("185"),
    )


def _framework(project):
    return Framework.objects.get(layout=project.unit.bureau.layout, table_kind="project")


def _paste(client, project, text, **extra):
    return client.post(reverse("project_indicator_paste", args=[project.pk]),
                       json.dumps({"text": text, **extra}), content_type="application/json")


def _save(client, project, rows, version=None):
    return client.post(
        reverse("project_indicator_grid", args=[project.pk]),
        json.dumps({"version": project.version if version is None else version, "rows": rows}),
        content_type="application/json",
    )


# --- reading a pasted block ----------------------------------------------------------------

def test_the_seeds_indicator_block_pasted_with_its_header_lands_in_its_groups(draft):
    rows, notes = indicator_grid.pasted_rows(LAOTING_BLOCK, _framework(draft), term="annual",
                                             fields=["description", "basis"])
    subs = {s.pk: s for s in _framework(draft).categories.get(name="产出指标").subcategories.all()}
    assert [r["name"] for r in rows] == [
        "有效减少越级访的发生", "社会和谐稳定", "预算资金执行率", "解决问题费用", "化解信访问题，维护社会稳定",
        "解决疑难信访问题，维护社会稳定", "信访群众及相关单位满意度",
    ]
    assert subs[rows[3]["subcategory"]].name == "成本指标"  # 一级 merged down: blank cells filled
    assert [r["value"] for r in rows][:4] == ["逐步减少", "有效改善", "≤100%", "≤180 万元"]
    assert {r["basis"] for r in rows} == {"市信访工作考核细则"}
    assert all(r["subcategory"] for r in rows) and "已按表头识别各列" in notes[0]


def test_a_block_without_header_is_read_in_the_grids_column_order():
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    text = "产出指标\t数量指标\t1.1. 化解积案\t≥95%\t考核细则\n\t\t（二）接待来访\t=12次\t"
    rows, _ = indicator_grid.pasted_rows(text, _framework(project), term="annual", fields=["basis"])
    assert [(r["name"], r["value"], r["basis"]) for r in rows] == [
        ("化解积案", "≥95%", "考核细则"), ("接待来访", "=12次", ""),
    ]
    assert rows[0]["subcategory"] == rows[1]["subcategory"]


def test_two_columns_go_under_the_chosen_subcategory():
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    chosen = _framework(project).categories.get(name="效益指标").subcategories.first()
    rows, _ = indicator_grid.pasted_rows("群众满意度\t≥90%\n办结率\t100%", _framework(project), term="annual",
                                         fields=[], default_subcategory=chosen)
    assert [(r["name"], r["value"], r["subcategory"]) for r in rows] == [
        ("群众满意度", "≥90%", chosen.pk), ("办结率", "100%", chosen.pk),
    ]


def test_an_unknown_subcategory_is_flagged_not_guessed():
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    text = "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t创新指标\t新办法\t有效"
    rows, _ = indicator_grid.pasted_rows(text, _framework(project), term="annual", fields=[])
    assert rows[0]["subcategory"] is None
    assert "未知的二级指标“创新指标”" in rows[0]["errors"]["subcategory"]


def test_separate_direction_value_and_unit_columns_make_one_value():
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    text = ("一级指标\t二级指标\t三级指标\t指标性质\t指标方向\t目标值\t计量单位\n"
            "产出指标\t数量指标\t回收量\t定量\t≥\t2000\t吨\n\t质量指标\t合规\t定性\t\t合格\t")
    rows, _ = indicator_grid.pasted_rows(text, _framework(project), term="annual", fields=["indicator_class"])
    assert [(r["value"], r["indicator_class"]) for r in rows] == [("≥2000吨", "定量"), ("合格", "定性")]


def test_a_quoted_cell_with_a_line_break_stays_one_cell():
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    text = '产出指标\t数量指标\t"接访\n次数"\t=12次\t依据'
    rows, _ = indicator_grid.pasted_rows(text, _framework(project), term="annual", fields=["basis"])
    assert [(r["name"], r["value"]) for r in rows] == [("接访\n次数", "=12次")]


# --- the endpoints -------------------------------------------------------------------------

def test_pasting_answers_rows_without_saving_anything(laoting, draft):
    response = _paste(laoting, draft, LAOTING_BLOCK)
    assert response.status_code == 200 and len(response.json()["rows"]) == 7
    assert response.json()["unknown"] == 0
    assert not draft.indicators.exists()


def test_pasted_rows_saved_from_the_grid_print_every_value(laoting, draft):
    rows = _paste(laoting, draft, LAOTING_BLOCK).json()["rows"]
    response = _save(laoting, draft, rows)
    body = response.json()
    assert response.status_code == 200 and body["status"] == "saved"
    saved = list(draft.indicators.order_by("order"))
    assert [i.value_display for i in saved] == ["逐步减少", "有效改善", "≤100%", "≤180万元", "有效改善", "显著改善", "≥90%"]
    assert [r["id"] for r in body["rows"]] == [i.pk for i in saved]
    assert [r["key"] for r in body["rows"]] == [r["key"] for r in rows]
    draft.refresh_from_db()
    assert body["version"] == draft.version


def test_a_second_save_updates_the_same_indicators(laoting, draft):
    rows = _save(laoting, draft, _paste(laoting, draft, LAOTING_BLOCK).json()["rows"]).json()["rows"]
    ids = sorted(r["id"] for r in rows)
    rows[0]["value"] = "≥3件"
    draft.refresh_from_db()
    assert _save(laoting, draft, rows).json()["status"] == "saved"
    assert sorted(draft.indicators.values_list("pk", flat=True)) == ids
    assert draft.indicators.get(pk=rows[0]["id"]).value_display == "≥3件"


def test_rows_with_errors_are_kept_as_a_draft_and_the_indicators_stay(laoting, draft):
    rows = _save(laoting, draft, _paste(laoting, draft, LAOTING_BLOCK).json()["rows"]).json()["rows"]
    rows[1]["value"] = "≥九十"
    rows.append({"key": "nnew1", "term": "annual", "subcategory": rows[0]["subcategory"], "name": "新指标", "value": ""})
    draft.refresh_from_db()
    response = _save(laoting, draft, rows)
    body = response.json()
    assert body["status"] == "draft"
    assert set(body["errors"]) == {rows[1]["key"], "nnew1"} and "value" in body["errors"]["nnew1"]
    assert draft.indicators.count() == 7 and draft.indicators.filter(name="新指标").count() == 0
    kept = IndicatorDraft.objects.get(project=draft)
    assert [r["name"] for r in kept.rows][-1] == "新指标" and kept.rows[1]["value"] == "≥九十"


def test_the_step_shows_the_draft_rows_with_their_errors_after_the_browser_was_closed(laoting, draft):
    _save(laoting, draft, [{"key": "nx", "term": "annual", "subcategory": _framework(draft).categories.first()
                            .subcategories.first().pk, "name": "半截指标", "value": "≥"}])
    page = laoting.get(reverse("project_step", args=[draft.pk, "indicators"]))
    data = json.loads(page.context["grid"] and json.dumps(page.context["grid"]))
    assert [r["name"] for r in data["rows"]] == ["半截指标"] and data["rows"][0]["errors"]["value"]
    assert "暂存的 1 行" in page.text


def test_a_draft_blocks_submission_until_it_is_saved_or_discarded(laoting, draft):
    from review.services import ReviewError, declaration_submit

    _save(laoting, draft, [{"key": "nx", "term": "annual", "subcategory": None, "name": "x", "value": "1"}])
    with pytest.raises(ReviewError, match="暂存"):
        declaration_submit(declaration=draft, user=User.objects.get(username="laoting-xfj"))
    response = laoting.post(reverse("project_indicator_discard", args=[draft.pk]))
    assert response.status_code == 302 and not IndicatorDraft.objects.filter(project=draft).exists()


def test_a_row_without_a_subcategory_is_an_error_on_that_cell(laoting, draft):
    body = _save(laoting, draft, [{"key": "nx", "term": "annual", "subcategory": None, "name": "x", "value": "1"}]).json()
    assert body["errors"]["nx"]["subcategory"] == "请选择二级指标"


def test_a_stale_version_is_refused_and_nothing_changes(laoting, draft):
    rows = _paste(laoting, draft, LAOTING_BLOCK).json()["rows"]
    response = _save(laoting, draft, rows, version=draft.version + 5)
    assert response.status_code == 409 and response.json()["conflict"]
    assert not draft.indicators.exists() and not IndicatorDraft.objects.exists()


def test_a_lost_session_answers_401_json_not_the_login_page(client, draft):
    response = _save(client, draft, [])
    assert response.status_code == 401 and "登录已失效" in response.json()["message"]


def test_another_units_filler_gets_404(client, draft):
    client.force_login(User.objects.get(username="rugao-xfj"))
    assert _save(client, draft, []).status_code == 404
    assert _paste(client, draft, LAOTING_BLOCK).status_code == 404


def test_a_submitted_declaration_is_read_only_in_the_grid(laoting, draft):
    ProjectDeclaration.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED)
    assert _save(laoting, draft, []).status_code == 403
    page = laoting.get(reverse("project_step", args=[draft.pk, "indicators"]))
    assert page.context["grid"]["editable"] is False and "表格为只读" in page.text


def test_unreadable_json_is_refused(laoting, draft):
    response = laoting.post(reverse("project_indicator_grid", args=[draft.pk]), "{rows", content_type="application/json")
    assert response.status_code == 400


def test_the_grid_page_carries_rows_as_data_not_as_inputs():
    client = __import__("django.test", fromlist=["Client"]).Client()
    client.force_login(User.objects.get(username="yangxin-xfj"))
    department = DepartmentDeclaration.objects.get(unit__name="阳新县信访局")
    assert department.indicators.count() == 81
    page = client.get(reverse("department_step", args=[department.pk, "indicators"]))
    assert page.status_code == 200
    assert len(page.context["grid"]["rows"]) == 81
    assert page.text.count("<input") < 10 and len(page.content) < 120_000


def test_the_form_editor_stays_as_the_fallback(laoting):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    page = laoting.get(reverse("project_step", args=[project.pk, "indicators"]) + "?form=1")
    assert f'name="i{project.indicators.first().pk}-name"' in page.text


def test_weight_and_standard_are_saved_only_where_the_layout_prints_them(db):
    from declarations.indicator_editor import Row, check_rows

    row = Row(key="a", subcategory_id=1, name="x", quick="≥1", standard="达到得满分", weight="10")
    assert check_rows([row], fields=["standard", "weight"])[0]["weight"] == Decimal("10")
    row = Row(key="b", subcategory_id=1, name="x", quick="≥1", standard="", weight="")
    assert "standard" not in check_rows([row], fields=["basis"])[0]
    row = Row(key="c", subcategory_id=1, name="x", quick="≥1", weight="十分")
    assert check_rows([row], fields=["weight"]) is None and row.errors["weight"]


def test_the_neimenggu_grid_asks_for_the_printed_weight():
    from declarations.exports.layouts import get_layout

    assert ("weight", "分值") in indicator_grid.columns(get_layout("neimenggu"))
    assert ("standard", "绩效标准") in indicator_grid.columns(get_layout("hunan-xiangtan"))


def test_saving_keeps_an_indicators_weight_when_the_layout_has_no_weight_column(laoting, draft):
    rows = _save(laoting, draft, _paste(laoting, draft, LAOTING_BLOCK).json()["rows"]).json()["rows"]
    Indicator.objects.filter(pk=rows[0]["id"]).update(weight=Decimal("5"), standard="标准")
    draft.refresh_from_db()
    assert _save(laoting, draft, rows).json()["status"] == "saved"
    assert Indicator.objects.filter(pk=rows[0]["id"], weight=Decimal("5"), standard="标准").exists()


def test_the_form_editor_of_a_submitted_declaration_is_disabled_without_delete_buttons(laoting):
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    ProjectDeclaration.objects.filter(pk=project.pk).update(status=Status.SUBMITTED)
    page = laoting.get(reverse("project_step", args=[project.pk, "indicators"]) + "?form=1")
    assert "<fieldset disabled" in page.text
    assert 'value="remove:' not in page.text and 'value="save"' not in page.text


def test_saving_the_form_editor_through_htmx_reloads_the_whole_page(laoting):
    from declarations import indicator_editor

    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    data = {"version": project.version, "action": "save"}
    for row in indicator_editor.rows_from_indicators(project.indicators.all()):
        data.setdefault("row", []).append(row.key)
        data.update({f"{row.key}-id": row.id, f"{row.key}-subcategory": row.subcategory_id, f"{row.key}-term": row.term,
                     f"{row.key}-name": row.name, f"{row.key}-quick": row.preview,
                     f"{row.key}-description": row.description})
    response = laoting.post(reverse("project_step", args=[project.pk, "indicators"]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("project_step", args=[project.pk, "indicators"]) + "?form=1"


@pytest.mark.parametrize("username, status", [
    ("laoting-xfj", 200), ("rugao-xfj", 404), ("laoting-czj", 403), ("rugao-czj", 404),
])
def test_only_the_units_filler_saves_the_grid(client, draft, username, status):
    client.force_login(User.objects.get(username=username))
    assert _save(client, draft, []).status_code == status
    assert _paste(client, draft, LAOTING_BLOCK).status_code == status


def test_a_save_without_a_usable_version_saves_nothing_and_says_why(laoting, draft):
    rows = _paste(laoting, draft, LAOTING_BLOCK).json()["rows"]
    response = laoting.post(reverse("project_indicator_grid", args=[draft.pk]), json.dumps({"rows": rows}),
                            content_type="application/json")
    assert response.status_code == 400 and "版本号" in response.json()["message"]
    assert not draft.indicators.exists()


def test_the_largest_seed_declaration_saves_from_its_grid(client):
    client.force_login(User.objects.get(username="yangxin-xfj"))
    department = DepartmentDeclaration.objects.get(unit__name="阳新县信访局")
    grid = client.get(reverse("department_step", args=[department.pk, "indicators"])).context["grid"]
    before = list(department.indicators.order_by("term", "order").values_list("pk", "name"))
    response = client.post(reverse("department_indicator_grid", args=[department.pk]),
                           json.dumps({"version": grid["version"], "rows": grid["rows"]}),
                           content_type="application/json")
    assert response.json()["status"] == "saved"
    assert list(department.indicators.order_by("term", "order").values_list("pk", "name")) == before


def test_another_units_filler_cannot_discard_a_draft(client):
    client.force_login(User.objects.get(username="rugao-xfj"))
    project = ProjectDeclaration.objects.get(code="13022525P00RERB10015T")
    response = client.post(reverse("project_indicator_discard", args=[project.pk]))
    assert response.status_code == 404
