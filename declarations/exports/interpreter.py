"""A layout defined as data, interpreted.

A definition (a dict, kept as YAML or JSON; see docs/layouts.md) says what a finance bureau's
tables print: the document's blocks, each table's title lines, column grid, rows of cells and
indicator parts. `DefinedLayout` reads it and builds the same Document objects the PDF and Excel
writers lay out, so a new region is a definition, not a subclass.

Texts in a definition are Django template strings rendered as plain text (the writers escape
what they print): `{{ year }}`, `{{ unit.name }}`, `{{ project.name }}`, `{{ bureau.title_prefix }}`,
`{{ supervisor.code }}` (the unit's 主管部门, else the unit), `{{ number }}` (the project's place),
`{{ category.name }}` in a category label, and every filter of Django's (`default`, `date`, …).

A cell is one of
  {label: TEMPLATE}                      a printed caption
  {field: NAME} / {text: NAME}           the object's field, short (centred) or long (wrapped), bound
  {money: NAME, suffix: 万元}             an amount in the layout's number format, bound
  {value: TEMPLATE, bind: NAME}          a composed short value; bound to NAME only when it prints
  {prose: TEMPLATE, bind: NAME}           exactly that field's stored value (likewise, long text)
each with optional `span` and `rowspan`. A row is a list of cells, or {cells: [...], when: TEMPLATE}
(printed only when the template renders non-blank).

More constructs:
  document.blocks_without_department: [...]  the document's blocks when the unit declares no department
  {money_groups: {lines, where, groups: [{name, kinds}], cells, total}}  a row per group of money lines ({sum}, {share})
  {percent: NAME}                        a cell: a stored percentage as printed (30%, 83.99%), bound
  {across: PATH, as, span, first, rows}  a row construct: a collection across the grid, one row per entry of
                                         `rows` (a cell each item), `span` columns spread evenly over the items
  `{{ counter|numeral }}`                a filter: 1 → 一, 12 → 十二, for （一） numbering
  document.blocks entries may be dicts (each with optional `when`):
  {title_page: [LINES], footer: [LINES]} a title page: big lines, then lines at its foot
  {toc: TITLE}                           a table of contents of the entries of the blocks after it
  {heading: TEMPLATE, level, anchor, new_page, toc, toc_level, bind, bind_prefix}  a heading;
                                         `toc: true` (its text) or `toc: TEXT` lists it in the contents
  {paragraphs: NAME}                     the owner's text field, a paragraph per line, bound NAME#n
  {paragraph: TEMPLATE, bind, bind_prefix}  one paragraph (a heading or paragraph is bound when it prints
                                         bind_prefix + the stored value)
  {each: PATH, as: NAME, blocks: [...]}  the blocks once per item, the item their owner, `counter`, `count`
  {projects: {new_page: FLAG, toc: true}}  the project tables; FLAG a template (`number`) or boolean
  document.department.blocks: [...]      the department's part as blocks instead of tables.department
  {lines: DIRECTION, kinds: [...], column: amount}  the sum of the owner's money lines of those kinds (all
                                         when omitted), bound to the line when exactly one line makes it
  kind_parts: {KIND: [KIND, ...]}        (top level) a kind declared by its parts: with no line of KIND,
                                         the lines of its parts stand for it in a {lines} cell
  bind_when: TEMPLATE                    on any bound cell: bound only when the template renders non-blank
  {rows: [...], first: [CELLS], lead: CELL}  a group of rows (one YAML anchor can name it); `first` cells
                                         open the first row (down all: `rowspan: "{{ count }}"`), a `lead`
                                         CELL goes before the first, down all of them
  lead: CELL                             (in `indicators`) likewise, down all the indicator rows
  cells: {choose: [{when: T, cells: [...]}, {cells: [...]}]}  the first cell list whose `when` renders
                                         non-blank (or has none); in a row or an indicator part
  header_in_body: true                   (in `indicators`) the header rows open the body (printed once), so a
                                         `lead` CELL goes down them and the indicator rows
  after: [LINES]                         (on a table) lines printed below its grid (a sign-off line); a line
                                         that renders blank is left out
  {{ adjustment }}                       the table's owner's latest 目标调整, printed 本表于2026年3月5日调整，
                                         调整原因：…; blank when never adjusted (`.date`, `.reason` for own wording)
  repeat_categories: true                (in `indicators`) 一级 and 二级 printed on every row, not merged down
  `{{ number|thousands }}`               a filter: a number as short as exact, digits grouped (44561.000000 → 44,561)
  {{ standalone }}                       true in the department document printed alone
  {{ projects }}                         every project of the year, with a table of its own or not
  side_by_side: true / subcategory_label: T  (in `indicators`) the terms side by side, one 一级 / a 二级 caption
  prefix: TEXT                           on a money or lines cell: a caption printed in the amount's cell
                                         ("资金总额：704"; alone and unbound when the amount is blank)
  subcategory_cell: false                (in `indicators`) the 二级 has no cell of its own; the cells name it
                                         (`{{ indicator.subcategory.label }}`), empty 二级 print no row
  merge: [POSITIONS]                     (on an `each` row) the cells at these positions of consecutive rows
                                         merge down while their text repeats (a later position only within
                                         the run of an earlier one): 一级/二级 of rows that are not indicators
  tables.KIND for any owner              `DefinedLayout.table(KIND, owner, context)` prints a table of rows
                                         for any object (the 监控表 and 自评表 of evaluation/definitions/)
"""
import json
import re
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from django.template import Context, Engine, Library

from ..models import Term
from ..values import format_number
from .builders import DocumentData, indicator_rows, numeral, paragraphs, percent_cell, sum_amounts
from .document import (
    Document, Heading, Letter, Paragraph, Part, Table, TitlePage, Toc, TocEntry, bind, label, text, value,
)
from .layouts.base import LayoutDefinition

# Plain text for the Document: the PDF template and the Excel writer escape or type what they print.
ENGINE = Engine(autoescape=False, string_if_invalid="")
FILTERS = Library()
ENGINE.template_builtins.append(FILTERS)


@FILTERS.filter(name="numeral")
def numeral_filter(number):
    """`{{ counter|numeral }}`: 1 → 一, 12 → 十二 (numbers outside 1–99 print as digits)."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        return number
    return numeral(number) if 0 < number < 100 else str(number)


@FILTERS.filter(name="thousands")
def thousands_filter(number):
    """`{{ number|thousands }}`: a number as short as exact, digits grouped by thousands
    (44561.000000 → 44,561, 4.00 → 4, 0.50 → 0.5); anything else as it is."""
    try:
        number = Decimal(str(number))
    except (ArithmeticError, ValueError):
        return "" if number is None else number
    if not number.is_finite():
        return str(number)
    whole, _, fraction = format_number(number).partition(".")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    grouped = f"{int(digits):,}"
    return f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"


# Wizard settings a definition may set (LayoutDefinition's attributes of the same names).
WIZARD_KEYS = {
    "project_basic_fields", "project_funds_fields", "project_goal_fields", "project_goal_items",
    "spending_checkpoints", "project_income_kinds", "department_profile_fields", "department_goal_fields",
    "department_sub_goals", "department_income_kinds", "department_expense_kinds", "department_money_columns",
    "department_terms", "indicator_fields", "captions", "money_captions",
}
# Indicator columns whose printed text is composed: the value from its parts, 定性/数值 from the comparator.
INDICATOR_DISPLAY = {"value": "value_display", "comparator": "comparator_display"}
UNBOUND = {"comparator"}
# What a table's context holds of the document beyond its own owner (`context`). Whole words:
# `project.supervising_department` or `bind: department_name` name none of them.
DOCUMENT_NAMES = re.compile(r"(?<!\w)(department|projects|standalone)(?!\w)")


def _adjustment(owner):
    """`{{ adjustment }}`: the owner's adjustment note, or "" (so `when` and blank lines drop it)."""
    return getattr(owner, "adjustment", None) or ""


class DefinitionError(ValueError):
    """A definition the interpreter cannot use; the message names the key."""


def printed_date(day, pattern):
    return day.strftime(pattern) if day else ""


class DefinedLayout(LayoutDefinition):
    """One finance bureau's layout, read from its definition."""

    def __init__(self, definition):
        self.definition = definition
        self.code = definition["code"]
        self.verbose_name = definition.get("name", self.code)
        self.amount_decimals = (definition.get("amounts") or {}).get("decimals", 2)
        for key, setting in (definition.get("wizard") or {}).items():
            if key not in WIZARD_KEYS:
                raise DefinitionError(f"wizard.{key}：未知的设置")
            setattr(self, key, setting)
        self._templates = {}

    # -- what the wizards ask -----------------------------------------------------------

    def field_captions(self, kind):
        """Field → the caption the table prints beside it (the nearest label to its left in its
        row), for the wizard's fields; `wizard.captions.KIND` sets or overrides any."""
        found = {}
        spec = (self.definition.get("tables") or {}).get(kind) or {}
        for part in spec.get("parts", []):
            _captions(part.get("rows", []), found)
        found.update(((self.definition.get("wizard") or {}).get("captions") or {}).get(kind) or {})
        return found

    def prints_indicators(self, kind):
        """Whether the layout prints an indicator table for this kind of declaration."""
        if kind == "department" and "department" in self._document:
            return False  # the department's part is prose blocks
        spec = (self.definition.get("tables") or {}).get(kind) or {}
        return any("indicators" in part for part in spec.get("parts", []))

    def prints_money(self, kind):
        """Whether the kind's table prints money lines (a sum of lines, money groups, or the lines)."""
        spec = (self.definition.get("tables") or {}).get(kind)
        return _has_key(spec, ("lines", "money_groups")) or _names_collection(spec, f"{kind}.money_lines")

    def prints_milestones(self):
        """Whether the project table prints the 项目实施进度计划 rows (project.milestones)."""
        return _names_collection((self.definition.get("tables") or {}).get("project"), "project.milestones")

    def project_table_stands_alone(self):
        """Whether tables.project names none of `department`, `projects` or `standalone` (the
        document's other parts in its context), so that it prints the same built from its
        project alone: a definition naming one, anywhere in the table, is read whole."""
        spec = (self.definition.get("tables") or {}).get("project")
        return spec is not None and not DOCUMENT_NAMES.search(json.dumps(spec, ensure_ascii=False))

    def lists_projects(self):
        """Whether the 部门整体 table lists the year's projects (项目支出情况)."""
        return _names_collection((self.definition.get("tables") or {}).get("department"), "projects")

    # -- texts ---------------------------------------------------------------------------

    def render(self, source, context):
        if source is None:
            return ""
        if not isinstance(source, str):
            return str(source)
        if "{" not in source:
            return source
        template = self._templates.get(source)
        if template is None:
            template = self._templates[source] = ENGINE.from_string(source)
        # Django marks what a template renders as safe HTML; this is plain text that the page, PDF
        # and Excel writers must still escape, so it leaves here as a plain str.
        return str.__str__(template.render(Context(context, autoescape=False)))

    def context(self, data: DocumentData, **extra):
        return {
            "year": data.year, "unit": data.unit, "bureau": data.bureau, "supervisor": data.unit.parent or data.unit,
            "department": data.department, "projects": data.projects, "standalone": data.standalone, **extra,
        }

    # -- the document --------------------------------------------------------------------

    @property
    def _document(self):
        return self.definition.get("document") or {}

    def document_title(self, data):
        return self.render(self._document.get("title", "{{ unit.name }}{{ year }}年预算绩效目标"), self.context(data))

    def filename(self, data):
        return self.render(self._document.get("filename", "{{ year }}-{{ unit.name }}-绩效目标"), self.context(data))

    def document(self, data):
        blocks, toc = [], []
        for name in self._block_names(data):
            if isinstance(name, dict):
                blocks += self._blocks([name], data, None, self.context(data), toc)
            elif name == "cover_letter" and data.cover is not None:
                blocks.append(self.cover_letter(data.cover))
            elif name == "department" and data.department is not None:
                blocks += self.department_blocks(data, toc)
            elif name == "projects":
                blocks += [self.project_table(data, p, n) for n, p in enumerate(self.printed_projects(data), start=1)]
        _fill_tocs(toc)
        return Document(title=self.document_title(data), filename=self.filename(data), blocks=blocks)

    def _block_names(self, data):
        if data.department is None and "blocks_without_department" in self._document:
            return self._document["blocks_without_department"]
        return self._document.get("blocks", ["department", "projects"])

    def cover_letter(self, cover):
        pattern = (self._document.get("cover_letter") or {}).get("date", "%Y 年 %-m 月 %-d 日")
        return Letter(
            title=cover.title, paragraphs=paragraphs(cover.body), attachment=cover.attachment,
            signed_by=cover.signed_by, signed_on=printed_date(cover.signed_on, pattern),
        )

    def department_blocks(self, data, toc=None):
        if "department" in self._document:  # the department's part as document blocks (headings, prose)
            collected = [] if toc is None else toc
            context = {**self.context(data), "adjustment": _adjustment(data.department)}
            blocks = self._blocks(self._document["department"]["blocks"], data, data.department, context, collected)
            if toc is None:
                _fill_tocs(collected)
            return blocks
        return [self._table("department", data, data.department, self.context(data), anchor="department")]

    def department_document(self, data):
        # Alone, the department table is the only place its data print: `standalone` in its context.
        return super().department_document(replace(data, standalone=True))

    def has_table(self, kind):
        return kind in (self.definition.get("tables") or {})

    def table(self, kind, owner, context, *, anchor=""):
        """A table of rows for any owner with its own context (no indicator parts, no document data)."""
        return self._table(kind, None, owner, context, anchor=anchor)

    def project_table(self, data, project, number):
        context = self.context(data, project=project, number=number)
        return self._table("project", data, project, context, anchor=f"project-{number}")

    # -- document blocks beyond tables ------------------------------------------------------

    def _blocks(self, specs, data, owner, context, toc):
        """Document blocks from their specs, in order; `toc` collects the tables of contents and the
        entries of the blocks that name one (`toc: TEXT` or `toc: true`)."""
        blocks = []
        for spec in specs:
            if isinstance(spec, str):  # a named block: department, projects, cover_letter
                blocks += self._named_block(spec, data, toc)
            elif "when" in spec and not self.render(spec["when"], context).strip():
                continue
            elif "each" in spec:
                blocks += self._each_block(spec, data, context, toc)
            elif "projects" in spec:
                settings = spec["projects"] if isinstance(spec["projects"], dict) else {}
                blocks += self._project_tables(settings, data, toc)
            else:
                block = self._block(spec, owner, context, toc)
                blocks += block if isinstance(block, list) else [block]
        return blocks

    def _named_block(self, name, data, toc):
        if name == "cover_letter" and data.cover is not None:
            return [self.cover_letter(data.cover)]
        if name == "department" and data.department is not None:
            return self.department_blocks(data, toc)
        if name == "projects":
            return self._project_tables({}, data, toc)
        return []

    def _block(self, spec, owner, context, toc):
        if "title_page" in spec:
            return TitlePage(lines=[self.render(line, context) for line in spec["title_page"]],
                             footer_lines=[self.render(line, context) for line in spec.get("footer", [])])
        if "heading" in spec:
            shown = self.render(spec["heading"], context)
            level = spec.get("level", 1)
            bound, prefix = self._block_bind(spec, owner, context, shown)
            block = Heading(shown, level=level, anchor=self.render(spec.get("anchor", ""), context),
                            new_page=self.flag(spec.get("new_page", False), context), bind=bound, bind_prefix=prefix)
            self._toc_entry(spec, shown, block.anchor, level, context, toc)
            return block
        if "paragraphs" in spec:  # a text field, one paragraph per line
            name = spec["paragraphs"]
            return [Paragraph(line, bind=f"{bind(owner, name)}#{n}")
                    for n, line in enumerate(paragraphs(getattr(owner, name, "")))]
        if "paragraph" in spec:
            shown = self.render(spec["paragraph"], context)
            bound, prefix = self._block_bind(spec, owner, context, shown)
            return Paragraph(shown, bind=bound, bind_prefix=prefix)
        if "toc" in spec:  # a table of contents: its title; the entries of the blocks after it
            block = Toc(self.render(spec["toc"], context), [])
            toc.append(block)
            return block
        raise DefinitionError(f"文档块 {spec}：应有 title_page、toc、heading、paragraphs、paragraph、each 或 projects 之一")

    def _block_bind(self, spec, owner, context, shown):
        """A heading's or paragraph's binding: bound to `bind` when it prints `bind_prefix` and the
        stored value (empty included), not a fallback or a composition."""
        field = spec.get("bind")
        if not field or owner is None:
            return "", ""
        prefix = self.render(spec.get("bind_prefix", ""), context)
        stored = getattr(owner, field, None)
        if f"{prefix}{'' if stored is None else stored}" != shown:
            return "", ""
        return bind(owner, field), prefix

    def _toc_entry(self, spec, shown, anchor, level, context, toc):
        entry = spec.get("toc")
        if entry:
            entry_text = shown if entry is True else self.render(entry, context)
            toc.append(TocEntry(entry_text, anchor, level=spec.get("toc_level", level)))

    def _each_block(self, spec, data, context, toc):
        """The blocks of `blocks` once per item of a collection (`each`, `as`), the item their owner;
        `counter` and `count` as in rows (`{{ counter|numeral }}` prints 一, 二 …)."""
        items = list(self.lookup(spec["each"], context))
        name = spec.get("as", "item")
        blocks = []
        for number, item in enumerate(items, start=1):
            inner = {**context, name: item, "counter": number, "count": len(items)}
            blocks += self._blocks(spec["blocks"], data, item, inner, toc)
        return blocks

    def _project_tables(self, spec, data, toc):
        """One table per printed project; `new_page` (a template flag with `number`) and `toc`
        (true: the table's title) set on each."""
        tables = []
        for number, project in enumerate(self.printed_projects(data), start=1):
            table = self.project_table(data, project, number)
            context = self.context(data, project=project, number=number, title=table.title)
            if "new_page" in spec:
                table.new_page = self.flag(spec["new_page"], context)
            self._toc_entry(spec, table.title, table.anchor, 1, context, toc)
            tables.append(table)
        return tables

    def flag(self, source, context):
        """A yes/no setting: a boolean, or a template that is yes unless it renders blank, false, no or 0."""
        if isinstance(source, bool):
            return source
        return self.render(source, context).strip().lower() not in ("", "false", "no", "0")

    # -- tables --------------------------------------------------------------------------

    def _table(self, kind, data, owner, context, *, anchor):
        try:
            spec = self.definition["tables"][kind]
        except KeyError:
            raise DefinitionError(f"tables.{kind}：版式“{self.code}”没有这张表的定义") from None
        columns = spec["columns"]
        context = {**context, "adjustment": _adjustment(owner)}
        parts = []
        for part in spec.get("parts", []):
            if "rows" in part:
                parts.append(Part(rows=self._rows(part["rows"], owner, context)))
            elif "indicators" in part:
                parts += self._indicator_parts(part["indicators"], owner, data.frameworks.get(kind), context, columns)
        lines = lambda key: [self.render(line, context) for line in spec.get(key, [])]  # noqa: E731
        return Table(
            title=self.render(spec.get("title", ""), context),
            sheet_name=self.render(spec.get("sheet_name", "{{ number }}.{{ project.printed_title_name }}"), context),
            column_widths=list(columns),
            parts=parts,
            before_lines=lines("before"),
            after_lines=[line for line in lines("after") if line.strip()],
            subtitle_lines=lines("subtitle"),
            header_left=self.render(spec.get("header_left", ""), context),
            header_right=self.render(spec.get("header_right", ""), context),
            landscape=bool(spec.get("landscape", False)),
            anchor=anchor,
        )

    def _rows(self, specs, owner, context):
        rows = []
        for spec in specs:
            if isinstance(spec, list):
                spec = {"cells": spec}
            if "when" in spec and not self.render(spec["when"], context).strip():
                continue
            if "each" in spec:
                rows += self._each(spec, owner, context)
            elif "across" in spec:
                rows += self._across(spec, owner, context)
            elif "rows" in spec:
                rows += self._group(spec, owner, context)
            elif "money_groups" in spec:
                rows += self._money_groups(spec["money_groups"], owner, context)
            else:
                rows.append([self.cell(cell, owner, context) for cell in self._chosen(spec["cells"], context)])
        return rows

    def _each(self, spec, owner, context):
        """One row per item of a collection (`each: project.goal_items`, `as: item`); `first` cells
        open the first row (a caption down all of them: `rowspan: "{{ count }}"`); `else` rows
        print when there is no item."""
        items = list(self.lookup(spec["each"], context))
        if not items:
            return self._rows(spec.get("else", []), owner, context)
        name = spec.get("as", "item")
        rows = []
        for number, item in enumerate(items, start=1):
            inner = {**context, name: item, "counter": number, "count": len(items)}
            cells = [self.cell(cell, owner, inner) for cell in spec.get("first", [])] if number == 1 else []
            rows.append(cells + [self.cell(cell, item, inner) for cell in spec["cells"]])
        return merge_down(rows, spec.get("merge", []), offset=len(spec.get("first", [])))

    def _group(self, spec, owner, context):
        """A group of rows (`rows`): `first` cells open the first row (down all of them with
        `rowspan: "{{ count }}"`); a `lead` cell goes before the first, down all of them."""
        rows = self._rows(spec["rows"], owner, context)
        inner = {**context, "count": len(rows)}
        first = [self.cell(cell, owner, inner) for cell in spec.get("first", [])]
        rows = [first + rows[0]] + rows[1:] if rows else ([first] if first else [])
        return self._lead(spec.get("lead"), rows, owner, context)

    # -- money groups ----------------------------------------------------------------------

    def _money_groups(self, spec, owner, context):
        """A row per group of money lines (`groups: [{name, kinds}]`), then a row per kind in no
        group (named by `stray_name`), then the `total` row of all the lines."""
        where = spec.get("where") or {}
        lines = [line for line in self.lookup(spec["lines"], context)
                 if all(str(getattr(line, key)) == str(wanted) for key, wanted in where.items())]
        groups, used = [], set()
        for group in spec.get("groups", []):
            kinds = set(group["kinds"])
            used |= kinds
            chosen = [line for line in lines if line.kind in kinds]
            groups.append(MoneyGroup(self.render(group["name"], context), chosen))
        for line in lines:
            if line.kind not in used:
                used.add(line.kind)
                name = self.render(spec.get("stray_name", "{{ line.get_kind_display }}"), {**context, "line": line})
                groups.append(MoneyGroup(name, [other for other in lines if other.kind == line.kind]))
        total = MoneyGroup("", lines, is_total=True)
        rows = [self._money_row(spec["cells"], group, total, owner, context) for group in groups]
        if "total" in spec:
            rows.append(self._money_row(spec["total"], total, total, owner, context))
        return rows

    def _money_row(self, cells, group, total, owner, context):
        inner = {**context, "group": group}
        return [self._money_cell(cell, group, total, owner, inner) for cell in cells]

    def _money_cell(self, spec, group, total, owner, context):
        """{sum: FIELD} the group's sum (`default` when no line has one); {share: FIELD, of: FIELD}
        the declared shares' sum, else the group's part of the total (`places` decimals), 100 in
        the total row. Bound to the line when exactly one line makes the row."""
        span, rowspan = spec.get("span", 1), spec.get("rowspan", 1)
        if "sum" in spec:
            amount = group.sum(spec["sum"], spec.get("default"))
            return self.money(amount, colspan=span, rowspan=rowspan, bind=group.bind(spec["sum"]))
        if "share" in spec:
            field, of = spec["share"], spec["of"]
            whole = total.sum(of, 0)
            if group.is_total:
                return percent_cell(Decimal(100) if whole else None, span, rowspan)
            declared = group.declared(field)
            if declared is not None:
                return percent_cell(declared, span, rowspan, bind=group.bind(field))
            places = Decimal(1).scaleb(-spec.get("places", 2))
            part = group.sum(of, 0)
            share = (part * 100 / whole).quantize(places, ROUND_HALF_UP) if whole else None
            return percent_cell(share, span, rowspan)
        return self.cell(spec, owner, context)

    def _across(self, spec, owner, context):
        """A collection across the grid (`across: project.spending_plan`, `as: step`): one row per
        entry of `rows`, one cell of it per item, the items sharing `span` grid columns as evenly as
        they can (the first ones wider); `first` cells open the first row."""
        items = list(self.lookup(spec["across"], context))
        if not items:
            return self._rows(spec.get("else", []), owner, context)
        name = spec.get("as", "item")
        spans = spread(len(items), spec["span"])
        rows = []
        for at, cell in enumerate(spec["rows"]):
            row = [self.cell(first, owner, context) for first in spec.get("first", [])] if at == 0 else []
            for number, (item, span) in enumerate(zip(items, spans), start=1):
                inner = {**context, name: item, "counter": number, "count": len(items)}
                row.append(self.cell({**cell, "span": span}, item, inner))
            rows.append(row)
        return rows

    def _lead(self, lead, rows, owner, context):
        if rows and lead is not None:
            rows[0].insert(0, self.cell({**lead, "rowspan": len(rows)}, owner, context))
        return rows

    def _chosen(self, cells, context):
        """A list of cells, or the first of `{choose: [{when, cells}, ...]}` whose `when` prints."""
        if not isinstance(cells, dict):
            return cells
        for choice in cells["choose"]:
            if "when" not in choice or self.render(choice["when"], context).strip():
                return choice["cells"]
        return []

    @staticmethod
    def lookup(path, context):
        """A collection named by a dotted path: `project.goal_items`, `projects`."""
        head, *rest = path.split(".")
        obj = context.get(head)
        for part in rest:
            obj = getattr(obj, part, None)
        if hasattr(obj, "all"):
            obj = obj.all()
        return obj or []

    def cell(self, spec, owner, context):
        if "bind_when" in spec and not self.render(spec["bind_when"], context).strip():
            spec = {**spec, "bind": False}
        span, rowspan = spec.get("span", 1), spec.get("rowspan", 1)
        if isinstance(rowspan, str):
            rowspan = int(self.render(rowspan, context) or 1)
        if "label" in spec:
            return label(self.render(spec["label"], context), span, rowspan)
        for key, maker in (("field", value), ("text", text)):
            if key in spec:
                name = spec[key]
                stored = getattr(owner, INDICATOR_DISPLAY.get(name, name))
                shown = "" if stored is None else str(stored)
                bound = "" if name in UNBOUND or spec.get("bind") is False else bind(owner, name)
                return maker(shown, span, rowspan, bind=bound)
        if "money" in spec:
            name = spec["money"]
            bound = "" if spec.get("bind") is False else bind(owner, name)
            return self.money(getattr(owner, name), colspan=span, rowspan=rowspan, suffix=spec.get("suffix", ""),
                              bind=bound, prefix=spec.get("prefix", ""))
        for key, maker in (("value", value), ("prose", text)):
            if key in spec:
                shown = self.render(spec[key], context)
                field = spec.get("bind")
                stored = getattr(owner, field, None) if field else None
                prefix = self.render(spec.get("bind_prefix", ""), context)
                # Bound only when the cell prints the stored value itself (after a printed prefix such
                # as "1."), not a fallback or a composition.
                bound = bind(owner, field) if stored and f"{prefix}{stored}" == shown else ""
                cell = maker(shown, span, rowspan, bind=bound)
                cell.bind_prefix = prefix if bound else ""
                return cell
        if "percent" in spec:
            name = spec["percent"]
            bound = "" if spec.get("bind") is False else bind(owner, name)
            return percent_cell(getattr(owner, name), span, rowspan, bind=bound)
        if "lines" in spec:
            return self.lines_cell(spec, owner, span, rowspan)
        raise DefinitionError(f"单元格 {spec}：应有 label、field、text、money、value、prose、percent 或 lines 之一")

    def lines_cell(self, spec, owner, span, rowspan):
        """The sum of the owner's money lines of a direction and kinds, in one `column`; bound to
        that line's column when exactly one line makes the amount."""
        column = spec.get("column", "amount")
        lines = self.money_lines(owner, spec["lines"], spec.get("kinds"))
        bound = bind(lines[0], column) if len(lines) == 1 and spec.get("bind") is not False else ""
        return self.money(sum_amounts([getattr(line, column) for line in lines]), colspan=span, rowspan=rowspan,
                          suffix=spec.get("suffix", ""), bind=bound, prefix=spec.get("prefix", ""))

    def money_lines(self, owner, direction, kinds=None):
        """The owner's lines of a direction and kinds; a kind with no line stands for its `kind_parts`."""
        lines = [line for line in owner.money_lines.all() if line.direction == direction]
        if kinds is None:
            return lines
        parts, present = self.definition.get("kind_parts") or {}, {line.kind for line in lines}
        wanted = {part for kind in kinds for part in ([kind] if kind in present else parts.get(kind, []))}
        return [line for line in lines if line.kind in wanted]

    # -- indicator tables ------------------------------------------------------------------

    def _indicator_parts(self, spec, owner, framework, context, columns):
        """One part per term that prints; a heading row names the term when more than one prints."""
        indicators = list(owner.indicators.all())
        terms = spec.get("terms")
        if terms is None:  # one part for all the indicators, whatever their term
            terms, by_term = [Term.ANNUAL], {Term.ANNUAL: indicators}
        else:
            by_term = {term: [i for i in indicators if (i.term or Term.ANNUAL) == term] for term in terms}
        if spec.get("side_by_side"):
            return self._side_by_side_part(spec, by_term, terms, owner, framework, context)
        printed = [t for t in terms if by_term[t] or t not in spec.get("optional_terms", [])]
        headings = spec.get("headings") or {}
        parts = []
        for term in printed:
            header = [[self.cell(cell, owner, context) for cell in row] for row in spec["header"]]
            if len(printed) > 1 and term in headings:
                header.insert(0, [label(self.render(headings[term], context), len(columns))])
            rows = indicator_rows(
                by_term[term],
                framework,
                lambda indicator: [self.cell(cell, indicator, {**context, "indicator": indicator})
                                   for cell in self._chosen(spec["cells"], {**context, "indicator": indicator})],
                category_label=lambda number, category: self.render(
                    spec.get("category_label", "{{ category.name }}"),
                    {**context, "number": number, "category": category},
                ),
                include_empty_subcategories=bool(spec.get("empty_subcategories", False))
                and spec.get("subcategory_cell", True),
                empty_cells=lambda: [self.cell(_blank(cell), owner, context)
                                     for cell in self._chosen(spec["cells"], context)],
                category_colspan=spec.get("category_span", 1),
                subcategory_colspan=spec.get("subcategory_span", 1),
                subcategory_label=lambda sub: self._subcategory_label(spec, sub, term, context),
                merge_categories=not spec.get("repeat_categories", False),
                subcategory_cell=spec.get("subcategory_cell", True),
            )
            filled = bool(rows)
            if spec.get("header_in_body", False):
                header, rows = [], header + rows
            rows = self._lead(spec.get("lead"), rows, owner, context)
            if filled or not spec.get("omit_when_empty", False):
                parts.append(Part(header_rows=header, rows=rows))
        return parts

    def _subcategory_label(self, spec, subcategory, term, context):
        if "subcategory_label" not in spec:
            return subcategory.label
        return self.render(spec["subcategory_label"], {**context, "subcategory": subcategory, "term": term})

    def _side_by_side_part(self, spec, by_term, terms, owner, framework, context):
        """The terms' indicators side by side (`side_by_side: true`), one part: the 一级 down the
        left, then per term its 二级 caption and `cells`; a 二级 takes as many rows as its longest
        term, a shorter term's rows print blank (its 二级 caption too when it has none there)."""
        categories = list(framework.categories.all()) if framework else []
        known = {sub.pk for category in categories for sub in category.subcategories.all()}
        stray = [i for term in terms for i in by_term[term] if i.subcategory_id not in known]
        if stray:
            raise ValueError(f"指标不属于本版式的指标框架：{', '.join(i.name for i in stray)}")
        sub_span = spec.get("subcategory_span", 1)
        rows = []
        for number, category in enumerate(categories, start=1):
            category_rows = []
            for sub in category.subcategories.all():
                items = {term: sorted((i for i in by_term[term] if i.subcategory_id == sub.pk),
                                      key=lambda i: (i.order, i.pk or 0)) for term in terms}
                height = max(len(found) for found in items.values())
                if not height and not spec.get("empty_subcategories", False):
                    continue
                height = max(height, 1)
                sub_rows = [[] for _ in range(height)]
                for term in terms:
                    inner = {**context, "term": term, "subcategory": sub}
                    shown = items[term] or spec.get("empty_subcategories", False)
                    caption = self._subcategory_label(spec, sub, term, context) if shown else ""
                    sub_rows[0].append(label(caption, sub_span, height))
                    for at in range(height):
                        if at < len(items[term]):
                            indicator = items[term][at]
                            cells = self._chosen(spec["cells"], {**inner, "indicator": indicator})
                            sub_rows[at] += [self.cell(cell, indicator, {**inner, "indicator": indicator})
                                             for cell in cells]
                        else:
                            sub_rows[at] += [self.cell(_blank(cell), owner, inner)
                                             for cell in self._chosen(spec["cells"], inner)]
                category_rows += sub_rows
            if category_rows:
                caption = self.render(spec.get("category_label", "{{ category.name }}"),
                                      {**context, "number": number, "category": category})
                category_rows[0].insert(0, label(caption, spec.get("category_span", 1), len(category_rows)))
                rows += category_rows
        rows = self._lead(spec.get("lead"), rows, owner, context)
        if not rows and spec.get("omit_when_empty", False):
            return []
        header = [[self.cell(cell, owner, context) for cell in row] for row in spec["header"]]
        return [Part(header_rows=header, rows=rows)]


def _blank(cell):
    """The empty cell of an optional 二级 row without indicators, shaped like `cell`."""
    kind = "text" if "text" in cell or "prose" in cell else "value"
    return {kind if kind == "value" else "prose": "", "span": cell.get("span", 1)}


class MoneyGroup:
    """Money lines printed as one row: their sums, and their binding when exactly one line."""

    def __init__(self, name, lines, is_total=False):
        self.name, self.lines, self.is_total = name, lines, is_total

    def sum(self, field, default=None):
        amount = sum_amounts([getattr(line, field) for line in self.lines])
        return Decimal(default) if amount is None and default is not None else amount

    def declared(self, field):
        """The sum of the lines' stated values, when every line (at least one) states one."""
        stated = [getattr(line, field) for line in self.lines]
        return sum(stated, Decimal(0)) if stated and None not in stated else None

    def bind(self, field):
        return bind(self.lines[0], field) if len(self.lines) == 1 and not self.is_total else ""

def merge_down(rows, positions, offset=0):
    """Cells at `positions` (of the `cells`, after `offset` leading cells on the first row) merged down
    over consecutive rows that repeat their text; a later position merges only within the run of
    the earlier ones (二级 within its 一级)."""
    if not positions or not rows:
        return rows
    keys = [[(row[p + (offset if n == 0 else 0)].text) for p in positions] for n, row in enumerate(rows)]
    drop = [set() for _ in rows]
    for at, position in enumerate(positions):
        start = 0
        for n in range(1, len(rows) + 1):
            if n < len(rows) and keys[n][:at + 1] == keys[start][:at + 1]:
                drop[n].add(position)
                continue
            rows[start][position + (offset if start == 0 else 0)].rowspan = n - start
            start = n
    return [[cell for p, cell in enumerate(row) if p - (offset if n == 0 else 0) not in drop[n]]
            for n, row in enumerate(rows)]


def spread(count, columns):
    """`columns` grid columns over `count` cells as evenly as they go, the first ones wider
    (6 over 4: 2, 2, 1, 1)."""
    base, extra = divmod(columns, count)
    return [base + (1 if n < extra else 0) for n in range(count)]


def _fill_tocs(collected):
    """Each table of contents in `collected` lists the entries collected after it."""
    for at, item in enumerate(collected):
        if isinstance(item, Toc):
            item.entries = [entry for entry in collected[at + 1:] if isinstance(entry, TocEntry)]


_LEADING_NUMBER = re.compile(r"^\s*[一二三四五六七八九十]+[、.．]")


def _captions(rows, found):
    """Walk rows of cells (lists, or dicts holding `cells`/`rows`) noting each field's caption."""
    for row in rows:
        if isinstance(row, dict):
            _captions(row.get("rows", []), found)
            cells = row.get("cells")
            row = cells if isinstance(cells, list) else []
        caption = ""
        for cell in row:
            if not isinstance(cell, dict):
                continue
            if "label" in cell and "{" not in str(cell["label"]):
                caption = str(cell["label"]).replace("\n", "").strip().rstrip(":：")
                continue
            name = next((cell[key] for key in ("field", "text", "money", "percent") if key in cell), None)
            name = name or (cell.get("bind") if isinstance(cell.get("bind"), str) else None)
            # A caption printed in the amount's own cell ("资金总额：704", "三、其他：") names it.
            own = _LEADING_NUMBER.sub("", str(cell.get("prefix", ""))).strip().rstrip(":：") if "{" not in str(
                cell.get("prefix", "")) else ""
            if name and (own or caption) and name not in found:
                found[name] = own or caption


def _names_collection(spec, name):
    """Whether any `each`/`across` in the spec walks the collection `name`."""
    if isinstance(spec, dict):
        if spec.get("each") == name or spec.get("across") == name:
            return True
        return any(_names_collection(value, name) for value in spec.values())
    if isinstance(spec, list):
        return any(_names_collection(value, name) for value in spec)
    return False


def _has_key(spec, keys):
    if isinstance(spec, dict):
        return any(key in spec for key in keys) or any(_has_key(value, keys) for value in spec.values())
    if isinstance(spec, list):
        return any(_has_key(value, keys) for value in spec)
    return False
