"""The wizards follow the layout's definition: the fields carry the captions the table prints,
and a step that asks for something the layout does not print is not shown."""
import copy
import re

import pytest
from django.urls import reverse

from accounts.models import User
from declarations.exports.layouts import packaged_definitions
from declarations.models import DepartmentDeclaration, ProjectDeclaration
from indicators.models import Layout

pytestmark = pytest.mark.django_db


def _label(page, field):
    """The label's text, without the （万元） the money fields add."""
    found = re.search(rf'<label\s+for="id_{field}"[^>]*>\s*([^<*]+?)\s*<', page)
    return found and found[1].removesuffix("（万元）")


def _login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def test_the_funds_step_asks_by_the_captions_the_table_prints(client):
    project = ProjectDeclaration.objects.filter(unit__name="固原市信访局").first()
    page = _login(client, "guyuan-xfj").get(reverse("project_step", args=[project.pk, "funds"])).text
    assert (_label(page, "budget"), _label(page, "fiscal_funds"), _label(page, "carryover_funds")) == (
        "年度资金总额", "其中：财政拨款", "结余结转",
    )


def test_a_caption_set_in_the_definition_replaces_the_printed_one(client):
    project = ProjectDeclaration.objects.filter(unit__name="如皋市信访局").first()
    page = _login(client, "rugao-xfj").get(reverse("project_step", args=[project.pk, "funds"])).text
    assert (_label(page, "budget"), _label(page, "half_year_plan")) == ("全年(程)预算数", "半年(程)计划执行数")


def test_a_caption_changed_by_the_administrator_reaches_the_wizard(client):
    layout = Layout.objects.get(code="ningxia")
    definition = copy.deepcopy(packaged_definitions()["ningxia"])
    definition["wizard"]["captions"] = {"project": {"budget": "本年度预算（管理员改）"}}
    layout.definition = definition
    layout.save()
    project = ProjectDeclaration.objects.filter(unit__name="固原市信访局").first()
    page = _login(client, "guyuan-xfj").get(reverse("project_step", args=[project.pk, "funds"])).text
    assert _label(page, "budget") == "本年度预算（管理员改）"


def test_a_hebei_department_wizard_has_no_step_for_what_the_booklet_does_not_print(client):
    department = DepartmentDeclaration.objects.get(unit__name="遵化市信访局")
    _login(client, "zunhua-xfj")
    page = client.get(reverse("department_step", args=[department.pk, "profile"])).text
    for step in ("money", "projects", "indicators"):
        assert reverse("department_step", args=[department.pk, step]) not in page
        assert client.get(reverse("department_step", args=[department.pk, step])).status_code == 404
    assert reverse("department_step", args=[department.pk, "goals"]) in page


def test_a_jiangsu_department_wizard_keeps_its_money_projects_and_indicator_steps(client):
    department = DepartmentDeclaration.objects.get(unit__name="如皋市信访局")
    _login(client, "rugao-xfj")
    for step in ("money", "projects", "indicators"):
        assert client.get(reverse("department_step", args=[department.pk, step])).status_code == 200
