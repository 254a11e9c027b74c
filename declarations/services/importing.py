"""Importing a JSON document (docs/interchange.md): it replaces one unit's editable declarations
of one budget year.

A document is checked in four passes before anything is written, and every error names its
place as a path into the document (`projects[2].indicators[5].value: …`, indices from 0):

1. plain JSON: only JSON values, bounded nesting and numbers, no invisible control characters;
2. the JSON Schema docs/interchange.schema.json: keys, types, lengths, amounts, dates;
3. the content against the database: the layout and its 一级/二级, values that start like a
   number but do not parse, duplicate project names or codes, money kinds that do not match
   their direction, unit codes taken by another unit;
4. the unit's declarations of that year: all must be editable (草稿 or 退回修改).

Then, in one transaction, the editable declarations and the cover note of that unit-year are
deleted and the document is created by the loader (`documents._create_document`). Any error
leaves the database as it was.
"""
import json
import logging
import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from jsonschema import Draft202012Validator

from indicators.models import Layout, Subcategory, TableKind
from review.models import Snapshot

from .. import values
from ..models import (
    EXPENSE_KINDS,
    INCOME_KINDS,
    CoverNote,
    DepartmentDeclaration,
    FinanceBureau,
    MoneyKind,
    ProjectDeclaration,
    Unit,
)
from .documents import DocumentError, _create_document, document_owner
from .drafts import EDITABLE

logger = logging.getLogger(__name__)

SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "interchange.schema.json"
MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 32
MAX_INTEGER = 10**18
MAX_MESSAGES = 20
# Control characters (but tab and line breaks), lone surrogates and the two non-characters: they
# cannot be printed, break the XML of the Excel and PDF exports, or cannot be stored.
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

PATTERN_MESSAGES = {
    "\\S": "不能为空",
    "^[0-9]{1,12}(\\.[0-9]{1,6})?$": "不是金额：应为万元数的数字字符串，最多 12 位整数、6 位小数，如 \"216\"、\"1051.92\"",
    "^(100(\\.0{1,2})?|[0-9]{1,2}(\\.[0-9]{1,2})?)$": "不是百分数：应为 0 到 100 的数字字符串（不带 %），最多 2 位小数，如 \"30\"",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "不是日期：应写成 YYYY-MM-DD，如 \"2024-02-20\"",
    "^[-a-zA-Z0-9_]+$": "不是版式代码：只能含英文字母、数字、- 和 _",
}
TYPE_NAMES = {
    "string": "字符串", "null": "null", "object": "对象 {…}", "array": "数组 […]", "integer": "整数",
    "number": "数字", "boolean": "true 或 false",
}
JSON_MESSAGES = {
    "Expecting value": "此处应为一个值",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "字段名应以英文双引号括起",
    "Unterminated string starting at": "字符串没有结束",
    "Extra data": "JSON 结束后还有多余的内容",
    "Invalid control character at": "字符串中有未转义的控制字符",
    "Invalid \\escape": "无效的转义",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
}


@dataclass
class ImportResult:
    unit: Unit
    year: int
    removed: int  # editable declarations replaced
    department: bool
    projects: int


# --- reading ------------------------------------------------------------------------------

def _no_duplicate_keys(pairs):
    data = {}
    for key, value in pairs:
        if key in data:
            raise DocumentError(f"JSON 对象中字段“{_show(key)}”出现了两次")
        data[key] = value
    return data


def _no_constant(name):
    raise DocumentError(f"JSON 中不能有 {name}")


def document_parse(raw):
    """The document in a JSON text (bytes, UTF-8). Refuses more than 20 MB before parsing."""
    if len(raw) > MAX_BYTES:
        raise DocumentError(f"文件有 {len(raw) / 1048576:.1f} MB，超过 20 MB 的上限")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(f"文件不是 UTF-8 编码（第 {error.start + 1} 个字节无法识别）") from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        message = JSON_MESSAGES.get(error.msg, error.msg)
        raise DocumentError(f"第 {error.lineno} 行第 {error.colno} 列：JSON 格式错误（{message}）") from None
    except RecursionError:
        raise DocumentError("JSON 嵌套过深") from None
    except ValueError:  # an integer of thousands of digits
        raise DocumentError("JSON 中有位数过多的数字") from None


def document_read(path):
    """The document in a JSON file. Refuses files over 20 MB without reading them."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DocumentError(f"文件 {path.name} 有 {size / 1048576:.1f} MB，超过 20 MB 的上限")
    return document_parse(path.read_bytes())


# --- messages -----------------------------------------------------------------------------

def _value(value):
    """A short, always printable text for any JSON value (huge integers have no str())."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) >= 10**30:
            return f"约 {int(value.bit_length() * 0.30103) + 1} 位的数字"
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return "数组"
    if isinstance(value, dict):
        return "对象"
    if isinstance(value, str):
        return value
    return type(value).__name__


def _show(value, limit=30):
    text = _value(value)
    text = _BAD_CHARACTER.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return text[:limit] + "…" if len(text) > limit else text


def _kind(value):
    if isinstance(value, str):
        return f"字符串“{_show(value)}”"
    if isinstance(value, bool):
        return _value(value)
    if isinstance(value, (int, float)):
        return f"数字 {_show(value)}"
    return _value(value)


def path_text(parts):
    """`projects[2].indicators[5].value` for ("projects", 2, "indicators", 5, "value")."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + _show(part, 40)
    return text or "（文档）"


def _join(problems):
    if len(problems) == 1:
        return problems[0]
    shown = problems[:MAX_MESSAGES]
    more = "\n……仅列出前 %d 处" % MAX_MESSAGES if len(problems) > MAX_MESSAGES else ""
    return f"文档有 {len(shown)}{'+' if more else ''} 处错误：\n" + "\n".join(shown) + more


# --- 1. plain JSON ------------------------------------------------------------------------

def _plain_errors(data):
    problems = []
    stack = [((), data, 0)]
    while stack and len(problems) <= MAX_MESSAGES:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems.append(f"{path_text(path)}: 嵌套过深")
        elif isinstance(value, dict):
            children = []
            for key, item in value.items():
                if not isinstance(key, str):
                    problems.append(f"{path_text(path)}: 字段名应为字符串，实际是{_kind(key)}")
                    continue
                children.append((path + (key,), item, depth + 1))
                if _BAD_CHARACTER.search(key):
                    problems.append(f"{path_text(path + (key,))}: 字段名含有不可见的控制字符")
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([(path + (index,), item, depth + 1) for index, item in enumerate(value)]))
        elif isinstance(value, str):
            bad = _BAD_CHARACTER.search(value)
            if bad:
                problems.append(
                    f"{path_text(path)}: 第 {bad.start() + 1} 个字符是不可见的控制字符 U+{ord(bad.group()):04X}"
                )
        elif value is None or isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if abs(value) >= MAX_INTEGER:
                problems.append(f"{path_text(path)}: 数字过大（{_show(value)}）")
        elif isinstance(value, float):
            if not math.isfinite(value):
                problems.append(f"{path_text(path)}: 不是有限的数字（{_show(value)}）")
        else:
            problems.append(f"{path_text(path)}: 不是 JSON 值（{type(value).__name__}）")
    return problems


# --- 2. the schema ------------------------------------------------------------------------

@lru_cache(maxsize=1)
def document_schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator():
    return Draft202012Validator(document_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _describe(error):
    """One or more Chinese messages, each starting with its path, for one jsonschema error."""
    where = list(error.absolute_path)
    here = path_text(where)
    rule, instance, schema = error.validator, error.instance, error.schema
    if rule == "required":
        return [f"{path_text(where + [key])}: 缺少必填字段" for key in error.validator_value if key not in instance]
    if rule == "additionalProperties":
        known = schema.get("properties", {})
        return [
            f"{path_text(where + [key])}: 不认识的字段（字段名见 docs/interchange.md）" for key in instance if key not in known
        ]
    if rule == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return [f"{here}: 应为{'或'.join(TYPE_NAMES.get(name, name) for name in wanted)}，实际是{_kind(instance)}"]
    if rule == "pattern":
        message = PATTERN_MESSAGES.get(error.validator_value, f"不符合格式 {error.validator_value}")
        return [f"{here}: 不能为空" if message == "不能为空" else f"{here}: “{_show(instance)}”{message}"]
    if rule == "minLength":
        return [f"{here}: 不能为空"]
    if rule == "maxLength":
        return [f"{here}: 文字过长：{len(instance)} 个字符，最多 {error.validator_value} 个"]
    if rule == "maxItems":
        return [f"{here}: 最多 {error.validator_value} 项，实际有 {len(instance)} 项"]
    if rule == "minItems":
        return [f"{here}: 应有 {error.validator_value} 项，实际有 {len(instance)} 项"]
    if rule == "items" and error.validator_value is False:
        return []  # maxItems says it
    if rule == "enum":
        return [f"{here}: 应为 {'、'.join(map(str, error.validator_value))} 之一，实际是{_kind(instance)}"]
    if rule in ("minimum", "maximum"):
        return [f"{here}: 应在 {schema.get('minimum')} 到 {schema.get('maximum')} 之间，实际是 {_show(instance)}"]
    if rule == "format":
        return [f"{here}: “{_show(instance)}”不是有效的日期（YYYY-MM-DD）"]
    return [f"{here}: {_show(error.message, 200)}"]


def schema_errors(data):
    """The places where `data` does not fit docs/interchange.schema.json (at most ~20)."""
    problems = []
    for error in _validator().iter_errors(data):
        for message in _describe(error):
            if message not in problems:
                problems.append(message)
        if len(problems) > MAX_MESSAGES:
            break
    return problems


# --- 3. content ---------------------------------------------------------------------------

class _Framework:
    def __init__(self, layout):
        self.layout = layout
        self.subcategories = {}
        for sub in Subcategory.objects.filter(category__framework__layout=layout).select_related("category__framework"):
            kind = sub.category.framework.table_kind
            self.subcategories.setdefault((kind, sub.category.name), []).append(sub.name)

    def errors(self, kind, row, here):
        category, subcategory = row["category"], row["subcategory"]
        names = self.subcategories.get((kind, category))
        table = TableKind(kind).label
        if names is None:
            available = "、".join(name for (k, name) in self.subcategories if k == kind) or "无"
            return [f"{here}.category: 版式 {self.layout.code} 的{table}没有一级指标“{_show(category)}”（可用：{available}）"]
        if subcategory not in names:
            return [
                f"{here}.subcategory: 版式 {self.layout.code} 的{table}中，一级指标“{category}”下没有二级指标"
                f"“{_show(subcategory)}”（可用：{'、'.join(names)}）"
            ]
        return []


def _value_errors(row, here):
    value = row.get("value") or ""
    if not value.strip():
        return []
    try:
        parsed = values.parse(value, strict=True)
    except values.ValueSyntaxError as error:
        return [f"{here}.value: {error}"]
    if parsed.number is not None and parsed.number.as_tuple().exponent < -6:
        return [f"{here}.value: 数值“{_show(value)}”最多 6 位小数"]
    return []


def _indicator_errors(rows, kind, where, framework):
    problems = []
    for index, row in enumerate(rows or []):
        here = f"{where}.indicators[{index}]"
        problems += framework.errors(kind, row, here)
        problems += _value_errors(row, here)
    return problems


def _money_errors(lines, where):
    problems = []
    for index, line in enumerate(lines or []):
        kinds = INCOME_KINDS if line["direction"] == "income" else EXPENSE_KINDS
        if line["kind"] not in kinds:
            direction = "收入" if line["direction"] == "income" else "支出"
            problems.append(
                f"{where}.money[{index}].kind: {direction}不能是“{MoneyKind(line['kind']).label}”（{line['kind']}）；"
                f"可用：{'、'.join(kinds)}"
            )
    return problems


def _duplicates(items, key, where, field, label):
    problems, seen = [], {}
    for index, item in enumerate(items):
        value = (key(item) or "").strip()
        if not value:
            continue
        if value in seen:
            problems.append(f"{where}[{index}].{field}: {label}“{_show(value)}”与 {where}[{seen[value]}] 重复")
        else:
            seen[value] = index
    return problems


def _project_errors(projects, framework):
    problems = _duplicates(projects, lambda p: p["name"], "projects", "name", "项目名称")
    problems += _duplicates(projects, lambda p: p.get("code"), "projects", "code", "项目编码")
    for index, project in enumerate(projects):
        where = f"projects[{index}]"
        start, end = project.get("start_date"), project.get("end_date")
        if start and end and date.fromisoformat(start) > date.fromisoformat(end):
            problems.append(f"{where}.end_date: 完成时间 {end} 早于开始时间 {start}")
        period = project.get("period") or [None, None]
        if period[0] is not None and period[1] is not None and period[0] > period[1]:
            problems.append(f"{where}.period: 项目期止 {period[1]} 早于项目期起 {period[0]}")
        problems += _duplicates(
            project.get("spending_plan") or [], lambda point: point["label"], f"{where}.spending_plan", "label", "时间节点"
        )
        problems += _money_errors(project.get("money"), where)
        problems += _indicator_errors(project.get("indicators"), TableKind.PROJECT, where, framework)
    return problems


def _unit_errors(data, bureau):
    problems = []
    specs = [("unit", data["unit"])]
    if data["unit"].get("parent"):
        specs.append(("unit.parent", data["unit"]["parent"]))
    for where, spec in specs:
        name, code = spec["name"], (spec.get("code") or "").strip()
        if name != name.strip():
            problems.append(f"{where}.name: 名称首尾不能有空格")
        if bureau is None or not code or Unit.objects.filter(bureau=bureau, name=name).exists():
            continue  # an existing unit keeps its code; a new one must not take another's
        other = Unit.objects.filter(bureau=bureau, code=code).exclude(name=name).first()
        if other is not None:
            problems.append(f"{where}.code: {bureau.name} 已有编码为“{code}”的单位“{other.name}”")
    parent = data["unit"].get("parent")
    if parent and (parent.get("code") or "").strip() and (parent.get("code") or "").strip() == (
        data["unit"].get("code") or ""
    ).strip() and parent["name"] != data["unit"]["name"]:
        problems.append("unit.parent.code: 主管部门与单位的编码相同")
    return problems


def content_errors(data):
    """What the schema cannot say: checks against the database and across entries."""
    spec = data["bureau"]
    problems = []
    if spec["name"] != spec["name"].strip():
        problems.append("bureau.name: 名称首尾不能有空格")
    bureau = FinanceBureau.objects.select_related("layout").filter(name=spec["name"]).first()
    if bureau is not None and bureau.layout.code != spec["layout"]:
        problems.append(f"bureau.layout: {bureau.name} 的版式是 {bureau.layout.code}，文档写的是 {_show(spec['layout'])}")
    layout = bureau.layout if bureau is not None else Layout.objects.filter(code=spec["layout"]).first()
    if layout is None:
        codes = "、".join(Layout.objects.values_list("code", flat=True))
        return problems + [f"bureau.layout: 没有版式“{_show(spec['layout'])}”（可用：{codes}）"]
    framework = _Framework(layout)
    problems += _unit_errors(data, bureau)
    department = data.get("department")
    if department:
        problems += _money_errors(department.get("money"), "department")
        problems += _indicator_errors(department.get("indicators"), TableKind.DEPARTMENT, "department", framework)
    problems += _project_errors(data.get("projects") or [], framework)
    return problems


# --- 4. replacing -------------------------------------------------------------------------

def _title(declaration):
    if isinstance(declaration, ProjectDeclaration):
        return f"项目“{declaration.name}”（{declaration.get_status_display()}）"
    return f"部门整体绩效目标（{declaration.get_status_display()}）"


def _remove_editable(unit, year):
    """Delete the unit's declarations and cover note of the year; refuse if any is not editable."""
    departments = list(DepartmentDeclaration.objects.select_for_update().filter(unit=unit, year__year=year))
    projects = list(
        ProjectDeclaration.objects.select_for_update().filter(unit=unit, year__year=year).order_by("order", "id")
    )
    declarations = departments + projects
    locked = [declaration for declaration in declarations if declaration.status not in EDITABLE]
    if locked:
        raise DocumentError(
            f"{unit.name} {year}年 有不能替换的申报：{'、'.join(map(_title, locked))}。"
            "只有“草稿”和“退回修改”的申报可以被导入替换；什么也没有导入"
        )
    linked = Q(project__in=projects) | Q(department__in=departments)
    reviewed = Snapshot.objects.filter(linked).select_related("project", "department")
    if reviewed.exists():
        # A declaration that was ever submitted has snapshots, reviews and a transition log that
        # must stay traceable; it is changed in place (wizard or Excel import), never replaced.
        titles = "、".join(sorted({_title(snapshot.declaration) for snapshot in reviewed}))
        raise DocumentError(
            f"{unit.name} {year}年 的 {titles} 已提交过审核，审核记录须保留，不能用导入替换；"
            "请在申报页面中修改，或下载 Excel 修改后导入。什么也没有导入"
        )
    DepartmentDeclaration.objects.filter(pk__in=[d.pk for d in departments]).delete()
    ProjectDeclaration.objects.filter(pk__in=[p.pk for p in projects]).delete()
    CoverNote.objects.filter(unit=unit, year__year=year).delete()
    return len(declarations)


def _replace(data):
    year_number = int(data["year"])
    unit = Unit.objects.filter(bureau__name=data["bureau"]["name"], name=data["unit"]["name"]).first()
    removed = _remove_editable(unit, year_number) if unit is not None else 0
    unit, year = document_owner(data)
    _create_document(data, unit, year)
    return ImportResult(
        unit=unit,
        year=year.year,
        removed=removed,
        department=bool(data.get("department")),
        projects=len(data.get("projects") or []),
    )


def document_check(data):
    """Every problem of a document, as Chinese messages naming their place; [] when it can be imported.

    The database is only read. Whether the unit's declarations may be replaced is checked on import.
    """
    return _plain_errors(data) or schema_errors(data) or content_errors(data)


def with_unit_named(data, unit_name=None):
    """The document with its unit named: a table that names no unit (`unit.name` null or absent)
    is imported under `unit_name`, and its declarations keep that the table did not state it, so
    the printed unit line stays blank. Refused, saying what to do, when no name is given."""
    unit = data.get("unit") if isinstance(data, dict) else None
    if not isinstance(unit, dict):
        return data
    stated = unit.get("name")
    given = (unit_name or "").strip()
    if stated is not None:
        if given and given != stated:
            raise DocumentError(f"文档写明的单位是“{_show(stated)}”，与指定的单位“{_show(given)}”不同；什么也没有导入")
        return data
    if not given:
        raise DocumentError("文档没有写单位名称（unit.name 为空）：请指明导入到哪个单位，"
                            "如 import_json 文件 --unit \"单位名称\"；什么也没有导入")
    unstated = {"unit_name_stated": False}
    department = data.get("department")
    return {
        **data,
        "unit": {**unit, "name": given},
        "department": {**department, **unstated} if isinstance(department, dict) else department,
        "projects": [{**project, **unstated} if isinstance(project, dict) else project
                     for project in data.get("projects") or []],
    }


def document_import(*, data, unit_name=None):
    """Create or replace one unit's declarations of one budget year from a document (a dict).

    A document that names no unit is imported under `unit_name` (`with_unit_named`).
    Raises DocumentError (nothing written) when the document does not fit, or when the unit has a
    declaration of that year that is submitted, approved or published.
    """
    data = with_unit_named(data, unit_name)
    problems = document_check(data)
    if problems:
        raise DocumentError(_join(problems))
    try:
        with transaction.atomic():
            result = _replace(data)
    except (IntegrityError, DataError) as error:
        # The checks above should have caught it; the database is the last line.
        logger.warning("document.import_refused_by_database error=%s", error)
        raise DocumentError(f"数据库拒绝写入：{_show(str(error), 200)}") from None
    logger.info(
        "document.imported unit=%s year=%s removed=%s projects=%s",
        result.unit.pk, result.year, result.removed, result.projects,
    )
    return result
