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

Further constructs:
  {lines: DIRECTION, kinds: [...], column: amount}  the sum of the owner's money lines of those kinds (all
                                         when omitted), bound to the line when exactly one line makes it
  kind_parts: {KIND: [KIND, ...]}        (top level) a kind declared by its parts: with no line of KIND,
                                         the lines of its parts stand for it in a {lines} cell
  bind_when: TEMPLATE                    on any bound cell: bound only when the template renders non-blank
  {rows: [...], lead: CELL}              a group of rows (one YAML anchor can name it), with an optional
                                         lead CELL before the first, down all of them
  lead: CELL                             (in `indicators`) likewise, down all the indicator rows
  cells: {choose: [{when: T, cells: [...]}, {cells: [...]}]}  the first cell list whose `when` renders
                                         non-blank (or has none); in a row or an indicator part
  {{ standalone }}                       true in the department document printed alone
  {{ projects }}                         every project of the year, with a table of its own or not
"""
from dataclasses import replace

from django.template import Context, Engine

from ..models import Term
from .builders import DocumentData, indicator_rows, paragraphs, sum_amounts
from .document import Document, Letter, Part, Table, bind, label, text, value
from .layouts.base import LayoutDefinition

# Plain text for the Document: the PDF template and the Excel writer escape or type what they print.
ENGINE = Engine(autoescape=False, string_if_invalid="")

# Wizard settings a definition may set (LayoutDefinition's attributes of the same names).
WIZARD_KEYS = {
    "project_basic_fields", "project_funds_fields", "project_goal_fields", "project_goal_items",
    "spending_checkpoints", "project_income_kinds", "department_profile_fields", "department_goal_fields",
    "department_sub_goals", "department_income_kinds", "department_expense_kinds", "department_money_columns",
    "department_terms", "indicator_fields",
}
# Indicator columns whose printed text is composed: the value from its parts, 定性/数值 from the comparator.
INDICATOR_DISPLAY = {"value": "value_display", "comparator": "comparator_display"}
UNBOUND = {"comparator"}


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
        return template.render(Context(context, autoescape=False))

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
        blocks = []
        for name in self._document.get("blocks", ["department", "projects"]):
            if name == "cover_letter" and data.cover is not None:
                blocks.append(self.cover_letter(data.cover))
            elif name == "department" and data.department is not None:
                blocks += self.department_blocks(data)
            elif name == "projects":
                blocks += [self.project_table(data, p, n) for n, p in enumerate(self.printed_projects(data), start=1)]
        return Document(title=self.document_title(data), filename=self.filename(data), blocks=blocks)

    def cover_letter(self, cover):
        pattern = (self._document.get("cover_letter") or {}).get("date", "%Y 年 %-m 月 %-d 日")
        return Letter(
            title=cover.title, paragraphs=paragraphs(cover.body), attachment=cover.attachment,
            signed_by=cover.signed_by, signed_on=printed_date(cover.signed_on, pattern),
        )

    def department_blocks(self, data):
        return [self._table("department", data, data.department, self.context(data), anchor="department")]

    def department_document(self, data):
        # Alone, the department table is the only place its data print: `standalone` in its context.
        return super().department_document(replace(data, standalone=True))

    def project_table(self, data, project, number):
        context = self.context(data, project=project, number=number)
        return self._table("project", data, project, context, anchor=f"project-{number}")

    # -- tables --------------------------------------------------------------------------

    def _table(self, kind, data, owner, context, *, anchor):
        try:
            spec = self.definition["tables"][kind]
        except KeyError:
            raise DefinitionError(f"tables.{kind}：版式“{self.code}”没有这张表的定义") from None
        columns = spec["columns"]
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
            elif "rows" in spec:
                rows += self._led(spec, owner, context)
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
        return rows

    def _led(self, spec, owner, context):
        """A group of rows (`rows`), with an optional `lead` cell before the first, down all of them."""
        rows = self._rows(spec["rows"], owner, context)
        return self._lead(spec.get("lead"), rows, owner, context)

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
                              bind=bound)
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
        if "lines" in spec:
            return self.lines_cell(spec, owner, span, rowspan)
        raise DefinitionError(f"单元格 {spec}：应有 label、field、text、money、value、prose 或 lines 之一")

    def lines_cell(self, spec, owner, span, rowspan):
        """The sum of the owner's money lines of a direction and kinds, in one `column`; bound to
        that line's column when exactly one line makes the amount."""
        column = spec.get("column", "amount")
        lines = self.money_lines(owner, spec["lines"], spec.get("kinds"))
        bound = bind(lines[0], column) if len(lines) == 1 and spec.get("bind") is not False else ""
        return self.money(sum_amounts([getattr(line, column) for line in lines]), colspan=span, rowspan=rowspan,
                          suffix=spec.get("suffix", ""), bind=bound)

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
                    spec.get("category_label", "{{ category.name }}"), {**context, "number": number, "category": category}
                ),
                include_empty_subcategories=bool(spec.get("empty_subcategories", False)),
                empty_cells=lambda: [self.cell(_blank(cell), owner, context)
                                     for cell in self._chosen(spec["cells"], context)],
                category_colspan=spec.get("category_span", 1),
                subcategory_colspan=spec.get("subcategory_span", 1),
            )
            rows = self._lead(spec.get("lead"), rows, owner, context)
            if rows or not spec.get("omit_when_empty", False):
                parts.append(Part(header_rows=header, rows=rows))
        return parts


def _blank(cell):
    """The empty cell of an optional 二级 row without indicators, shaped like `cell`."""
    kind = "text" if "text" in cell or "prose" in cell else "value"
    return {kind if kind == "value" else "prose": "", "span": cell.get("span", 1)}
