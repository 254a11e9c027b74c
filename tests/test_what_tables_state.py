"""The model and the interchange format hold what real tables state, and nothing they do not:
unstated amounts stay blank (never an invented 0.00), money lines keep their printed names and
subtotals, a period can be stated to the month, sign-off lines and extra indicator columns."""
import pytest

from declarations.exports.registry import export_project
from declarations.models import MoneyLine, ProjectDeclaration, Unit
from declarations.services.importing import document_import
from declarations.services.interchange import document_to_dict
from public import services as publishing

from .export_text import pdf_text

pytestmark = pytest.mark.django_db


def _guyuan():
    return document_to_dict(Unit.objects.get(name="固原市信访局"), 2021)


def _imported(change):
    data = _guyuan()
    change(data["projects"][0])
    document_import(data=data)
    return document_to_dict(Unit.objects.get(name="固原市信访局"), 2021)["projects"][0]


def test_a_project_that_states_no_amounts_keeps_them_blank_and_prints_no_zero():
    project = _imported(lambda p: p.update(budget=None, fiscal_funds=None, other_funds=None, carryover_funds=None))
    assert [project[key] for key in ("budget", "fiscal_funds", "other_funds")] == [None, None, None]
    stored = ProjectDeclaration.objects.get(unit__name="固原市信访局", name=project["name"])
    _name, _type, content = export_project(project=stored, fmt="pdf")
    assert "0.000000" not in pdf_text(content)


def test_money_lines_keep_their_printed_names_and_subtotals_through_a_round_trip():
    lines = [
        {"direction": "income", "kind": "fiscal_general", "label": "财政拨款小计", "amount": "2"},
        {"direction": "income", "kind": "fiscal_general", "label": "上级资金", "parent": 0, "amount": "1.5"},
        {"direction": "income", "kind": "fiscal_general", "label": "本级资金", "parent": 0, "amount": "0.5"},
        {"direction": "income", "kind": "unit_funds", "label": "自有资金", "amount": None},
    ]
    project = _imported(lambda p: p.update(money=lines))
    assert [(m["label"], m["parent"], m["amount"]) for m in project["money"]] == [
        ("财政拨款小计", None, "2"), ("上级资金", 0, "1.5"), ("本级资金", 0, "0.5"), ("自有资金", None, None),
    ]
    parts = MoneyLine.objects.filter(project__name=project["name"], parent__label="财政拨款小计")
    assert sorted(parts.values_list("label", flat=True)) == ["上级资金", "本级资金"]


def test_a_period_to_the_month_sign_off_lines_and_extra_indicator_columns_round_trip():
    def change(p):
        p.update(period=[2023, 2024], period_months=[7, 1], filler_name="张三", filler_phone="0954-1234567",
                 checker_name="李四", head_name="王五", fill_date="2023-06-30")
        p["indicators"][0].update(standard="完成得满分，未完成不得分", weight="10")
    project = _imported(change)
    assert (project["period"], project["period_months"]) == ([2023, 2024], [7, 1])
    assert [project[k] for k in ("filler_name", "filler_phone", "checker_name", "head_name", "fill_date")] == [
        "张三", "0954-1234567", "李四", "王五", "2023-06-30",
    ]
    assert (project["indicators"][0]["standard"], project["indicators"][0]["weight"]) == ("完成得满分，未完成不得分", "10")


def test_a_subtotal_pointing_forward_is_refused_with_its_place():
    from declarations.services.documents import DocumentError

    lines = [{"direction": "income", "kind": "other", "label": "上级资金", "parent": 1, "amount": "1"},
             {"direction": "income", "kind": "other", "label": "小计", "amount": "1"}]
    data = _guyuan()
    data["projects"][0]["money"] = lines
    with pytest.raises(DocumentError, match="收支第1行：parent 应为排在它之前的小计行的序号"):
        document_import(data=data)


def test_a_snapshot_taken_before_the_new_keys_still_publishes(filler, reviewer):
    """Approved before the format grew: the new keys, empty, do not count as a change."""
    from review import services
    from review.models import Snapshot

    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    project = services.declaration_approve(declaration=services.declaration_submit(declaration=project, user=filler),
                                           user=reviewer)
    snapshot = Snapshot.objects.get(project=project)
    old = {k: v for k, v in snapshot.data.items() if k not in ("period_months", "checker_name", "head_name")}
    old["money"] = [{k: v for k, v in line.items() if k not in ("label", "parent")} for line in old["money"]]
    Snapshot.objects.filter(pk=snapshot.pk).update(data=old)
    assert publishing.declaration_publish(declaration=project, user=reviewer).status == "published"
