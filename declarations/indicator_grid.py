"""The indicator grid: the indicator step sent as data to a spreadsheet-like grid.

The page carries the rows as JSON (`grid_data`, read by static/js/indicator-grid.js on Tabulator)
instead of hundreds of inputs; the grid posts all its rows back. When every row is valid they are
saved as Indicators (`drafts.indicators_save`); while some are not, the whole grid is kept in the
database as an IndicatorDraft and each error comes back on its cell, so nothing typed is lost.

A block copied from last year's Excel or WPS table is read by `pasted_rows`: by its header row when
it has one, else in the grid's column order; merged 一级/二级 cells (copied as blanks) are filled
down, 二级 are matched by name, numbering is removed and values go through the value grammar.
"""
import csv
import io
import re
import unicodedata

from . import indicator_editor, values
from .models import IndicatorDraft, Term
from .pasting import strip_numbering

# Grid columns besides 一级/二级/三级 and the value, by the field they edit (in this order).
EXTRA_FIELDS = [
    "description", "half_year_value", "basis", "standard", "weight", "indicator_class", "prior_value_1",
    "prior_value_2", "related_project",
]
MAX_PASTE_CHARS = 200_000

# Header captions of real tables → the field they hold (matched after removing spaces and brackets).
HEADER_FIELDS = [
    ("一级指标", "category"), ("二级指标", "subcategory"),
    ("三级指标", "name"), ("指标名称", "name"), ("绩效指标", "name"), ("具体指标", "name"),
    ("半年指标值", "half_year_value"), ("半年目标值", "half_year_value"),
    ("前年指标值", "prior_value_1"), ("上年指标值", "prior_value_2"),
    ("指标值确定依据", "basis"), ("确定依据", "basis"), ("依据", "basis"),
    ("计量单位", "unit"), ("单位", "unit"),
    ("指标方向", "comparator"), ("计算符号", "comparator"), ("比较符号", "comparator"),
    ("指标性质", "indicator_class"), ("指标分类", "indicator_class"), ("指标类型", "indicator_class"),
    ("绩效标准", "standard"), ("评分标准", "standard"), ("评（扣）分标准", "standard"),
    ("分值", "weight"), ("权重", "weight"),
    ("对应项目", "related_project"),
    ("指标解释", "description"), ("指标描述", "description"), ("绩效指标描述", "description"),
    ("指标内容", "description"),
    ("年度指标值", "value"), ("指标值", "value"), ("目标值", "value"), ("年度目标值", "value"),
    ("备注", None),
]
_BRACKETS = re.compile(r"[（(][^）)]*[)）]")


def columns(layout):
    """The grid's editable columns for this layout: [(field, caption)], after 一级/二级/三级/指标值."""
    wanted = set(layout.indicator_fields)
    return [(name, indicator_editor.FIELD_LABELS[name]) for name in EXTRA_FIELDS if name in wanted]


def row_dict(row):
    """A grid row (plain JSON) from an editor Row."""
    data = {
        "key": row.key, "id": row.id, "term": row.term, "subcategory": row.subcategory_id, "name": row.name,
        "value": row.quick or row.preview,
    }
    for name in EXTRA_FIELDS:
        data[name] = getattr(row, name)
    if row.errors:
        data["errors"] = cell_errors(row.errors)
    return data


def cell_errors(errors):
    """Editor errors by the grid cell that shows them (the value's parts are one cell)."""
    cells = {}
    for name, message in errors.items():
        cell = "value" if name in ("number", "unit", "text", "quick", "comparator") else name
        cells.setdefault(cell, message)
    return cells


def rows_from_json(payload, allowed):
    """Editor Rows from the grid's posted rows; a row whose 二级 is not chosen keeps an error."""
    rows = []
    for item in (payload or [])[: indicator_editor.MAX_ROWS]:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or "")
        if not indicator_editor.KEY.match(key):
            key = indicator_editor.new_key()
        subcategory = item.get("subcategory")
        term = item.get("term") if item.get("term") in Term.values else Term.ANNUAL
        raw_id = item.get("id")
        row = indicator_editor.Row(
            key=key,
            subcategory_id=subcategory if isinstance(subcategory, int) and subcategory in allowed else 0,
            term=term,
            id=raw_id if isinstance(raw_id, int) and raw_id > 0 else None,
            quick=_text(item.get("value")),
        )
        for name in ["name", *EXTRA_FIELDS]:
            setattr(row, name, _text(item.get(name)))
        row.name = strip_numbering(row.name)
        if not row.subcategory_id:
            row.errors["subcategory"] = "请选择二级指标"
        rows.append(row)
    return rows


def _text(value):
    if value is None:
        return ""
    return str(value).strip()[:2000]


def check(rows, fields):
    """(cleaned dicts or None, {key: {cell: message}}) for the posted rows."""
    cleaned = indicator_editor.check_rows(rows, fields=fields)
    errors = {row.key: cell_errors(row.errors) for row in rows if row.errors}
    return (None if errors else cleaned), errors


def draft_of(declaration):
    """The declaration's kept grid rows, or None."""
    owner = "project" if declaration._meta.model_name == "projectdeclaration" else "department"
    return IndicatorDraft.objects.filter(**{owner: declaration}).first()


def saved_rows(declaration, terms, rows):
    """The saved indicators as grid rows, keyed as the grid posted them (in each term, in order)."""
    keys = {}
    for row in rows:
        keys.setdefault(row.term, []).append(row.key)
    saved = indicator_editor.rows_from_indicators(
        declaration.indicators.filter(term__in=terms).order_by("term", "order")
    )
    result = []
    for term in terms:
        for row, key in zip([r for r in saved if r.term == term], keys.get(term, [])):
            row.key = key
            result.append(row_dict(row))
    return result


def grid_data(*, declaration, layout, framework, terms, editable, rows, references, library):
    """Everything the grid needs, as JSON-ready data for `json_script` (escaped, never markup)."""
    groups = []
    for term in terms:
        for category in framework.categories.all():
            for sub in category.subcategories.all():
                groups.append({
                    "term": term, "term_label": Term(term).label, "category": category.name,
                    "subcategory": sub.pk, "name": sub.name, "mandatory": sub.mandatory,
                })
    grid_rows = []
    for row in rows:
        item = row if isinstance(row, dict) else row_dict(row)
        pinned = getattr(row, "comments", None) or []
        if pinned:
            item["comments"] = [f"审核意见〔{c.criterion}〕：{c.text}" for c in pinned]
        refs = references.get(item.get("name"), [])[:5]
        if refs:
            item["references"] = [f"{unit} {year}年：{value}" + (f"（{basis}）" if basis else "")
                                  for unit, year, value, basis in refs]
        grid_rows.append(item)
    return {
        "editable": editable,
        "version": declaration.version,
        "terms": [{"term": t, "label": Term(t).label} for t in terms],
        "groups": groups,
        "columns": [{"field": f, "title": t} for f, t in columns(layout)],
        "rows": grid_rows,
        "library": {
            str(sub_id): [{"name": e.name, "value": e.suggested_value, "basis": e.basis,
                           "description": e.description} for e in entries]
            for sub_id, entries in library.items() if entries
        },
    }


# --- pasted blocks ----------------------------------------------------------------------------

def _normal(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _header_field(cell):
    name = _normal(cell)
    bare = _BRACKETS.sub("", name)
    for caption, field in HEADER_FIELDS:
        caption = _normal(caption)
        if name == caption or bare == caption:
            return field
    for caption, field in HEADER_FIELDS:  # 指标值（包含数字及文字描述）, 年度指标值（2026年）
        if bare.startswith(_normal(caption)):
            return field
    return "?"


def _subcategory_key(name):
    """二级 names as tables vary them: `（一）数量指标`, `数量`, `产出数量指标` all match 数量指标."""
    name = _normal(strip_numbering(name))
    return name[:-2] if name.endswith("指标") else name


class Framework:
    """The 一级/二级 of a framework, looked up by the names a pasted table gives them."""

    def __init__(self, framework):
        self.categories = list(framework.categories.all())
        self.by_category = {}
        self.by_name = {}
        for category in self.categories:
            for sub in category.subcategories.all():
                key = _subcategory_key(sub.name)
                self.by_category[(_subcategory_key(category.name), key)] = sub
                self.by_name.setdefault(key, []).append(sub)

    def find(self, category, subcategory):
        key = _subcategory_key(subcategory)
        if not key:
            return None
        found = self.by_category.get((_subcategory_key(category), key)) if category else None
        if found is None:
            candidates = self.by_name.get(key, [])
            if len(candidates) == 1:
                found = candidates[0]
        if found is None:  # `产出数量` for 数量: a known 二级 named at the end
            ends = [s for k, subs in self.by_name.items() for s in subs if k and key.endswith(k)]
            found = ends[0] if len(ends) == 1 else None
        return found


def _cells(text):
    """The pasted block as rows of cells (Excel quotes a cell holding a line break)."""
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")), delimiter="\t")
    return [[cell.strip() for cell in row] for row in reader]


def pasted_rows(text, framework, *, term, fields, default_subcategory=None):
    """Grid rows (dicts, not saved) read from a block copied from a table; unknown 二级 are flagged.

    Returns (rows, notes): notes say what was skipped or how the columns were read."""
    text = (text or "")[:MAX_PASTE_CHARS]
    table = [row for row in _cells(text) if any(row)]
    notes = []
    if not table:
        return [], ["没有读到内容：请从 Excel 或 WPS 表格中选中指标所在的行后复制，再粘贴到这里。"]
    known = Framework(framework)
    header_at = next(
        (n for n, row in enumerate(table[:6]) if sum(_header_field(c) not in ("?", None) for c in row if c) >= 2
         and any(_header_field(c) in ("name", "value") for c in row)),
        None,
    )
    if header_at is not None:
        mapping = [_header_field(cell) if cell else "?" for cell in table[header_at]]
        body = table[header_at + 1:]
        notes.append("已按表头识别各列：" + "、".join(c for c, f in zip(table[header_at], mapping) if f not in ("?", None)))
    else:
        body = table
        width = max(len(row) for row in body)
        grid_order = ["category", "subcategory", "name", "value", *fields]
        if width <= 3:  # 三级 | 指标值 | (依据): under the chosen 二级
            mapping = ["name", "value", fields[0] if fields else "?"][:width]
        else:
            mapping = grid_order[:width]
        notes.append("未找到表头，已按“一级指标、二级指标、三级指标、指标值…”的列序读取。" if width > 3
                     else "已按“三级指标、指标值”读取，放入当前选中的二级指标。")
    rows, category, subcategory = [], "", ""
    for cells in body:
        item = {}
        for field, cell in zip(mapping, cells):
            if field and field != "?" and cell and field not in item:
                item[field] = cell
        if "category" in mapping:
            category = item.get("category") or category
        if "subcategory" in mapping:
            subcategory = item.get("subcategory") or subcategory
        if _header_field(item.get("name", "")) == "name" or not item.get("name"):
            continue  # a repeated header, or a 一级/二级 line without a 三级
        value = item.get("value", "")
        comparator = item.get("comparator", "")
        if comparator in ("定性", "定量", "正向", "反向"):
            comparator = ""
        if comparator or item.get("unit"):
            parsed = values.parse(value)
            if not parsed.is_qualitative and not parsed.comparator and comparator:
                value = comparator + value
            if not parsed.is_qualitative and not parsed.unit and item.get("unit"):
                value = value + item["unit"]
        if "category" in mapping or "subcategory" in mapping:
            sub = known.find(category, subcategory)
        else:
            sub = default_subcategory
        row = {
            "key": indicator_editor.new_key(), "id": None, "term": term,
            "subcategory": sub.pk if sub else None,
            "name": strip_numbering(item["name"]),
            "value": value,
        }
        for name in EXTRA_FIELDS:
            row[name] = item.get(name, "") if name in fields else ""
        if sub is None:
            row["errors"] = {"subcategory": f"未知的二级指标“{subcategory or '（空）'}”，请在此格选择"}
            row["pasted_subcategory"] = subcategory
        rows.append(row)
    return rows, notes
