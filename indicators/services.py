"""Writes to the indicator library (共性指标) and moves layouts (版式) between installations.

Library: importing rows of indicators, with a preview first.

Rows come from a sheet (.xlsx or .csv, header 一级指标 二级指标 三级指标 指标解释 建议指标值 取值依据
in any order) or from the starter file indicators/fixtures/library.yaml. `library_preview` says
what would be added, what would change and what stays, with every error named by sheet, row and
column; `library_apply` writes a preview that has no error, all or nothing. Entries that the rows
do not name are never touched.

Layouts: `layout_export` gives one layout's definition as a dict in the shape of
indicators/fixtures/frameworks/<code>.yaml; `layout_import` creates or updates a layout from such a
dict, all or nothing (see docs/layouts.md).
"""
import csv
import json
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import yaml
from django.db import IntegrityError, transaction
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .models import Category, Framework, Layout, LibraryIndicator, Subcategory, TableKind

logger = logging.getLogger(__name__)
PLACEHOLDERS = {"……", "…", "...", "无", ""}

# Header → model field, in the order a template sheet lists them.
HEADERS = {
    "一级指标": "category_name",
    "二级指标": "subcategory_name",
    "三级指标": "name",
    "指标解释": "description",
    "建议指标值": "suggested_value",
    "取值依据": "basis",
}
LABELS = {name: header for header, name in HEADERS.items()}
FIELDS = list(LABELS)
KEY_FIELDS = ("category_name", "subcategory_name", "name")
VALUE_FIELDS = ("description", "suggested_value", "basis")
DESCRIPTION_MAX_LENGTH = 5000  # a TextField: the limit is the importer's
MAX_LENGTHS = {
    name: LibraryIndicator._meta.get_field(name).max_length or DESCRIPTION_MAX_LENGTH for name in FIELDS
}
MAX_ROWS = 10_000
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # what the parts of an .xlsx may expand to (zip bombs)
MAX_ZIP_ENTRIES = 1000
HEADER_SEARCH_ROWS = 20
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# `=12次` is a target value; `=SUM(A1:A3)` or `=B2` a formula that a CSV has kept as text.
_CSV_FORMULA = re.compile(r"=\s*(?![0-9０-９])")


class LibraryImportError(Exception):
    """An import that is refused; the message is shown to the user."""


@dataclass
class LibraryRows:
    """Rows read from one source, before they are compared with the library.

    `rows` are {"row": number, field: text, …, "problems": [cells that could not be read]};
    `columns` maps a field to its column letter
    (empty for the YAML file, whose rows are numbered entries); `errors` are reading errors.
    """

    source: str
    columns: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def where(self, row, name=None):
        if not self.columns:
            return f"{self.source}第{row}条" + (f"（{LABELS[name]}）" if name else "")
        if name is None:
            return f"{self.source}第{row}行"
        return f"{self.source}第{row}行 {self.columns[name]}列（{LABELS[name]}）"

    def to_dict(self):
        return {"source": self.source, "columns": self.columns, "rows": self.rows, "errors": self.errors}

    @classmethod
    def from_dict(cls, data):
        return cls(source=data["source"], columns=data["columns"], rows=data["rows"], errors=data["errors"])


# --- reading ------------------------------------------------------------------------------

def _number(value):
    text = f"{round(value, 10):.10f}".rstrip("0").rstrip(".")
    return text or "0"


def _cell_text(cell):
    """A cell as the text a person sees: 0.95 formatted as a percentage is `95%`."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if "%" in (getattr(cell, "number_format", None) or ""):
            return f"{_number(value * 100)}%"
        return _number(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _header(cells):
    """{field: column index} of a header row, and the problems with it."""
    found, problems = {}, []
    for index, text in enumerate(cells):
        name = HEADERS.get(text.strip())
        if name is None:
            continue  # other columns are ignored
        if name in found:
            columns = f"{get_column_letter(found[name] + 1)}列和{get_column_letter(index + 1)}列"
            problems.append(f"表头“{LABELS[name]}”出现了两次（{columns}）")
        else:
            found[name] = index
    missing = [LABELS[name] for name in FIELDS if name not in found]
    if missing:
        problems.append(f"缺少表头 {'、'.join(missing)}（表头须为 {'、'.join(HEADERS)}，顺序不限）")
    return found, problems


def _rows(source, lines, bad_cell):
    """LibraryRows from (row number, [cell, …]) lines; bad_cell(cell) says why a cell cannot be read."""
    result = LibraryRows(source=source)
    header_row = None
    for number, cells in lines:
        texts = [_cell_text(cell) if not isinstance(cell, str) else cell for cell in cells]
        if header_row is None:
            if not any(text.strip() for text in texts):
                if number >= HEADER_SEARCH_ROWS:
                    break
                continue
            header_row = number
            found, problems = _header(texts)
            if problems:
                result.errors += [f"{source}第{number}行：{problem}" for problem in problems]
                return result
            result.columns = {name: get_column_letter(index + 1) for name, index in found.items()}
            continue
        if number - header_row > MAX_ROWS * 5:
            result.errors.append(f"{source}：超过 {MAX_ROWS * 5} 行（含空行），请删去多余的行")
            return result
        values = {name: (texts[index] if index < len(texts) else "") for name, index in found.items()}
        if not any(value.strip() for value in values.values()):
            continue
        if len(result.rows) >= MAX_ROWS:
            result.errors.append(f"{source}：超过 {MAX_ROWS} 行，请分成几个文件导入")
            return result
        row = {"row": number, **values}
        for name, index in found.items():
            problem = bad_cell(cells[index]) if index < len(cells) else None
            if problem:
                row.setdefault("problems", []).append(f"{result.where(number, name)}：{problem}")
        result.rows.append(row)
    if header_row is None:
        result.errors.append(f"{source}：找不到表头（表头须为 {'、'.join(HEADERS)}）")
    return result


def _xlsx_cell_problem(cell):
    if getattr(cell, "data_type", None) == "f":
        return f"不支持公式（{str(cell.value)[:30]}），请把公式粘贴为数值或文字"
    if getattr(cell, "data_type", None) == "e":
        return f"单元格是错误值 {cell.value}"
    return None


def _csv_cell_problem(text):
    if _CSV_FORMULA.match(text.strip()):
        return f"不支持公式（{text.strip()[:30]}），请把公式粘贴为数值或文字"
    return None


def _check_zip(content):
    """Refuse what is not an .xlsx, or would expand beyond what a 10 000-row sheet needs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return "不是有效的 Excel（.xlsx）文件"
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES or "xl/workbook.xml" not in archive.namelist():
            return "不是有效的 Excel（.xlsx）文件"
        if sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
            return f"解压后超过 {MAX_UNZIPPED_BYTES // 1048576} MB，不像是一个指标库表格，未读取"
    return None


def _read_xlsx(content, name):
    problem = _check_zip(content)
    if problem:
        return LibraryRows(source=f"文件“{name}”", errors=[f"文件“{name}”{problem}"])
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - a third-party parser of untrusted bytes
        logger.info("library.xlsx_unreadable name=%s error=%r", name, error)
        return LibraryRows(source=f"文件“{name}”", errors=[f"文件“{name}”不是有效的 Excel（.xlsx）文件"])
    try:
        first = None
        for sheet in workbook.worksheets:
            lines = ((number, row) for number, row in enumerate(sheet.iter_rows(), start=1))
            result = _rows(f"工作表“{sheet.title}”", lines, _xlsx_cell_problem)
            if result.columns:  # the first sheet with the header; others may explain or sum up
                return result
            first = first or result
        return first or LibraryRows(source=f"文件“{name}”", errors=[f"文件“{name}”没有工作表"])
    except Exception as error:  # noqa: BLE001
        logger.info("library.xlsx_unreadable name=%s error=%r", name, error)
        return LibraryRows(source=f"文件“{name}”", errors=[f"文件“{name}”无法读取（Excel 内容损坏）"])
    finally:
        workbook.close()


def _read_csv(content, name):
    source = f"文件“{name}”"
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return LibraryRows(source=source, errors=[f"{source}的编码无法识别（请存为 UTF-8 的 CSV）"])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        return LibraryRows(source=source, errors=[f"{source}第{reader.line_num}行：CSV 格式错误（{error}）"])
    return _rows(source, lines, _csv_cell_problem)


def library_read(file, name):
    """LibraryRows from an uploaded or opened .xlsx/.csv file (`name` gives the type).

    Never raises for what is in the file: reading problems are the result's `errors`.
    """
    size = getattr(file, "size", None)
    too_big = f"文件“{name}”超过 {MAX_FILE_BYTES // 1048576} MB 的上限"
    if size is not None and size > MAX_FILE_BYTES:
        return LibraryRows(source=f"文件“{name}”", errors=[too_big])
    content = file if isinstance(file, bytes) else file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        return LibraryRows(source=f"文件“{name}”", errors=[too_big])
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(content, name)
    if suffix == ".csv":
        return _read_csv(content, name)
    hint = "（旧版 .xls 请在 Excel 中另存为 .xlsx）" if suffix == ".xls" else ""
    return LibraryRows(source=f"文件“{name}”", errors=[f"文件“{name}”：只支持 .xlsx 和 .csv{hint}"])


def library_read_path(path):
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        return LibraryRows(source=f"文件“{path.name}”", errors=[f"文件“{path.name}”超过 {MAX_FILE_BYTES // 1048576} MB 的上限"])
    with open(path, "rb") as handle:
        return library_read(handle, path.name)


def library_read_yaml(path):
    """LibraryRows from a YAML list of mappings keyed by the sheet's headers (the starter library)."""
    path = Path(path)
    with open(path, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle) or []
    result = LibraryRows(source=path.name)
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            result.errors.append(f"{path.name}第{number}条：应为“一级指标: …”这样的字段")
            continue
        unknown = [key for key in entry if key not in HEADERS]
        if unknown:
            result.errors.append(f"{path.name}第{number}条：不认识的字段 {'、'.join(map(str, unknown))}")
        result.rows.append({"row": number, **{name: str(entry.get(header) or "") for header, name in HEADERS.items()}})
    return result


# --- preview and apply --------------------------------------------------------------------

def _clean(text):
    return str(text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _row_problems(rows, row, values):
    problems = []
    for name in FIELDS:
        text, where = values[name], rows.where(row["row"], name)
        if name in KEY_FIELDS and not text:
            problems.append(f"{where}：不能为空")
        elif len(text) > MAX_LENGTHS[name]:
            problems.append(f"{where}：文字过长（{len(text)} 个字符，最多 {MAX_LENGTHS[name]} 个）")
        elif _BAD_CHARACTER.search(text):
            problems.append(f"{where}：含有不可见的控制字符")
    if not problems and values["name"] in PLACEHOLDERS:
        problems.append(f"{rows.where(row['row'], 'name')}：“{values['name']}”是占位符，不是指标")
    return problems


def library_preview(rows):
    """What importing `rows` (LibraryRows) would do to the library.

    Returns {"add": [values], "update": [(existing, values)], "unchanged": n, "errors": [text]}, where
    values are {field: text, "row": number}. A row names an entry by 一级/二级/三级; its 指标解释,
    建议指标值 and 取值依据 replace the entry's (an empty cell empties them). Nothing is written.
    """
    errors = list(rows.errors)
    existing = {
        (entry.category_name, entry.subcategory_name, entry.name): entry for entry in LibraryIndicator.objects.all()
    }
    seen, add, update, unchanged = {}, [], [], 0
    for row in rows.rows:
        values = {name: _clean(row.get(name)) for name in FIELDS}
        problems = list(row.get("problems") or []) + _row_problems(rows, row, values)
        key = tuple(values[name] for name in KEY_FIELDS)
        if not problems and key in seen:
            problems.append(f"{rows.where(row['row'])}：与{rows.where(seen[key])}重复（一级、二级、三级指标都相同）")
        errors += problems
        if problems:
            continue
        seen[key] = row["row"]
        entry = existing.get(key)
        values["row"] = row["row"]
        if entry is None:
            add.append(values)
        elif any(getattr(entry, name) != values[name] for name in VALUE_FIELDS):
            update.append((entry, values))
        else:
            unchanged += 1
    return {"add": add, "update": update, "unchanged": unchanged, "errors": errors}


def library_apply(preview, *, update=True):
    """Write a preview: add its new entries and (with update=True) change the updated ones.

    All or nothing; refuses a preview with errors. Returns (added, updated).
    """
    if preview["errors"]:
        raise LibraryImportError(f"有 {len(preview['errors'])} 处错误，什么也没有导入")
    new = [LibraryIndicator(**{name: values[name] for name in FIELDS}) for values in preview["add"]]
    changed = []
    if update:
        for entry, values in preview["update"]:
            for name in VALUE_FIELDS:
                setattr(entry, name, values[name])
            changed.append(entry)
    for entry in new + changed:
        entry.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            LibraryIndicator.objects.bulk_create(new, batch_size=500)
            LibraryIndicator.objects.bulk_update(changed, list(VALUE_FIELDS), batch_size=500)
    except IntegrityError:
        raise LibraryImportError("指标库在预览之后被修改过（有同名指标已存在），请重新预览后再导入") from None
    logger.info("library.imported added=%s updated=%s", len(new), len(changed))
    return len(new), len(changed)


# --- layouts: installing the shipped ones ----------------------------------------------------

FRAMEWORK_DIR = Path(__file__).resolve().parent / "fixtures" / "frameworks"


def layouts_install(*, apps=None, directory=FRAMEWORK_DIR):
    """Add the layouts of indicators/fixtures/frameworks/*.yaml (the single source) that the database lacks.

    A layout is found by code, a framework by table kind, a 一级 or 二级 by name; only what is missing is
    created (in the file's order), nothing existing is changed or removed, so a second run, a database
    where `load_demo` loaded them before, and an administrator's edits are all left as they are.
    `apps` is the app registry (a migration passes its historical one). Returns the number of rows added.
    """
    if apps is None:
        from django.apps import apps
    models = {name: apps.get_model("indicators", name) for name in ("Layout", "Framework", "Category", "Subcategory")}
    added = 0
    for path in sorted(Path(directory).glob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        layout, created = models["Layout"].objects.get_or_create(code=data["layout"], defaults={"name": data["name"]})
        added += created
        for table_kind, spec in data["frameworks"].items():
            framework, created = models["Framework"].objects.get_or_create(layout=layout, table_kind=table_kind)
            added += created
            for c_order, c_spec in enumerate(spec["categories"], start=1):
                category, created = models["Category"].objects.get_or_create(
                    framework=framework, name=c_spec["name"], defaults={"order": c_order}
                )
                added += created
                for s_order, s_spec in enumerate(c_spec.get("subcategories") or [], start=1):
                    _sub, created = models["Subcategory"].objects.get_or_create(
                        category=category,
                        name=s_spec["name"],
                        defaults={
                            "order": s_order,
                            "mandatory": bool(s_spec.get("mandatory", False)),
                            "note": str(s_spec.get("note") or "").strip(),
                        },
                    )
                    added += created
    return added


# --- layouts: export and import -----------------------------------------------------------

# The top-level keys of a layout definition, in the order they are written. A later key (such as a
# print `definition`) is added here and to layout_export / layout_import; files without it still import.
LAYOUT_KEYS = ("layout", "name", "frameworks", "definition")  # definition: read by declarations.services.layouts
_FRAMEWORK_KEYS = ("categories",)
_CATEGORY_KEYS = ("name", "subcategories")
_SUBCATEGORY_KEYS = ("name", "mandatory", "note")


class LayoutImportError(Exception):
    """A layout definition that is refused; `errors` are the problems, each naming its key."""

    def __init__(self, errors, heading=None):
        self.errors = list(errors)
        heading = heading or f"版式定义有 {len(self.errors)} 处错误，什么也没有导入："
        super().__init__("\n".join([heading, *self.errors]))


def _kinds_in_order(frameworks):
    order = {kind: index for index, kind in enumerate(sorted(TableKind.values, key=lambda kind: kind != "project"))}
    return sorted(frameworks, key=lambda framework: order.get(framework.table_kind, len(order)))


def layout_export(*, layout):
    """One layout as a dict shaped like indicators/fixtures/frameworks/<code>.yaml.

    {"layout": code, "name": name, "frameworks": {table_kind: {"categories": [{"name", "subcategories":
    [{"name", "mandatory"[, "note"]}]}]}}}; order is the order of the lists, `note` only when set.
    """
    frameworks = {}
    for framework in _kinds_in_order(layout.frameworks.all()):
        categories = []
        for category in framework.categories.order_by("order", "id"):
            subcategories = []
            for sub in category.subcategories.order_by("order", "id"):
                entry = {"name": sub.name, "mandatory": sub.mandatory}
                if sub.note:
                    entry["note"] = sub.note
                subcategories.append(entry)
            categories.append({"name": category.name, "subcategories": subcategories})
        frameworks[framework.table_kind] = {"categories": categories}
    return {"layout": layout.code, "name": layout.name, "frameworks": frameworks}


def _max_length(model, name):
    return model._meta.get_field(name).max_length


class _LayoutChecker:
    """Collects every problem of a layout definition, each as “key.path：what is wrong”."""

    def __init__(self):
        self.errors = []

    def error(self, where, problem):
        self.errors.append(f"{where}：{problem}")

    def mapping(self, value, where, known):
        if not isinstance(value, dict):
            self.error(where, "应为键值对（如 name: …）")
            return None
        for key in value:
            if key not in known:
                self.error(f"{where}.{key}" if where != "（文件）" else str(key),
                           f"不认识的字段（可用：{'、'.join(known)}）")
        return value

    def text(self, value, where, max_length, *, required=True):
        if value is None:
            if required:
                self.error(where, "缺少")
            return ""
        if not isinstance(value, str):
            self.error(where, f"应为文字，不是 {value!r}")
            return ""
        text = value.strip()
        if required and not text:
            self.error(where, "不能为空")
        elif len(text) > max_length:
            self.error(where, f"文字过长（{len(text)} 个字符，最多 {max_length} 个）")
        elif _BAD_CHARACTER.search(text):
            self.error(where, "含有不可见的控制字符")
        return text

    def items(self, value, where):
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where, "应为列表（每项以“- ”开头）")
            return []
        return value

    def names_unique(self, entries, where):
        seen = {}
        for index, entry in enumerate(entries):
            name = entry["name"]
            if name and name in seen:
                self.error(f"{where}[{index}].name", f"“{name}”与 {where}[{seen[name]}] 重复")
            seen.setdefault(name, index)


def layout_check(data):
    """A layout definition (a dict from YAML or JSON) cleaned, or LayoutImportError naming every wrong key.

    Returns {"layout", "name", "frameworks": {kind: [{"name", "subcategories": [{"name", "mandatory", "note"}]}]}}.
    """
    check = _LayoutChecker()
    if check.mapping(data, "（文件）", LAYOUT_KEYS) is None:
        raise LayoutImportError(check.errors)
    code = data.get("layout")
    if code is None:
        check.error("layout", "缺少")
    elif not isinstance(code, str) or not re.fullmatch(r"[-a-zA-Z0-9_]+", code):
        check.error("layout", f"“{code}”不是版式代码：只能用英文字母、数字、- 和 _")
    elif len(code) > _max_length(Layout, "code"):
        check.error("layout", f"太长（最多 {_max_length(Layout, 'code')} 个字符）")
    name = check.text(data.get("name"), "name", _max_length(Layout, "name"))
    frameworks = {}
    raw_frameworks = data.get("frameworks")
    if raw_frameworks is None:
        check.error("frameworks", "缺少")
    elif isinstance(raw_frameworks, dict) and not raw_frameworks:
        check.error("frameworks", f"至少要有一种表类型（{'、'.join(TableKind.values)}）")
    elif check.mapping(raw_frameworks, "frameworks", TableKind.values) is not None:
        for kind, spec in raw_frameworks.items():
            if kind not in TableKind.values:
                continue
            where = f"frameworks.{kind}"
            if check.mapping(spec, where, _FRAMEWORK_KEYS) is None:
                continue
            if spec.get("categories") is None:
                check.error(f"{where}.categories", "缺少")
            categories = []
            for c_index, c_spec in enumerate(check.items(spec.get("categories"), f"{where}.categories")):
                c_where = f"{where}.categories[{c_index}]"
                if check.mapping(c_spec, c_where, _CATEGORY_KEYS) is None:
                    continue
                subcategories = []
                s_list = check.items(c_spec.get("subcategories"), f"{c_where}.subcategories")
                for s_index, s_spec in enumerate(s_list):
                    s_where = f"{c_where}.subcategories[{s_index}]"
                    if check.mapping(s_spec, s_where, _SUBCATEGORY_KEYS) is None:
                        continue
                    mandatory = s_spec.get("mandatory", False)
                    if not isinstance(mandatory, bool):
                        check.error(f"{s_where}.mandatory", f"应为 true 或 false，不是 {mandatory!r}")
                    subcategories.append({
                        "name": check.text(s_spec.get("name"), f"{s_where}.name", _max_length(Subcategory, "name")),
                        "mandatory": mandatory is True,
                        "note": check.text(
                            s_spec.get("note"), f"{s_where}.note", _max_length(Subcategory, "note"), required=False
                        ),
                    })
                check.names_unique(subcategories, f"{c_where}.subcategories")
                categories.append({
                    "name": check.text(c_spec.get("name"), f"{c_where}.name", _max_length(Category, "name")),
                    "subcategories": subcategories,
                })
            check.names_unique(categories, f"{where}.categories")
            frameworks[kind] = categories
    if check.errors:
        raise LayoutImportError(check.errors)
    return {"layout": code, "name": name, "frameworks": frameworks}


def _uses(sub):
    """How many rows of other apps point at a 二级 (the declared indicators), without importing those apps."""
    count = 0
    for relation in Subcategory._meta.related_objects:
        count += relation.related_model._base_manager.filter(**{relation.field.name: sub}).count()
    return count


def layout_import(*, data):
    """Create or update a layout from a definition shaped like indicators/fixtures/frameworks/<code>.yaml.

    The definition becomes the layout's frameworks: 一级/二级 are matched by name, their order,
    必填 and 标注 follow the file, and those the file does not list are removed. A 二级 that
    declarations still use is never removed: the import is refused and names it. All or nothing.
    Returns {"layout", "created", "added", "changed", "removed"} (counts of 一级 and 二级).
    """
    clean = layout_check(data)
    counts = {"added": 0, "changed": 0, "removed": 0}

    def save(instance, wanted, count=True):
        changed = [key for key, value in wanted.items() if getattr(instance, key) != value]
        if changed:
            for key in changed:
                setattr(instance, key, wanted[key])
            instance.full_clean(validate_unique=False, validate_constraints=False)
            instance.save(update_fields=changed)
            counts["changed"] += count

    with transaction.atomic():
        layout, created = Layout.objects.get_or_create(code=clean["layout"], defaults={"name": clean["name"]})
        save(layout, {"name": clean["name"]}, count=False)
        stale = []  # frameworks, 一级 and 二级 the file no longer lists
        existing = {framework.table_kind: framework for framework in layout.frameworks.all()}
        for kind in TableKind.values:
            framework = existing.get(kind)
            categories = clean["frameworks"].get(kind)
            if categories is None:
                if framework is not None:
                    stale.append(framework)
                continue
            if framework is None:
                framework = Framework.objects.create(layout=layout, table_kind=kind)
            old_categories = {category.name: category for category in framework.categories.all()}
            for c_order, c_spec in enumerate(categories, start=1):
                category = old_categories.pop(c_spec["name"], None)
                if category is None:
                    category = Category.objects.create(framework=framework, name=c_spec["name"], order=c_order)
                    counts["added"] += 1
                else:
                    save(category, {"order": c_order})
                old_subs = {sub.name: sub for sub in category.subcategories.all()}
                for s_order, s_spec in enumerate(c_spec["subcategories"], start=1):
                    wanted = {"order": s_order, "mandatory": s_spec["mandatory"], "note": s_spec["note"]}
                    sub = old_subs.pop(s_spec["name"], None)
                    if sub is None:
                        Subcategory.objects.create(category=category, name=s_spec["name"], **wanted)
                        counts["added"] += 1
                    else:
                        save(sub, wanted)
                stale += old_subs.values()
            stale += old_categories.values()
        doomed = []  # (what is removed, its 二级)
        for item in stale:
            if isinstance(item, Subcategory):
                doomed.append((item, [item]))
            elif isinstance(item, Category):
                doomed.append((item, list(item.subcategories.all())))
            else:
                doomed.append((item, list(Subcategory.objects.filter(category__framework=item))))
        in_use = []
        for _item, subs in doomed:
            for sub in subs:
                uses = _uses(sub)
                if uses:
                    kind = TableKind(sub.category.framework.table_kind).label
                    in_use.append(f"{kind}：{sub.category.name} / {sub.name}（{uses} 个三级指标在用）")
        if in_use:
            raise LayoutImportError(
                in_use,
                heading=(
                    f"版式 {layout.code}：文件中没有下列二级指标，但申报仍在使用，不能删除"
                    "（请在文件中保留它们，或先修改这些申报）："
                ),
            )
        for item, subs in doomed:
            if isinstance(item, Subcategory):
                counts["removed"] += 1
            elif isinstance(item, Category):
                counts["removed"] += 1 + len(subs)
            else:
                counts["removed"] += item.categories.count() + len(subs)
            item.delete()
    logger.info("layout.imported code=%s created=%s %s", layout.code, created, counts)
    return {"layout": layout, "created": created, **counts}


class _LayoutDumper(yaml.SafeDumper):
    """Writes a layout as the framework files are written: one `- {name: …, mandatory: …}` line per 二级."""


class _Inline(dict):
    pass


_LayoutDumper.add_representer(
    _Inline, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)
)


def layout_to_text(data, *, fmt="yaml"):
    """A layout definition (from layout_export) as YAML or JSON text."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    inline = {
        **data,
        "frameworks": {
            kind: {
                **spec,
                "categories": [
                    {**category, "subcategories": [_Inline(sub) for sub in category["subcategories"]]}
                    for category in spec["categories"]
                ],
            }
            for kind, spec in data["frameworks"].items()
        },
    }
    return yaml.dump(inline, Dumper=_LayoutDumper, allow_unicode=True, sort_keys=False, width=1000)


def layout_read(path):
    """The definition in a .yaml/.yml or .json file, or LayoutImportError saying why it cannot be read.

    OSError (a missing file) is the caller's to report."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise LayoutImportError([f"文件“{path.name}”超过 {MAX_FILE_BYTES // 1048576} MB 的上限"], heading="文件无法读取：")
    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text) if kind == "JSON" else yaml.safe_load(text)
    except UnicodeDecodeError:
        raise LayoutImportError([f"文件“{path.name}”不是 UTF-8 编码"], heading="文件无法读取：") from None
    except (ValueError, yaml.YAMLError) as error:
        raise LayoutImportError([f"文件“{path.name}”不是有效的 {kind}：{error}"], heading="文件无法读取：") from None
