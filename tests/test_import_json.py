"""The JSON interchange commands: export_json, import_json and document_import's checks."""
import copy
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from declarations.models import (
    BudgetYear,
    CoverNote,
    DepartmentDeclaration,
    FinanceBureau,
    Indicator,
    MoneyLine,
    ProjectDeclaration,
    Status,
    Unit,
)
from declarations.services.documents import DocumentError
from declarations.services.importing import document_import, document_parse, document_read, document_schema
from declarations.services.interchange import document_to_dict
from review.models import Review
from review.services import declaration_return, declaration_submit

from .conftest import SEEDS

pytestmark = pytest.mark.django_db

EXAMPLES_RUN = {"count": 0, "imported": 0, "refused": 0}


def _unit(seed):
    return Unit.objects.get(name=SEEDS[seed][0])


def _document(seed):
    return document_to_dict(_unit(seed), SEEDS[seed][1])


def _state(seed="hebei-zunhua-2024"):
    """Row counts of everything an import writes, and one seed's whole document."""
    models = (
        FinanceBureau, Unit, BudgetYear, DepartmentDeclaration, ProjectDeclaration, Indicator, MoneyLine, CoverNote,
    )
    return {model.__name__: model.objects.count() for model in models} | {"document": _document(seed)}


def _validator():
    return Draft202012Validator(document_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _export(tmp_path, seed, name):
    path = tmp_path / name
    call_command("export_json", unit=SEEDS[seed][0], year=SEEDS[seed][1], out=str(path), stdout=open("/dev/null", "w"))
    return path


# --- schema -------------------------------------------------------------------------------

def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(document_schema())


@pytest.mark.parametrize("seed", SEEDS)
def test_every_demo_document_fits_the_schema(seed):
    assert list(_validator().iter_errors(_document(seed))) == []


@pytest.mark.parametrize("change", [
    lambda d: d.update(year="2024"),
    lambda d: d["projects"][0].update(budget=216),
    lambda d: d["projects"][0].update(table="yes"),
    lambda d: d["projects"][0].update(indicators={}),
    lambda d: d["projects"][0]["indicators"][0].update(value=95),
    lambda d: d["department"].update(money=[{"direction": "income", "kind": "fiscal_general", "amount": 374}]),
    lambda d: d["unit"].update(name=""),
])
def test_the_schema_rejects_wrong_types(change):
    document = _document("hebei-zunhua-2024")
    change(document)
    assert list(_validator().iter_errors(document))


# --- round trip ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_export_import_export_gives_identical_json(seed, tmp_path):
    first = _export(tmp_path, seed, "first.json")

    call_command("import_json", str(first), stdout=open("/dev/null", "w"))

    second = _export(tmp_path, seed, "second.json")
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_export_json_writes_readable_utf8_with_indent_one(tmp_path):
    text = _export(tmp_path, "hebei-zunhua-2024", "zunhua.json").read_text(encoding="utf-8")
    assert text.startswith('{\n "bureau": {\n  "name": "遵化市财政局",')
    assert json.loads(text) == _document("hebei-zunhua-2024")


def test_importing_replaces_the_drafts_with_the_document():
    document = _document("hebei-zunhua-2024")
    document["projects"][0]["name"] = "驻京信访工作经费（调整）"
    del document["projects"][2]

    result = document_import(data=document)

    assert (result.removed, result.department, result.projects) == (4, True, 2)
    names = list(ProjectDeclaration.objects.filter(unit=result.unit, year__year=2024).values_list("name", flat=True))
    assert names[0] == "驻京信访工作经费（调整）" and len(names) == 2
    assert _document("hebei-zunhua-2024") == document


def test_importing_a_document_of_a_new_unit_creates_it():
    document = _document("hebei-zunhua-2024")
    document["unit"].update(name="遵化市新单位", code="999")

    result = document_import(data=document)

    assert result.removed == 0 and result.unit.code == "999"
    assert document_to_dict(result.unit, 2024)["projects"] == document["projects"]


def test_a_returned_declaration_keeps_its_review_history_and_is_not_replaced(zunhua_project, filler, reviewer):
    declaration_submit(declaration=zunhua_project, user=filler)
    declaration_return(declaration=zunhua_project, user=reviewer, reason="请补充依据")
    document = _document("hebei-zunhua-2024")
    before = _state()

    with pytest.raises(DocumentError, match="已提交过审核，审核记录须保留"):
        document_import(data=document)

    assert Review.objects.filter(project_id=zunhua_project.pk).exists()
    assert _state() == before


def test_importing_over_a_submitted_declaration_is_refused_and_changes_nothing(zunhua_project, filler):
    declaration_submit(declaration=zunhua_project, user=filler)
    document = _document("hebei-zunhua-2024")
    document["projects"][1]["name"] = "改名"
    before = _state()

    with pytest.raises(DocumentError, match="项目“驻京信访工作经费”（已提交）") as error:
        document_import(data=document)

    assert "只有“草稿”和“退回修改”的申报可以被导入替换" in str(error.value)
    assert _state() == before


@pytest.mark.parametrize("status", [Status.APPROVED, Status.PUBLISHED])
def test_approved_and_published_declarations_are_never_replaced(status):
    DepartmentDeclaration.objects.filter(unit__name="遵化市信访局").update(status=status)
    before = _state()

    with pytest.raises(DocumentError, match="部门整体绩效目标"):
        document_import(data=_document("hebei-zunhua-2024"))

    assert _state() == before


# --- broken documents ---------------------------------------------------------------------

def _indicator(document, project, index):
    return document["projects"][project]["indicators"][index]


BROKEN = {
    "wrong type": (
        lambda d: d["projects"][1].update(table="是"),
        "projects[1].table: 应为true 或 false，实际是字符串“是”",
    ),
    "unknown 二级": (
        lambda d: _indicator(d, 2, 5).update(subcategory="数量"),
        "projects[2].indicators[5].subcategory: 版式 hebei 的项目绩效目标表中，一级指标“满意度指标”下没有二级指标“数量”（可用：服务对象满意度指标）",
    ),
    "value that does not parse": (
        lambda d: _indicator(d, 2, 5).update(value="≥九十五%"),
        "projects[2].indicators[5].value: “≥九十五%”无法识别",
    ),
    "amount abc": (
        lambda d: d["projects"][0].update(budget="abc"),
        "projects[0].budget: “abc”不是金额",
    ),
    "missing name": (
        lambda d: _indicator(d, 0, 1).pop("name"),
        "projects[0].indicators[1].name: 缺少必填字段",
    ),
    "blank name": (
        lambda d: d["projects"][0].update(name="  "),
        "projects[0].name: 不能为空",
    ),
    "unknown key": (
        lambda d: d["projects"][0].update(nmae="x"),
        "projects[0].nmae: 不认识的字段",
    ),
    "impossible date": (
        lambda d: d["department"].update(fill_date="2024-02-30"),
        "department.fill_date: “2024-02-30”不是有效的日期",
    ),
    "expense kind as income": (
        lambda d: d["department"]["money"].append({"direction": "income", "kind": "basic", "amount": "1"}),
        "department.money[0].kind: 收入不能是“基本支出”",
    ),
    "duplicate project": (
        lambda d: d["projects"][2].update(name=d["projects"][0]["name"]),
        "projects[2].name: 项目名称“驻京信访工作经费”与 projects[0] 重复",
    ),
    "control character": (
        lambda d: d["projects"][0].update(purpose="用于\x07报警"),
        "projects[0].purpose: 第 3 个字符是不可见的控制字符 U+0007",
    ),
    "unknown layout": (
        lambda d: d["bureau"].update(layout="shanghai"),
        "bureau.layout: 遵化市财政局 的版式是 hebei，文档写的是 shanghai",
    ),
    "text too long": (
        lambda d: d["projects"][0].update(name="长" * 201),
        "projects[0].name: 文字过长：201 个字符，最多 200 个",
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_document_names_the_place_and_changes_nothing(case):
    change, message = BROKEN[case]
    document = _document("hebei-zunhua-2024")
    change(document)
    before = _state()
    name_before = ProjectDeclaration.objects.get(code="13028124P00096710001G").name

    with pytest.raises(DocumentError) as error:
        document_import(data=document)

    assert message in str(error.value)
    assert _state() == before
    assert ProjectDeclaration.objects.get(code="13028124P00096710001G").name == name_before


def test_several_errors_are_listed_together():
    document = _document("hebei-zunhua-2024")
    document["projects"][0]["budget"] = "abc"
    document["projects"][1]["budget"] = "-5"

    with pytest.raises(DocumentError) as error:
        document_import(data=document)

    assert str(error.value).splitlines() == [
        "文档有 2 处错误：",
        "projects[0].budget: “abc”不是金额：应为万元数的数字字符串，最多 12 位整数、6 位小数，如 \"216\"、\"1051.92\"",
        "projects[1].budget: “-5”不是金额：应为万元数的数字字符串，最多 12 位整数、6 位小数，如 \"216\"、\"1051.92\"",
    ]


# --- files and commands -------------------------------------------------------------------

def test_a_file_over_20_mb_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)

    with pytest.raises(DocumentError, match="超过 20 MB 的上限"):
        document_read(path)


def test_broken_json_names_line_and_column():
    with pytest.raises(DocumentError, match="第 2 行第 10 列：JSON 格式错误（此处应为一个值）"):
        document_parse('{\n "year": ,\n}'.encode())


@pytest.mark.parametrize("raw, message", [
    (b'{"year": 2024, "year": 2025}', "字段“year”出现了两次"),
    (b'{"year": NaN}', "JSON 中不能有 NaN"),
    (b'[' * 100000, "JSON 嵌套过深"),
    (b'{"year": ' + b"9" * 5000 + b"}", "位数过多的数字"),
    ("{}".encode("utf-16"), "不是 UTF-8 编码"),
])
def test_json_that_python_would_read_loosely_is_refused(raw, message):
    with pytest.raises(DocumentError, match=message):
        document_parse(raw)


def test_a_byte_order_mark_is_accepted():
    assert document_parse("\ufeff{\"year\": 2024}".encode()) == {"year": 2024}


def test_import_json_reports_the_error_as_a_command_error(tmp_path):
    path = tmp_path / "broken.json"
    document = _document("hebei-zunhua-2024")
    document["projects"][0]["budget"] = "abc"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(CommandError, match="projects\\[0\\].budget: “abc”不是金额"):
        call_command("import_json", str(path))


def test_import_json_of_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_json", str(tmp_path / "missing.json"))


@pytest.mark.parametrize("unit, year, message", [
    ("不存在的单位", 2024, "找不到单位“不存在的单位”"),
    ("遵化市信访局", 2030, "遵化市信访局 没有 2030 年度的申报"),
])
def test_export_json_refuses_what_it_cannot_export(tmp_path, unit, year, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_json", unit=unit, year=year, out=str(tmp_path / "x.json"))


def test_export_json_refuses_an_ambiguous_unit(tmp_path):
    Unit.objects.create(bureau=FinanceBureau.objects.get(name="如皋市财政局"), name="遵化市信访局", code="")

    with pytest.raises(CommandError, match="“遵化市信访局”对应多个单位"):
        call_command("export_json", unit="遵化市信访局", year=2024, out=str(tmp_path / "x.json"))


def test_export_json_finds_a_unit_by_its_code(tmp_path):
    path = tmp_path / "x.json"
    call_command("export_json", unit="455", year=2024, out=str(path), stdout=open("/dev/null", "w"))
    assert json.loads(path.read_text(encoding="utf-8"))["unit"]["name"] == "遵化市信访局"


# --- hostile input ------------------------------------------------------------------------

# Texts a form, a spreadsheet or an attacker may send: control characters, right-to-left and
# zero-width marks, emoji (with joiners), lone surrogates, full-width signs.
HOSTILE_CHARACTERS = st.sampled_from(
    list("\x00\x07\x1b\x7f\x85\u200b\u200e\u200f\u202e\u2028\ufeff\ufffe\ud800")
    + ["👩‍👩‍👧", "🇨🇳", "≥", "％", "９５", "…", "\"", "\\", "'", "\n", " ", "a", "年", "0", "."]
)
HOSTILE_TEXT = st.one_of(st.lists(HOSTILE_CHARACTERS, max_size=8).map("".join), st.text(max_size=12))
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**18, -(10**18), 10**400, 2**63, 2024, 0, -1, 2100, 1999]),
    st.floats(allow_nan=True, allow_infinity=True),
    HOSTILE_TEXT,
    st.sampled_from(["", "≥95%", "abc", "2024-02-30", "1e3", "216", "产出指标", "数量指标", "income", "long"]),
)
JSONISH = st.recursive(
    LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(HOSTILE_TEXT, children, max_size=4),
    max_leaves=12,
)


def _places(value, path=()):
    """Every place in a document: (container path, key) pairs, depth first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key
            yield from _places(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield path, index
            yield from _places(item, path + (index,))


def _at(document, path):
    for part in path:
        document = document[part]
    return document


@st.composite
def mutated_documents(draw, base):
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = list(_places(document))
        path, key = draw(st.sampled_from(places))
        container = _at(document, path)
        action = draw(st.sampled_from(["replace", "replace", "text", "delete", "add"]))
        if action == "replace":
            container[key] = draw(JSONISH)
        elif action == "text":
            container[key] = draw(HOSTILE_TEXT)
        elif action == "delete":
            del container[key]
        elif isinstance(container, dict):
            container[draw(HOSTILE_TEXT)] = draw(JSONISH)
        else:
            container.insert(key, draw(JSONISH))
    return document


def test_hostile_documents_are_imported_or_refused_with_a_document_error():
    """A 部门整体 with projects (遵化) or projects with a cover note (固原), mutated at random."""
    bases = {seed: _document(seed) for seed in ("hebei-zunhua-2024", "ningxia-guyuan-2021")}
    EXAMPLES_RUN.update(count=0, imported=0, refused=0)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data(), seed=st.sampled_from(sorted(bases)))
    def check(data, seed):
        document = data.draw(mutated_documents(bases[seed]))
        EXAMPLES_RUN["count"] += 1
        with transaction.atomic():
            before = _state(seed)
            try:
                document_import(data=document)
                EXAMPLES_RUN["imported"] += 1
            except DocumentError:
                EXAMPLES_RUN["refused"] += 1
                assert _state(seed) == before
            transaction.set_rollback(True)

    check()
    print("hypothesis examples run: {count} (imported {imported}, refused {refused})".format(**EXAMPLES_RUN))
    assert EXAMPLES_RUN["count"] >= 100


def test_hostile_texts_in_every_string_field_are_stored_or_refused():
    """The same, but only strings change: the documents get past the schema more often."""
    base = _document("ningxia-guyuan-2021")
    strings = [(path, key) for path, key in _places(base) if isinstance(_at(base, path)[key], str)]
    EXAMPLES_RUN.update(count=0, imported=0, refused=0)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(place=st.sampled_from(strings), text=HOSTILE_TEXT)
    def check(place, text):
        EXAMPLES_RUN["count"] += 1
        document = copy.deepcopy(base)
        _at(document, place[0])[place[1]] = text
        with transaction.atomic():
            before = _state("ningxia-guyuan-2021")
            try:
                document_import(data=document)
                EXAMPLES_RUN["imported"] += 1
            except DocumentError:
                EXAMPLES_RUN["refused"] += 1
                assert _state("ningxia-guyuan-2021") == before
            transaction.set_rollback(True)

    check()
    print("hypothesis examples run: {count} (imported {imported}, refused {refused})".format(**EXAMPLES_RUN))
    assert EXAMPLES_RUN["count"] >= 100

