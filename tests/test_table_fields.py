"""What real tables state that the model once could not hold: a table that names no unit, a project's
立项依据 / 项目概况 / 项目实施进度计划, and a 计量单位 column that differs from the value's own unit."""
import copy
import json
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse

from declarations.exports.builders import load_document_data
from declarations.exports.layouts import get_layout
from declarations.exports.snapshots import document_data_from_snapshots
from declarations.models import BudgetYear, Indicator, ProjectDeclaration, Unit
from declarations.services.copying import project_copy_to_year
from declarations.services.documents import DocumentError
from declarations.services.importing import document_import
from declarations.services.interchange import document_to_dict, header_of, project_to_dict

pytestmark = pytest.mark.django_db

DOCUMENTS = Path(__file__).parent / "documents"
NINGXIANG = DOCUMENTS / "hunan-ningxiang.yaml"
YUEYANGLOU = DOCUMENTS / "hunan-yueyanglou.yaml"


def _document(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _unnamed():
    """The 宁乡 table as a table that states no unit (the 填报单位 line left empty)."""
    data = _document(NINGXIANG)
    data["unit"]["name"] = None
    return data


def _project():
    document_import(data=_document(NINGXIANG))
    return ProjectDeclaration.objects.get(name="镇域内基础设施建设")


@pytest.fixture
def unnamed_file(tmp_path):
    path = tmp_path / "unnamed.json"
    path.write_text(json.dumps(_unnamed(), ensure_ascii=False), encoding="utf-8")
    return path


# --- a table that names no unit ------------------------------------------------------------

def test_a_document_naming_no_unit_is_refused_saying_to_name_the_unit(unnamed_file):
    with pytest.raises(CommandError) as error:
        call_command("import_json", str(unnamed_file), stdout=open("/dev/null", "w"))

    assert "文档没有写单位名称（unit.name 为空）：请指明导入到哪个单位，如 import_json 文件 --unit \"单位名称\"" in str(
        error.value
    )
    assert not Unit.objects.filter(name="坝塘镇人民政府").exists()


def test_a_document_naming_no_unit_imports_under_the_unit_given(unnamed_file, capsys):
    call_command("import_json", str(unnamed_file), "--unit", "坝塘镇人民政府")

    project = ProjectDeclaration.objects.get(unit__name="坝塘镇人民政府", name="镇域内基础设施建设")
    assert project.unit_name_stated is False
    assert "已导入 坝塘镇人民政府 2021年：项目 1 个" in capsys.readouterr().out


def test_a_unit_given_for_a_document_that_names_another_is_refused():
    with pytest.raises(DocumentError, match="文档写明的单位是“宁乡市坝塘镇人民政府”，与指定的单位“别的单位”不同"):
        document_import(data=_document(NINGXIANG), unit_name="别的单位")


def test_the_unit_line_prints_blank_when_the_table_stated_no_unit():
    result = document_import(data=_unnamed(), unit_name="坝塘镇人民政府")

    table = get_layout("hunan-ningxiang").document(load_document_data(result.unit, 2021)).tables[0]
    assert table.header_left == "填报单位（盖章）："


def test_the_unit_line_prints_the_unit_the_table_states():
    result = document_import(data=_document(NINGXIANG))

    table = get_layout("hunan-ningxiang").document(load_document_data(result.unit, 2021)).tables[0]
    assert table.header_left == "填报单位（盖章）：宁乡市坝塘镇人民政府"


def test_that_the_unit_was_not_stated_survives_an_export_and_import():
    result = document_import(data=_unnamed(), unit_name="坝塘镇人民政府")
    exported = document_to_dict(result.unit, 2021)
    again = copy.deepcopy(exported)
    again["unit"]["name"] = "坝塘镇人民政府（副本）"

    document_import(data=again)

    assert exported["projects"][0]["unit_name_stated"] is False
    assert ProjectDeclaration.objects.get(unit__name="坝塘镇人民政府（副本）").unit_name_stated is False


# --- 立项依据, 项目概况, 项目实施进度计划 --------------------------------------------------------

def test_a_project_keeps_its_legal_basis_overview_and_milestones_through_export():
    data = project_to_dict(_project())

    assert data["legal_basis"] == "机关、学校、乡村振兴按发改立项"
    assert data["overview"] == "镇域内水利、道路、机关、学校及乡村振兴等基础设施建设"
    assert data["milestones"] == [
        {"content": "1总体概念规划", "start": "2016", "end": "2020"},
        {"content": "2、核心区规划", "start": "2021", "end": "2021"},
    ]


def test_a_project_that_states_none_exports_them_as_null_and_empty():
    data = project_to_dict(ProjectDeclaration.objects.filter(unit__name="阳新县信访局").first())

    assert (data["legal_basis"], data["overview"], data["milestones"]) == (None, None, [])


def test_a_milestone_without_content_is_refused_naming_its_place():
    data = _document(NINGXIANG)
    data["projects"][0]["milestones"][1]["content"] = ""

    with pytest.raises(DocumentError, match=r"projects\[0\]\.milestones\[1\]\.content: 不能为空"):
        document_import(data=data)


def test_milestones_print_from_a_snapshot_as_from_the_rows():
    project = _project()

    data = document_data_from_snapshots(
        header=header_of(project.unit, 2021), unit_pk=project.unit_id, projects=[(project.pk, project_to_dict(project))]
    )

    assert [(step.content, step.start, step.end) for step in data.projects[0].milestones.all()] == [
        ("1总体概念规划", "2016", "2020"), ("2、核心区规划", "2021", "2021"),
    ]
    assert data.projects[0].legal_basis == "机关、学校、乡村振兴按发改立项"


def test_copying_to_next_year_keeps_the_milestones_and_the_legal_basis():
    project = _project()
    BudgetYear.objects.get_or_create(year=2022)

    copied = project_copy_to_year(project=project, year=2022, keep_money=False)

    assert [step.content for step in copied.milestones.all()] == ["1总体概念规划", "2、核心区规划"]
    assert (copied.legal_basis, copied.overview) == (project.legal_basis, project.overview)


def test_the_admin_edits_a_projects_milestones_inline(client, administrator):
    project = _project()
    client.force_login(administrator)

    page = client.get(reverse("admin:declarations_projectdeclaration_change", args=[project.pk]))

    assert page.status_code == 200
    assert "milestones" in [formset.formset.prefix for formset in page.context["inline_admin_formsets"]]
    assert "2、核心区规划" in page.content.decode()


# --- a printed unit column that differs from the value's unit ------------------------------

def test_a_qualitative_value_keeps_the_unit_its_table_prints_beside_it():
    document_import(data=_document(YUEYANGLOU))

    indicator = Indicator.objects.get(name="保证单位正常运转")
    assert (indicator.value_display, indicator.printed_unit) == ("应保尽保", "%")


def test_the_printed_unit_leaves_the_value_grammar_as_it_is():
    document_import(data=_document(YUEYANGLOU))

    indicator = Indicator.objects.get(name="业务工作支出安排金额")
    assert (indicator.comparator, str(indicator.number.normalize()), indicator.unit) == ("", "28.8", "万元")
    assert indicator.printed_unit == "%"


def test_the_printed_unit_is_exported_and_null_when_the_table_states_none():
    document_import(data=_document(YUEYANGLOU))
    unit = Unit.objects.get(name="岳阳楼区价格认证鉴定中心")

    rows = {row["name"]: row["printed_unit"] for row in document_to_dict(unit, 2023)["department"]["indicators"]}
    assert (rows["保证单位正常运转"], rows["业务工作支出到位率"]) == ("%", None)
