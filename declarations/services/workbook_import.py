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
import time
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

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
MAX_BINDINGS = 20_000  # rows of the hidden sheet of bindings
OLD_WORKBOOK_FORMAT = "pjd-workbook-1"  # before the versions of the declarations were recorded
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
    strings = sum(entry.file_size for entry in entries if entry.filename.lower().endswith("sharedstrings.xml"))
    if strings > settings.WORKBOOK_IMPORT_MAX_SHARED_STRINGS_BYTES:
        raise WorkbookError([
            f"工作簿的文字表（sharedStrings.xml）解压后超过 "
            f"{settings.WORKBOOK_IMPORT_MAX_SHARED_STRINGS_BYTES // 1024 // 1024} MB 的上限，不能导入"
        ])


def _flat(text):
    return re.sub(r"\s+", "", str(text or ""))


class _Cell:
    """A cell the import reads: a streamed cell's value, type, number format and quote prefix."""

    __slots__ = ("value", "data_type", "number_format", "quotePrefix")

    def __init__(self, value=None, data_type="n", number_format="General", quote_prefix=False):
        self.value, self.data_type, self.number_format, self.quotePrefix = value, data_type, number_format, quote_prefix

    @classmethod
    def of(cls, cell):
        style = getattr(cell, "style_array", None)
        return cls(cell.value, cell.data_type, cell.number_format, bool(style is not None and style.quotePrefix))


class _Book:
    """The workbook read once, streaming (openpyxl read-only), within the caps of the settings.

    Only the hidden sheet of bindings is kept whole; of the other sheets only the bound and
    labelled cells are kept. Past a cap (sheets, rows per sheet, columns per row, cells in all,
    seconds) the import is refused, naming the sheet and the cap."""

    def __init__(self, content):
        import openpyxl

        _check_container(content)
        self.started = time.monotonic()
        self.cell_count = 0
        try:
            self.book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        except Exception:  # openpyxl raises many kinds of errors on a damaged file
            raise WorkbookError(["无法读取工作簿：文件已损坏或不是 .xlsx 格式"]) from None
        self.sheetnames = list(self.book.sheetnames)
        if len(self.sheetnames) > settings.WORKBOOK_IMPORT_MAX_SHEETS:
            self.close()
            raise WorkbookError([
                f"工作簿有 {len(self.sheetnames)} 个工作表，超过上限 {settings.WORKBOOK_IMPORT_MAX_SHEETS} 个，不能导入"
            ])
        self.cells = {}

    def close(self):
        self.book.close()

    def rows(self, name, max_rows):
        """The rows of one sheet as tuples of cells, counted against the caps as they stream."""
        sheet = self.book[name]
        sheet.reset_dimensions()  # the size the file claims is not trusted; the cells are counted
        max_columns = settings.WORKBOOK_IMPORT_MAX_COLUMNS
        max_cells = settings.WORKBOOK_IMPORT_MAX_CELLS
        deadline = self.started + settings.WORKBOOK_IMPORT_MAX_SECONDS
        try:
            for number, row in enumerate(sheet.iter_rows(), start=1):
                if number > max_rows:
                    raise WorkbookError([f"工作表“{name}”超过 {max_rows:,} 行的上限，不能导入"])
                if len(row) > max_columns:
                    raise WorkbookError([f"工作表“{name}”第 {number} 行超过 {max_columns} 列的上限，不能导入"])
                self.cell_count += len(row)
                if self.cell_count > max_cells:
                    raise WorkbookError(
                        [f"工作表“{name}”：工作簿的单元格总数超过 {max_cells:,} 个的上限，不能导入"]
                    )
                if time.monotonic() > deadline:
                    raise WorkbookError([
                        f"工作表“{name}”：读取工作簿超过 {settings.WORKBOOK_IMPORT_MAX_SECONDS} 秒的时限，不能导入"
                    ])
                yield number, row
        except WorkbookError:
            raise
        except Exception:  # a damaged sheet
            raise WorkbookError([f"无法读取工作表“{name}”：文件已损坏"]) from None

    def keep(self, wanted):
        """Read every sheet but the bindings once, keeping the cells at `wanted` {sheet: {(row, column)}}."""
        for name in self.sheetnames:
            if name == BINDINGS_SHEET:
                continue
            positions = wanted.get(name, set())
            last = max((row for row, _column in positions), default=0)
            for number, row in self.rows(name, settings.WORKBOOK_IMPORT_MAX_ROWS):
                if number > last:
                    continue  # still counted: a sheet past the caps is refused all the same
                for column, cell in enumerate(row, start=1):
                    if (number, column) in positions:
                        self.cells[name, number, column] = _Cell.of(cell)

    def cell(self, sheet_name, coordinate, problems):
        if sheet_name not in self.sheetnames:
            problems.append(f"找不到工作表“{sheet_name}”（工作表被删除或改名）")
            return None
        position = _position(coordinate)
        if position is None:
            problems.append(f"工作表“{sheet_name}”：单元格位置“{coordinate}”无效")
            return None
        return self.cells.get((sheet_name, *position)) or _Cell()


def _position(coordinate):
    try:
        column, row = coordinate_from_string(str(coordinate))
        return row, column_index_from_string(column)
    except (ValueError, TypeError):
        return None


def _bindings(book):
    if BINDINGS_SHEET not in book.sheetnames:
        raise WorkbookError(["工作簿里没有本系统导出时记录的单元格对应关系，不能导入；请先从系统导出 Excel 再修改"])
    rows = []
    for _number, row in book.rows(BINDINGS_SHEET, MAX_BINDINGS + 1):
        values = tuple(cell.value for cell in row)
        if _number > 1 and values:
            rows.append(values + (None,) * (6 - len(values)))
    meta = {str(r[1]): str(r[2]) for r in rows if r[0] == "meta"}
    if meta.get("format") == OLD_WORKBOOK_FORMAT:
        raise WorkbookError([
            "这份工作簿由旧版系统导出，没有记录导出时各申报的版本，无法确认导出后网页上是否又修改过，不能导入；"
            "请重新从系统导出 Excel，在新文件中修改后再导入"
        ])
    if meta.get("format") != WORKBOOK_FORMAT:
        raise WorkbookError(["工作簿的对应关系表版本不符，请重新从系统导出"])
    bound = [r[:6] for r in rows if r[0] in ("value", "label")]
    wanted = {}
    for _kind, sheet_name, coordinate, *_rest in bound:
        position = _position(coordinate)
        if position is not None:
            wanted.setdefault(str(sheet_name), set()).add(position)
    return meta, bound, wanted


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
    book = _Book(content)
    try:
        meta, rows, wanted = _bindings(book)
        if meta.get("unit") != str(unit.pk) or meta.get("year") != str(year):
            raise WorkbookError([f"这份工作簿导出自另一个单位或年度，不能导入到 {unit.name} {year} 年度"])
        book.keep(wanted)
    finally:
        book.close()
    problems = []
    for kind, sheet_name, coordinate, text, _prefix, _exported in rows:
        if kind != "label":
            continue
        cell = book.cell(sheet_name, coordinate, problems)
        if cell is not None and _flat(cell.value) != _flat(text):
            problems.append(
                f"工作表“{sheet_name}” {coordinate}：应为“{text}”，实际为“{cell.value or ''}”——表格结构被改动"
                "（插入、删除、移动了行列或合并单元格），请在导出的原位置修改数值"
            )
    if problems:
        raise WorkbookError(problems)

    objects, parts, changes, exported = {}, {}, {}, []
    for kind, sheet_name, coordinate, key, prefix, exported_text in rows:
        if kind != "value":
            continue
        match = KEY.match(str(key))
        model = MODELS.get(match["kind"]) if match else None
        if model is None:
            problems.append(f"工作表“{sheet_name}” {coordinate}：对应关系无法识别")
            continue
        cell = book.cell(sheet_name, coordinate, problems)
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
        if name not in AMOUNT_FIELDS | PERCENT_FIELDS | TEXT_FIELDS | {"value"}:
            problems.append(f"{where}：此项不能通过 Excel 修改")
            continue
        ok, parsed = _parse(name, _raw(cell, where, problems), cell, prefix, where, problems)
        if not ok:
            continue
        exported.append((model, pk, name, match["part"], exported_text, prefix, where))
        if match["part"] is not None:
            parts.setdefault((model, pk, name), []).append((int(match["part"]), parsed or ""))
        else:
            changes.setdefault((model, pk), {})[name] = parsed
    for (model, pk, name), pieces in parts.items():
        changes.setdefault((model, pk), {})[name] = "\n".join(text for _n, text in sorted(pieces))
    stale = _stale(meta, objects, exported)
    if stale:
        raise WorkbookError(stale)
    if problems:
        raise WorkbookError(problems)
    return objects, changes, _versions(meta, objects)


def _parse(name, raw, cell, prefix, where, problems):
    """(True, the value) of a bound cell, or (False, None) with the problem added."""
    count = len(problems)
    if name in AMOUNT_FIELDS:
        parsed = _amount(raw, where, problems)
    elif name in PERCENT_FIELDS:
        parsed = _percent(raw, cell, where, problems)
    elif name == "value":
        try:
            parsed = values.parse(_text(raw, prefix, where, problems) or "", strict=True)
        except values.ValueSyntaxError as error:
            problems.append(f"{where}：{error}")
            return False, None
    else:
        parsed = _text(raw, prefix, where, problems)
    return len(problems) == count, parsed


def _declaration_key(declaration):
    return f"version:{'project' if isinstance(declaration, ProjectDeclaration) else 'department'}:{declaration.pk}"


def _versions(meta, objects):
    """The version each bound declaration was exported at: {(model, pk): version}."""
    found = {}
    for obj in objects.values():
        if obj is not None:
            owner = _owner(obj)
            found[type(owner), owner.pk] = drafts.parse_version(meta.get(_declaration_key(owner)))
    return found


def _stale(meta, objects, exported):
    """A problem for each bound declaration saved since the export, naming what changed since."""
    owners = {}
    for obj in objects.values():
        if obj is not None:
            owner = _owner(obj)
            owners[type(owner), owner.pk] = owner
    stale = {
        key: owner for key, owner in owners.items()
        if drafts.parse_version(meta.get(_declaration_key(owner))) != owner.version
    }
    if not stale:
        return []
    then, parts = {}, {}  # (model, pk, field) → [value, text, where] as exported; multi-line fields in parts
    for model, pk, name, part, text, prefix, where in exported:
        owner = _owner(objects[model, pk])
        if (type(owner), owner.pk) not in stale:
            continue
        ok, parsed = _parse(name, text, _Cell(), prefix, where, [])
        shown = str(text or "").strip().removeprefix(prefix or "").strip()
        if ok and isinstance(parsed, Decimal):
            shown = values.format_number(parsed)
        entry = then.setdefault((model, pk, name), [None, shown, where])
        if part is None:
            entry[0] = parsed if ok else _UNREADABLE
        else:
            parts.setdefault((model, pk, name), []).append((int(part), parsed or "", shown))
    for key, pieces in parts.items():
        pieces.sort(key=lambda piece: piece[0])
        then[key][0] = "\n".join(piece[1] for piece in pieces)
        then[key][1] = "\n".join(piece[2] for piece in pieces)
    problems = []
    for (model, pk), owner in stale.items():
        changed = []
        for (m, p, name), (value, shown, where) in then.items():
            obj = objects[m, p]
            if (type(_owner(obj)), _owner(obj).pk) != (model, pk):
                continue
            if value is _UNREADABLE or _differs(obj, name, value):
                what = f"{where}{f'，指标“{obj.name}”' if isinstance(obj, Indicator) else ''}"
                changed.append(f"{what}：导出时为“{_short(shown)}”，现在为“{_short(_shown(obj, name))}”")
        recorded = drafts.parse_version(meta.get(_declaration_key(owner)))
        since = f"导出时为第 {recorded} 版，现在是第 {owner.version} 版" if recorded else "工作簿没有记录导出时的版本"
        what = (
            "导出后改动的内容：" + "；".join(changed) if changed
            else "改动的内容不在这份工作簿里（例如增删了指标或修改了未导出的项目）"
        )
        problems.append(
            f"“{owner}”在导出这份工作簿之后已在网页上修改并保存（{since}），导入会覆盖这些修改，因此没有导入。"
            f"{what}。请重新导出 Excel，在新文件中修改后再导入"
        )
    return problems


def _shown(obj, name):
    if name == "value":
        return obj.value_display
    current = getattr(obj, name)
    if isinstance(current, Decimal):
        return values.format_number(current)
    return "" if current is None else str(current)


def _short(text, limit=40):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


_UNREADABLE = object()


def _label(model, name):
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _comparable(obj, name, value):
    """`value` (as read from a cell) in the form the field holds, for comparing and saving."""
    if name == "value":
        return (value.comparator, value.number, value.unit, value.text)
    if value is None and not obj._meta.get_field(name).null:
        return Decimal(0) if name in AMOUNT_FIELDS else ""
    return value


def _current(obj, name):
    if name == "value":
        current = values.parse(obj.value_display)
        return (current.comparator, current.number, current.unit, current.text)
    return getattr(obj, name)


def _differs(obj, name, value):
    return _current(obj, name) != _comparable(obj, name, value)


def _apply(obj, changes):
    changed = 0
    for name, new in changes.items():
        if not _differs(obj, name, new):
            continue
        if name == "value":
            obj.comparator, obj.number, obj.unit, obj.text_value = _comparable(obj, name, new)
        else:
            setattr(obj, name, _comparable(obj, name, new))
        changed += 1
    return changed


def workbook_import(*, content, unit, year, user):
    """Import an edited export of `unit`'s document for `year`. All or nothing.

    Refused when a declaration in it was saved since the export (its version is no longer the
    one the workbook records): importing would silently undo that save."""
    objects, changes, versions = read_changes(content, unit=unit, year=year)
    result = ImportResult()
    problems, dirty, owners = [], [], {}
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
        dirty.append(obj)
        owners[type(owner), owner.pk] = owner
        result.changed[owner] = result.changed.get(owner, 0) + count
    if problems:
        raise WorkbookError(problems)
    with transaction.atomic():
        for key, owner in owners.items():
            # Claim the exported version: a save since the export (or during this import) wins,
            # and a wizard page opened before the import cannot overwrite it afterwards.
            try:
                drafts.claim_version(owner, versions.get(key))
            except drafts.DraftError:
                raise WorkbookError([
                    f"“{owner}”在导出这份工作簿之后已被修改并保存，没有导入；请重新导出 Excel，在新文件中修改后再导入"
                ]) from None
        for obj in dirty:
            if (type(obj), obj.pk) in owners:
                obj.version = owners[type(obj), obj.pk].version
            obj.save()
    logger.info("workbook.imported unit=%s year=%s user=%s values=%s", unit.pk, year, user.pk, result.total)
    return result
