"""Writes to the indicator library (共性指标): importing rows of indicators, with a preview first.

Rows come from a sheet (.xlsx or .csv, header 一级指标 二级指标 三级指标 指标解释 建议指标值 取值依据
in any order) or from the starter file indicators/fixtures/library.yaml. `library_preview` says
what would be added, what would change and what stays, with every error named by sheet, row and
column; `library_apply` writes a preview that has no error, all or nothing. Entries that the rows
do not name are never touched.
"""
import csv
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

from .models import LibraryIndicator

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
