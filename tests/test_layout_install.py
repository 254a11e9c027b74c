"""Layouts installed by `migrate`, and moved between installations with export_layout / import_layout."""
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from declarations.services.demo import DEMO_DIR, demo_document_paths
from declarations.services.documents import read_yaml
from indicators.models import Category, Framework, Layout, Subcategory
from indicators.services import (
    FRAMEWORK_DIR,
    LayoutImportError,
    layout_export,
    layout_import,
    layouts_install,
)

from .export_text import pdf_text
from .seed_text import flat

ROOT = Path(settings.BASE_DIR)
SEED_LAYOUT_CODES = ["hebei", "hubei", "jiangsu", "national", "ningxia"]
LAYOUT_CODES = sorted(path.stem for path in FRAMEWORK_DIR.glob("*.yaml"))


def _counts():
    return {model.__name__: model.objects.count() for model in (Layout, Framework, Category, Subcategory)}


def _national_document():
    """No demo unit prints in the national layout: a unit of a new 财政局 that does, with one project of
    遵化's whose 二级 the national framework has (hebei's 产出指标 / 成本指标 it has not)."""
    data = read_yaml(DEMO_DIR / "hebei-zunhua-2024.yaml")
    data.update(
        seed=None,
        bureau={"name": "示范市财政局", "province": "示范省", "layout": "national", "title_prefix": ""},
        unit={"code": "801001", "name": "示范市信访局", "parent": None},
        year=2027,
        department=None,
    )
    project = data["projects"][0]
    project["indicators"] = [row for row in project["indicators"] if row["subcategory"] != "成本指标"]
    data["projects"] = [project]
    return data


def _manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


# --- a fresh installation -----------------------------------------------------------------

def test_a_database_that_was_only_migrated_imports_and_exports_a_document_in_every_layout(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "HUEY_REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    _manage(env, "migrate", "-v", "0")
    documents = [read_yaml(path) for path in demo_document_paths()] + [_national_document()]
    assert sorted({document["bureau"]["layout"] for document in documents}) == SEED_LAYOUT_CODES
    for document in documents:
        path = tmp_path / f"{document['unit']['name']}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, default=str), encoding="utf-8")
        out = _manage(env, "import_json", str(path))
        assert f"已导入 {document['unit']['name']} {document['year']}年" in out
    for document in documents:
        pdf = tmp_path / f"{document['unit']['name']}.pdf"
        _manage(
            env, "export_tables", "--unit", document["unit"]["name"], "--year", str(document["year"]),
            "--format", "pdf", "--out", str(pdf),
        )
        text = flat(pdf_text(pdf.read_bytes()))
        assert flat(document["projects"][0]["name"]) in text, document["bureau"]["layout"]
        indicators = [row for owner in [document["department"] or {}, *document["projects"]]
                      for row in owner.get("indicators") or []]
        assert flat(indicators[0]["name"]) in text, document["bureau"]["layout"]


# --- the migration on an existing database --------------------------------------------------

@pytest.mark.django_db
def test_installing_the_layouts_where_load_demo_already_ran_adds_nothing():
    before = _counts()
    assert before["Layout"] == len(LAYOUT_CODES)
    assert layouts_install() == 0
    executor = MigrationExecutor(connection)
    historical = executor.loader.project_state(("indicators", "0003_install_layouts")).apps
    assert layouts_install(apps=historical) == 0
    assert _counts() == before


@pytest.mark.django_db
def test_installing_the_layouts_keeps_what_an_administrator_changed_or_added():
    sub = Subcategory.objects.get(
        category__framework__layout__code="hebei", category__framework__table_kind="project",
        category__name="产出指标", name="成本指标",
    )
    sub.mandatory, sub.note = False, "选填"
    sub.save()
    sub.category.subcategories.create(name="自定义指标", order=9)
    Subcategory.objects.filter(
        category__framework__layout__code="national", category__framework__table_kind="project", name="时效指标"
    ).delete()
    before = _counts()
    assert layouts_install() == 1  # only the deleted 时效指标 comes back
    sub.refresh_from_db()
    assert (sub.mandatory, sub.note) == (False, "选填")
    assert sub.category.subcategories.filter(name="自定义指标").exists()
    assert _counts()["Subcategory"] == before["Subcategory"] + 1


@pytest.mark.django_db
@pytest.mark.parametrize("code", LAYOUT_CODES)
def test_every_installed_layout_exports_to_exactly_its_framework_file(code):
    assert layout_export(layout=Layout.objects.get(code=code)) == read_yaml(FRAMEWORK_DIR / f"{code}.yaml")


# --- export_layout and import_layout ------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_layout_exported_and_imported_under_a_new_code_has_identical_frameworks(tmp_path, suffix, capsys):
    path = tmp_path / f"ningxia{suffix}"
    call_command("export_layout", "ningxia", "-o", str(path))
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    data.update(layout="ningxia-copy", name="宁夏（副本）")
    path.write_text(json.dumps(data, ensure_ascii=False) if suffix == ".json" else yaml.safe_dump(data, allow_unicode=True))
    call_command("import_layout", str(path))
    assert "已新建版式 ningxia-copy（宁夏（副本））：一级/二级新增 20 个、修改 0 个、删除 0 个" in capsys.readouterr().out
    copied = layout_export(layout=Layout.objects.get(code="ningxia-copy"))
    original = layout_export(layout=Layout.objects.get(code="ningxia"))
    assert copied == original | {"layout": "ningxia-copy", "name": "宁夏（副本）"}
    call_command("import_layout", str(path))
    assert "已更新版式 ningxia-copy（宁夏（副本））：一级/二级新增 0 个、修改 0 个、删除 0 个" in capsys.readouterr().out


@pytest.mark.django_db
def test_export_layout_writes_the_shape_of_the_framework_files_and_the_definition(capsys):
    from declarations.exports.layouts import packaged_definitions

    call_command("export_layout", "ningxia")
    out = capsys.readouterr().out
    assert out.startswith("layout: ningxia\nname: 宁夏项目支出预算绩效目标表\nframeworks:\n  project:\n")
    assert "      - {name: 数量指标, mandatory: true, note: 必填硬性指标}\n" in out
    exported = yaml.safe_load(out)
    assert exported.pop("definition") == packaged_definitions()["ningxia"]
    assert exported == read_yaml(FRAMEWORK_DIR / "ningxia.yaml")


@pytest.mark.django_db
def test_export_layout_of_an_unknown_code_names_the_known_ones():
    # The known ones in code order; more follow as layouts are added.
    with pytest.raises(CommandError, match="没有版式“shanghai”（已有：guangdong、hebei、hubei、(.+、)?jiangsu、national、"):
        call_command("export_layout", "shanghai")


@pytest.mark.django_db
def test_an_import_changes_order_mandatory_and_note_and_removes_an_unused_subcategory():
    data = layout_export(layout=Layout.objects.get(code="national"))
    outputs = data["frameworks"]["project"]["categories"][0]["subcategories"]
    outputs.reverse()  # 时效指标, 质量指标, 数量指标
    outputs[0].update(mandatory=False, note="选填")
    del data["frameworks"]["project"]["categories"][1]["subcategories"][2]  # 生态环境成本指标, unused
    result = layout_import(data=data)
    assert (result["created"], result["added"], result["removed"]) == (False, 0, 1)
    assert layout_export(layout=result["layout"]) == data


@pytest.mark.django_db
def test_a_malformed_layout_file_names_every_wrong_key_and_writes_nothing(tmp_path):
    data = layout_export(layout=Layout.objects.get(code="hebei"))
    data["layout"] = "hebei-copy"
    categories = data["frameworks"]["project"]["categories"]
    del categories[2]["name"]
    categories[0]["subcategories"][1]["mandatory"] = "是"
    categories[1]["subcategories"][0]["colour"] = "red"
    categories[1]["name"] = categories[0]["name"]
    data["frameworks"]["budget"] = {"categories": []}
    path = tmp_path / "hebei-copy.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = _counts()
    with pytest.raises(CommandError) as raised:
        call_command("import_layout", str(path))
    assert str(raised.value).splitlines() == [
        f"未导入 {path}：",
        "版式定义有 5 处错误，什么也没有导入：",
        "frameworks.budget：不认识的字段（可用：department、project）",
        "frameworks.project.categories[0].subcategories[1].mandatory：应为 true 或 false，不是 '是'",
        "frameworks.project.categories[1].subcategories[0].colour：不认识的字段（可用：name、mandatory、note）",
        "frameworks.project.categories[2].name：缺少",
        "frameworks.project.categories[1].name：“产出指标”与 frameworks.project.categories[0] 重复",
    ]
    assert _counts() == before
    assert not Layout.objects.filter(code="hebei-copy").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("layout"), "layout：缺少"),
    (lambda d: d.update(layout="河北"), "layout：“河北”不是版式代码：只能用英文字母、数字、- 和 _"),
    (lambda d: d.update(name=""), "name：不能为空"),
    (lambda d: d.update(colour="red"), "colour：不认识的字段（可用：layout、name、frameworks、definition）"),
    (lambda d: d.update(frameworks={}), "frameworks：至少要有一种表类型（department、project）"),
    (lambda d: d["frameworks"]["project"].update(categories="产出指标"), "frameworks.project.categories：应为列表"),
    (lambda d: d["frameworks"]["project"]["categories"][0]["subcategories"][0].update(name="数" * 51),
     "frameworks.project.categories[0].subcategories[0].name：文字过长（51 个字符，最多 50 个）"),
])
def test_a_wrong_key_is_named_with_its_path(change, message):
    data = layout_export(layout=Layout.objects.get(code="hebei"))
    change(data)
    with pytest.raises(LayoutImportError) as raised:
        layout_import(data=copy.deepcopy(data))
    assert any(error.startswith(message) for error in raised.value.errors), raised.value.errors


@pytest.mark.django_db
def test_an_import_that_would_drop_a_subcategory_in_use_is_refused_and_names_it(tmp_path):
    data = layout_export(layout=Layout.objects.get(code="hebei"))
    outputs = data["frameworks"]["project"]["categories"][0]
    outputs["subcategories"] = [sub for sub in outputs["subcategories"] if sub["name"] != "数量指标"]
    outputs["subcategories"].append({"name": "新增指标", "mandatory": False})
    path = tmp_path / "hebei.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = (_counts(), layout_export(layout=Layout.objects.get(code="hebei")))
    with pytest.raises(CommandError) as raised:
        call_command("import_layout", str(path))
    assert str(raised.value).splitlines()[1:] == [
        "版式 hebei：文件中没有下列二级指标，但申报仍在使用，不能删除（请在文件中保留它们，或先修改这些申报）：",
        "项目绩效目标表：产出指标 / 数量指标（5 个三级指标在用）",
    ]
    assert (_counts(), layout_export(layout=Layout.objects.get(code="hebei"))) == before



@pytest.mark.django_db
def test_load_demo_keeps_what_an_administrator_changed_in_a_framework(capsys):
    sub = Subcategory.objects.get(
        category__framework__layout__code="ningxia", category__framework__table_kind="project", name="经济效益指标"
    )
    sub.mandatory, sub.note, sub.order = True, "必填", 9
    sub.save()
    call_command("load_demo")
    sub.refresh_from_db()
    assert (sub.mandatory, sub.note, sub.order) == (True, "必填", 9)
