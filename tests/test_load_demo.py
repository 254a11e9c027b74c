import copy

import pytest
from django.core.management import call_command

from declarations.models import DepartmentDeclaration, Indicator, MoneyLine, ProjectDeclaration, Unit
from declarations.services.demo import DEMO_DIR
from declarations.services.documents import DocumentError, document_load, read_yaml


def _fingerprint():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Unit, DepartmentDeclaration, ProjectDeclaration, Indicator, MoneyLine)
    } | {"updated": sorted(ProjectDeclaration.objects.values_list("updated_at", flat=True))}


def test_loading_the_demo_twice_changes_nothing(db, capsys):
    before = _fingerprint()
    call_command("load_demo")
    assert _fingerprint() == before
    out = capsys.readouterr().out
    assert out.count("已存在，未改动") == 5
    assert "xinfang-demo-2026" in out and "zunhua-xfj" in out


def test_the_demo_has_a_filler_per_unit_a_reviewer_per_bureau_and_an_admin(db, django_user_model):
    assert django_user_model.objects.filter(role="filler").count() == 5
    assert django_user_model.objects.filter(role="reviewer").count() == 5
    assert django_user_model.objects.get(username="admin").is_superuser


def _broken_copy():
    data = copy.deepcopy(read_yaml(DEMO_DIR / "hebei-zunhua-2024.yaml"))
    data["unit"] = {"code": "999", "name": "测试单位", "parent": None}
    return data


def test_a_document_with_an_unknown_subcategory_names_it_and_writes_nothing(db):
    data = _broken_copy()
    data["projects"][2]["indicators"][0]["subcategory"] = "不存在的指标"
    counts = (ProjectDeclaration.objects.count(), Indicator.objects.count())
    with pytest.raises(DocumentError, match="信访维稳专项工作经费.*产出指标 / 不存在的指标"):
        document_load(data=data)
    assert (ProjectDeclaration.objects.count(), Indicator.objects.count()) == counts
    assert not Unit.objects.filter(name="测试单位").exists()


def test_a_document_with_a_percent_above_100_is_refused(db):
    data = _broken_copy()
    data["projects"][0]["spending_plan"][3]["percent"] = "120"
    with pytest.raises(DocumentError, match="资金支出计划 12月底"):
        document_load(data=data)
    assert not Unit.objects.filter(name="测试单位").exists()
