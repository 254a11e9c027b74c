"""The indicator editor: rows grouped under the layout's 一级/二级, edited as one form.

Rows travel in the POST as `row=<key>` (in page order) with fields `<key>-<name>`. Buttons
post the whole form with an `action` (add, remove, up, down, parse, library); the server applies
it and renders the editor again without saving, so nothing typed is lost and the page works
with and without htmx. `save` checks every row and saves all of them, or none.
"""
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from indicators.models import LibraryIndicator, PublishedValue

from . import values
from .models import Comparator, Term

TEXT_FIELDS = [
    "name", "description", "half_year_value", "basis", "indicator_class", "prior_value_1", "prior_value_2",
    "related_project", "standard",
]
# Saved only where the layout prints them (the form or grid then shows them); else left as they are.
OPTIONAL_FIELDS = ["standard", "weight"]
FIELD_LABELS = {
    "name": "三级指标",
    "description": "指标解释 / 描述",
    "half_year_value": "半年指标值",
    "basis": "指标值确定依据",
    "indicator_class": "指标分类",
    "prior_value_1": "前年指标值",
    "prior_value_2": "上年指标值",
    "related_project": "对应项目",
    "standard": "绩效标准",
    "weight": "分值",
}
MAX_ROWS = 400
KEY = re.compile(r"^[A-Za-z0-9_]{1,40}$")
PLACEHOLDER_NAMES = {"……", "…", "..."}


@dataclass
class Row:
    key: str
    subcategory_id: int
    term: str = Term.ANNUAL
    id: int | None = None
    name: str = ""
    description: str = ""
    comparator: str = values.QUALITATIVE
    number: str = ""
    unit: str = ""
    text: str = ""
    quick: str = ""
    half_year_value: str = ""
    basis: str = ""
    indicator_class: str = ""
    prior_value_1: str = ""
    prior_value_2: str = ""
    related_project: str = ""
    standard: str = ""
    weight: str = ""
    library: str = ""
    errors: dict = field(default_factory=dict)
    comments: list = field(default_factory=list)

    @property
    def preview(self):
        return preview(self.comparator, self.number, self.unit, self.text)

    def field(self, name):
        return getattr(self, name)


def new_key():
    return "n" + uuid.uuid4().hex[:10]


def preview(comparator, number, unit, text):
    """The printed value the parts compose, or "" while they are incomplete."""
    if comparator == values.QUALITATIVE:
        return text
    try:
        amount = Decimal(values.normalise(number))
    except (InvalidOperation, ValueError):
        return ""
    return values.compose(comparator, amount, values.normalise(unit), "")


def rows_from_indicators(indicators):
    rows = []
    for indicator in indicators:
        rows.append(
            Row(
                key=f"i{indicator.pk}",
                id=indicator.pk,
                subcategory_id=indicator.subcategory_id,
                term=indicator.term,
                name=indicator.name,
                description=indicator.description,
                comparator=indicator.comparator,
                number=values.format_number(indicator.number),
                unit=indicator.unit,
                text=indicator.text_value,
                weight=values.format_number(indicator.weight),
                **{name: getattr(indicator, name) for name in TEXT_FIELDS if name not in ("name", "description")},
            )
        )
    return rows


def rows_from_post(post, allowed_subcategories):
    """Rows as posted, in page order. Unknown keys and subcategories are dropped, never trusted."""
    rows = []
    for key in post.getlist("row")[:MAX_ROWS]:
        if not KEY.match(key):
            continue
        try:
            subcategory_id = int(post.get(f"{key}-subcategory", ""))
        except ValueError:
            continue
        if subcategory_id not in allowed_subcategories:
            continue
        term = post.get(f"{key}-term", Term.ANNUAL)
        raw_id = post.get(f"{key}-id", "")
        row = Row(
            key=key,
            subcategory_id=subcategory_id,
            term=term if term in Term.values else Term.ANNUAL,
            id=int(raw_id) if raw_id.isdigit() else None,
            comparator=post.get(f"{key}-comparator", values.QUALITATIVE),
            number=post.get(f"{key}-number", "").strip(),
            unit=post.get(f"{key}-unit", "").strip(),
            text=post.get(f"{key}-text", "").strip(),
            quick=post.get(f"{key}-quick", "").strip(),
            library=post.get(f"{key}-library", ""),
            weight=post.get(f"{key}-weight", "").strip(),
        )
        if row.comparator not in Comparator.values:
            row.comparator = values.QUALITATIVE
        for name in TEXT_FIELDS:
            setattr(row, name, post.get(f"{key}-{name}", "").strip())
        rows.append(row)
    return rows


def apply_quick(row):
    """Fill the parts from a whole value typed into the quick box (≥95%, ９５％, 有效改善)."""
    if not row.quick:
        return True
    try:
        parsed = values.parse(row.quick, strict=True)
    except values.ValueSyntaxError as error:
        row.errors["quick"] = str(error)
        return False
    row.comparator = parsed.comparator
    row.number = values.format_number(parsed.number) if parsed.number is not None else ""
    row.unit = parsed.unit
    row.text = parsed.text
    row.quick = ""
    return True


def apply_library(row):
    entry = LibraryIndicator.objects.filter(pk=row.library).first() if str(row.library).isdigit() else None
    if entry is None:
        row.errors["library"] = "请先从指标库中选择一个指标"
        return
    row.name = entry.name
    row.description = entry.description
    row.basis = entry.basis
    if entry.suggested_value:
        row.quick = entry.suggested_value
        apply_quick(row)


def apply_action(rows, action, *, frameworks_subcategories):
    """Change the rows as the clicked button asks; returns the rows (a new list)."""
    verb, _, rest = (action or "").partition(":")
    if verb == "add":
        term, _, sub = rest.partition(":")
        if sub.isdigit() and int(sub) in frameworks_subcategories and term in Term.values and len(rows) < MAX_ROWS:
            position = max((n for n, r in enumerate(rows) if r.subcategory_id == int(sub) and r.term == term), default=None)
            row = Row(key=new_key(), subcategory_id=int(sub), term=term)
            rows = rows[: position + 1] + [row] + rows[position + 1:] if position is not None else rows + [row]
    elif verb == "remove":
        rows = [r for r in rows if r.key != rest]
    elif verb in ("up", "down"):
        index = next((n for n, r in enumerate(rows) if r.key == rest), None)
        if index is not None:
            row = rows[index]
            step = -1 if verb == "up" else 1
            other = index + step
            while 0 <= other < len(rows) and (rows[other].subcategory_id, rows[other].term) != (row.subcategory_id, row.term):
                other += step
            if 0 <= other < len(rows):
                rows = list(rows)
                rows[index], rows[other] = rows[other], rows[index]
    elif verb == "parse":
        for row in rows:
            if row.key == rest:
                apply_quick(row)
    elif verb == "library":
        for row in rows:
            if row.key == rest:
                apply_library(row)
    return rows


def check_rows(rows, fields=()):
    """Field errors of every row; returns the cleaned dicts when all rows are valid, else None.

    `fields` are the layout's extra indicator columns: of OPTIONAL_FIELDS only those are saved."""
    cleaned = []
    for row in rows:
        apply_quick(row)
        if not row.name:
            row.errors["name"] = "请填写三级指标名称"
        number = None
        if row.comparator != values.QUALITATIVE:
            try:
                number = Decimal(values.normalise(row.number))
                if not number.is_finite() or abs(number) > values.MAX_NUMBER:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                row.errors["number"] = "比较符号后需要一个数字，例如 95"
            if len(row.unit) > 20:
                row.errors["unit"] = "计量单位不超过 20 个字"
            if number is not None and row.unit == "%" and not (0 <= number <= 100):
                row.errors["number"] = "百分比应在 0–100 之间"
        elif not row.text and row.name not in PLACEHOLDER_NAMES:
            row.errors["text"] = "定性指标需要填写指标值文字，例如“有效改善”"
        for name, limit in (("name", 300), ("half_year_value", 300), ("basis", 300), ("indicator_class", 20),
                            ("prior_value_1", 300), ("prior_value_2", 300), ("related_project", 200)):
            if len(getattr(row, name)) > limit:
                row.errors[name] = f"不超过 {limit} 个字"
        weight = None
        if row.weight:
            try:
                weight = Decimal(values.normalise(row.weight))
                if not weight.is_finite() or not (0 <= weight <= 1000):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                row.errors["weight"] = "分值应为 0–1000 之间的数字"
        optional = {"standard": row.standard, "weight": weight}
        cleaned.append(
            {
                "id": row.id,
                "subcategory_id": row.subcategory_id,
                "term": row.term,
                "name": row.name,
                "description": row.description,
                "comparator": row.comparator,
                "number": number if row.comparator != values.QUALITATIVE else None,
                "unit": values.normalise(row.unit) if row.comparator != values.QUALITATIVE else "",
                "text_value": row.text if row.comparator == values.QUALITATIVE else "",
                **{name: getattr(row, name) for name in TEXT_FIELDS
                   if name not in ("name", "description") and name not in OPTIONAL_FIELDS},
                **{name: optional[name] for name in OPTIONAL_FIELDS if name in fields},
            }
        )
    if any(row.errors for row in rows):
        return None
    return cleaned


@dataclass
class Group:
    category: object
    subcategory: object
    term: str
    rows: list


def groups(framework, rows, terms, comments=None):
    """(term, [Group]) for the editor: every framework 二级 with its rows, in framework order.

    `comments` (target → review comments) pins a returned declaration's comments to their rows."""
    comments = comments or {}
    placed = [(category, sub) for category in framework.categories.all() for sub in category.subcategories.all()]
    by_sub = {sub.pk: (category, sub) for category, sub in placed}
    by_place = {}
    for row in rows:
        if row.subcategory_id in by_sub:
            category, sub = by_sub[row.subcategory_id]
            row.comments = comments.get(f"indicator:{row.term}/{category.name}/{sub.name}/{row.name}", [])
        by_place.setdefault((row.subcategory_id, row.term), []).append(row)
    result = []
    for term in terms:
        term_groups = [Group(category, sub, term, by_place.get((sub.pk, term), [])) for category, sub in placed]
        result.append((Term(term).label, term, term_groups))
    return result


def library_for(framework):
    """Library entries by 二级 id, matched by the 一级/二级 names of this framework (only the
    entries under its 二级 names are read: the library is every province's)."""
    placed = [(category, sub) for category in framework.categories.all() for sub in category.subcategories.all()]
    by_path = {}
    for entry in LibraryIndicator.objects.filter(subcategory_name__in={sub.name for _category, sub in placed}):
        by_path.setdefault((entry.category_name, entry.subcategory_name), []).append(entry)
    return {sub.pk: by_path.get((category.name, sub.name), []) for category, sub in placed}


REFERENCE_SECONDS = 3600  # kept under the generation; the hour only bounds a key never asked again


def reference_values(names, *, exclude_unit):
    """The same 三级 in other units' published tables: name → [(unit, year, value, basis)].

    Read from the values written at publication (never from live rows, never from tables that are
    only approved), newest year first. PublishedValue rows change only where the portal's
    generation is raised in the same transaction (publication, withdrawal: public.services), so
    the answer is cached under that number (settings.PUBLISHED_VALUES_GENERATION, read through
    the setting: the public app builds on this one), this unit and these names."""
    wanted = [n for n in names if n]
    if not wanted:
        return {}
    reader = settings.PUBLISHED_VALUES_GENERATION
    if not reader:
        return _reference_values(wanted, exclude_unit)
    generation = import_string(reader)()[0]
    digest = hashlib.sha256("\n".join(sorted(set(wanted))).encode("utf-8")).hexdigest()
    key = f"reference-values:{generation}:{exclude_unit.pk}:{digest}"
    found = cache.get(key)
    if found is None:
        found = _reference_values(wanted, exclude_unit)
        cache.set(key, found, REFERENCE_SECONDS)
    return found


def _reference_values(wanted, exclude_unit):
    found = {}
    rows = (
        PublishedValue.objects.filter(name__in=wanted)
        .exclude(unit_id=exclude_unit.pk)
        .order_by("-year", "unit_name", "id")
        .values_list("name", "unit_name", "year", "value", "basis")[:400]
    )
    for name, unit_name, year, value, basis in rows:
        found.setdefault(name, []).append((unit_name, year, value, basis))
    return found
