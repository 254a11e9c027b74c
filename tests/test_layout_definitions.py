"""Layouts are data: a definition kept in the database prints, is checked with errors that name
the key, is edited in the admin beside a preview, and every save is a new version."""
import copy

import pytest
import yaml
from django.urls import reverse

from declarations.exports.interpreter import DefinedLayout, DefinitionError
from declarations.exports.layouts import get_layout, packaged_definitions
from declarations.exports.registry import export_project
from declarations.models import ProjectDeclaration
from declarations.services import layouts
from indicators.models import Layout

from .export_text import pdf_text


@pytest.fixture
def ningxia(db):
    return Layout.objects.get(code="ningxia")


def _edited(code, title):
    definition = copy.deepcopy(packaged_definitions()[code])
    definition["tables"]["project"]["title"] = title
    return definition


def test_a_definition_stored_on_the_layout_replaces_the_one_shipped(ningxia):
    ningxia.definition = _edited("ningxia", "{{ year }}年{{ unit.name }}项目绩效目标表（本局格式）")
    ningxia.save()
    project = ProjectDeclaration.objects.filter(unit__bureau__layout=ningxia).first()
    _name, _type, content = export_project(project=project, fmt="pdf")
    assert "2021年固原市信访局项目绩效目标表（本局格式）" in pdf_text(content).replace(" ", "")


def test_a_layout_without_a_stored_definition_prints_the_one_shipped(ningxia):
    assert get_layout(ningxia).definition == packaged_definitions()["ningxia"]


def test_a_missing_key_is_named_with_its_path():
    definition = copy.deepcopy(packaged_definitions()["national"])
    del definition["tables"]["project"]["columns"]
    assert "tables.project.columns: 缺少必填字段" in layouts.definition_errors(definition)


def test_an_unknown_top_level_key_is_named():
    definition = {**packaged_definitions()["national"], "colour": "red"}
    assert any(problem.startswith("colour: 不认识的字段") for problem in layouts.definition_errors(definition))


def test_a_template_that_does_not_compile_is_reported_before_it_is_saved(db):
    problems = layouts.definition_errors(_edited("national", "{% if %}项目表"))
    assert len(problems) == 1 and problems[0].startswith("试印失败")


def test_an_unknown_wizard_setting_is_named():
    with pytest.raises(DefinitionError, match="wizard.ask_for_everything"):
        DefinedLayout({**packaged_definitions()["national"], "wizard": {"ask_for_everything": True}})


def test_saving_a_definition_makes_a_new_version_and_refuses_a_stale_one(ningxia, administrator):
    saved = layouts.layout_definition_save(
        layout=ningxia, definition=_edited("ningxia", "新表题"), user=administrator, version=1
    )
    assert (saved.version, saved.definition["tables"]["project"]["title"]) == (2, "新表题")
    with pytest.raises(layouts.LayoutDefinitionError, match="已被他人修改"):
        layouts.layout_definition_save(layout=saved, definition=_edited("ningxia", "旧页面的表题"), user=administrator,
                                       version=1)


@pytest.fixture
def admin_client(client, administrator):
    administrator.must_change_password = False
    administrator.save()
    client.force_login(administrator)
    return client


def test_the_admin_shows_the_definition_as_yaml_and_saves_an_edit(admin_client, ningxia):
    url = reverse("admin:indicators_layout_change", args=[ningxia.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "项目支出预算绩效目标表" in page.text
    text = yaml.safe_dump(_edited("ningxia", "管理员改过的表题"), allow_unicode=True, sort_keys=False)
    response = admin_client.post(url, {"name": ningxia.name, "definition_text": text, "layout_version": 1})
    assert response.status_code == 302
    ningxia.refresh_from_db()
    assert (ningxia.version, ningxia.definition["tables"]["project"]["title"]) == (2, "管理员改过的表题")


def test_a_wrong_definition_in_the_admin_is_refused_with_the_key_and_kept_as_typed(admin_client, ningxia):
    url = reverse("admin:indicators_layout_change", args=[ningxia.pk])
    definition = _edited("ningxia", "表题")
    definition["tables"]["project"]["columns"] = "宽"
    text = yaml.safe_dump(definition, allow_unicode=True, sort_keys=False)
    response = admin_client.post(url, {"name": ningxia.name, "definition_text": text, "layout_version": 1})
    assert response.status_code == 200
    assert "tables.project.columns: 应为" in response.text and "columns: 宽" in response.text
    ningxia.refresh_from_db()
    assert (ningxia.version, ningxia.definition) == (1, {})


def test_the_preview_prints_the_definition_being_edited_on_a_sample(admin_client, ningxia):
    text = yaml.safe_dump(_edited("ningxia", "正在编辑的表题"), allow_unicode=True, sort_keys=False)
    response = admin_client.post(reverse("admin:layout_preview", args=[ningxia.pk]), {"definition_text": text})
    assert response.status_code == 200
    assert 'data-testid="document"' in response.text and "正在编辑的表题" in response.text
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_the_preview_of_a_broken_definition_lists_the_problems(admin_client, ningxia):
    response = admin_client.post(reverse("admin:layout_preview", args=[ningxia.pk]), {"definition_text": "tables: ["})
    assert 'data-testid="problems"' in response.text and "不是有效的 YAML" in response.text


def test_the_preview_as_pdf(admin_client, ningxia):
    response = admin_client.get(reverse("admin:layout_preview", args=[ningxia.pk]) + "?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "项目支出预算绩效目标表" in pdf_text(response.content).replace(" ", "")


def test_a_filler_cannot_open_the_preview(client, filler, ningxia):
    client.force_login(filler)
    response = client.get(reverse("admin:layout_preview", args=[ningxia.pk]))
    assert response.status_code in (302, 403)


def test_a_stored_definition_moves_to_another_installation_with_its_layout(ningxia, administrator, tmp_path):
    from django.core.management import call_command

    layouts.layout_definition_save(layout=ningxia, definition=_edited("ningxia", "搬家的表题"), user=administrator,
                                   version=1)
    path = tmp_path / "ningxia.yaml"
    call_command("export_layout", "ningxia", "-o", str(path))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["layout"], data["name"] = "ningxia-2", "宁夏（新）"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    call_command("import_layout", str(path))
    moved = Layout.objects.get(code="ningxia-2")
    assert moved.definition["tables"]["project"]["title"] == "搬家的表题"
    assert (moved.definition["code"], moved.name, moved.frameworks.count()) == ("ningxia-2", "宁夏（新）", 2)


def test_a_file_with_a_broken_definition_imports_nothing(ningxia, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    data = layouts.layout_bundle_export(layout=ningxia)
    data["layout"] = "ningxia-3"
    del data["definition"]["tables"]["project"]["columns"]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="tables.project.columns: 缺少必填字段"):
        call_command("import_layout", str(path))
    assert not Layout.objects.filter(code="ningxia-3").exists()


def test_text_composed_by_a_definition_is_plain_text_the_pages_still_escape():
    from django.utils.safestring import SafeData

    layout = DefinedLayout(packaged_definitions()["national"])
    shown = layout.render("{{ name }}表", {"name": "<b>x</b>"})
    assert shown == "<b>x</b>表" and not isinstance(shown, SafeData)


@pytest.mark.parametrize("code", sorted(packaged_definitions()))
def test_every_shipped_definition_passes_its_own_checks(db, code):
    assert layouts.definition_errors(packaged_definitions()[code]) == []


def test_a_new_layout_is_defined_in_the_admin_and_prints(admin_client):
    definition = copy.deepcopy(packaged_definitions()["national"])
    definition.update(code="pilot", name="试点县项目绩效目标表")
    definition["tables"]["project"]["title"] = "试点县项目支出绩效目标表"
    text = yaml.safe_dump(definition, allow_unicode=True, sort_keys=False)
    response = admin_client.post(reverse("admin:indicators_layout_add"),
                                 {"code": "pilot", "name": "试点县项目绩效目标表", "definition_text": text})
    assert response.status_code == 302
    layout = Layout.objects.get(code="pilot")
    assert get_layout(layout).definition["tables"]["project"]["title"] == "试点县项目支出绩效目标表"


def test_an_admin_save_without_the_version_it_was_opened_at_saves_nothing(admin_client, ningxia):
    text = yaml.safe_dump(_edited("ningxia", "没有版本号的保存"), allow_unicode=True, sort_keys=False)
    url = reverse("admin:indicators_layout_change", args=[ningxia.pk])
    response = admin_client.post(url, {"name": ningxia.name, "definition_text": text})
    assert response.status_code == 200
    ningxia.refresh_from_db()
    assert (ningxia.version, ningxia.definition) == (1, {})


def test_a_definition_cannot_change_data_through_its_templates(ningxia):
    definition = _edited("ningxia", "{{ project.delete }}{{ project.indicators.all.delete }}{{ unit.save }}表")
    project = ProjectDeclaration.objects.filter(unit__bureau__layout=ningxia).first()
    indicators = project.indicators.count()
    document = DefinedLayout(definition).project_document(*_data_and_project(project))
    assert document.tables[0].title == "表"
    assert ProjectDeclaration.objects.filter(pk=project.pk).exists() and project.indicators.count() == indicators


def _data_and_project(project):
    from declarations.exports.builders import load_document_data

    data = load_document_data(project.unit, project.year.year)
    return data, next(p for p in data.projects if p.pk == project.pk)
