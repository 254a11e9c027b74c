"""Reading back a workbook made by the Excel export, after it was edited in Excel or WPS.

The export records, in a very hidden sheet, which cell holds which value of which object and
the text of every printed label. Import checks that the labels are still where they were (so a
moved row cannot put a value into the wrong field), reads and checks every bound value, and
only when the whole file is valid saves the changes, in one transaction. Every problem names
the sheet and the cell, in Chinese.
"""
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import values
from ..exports.xlsx import BINDINGS_SHEET, WORKBOOK_FORMAT
from ..models import (
    DepartmentDeclaration,
    GoalItem,
    Indicator,
    MoneyLine,
    ProjectDeclaration,
    SafeguardMeasure,
    SpendingCheckpoint,
    SubGoal,
)
from . import drafts

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 200
MAX_ENTRIES = 500
MAX_BINDINGS = 50_000
KEY = re.compile(r"^(?P<kind>[a-z]+):(?P<pk>\d+):(?P<field>[a-z_0-9]+)(?:#(?P<part>\d+))?$")
MODELS = {
    "project": ProjectDeclaration,
    "department": DepartmentDeclaration,
    "indicator": Indicator,
    "moneyline": MoneyLine,
    "spendingcheckpoint": SpendingCheckpoint,
    "goalitem": GoalItem,
    "subgoal": SubGoal,
    "safeguardmeasure": SafeguardMeasure,
}
AMOUNT_FIELDS = {
    "budget", "fiscal_funds", "other_funds", "carryover_funds", "half_year_plan", "mid_term_total", "amount",
    "half_year_amount", "prior_amount_1", "prior_amount_2",
}
PERCENT_FIELDS = {"percent", "share"}
TEXT_FIELDS = {
    "code", "name", "title_name", "supervising_department", "implementing_unit", "attribute", "level", "category",
    "owner_name", "owner_phone", "purpose", "necessity", "feasibility", "content", "long_term_goal", "annual_goal",
    "department_name", "compiled_by", "overall_goal", "annual_goal_brief", "annual_tasks", "filler_name",
    "filler_phone", "text", "title", "goal", "indicators", "description", "half_year_value", "basis",
    "indicator_class", "prior_value_1", "prior_value_2", "related_project", "functions", "organisation",
}
FIELD_LABELS = {"value": "指标值"}


class WorkbookError(Exception):
    """The workbook cannot be imported; `problems` lists every reason (sheet, cell, what)."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("；".join(self.problems[:5]))


@dataclass
class ImportResult:
    changed: dict = field(default_factory=dict)  # declaration → number of changed values

    @property
    def total(self):
        return sum(self.changed.values())


def _check_container(content):
    if len(content) > MAX_BYTES:
        raise WorkbookError([f"文件过大（{len(content) // 1024 // 1024} MB），上限为 10 MB"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookError(["文件不是有效的 Excel 工作簿（.xlsx）；请上传由本系统导出、在 Excel 或 WPS 中修改后保存的 .xlsx 文件"]) from None
    if len(entries) > MAX_ENTRIES:
        raise WorkbookError(["工作簿结构异常（压缩包内文件过多），不能导入"])
    total = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise WorkbookError(["工作簿解压后过大或压缩比异常（疑似压缩炸弹），不能导入"])


def _flat(text):
    return re.sub(r"\s+", "", str(text or ""))


def _load(content):
    import openpyxl

    _check_container(content)
    try:
        return openpyxl.load_workbook(io.BytesIO(content), data_only=False)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise WorkbookError(["无法读取工作簿：文件已损坏或不是 .xlsx 格式"]) from None


def _bindings(book):
    if BINDINGS_SHEET not in book.sheetnames:
        raise WorkbookError(["工作簿里没有本系统导出时记录的单元格对应关系，不能导入；请先从系统导出 Excel 再修改"])
    rows = list(book[BINDINGS_SHEET].iter_rows(min_row=2, values_only=True))
    if len(rows) > MAX_BINDINGS:
        raise WorkbookError(["工作簿的对应关系表过大，不能导入"])
    meta = {str(r[1]): str(r[2]) for r in rows if r and r[0] == "meta"}
    if meta.get("format") != WORKBOOK_FORMAT:
        raise WorkbookError(["工作簿的对应关系表版本不符，请重新从系统导出"])
    return meta, [r for r in rows if r and r[0] in ("value", "label")]


def _cell(book, sheet_name, coordinate, problems):
    if sheet_name not in book.sheetnames:
        problems.append(f"找不到工作表“{sheet_name}”（工作表被删除或改名）")
        return None
    try:
        return book[sheet_name][coordinate]
    except (ValueError, KeyError):
        problems.append(f"工作表“{sheet_name}”：单元格位置“{coordinate}”无效")
        return None


def _raw(cell, where, problems):
    if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=") and not cell.quotePrefix):
        problems.append(f"{where}：不支持公式，请直接填写数值或文字")
        return None
    return cell.value


def _amount(raw, where, problems):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        problems.append(f"{where}：应为金额（万元）")
        return None
    text = values.normalise(str(raw)).replace(",", "").removesuffix("万元").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        problems.append(f"{where}：“{raw}”不是金额，应填写万元数，如 185 或 16.5")
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        problems.append(f"{where}：金额“{raw}”超出范围")
        return None
    return amount.quantize(Decimal("0.000001")) if amount.as_tuple().exponent < -6 else amount


def _percent(raw, cell, where, problems):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and "%" in (cell.number_format or ""):
        raw = Decimal(str(raw)) * 100
    text = values.normalise(str(raw)).removesuffix("%").strip()
    try:
        percent = Decimal(text)
    except InvalidOperation:
        problems.append(f"{where}：“{raw}”不是百分比，应如 30% 或 30")
        return None
    if not percent.is_finite() or not 0 <= percent <= 100:
        problems.append(f"{where}：百分比“{raw}”应在 0–100 之间")
        return None
    return percent


def _text(raw, prefix, where, problems):
    text = "" if raw is None else str(raw).strip()
    if prefix:
        if not text.startswith(prefix):
            problems.append(f"{where}：内容应以“{prefix}”开头（这是打印的编号或标题，请保留）")
            return None
        text = text[len(prefix):].strip()
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        problems.append(f"{where}：含有不可见的控制字符")
        return None
    return text


def _owner(obj):
    if isinstance(obj, (ProjectDeclaration, DepartmentDeclaration)):
        return obj
    if isinstance(obj, (Indicator, MoneyLine)):
        return obj.project or obj.department
    if isinstance(obj, (SpendingCheckpoint, GoalItem)):
        return obj.project
    return obj.declaration


def read_changes(content, *, unit, year):
    """Check the workbook and return the changes it holds: {(model, pk): {field: value}}.

    Raises WorkbookError with every problem found; reads nothing into the database."""
    book = _load(content)
    meta, rows = _bindings(book)
    if meta.get("unit") != str(unit.pk) or meta.get("year") != str(year):
        raise WorkbookError([f"这份工作簿导出自另一个单位或年度，不能导入到 {unit.name} {year} 年度"])
    problems = []
    for kind, sheet_name, coordinate, text, _prefix in rows:
        if kind != "label":
            continue
        cell = _cell(book, sheet_name, coordinate, problems)
        if cell is not None and _flat(cell.value) != _flat(text):
            problems.append(
                f"工作表“{sheet_name}” {coordinate}：应为“{text}”，实际为“{cell.value or ''}”——表格结构被改动"
                "（插入、删除、移动了行列或合并单元格），请在导出的原位置修改数值"
            )
    if problems:
        raise WorkbookError(problems)

    objects, parts, changes = {}, {}, {}
    for kind, sheet_name, coordinate, key, prefix in rows:
        if kind != "value":
            continue
        match = KEY.match(str(key))
        model = MODELS.get(match["kind"]) if match else None
        if model is None:
            problems.append(f"工作表“{sheet_name}” {coordinate}：对应关系无法识别")
            continue
        cell = _cell(book, sheet_name, coordinate, problems)
        if cell is None:
            continue
        pk, name = int(match["pk"]), match["field"]
        where = f"工作表“{sheet_name}” {coordinate}（{_label(model, name)}）"
        if (model, pk) not in objects:
            obj = model.objects.filter(pk=pk).first()
            if obj is None or _owner(obj).unit_id != unit.pk or _owner(obj).year.year != year:
                problems.append(f"{where}：对应的内容已不存在（可能已在网页上删除），请重新导出")
                objects[model, pk] = None
                continue
            objects[model, pk] = obj
        if objects[model, pk] is None:
            continue
        raw = _raw(cell, where, problems)
        if name in AMOUNT_FIELDS:
            parsed = _amount(raw, where, problems)
        elif name in PERCENT_FIELDS:
            parsed = _percent(raw, cell, where, problems)
        elif name == "value":
            try:
                parsed = values.parse(_text(raw, prefix, where, problems) or "", strict=True)
            except values.ValueSyntaxError as error:
                problems.append(f"{where}：{error}")
                continue
        elif name in TEXT_FIELDS:
            parsed = _text(raw, prefix, where, problems)
        else:
            problems.append(f"{where}：此项不能通过 Excel 修改")
            continue
        if match["part"] is not None:
            parts.setdefault((model, pk, name), []).append((int(match["part"]), parsed or ""))
        else:
            changes.setdefault((model, pk), {})[name] = parsed
    for (model, pk, name), pieces in parts.items():
        changes.setdefault((model, pk), {})[name] = "\n".join(text for _n, text in sorted(pieces))
    if problems:
        raise WorkbookError(problems)
    return objects, changes


def _label(model, name):
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _apply(obj, changes):
    changed = 0
    for name, new in changes.items():
        if name == "value":
            current = values.parse(obj.value_display)
            if (current.comparator, current.number, current.unit, current.text) != (
                new.comparator, new.number, new.unit, new.text
            ):
                obj.comparator, obj.number, obj.unit, obj.text_value = new.comparator, new.number, new.unit, new.text
                changed += 1
            continue
        model_field = obj._meta.get_field(name)
        if new is None and not model_field.null:
            new = Decimal(0) if name in AMOUNT_FIELDS else ""
        if getattr(obj, name) != new:
            setattr(obj, name, new)
            changed += 1
    return changed


def workbook_import(*, content, unit, year, user):
    """Import an edited export of `unit`'s document for `year`. All or nothing."""
    objects, changes = read_changes(content, unit=unit, year=year)
    result = ImportResult()
    problems = []
    with transaction.atomic():
        owners = {}
        for (model, pk), fields in changes.items():
            obj = objects[model, pk]
            owner = _owner(obj)
            try:
                drafts.ensure_editable(user, owner)
            except drafts.NotEditable as error:
                problems.append(f"{owner}：{error}")
                continue
            count = _apply(obj, fields)
            if not count:
                continue
            try:
                obj.full_clean()
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    problems.append(f"{owner}：{_label(type(obj), name)} {'，'.join(messages)}")
                continue
            obj.save()
            owners[(type(owner), owner.pk)] = owner
            result.changed[owner] = result.changed.get(owner, 0) + count
        if problems:
            transaction.set_rollback(True)
            raise WorkbookError(problems)
        for owner in owners.values():
            # Bump the version: a wizard page opened before the import must not overwrite it.
            type(owner).objects.filter(pk=owner.pk).update(version=owner.version + 1)
    logger.info("workbook.imported unit=%s year=%s user=%s values=%s", unit.pk, year, user.pk, result.total)
    return result
