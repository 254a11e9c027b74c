"""Forms of the fill-in wizards. Each step is built from the unit's layout (which fields it asks for).

Forms only read and check input; the services in services/drafts.py write it.
"""
import copy
import weakref
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from .models import BudgetYear, DepartmentDeclaration, MoneyKind, ProjectDeclaration
from .pasting import pasted_lines, strip_numbering
from .services import drafts, validation
from .values import format_number

TEXTAREA = forms.Textarea(attrs={"rows": 3})
LONG_TEXTAREA = forms.Textarea(attrs={"rows": 6})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class VersionField(forms.CharField):
    """The hidden version a step was opened at: required; missing or not a number is a form error."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        return drafts.parse_version(value)


def _require_version(form):
    """A form without a usable version says so at the top (the field is hidden) and saves nothing."""
    if "version" in form.fields and form.cleaned_data.get("version") is None:
        form.add_error(None, drafts.MISSING_VERSION)


class StepForm(forms.ModelForm):
    """A wizard step: carries the declaration's version so that a stale save is refused."""

    version = VersionField()

    def clean(self):
        data = super().clean()
        _require_version(self)
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DecimalField):
                field.widget = copy.deepcopy(MONEY_INPUT)  # crispy marks a widget invalid in place
                field.localize = False
                field.label = money_caption(str(field.label))
                if self.initial.get(name) is not None:
                    self.initial[name] = format_number(Decimal(self.initial[name]))
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 3)
            if isinstance(field, forms.DateField):
                field.widget = copy.deepcopy(DATE)
        if self.instance.pk and "version" in self.fields:
            self.fields["version"].initial = self.instance.version


def _model_fields(model, names):
    concrete = {f.name for f in model._meta.get_fields()}
    return [name for name in names if name in concrete]


# --- project ------------------------------------------------------------------------------

YEAR_ERRORS = {"required": "请选择预算年度", "invalid_choice": "请选择开放填报的预算年度"}


class ProjectBasicForm(StepForm):
    year = forms.ModelChoiceField(BudgetYear.objects.none(), label="预算年度", required=False,
                                  error_messages=YEAR_ERRORS)

    def __init__(self, *args, creating=False, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit if unit is not None else (self.instance.unit if self.instance.pk else None)
        if creating:
            self.fields["year"].queryset = BudgetYear.objects.filter(is_open=True)
            self.fields["year"].required = True
            self.order_fields(["year"])
            del self.fields["version"]  # a new draft has no version yet
        else:
            del self.fields["year"]
        self.fields["name"].required = True

    def clean(self):
        data = super().clean()
        year = data.get("year") if "year" in self.fields else self.instance.year
        code = (data.get("code") or "").strip()
        if code and year is not None and self.unit is not None:
            others = ProjectDeclaration.objects.filter(unit=self.unit, year=year, code=code).exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("code", duplicate_code_message(year.year, code))
        return data


def duplicate_code_message(year, code):
    return f"{year} 年度已有项目编码为“{code}”的项目，请核对项目编码"


# The boxes 预算数 is made of where the layout prints them beside it (预算数 = 财政资金 + 结余结转 + 其他资金).
BUDGET_PART_FIELDS = ("fiscal_funds", "carryover_funds", "other_funds")


class ProjectFundsForm(StepForm):
    """资金: the amounts in the printed order, a 合计 row under the parts 预算数 is made of, and the
    spending plan. A blank 预算数 with parts given is their sum; both given must agree."""

    def __init__(self, *args, layout, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        self.checkpoints = list(layout.spending_checkpoints)
        current = {p.label: p.percent for p in self.instance.spending_plan.all()} if self.instance.pk else {}
        for n, label in enumerate(self.checkpoints):
            self.fields[f"plan_{n}"] = forms.DecimalField(
                label=f"{label}累计支出（%）", max_digits=5, decimal_places=2, required=True,
                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
                initial=format_number(current[label]) if label in current else None, widget=MONEY_INPUT,
            )
        # The stated lines only: lines under a subtotal (宁乡's 上级财政资金) are the subtotal's breakdown.
        lines = {
            line.kind: line.amount for line in self.instance.money_lines.all()
            if line.direction == "income" and line.parent_id is None
        } if self.instance.pk else {}
        for kind in layout.project_income_kinds:
            self.fields[f"income_{kind}"] = forms.DecimalField(
                label=money_caption(layout.money_captions.get(kind, MoneyKind(kind).label)),
                max_digits=18, decimal_places=6, required=False, min_value=Decimal(0),
                initial=format_number(lines[kind]) if kind in lines else None, widget=MONEY_INPUT,
            )

    def part_groups(self):
        """The names of the boxes that add up to 预算数: the 财政资金/结余结转/其他资金 boxes, the
        income lines (each group on its own)."""
        groups = [
            [name for name in BUDGET_PART_FIELDS if name in self.fields],
            [f"income_{kind}" for kind in self.layout.project_income_kinds],
        ]
        return [group for group in groups if group] if "budget" in self.fields else []

    def clean(self):
        data = super().clean()
        for group in self.part_groups():
            given = [data[name] for name in group if data.get(name) is not None]
            if not given or self.has_error("budget"):
                continue
            total = sum(given, Decimal(0))
            if data.get("budget") is None:
                data["budget"] = total  # the layout derives 预算数 from its parts
            elif data["budget"] != total:
                parts = " + ".join(
                    f"{_bare(self.fields[name].label)} {format_number(data.get(name) or Decimal(0))} 万元" for name in group
                )
                self.add_error(group[0], (
                    f"{parts} = {format_number(total)} 万元 ≠ {_bare(self.fields['budget'].label)} "
                    f"{format_number(data['budget'])} 万元；请核对，或将{_bare(self.fields['budget'].label)}留空，按各项之和填入"
                ))
        percents = [data.get(f"plan_{n}") for n in range(len(self.checkpoints))]
        if self.checkpoints and all(p is not None for p in percents):
            message = validation.check_spending_plan(percents)
            if message:
                self.add_error(f"plan_{len(self.checkpoints) - 1}", message)
        return data

    @property
    def plan_fields(self):
        return [self[f"plan_{n}"] for n in range(len(self.checkpoints))]

    def money_rows(self):
        """The table of amounts in the printed order: a row per box (`group`: the parts group it
        belongs to, if any), and a 合计 row (the sum of the parts typed) after each group's last part."""
        groups = self.part_groups()
        group_of = {name: n for n, group in enumerate(groups) for name in group}
        last = {group[-1]: n for n, group in enumerate(groups)}
        names = [name for name in self._meta.fields if isinstance(self.fields.get(name), forms.DecimalField)]
        names += [f"income_{kind}" for kind in self.layout.project_income_kinds]
        rows = []
        for name in names:
            rows.append({"field": self[name], "group": group_of.get(name), "derived": name == "budget" and bool(groups)})
            if name in last:
                rows.append({"group": last[name], "total": format_number(self._parts_total(groups[last[name]])) or ""})
        return rows

    def _parts_total(self, group):
        values = [typed_number(self[name]) for name in group]
        values = [v for v in values if v is not None]
        return sum(values, Decimal(0)) if values else None

    @property
    def budget_placeholder(self):
        """What a blank 预算数 becomes on save: the sum of the first group's parts typed."""
        groups = self.part_groups()
        return format_number(self._parts_total(groups[0])) if groups else None

    @property
    def other_fields(self):
        """The step's boxes that are not amounts (资金用途)."""
        return [self[name] for name in self._meta.fields
                if name in self.fields and not isinstance(self.fields[name], forms.DecimalField)]

    def spending_plan(self):
        return [(label, self.cleaned_data[f"plan_{n}"]) for n, label in enumerate(self.checkpoints)]

    def income_lines(self):
        return {kind: self.cleaned_data.get(f"income_{kind}") for kind in self.layout.project_income_kinds}


def money_caption(caption):
    """An amount's caption with its unit: （万元） unless the printed caption already says 万元."""
    return caption if "万元" in caption else f"{caption}（万元）"


def _bare(label):
    """A caption as a name in a sentence: without its unit and a leading 其中."""
    return str(label).replace("（万元）", "").removeprefix("其中：").removeprefix("其中:").strip()


def typed_number(bound):
    """The number in a box as shown now (typed, or saved), None when blank or not a finite number."""
    raw = bound.value()
    if raw in (None, ""):
        return None
    try:
        number = Decimal(str(raw).strip())
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


class ProjectGoalsForm(StepForm):
    goal_items_text = forms.CharField(
        label="绩效目标（每行一条）", required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="每行一条目标，打印时自动编号 1. 2. …；粘贴时带的编号会自动去掉",
    )

    def __init__(self, *args, layout, **kwargs):
        super().__init__(*args, **kwargs)
        if not layout.project_goal_items:
            del self.fields["goal_items_text"]
        elif self.instance.pk:
            self.fields["goal_items_text"].initial = "\n".join(i.text for i in self.instance.goal_items.all())

    def goal_items(self):
        if "goal_items_text" not in self.fields:
            return None
        return pasted_lines(self.cleaned_data["goal_items_text"])


def _formset_valid(form, formset, name, member):
    """Whether the repeated blocks are valid; if not, their errors become the form's, each naming its
    block (第2行开始时间：…), so that the error summary lists them."""
    if formset.is_valid():
        return True
    for error in formset.non_form_errors():
        form.add_error(None, f"{name}：{error}")
    for n, block in enumerate(formset.forms, start=1):
        for field, errors in block.errors.items():
            for error in errors:
                form.add_error(None, f"第{n}{member}{block.fields[field].label}：{error}")
    return False


class MilestoneRowForm(forms.Form):
    """One row of 项目实施进度计划: what is done, from when to when (as the table writes them: 2016, 2020.07)."""

    content = forms.CharField(label="项目实施内容", max_length=300, required=False)
    start = forms.CharField(label="开始时间", max_length=20, required=False)
    end = forms.CharField(label="完成时间", max_length=20, required=False)

    def cleaned_row(self):
        """The row as ProjectMilestone fields, or None when it is left empty or ticked 删除."""
        if self.cleaned_data.get("DELETE"):
            return None
        row = {name: (self.cleaned_data.get(name) or "").strip() for name in ("content", "start", "end")}
        return row if any(row.values()) else None


EMPTY_MILESTONE_ROWS = 2  # empty rows under the saved ones; 保存并再添加 saves and shows two more
MilestoneFormSet = forms.formset_factory(
    MilestoneRowForm, extra=EMPTY_MILESTONE_ROWS, can_delete=True, max_num=50, absolute_max=50,
)


class ProjectMilestonesForm(forms.Form):
    """项目实施进度计划: repeatable rows, each removable (删除), two empty ones to add more."""

    version = VersionField()

    def __init__(self, data=None, *, project):
        super().__init__(data)
        # Bound, the rows are what was posted (nothing compared with the saved ones, so a row
        # posted as it was saved is never taken for an untouched empty one).
        initial = None if data is not None else [
            {"content": m.content, "start": m.start, "end": m.end} for m in project.milestones.all()
        ]
        self.rows = MilestoneFormSet(data, initial=initial, prefix="milestone")
        self.fields["version"].initial = project.version

    def clean(self):
        data = super().clean()
        _require_version(self)
        if not _formset_valid(self, self.rows, "实施进度计划", "行"):
            return data
        for n, row in enumerate(self.rows.forms, start=1):
            milestone = row.cleaned_row()
            if milestone and not milestone["content"]:
                row.add_error("content", "填写了时间时，实施内容不能为空")
                self.add_error(None, f"第{n}行：填写了时间时，实施内容不能为空")
        return data

    def milestones(self):
        return [row for row in (form.cleaned_row() for form in self.rows.forms) if row]


# The form classes of each layout object's steps, made once (a changed definition is a new object).
_STEP_FORMS = weakref.WeakKeyDictionary()


def _step_form_class(layout, kind, step, make):
    classes = _STEP_FORMS.setdefault(layout, {})
    if (kind, step) not in classes:
        classes[kind, step] = make(layout, step)
    return classes[kind, step]


def project_step_form_class(layout, step):
    return _step_form_class(layout, "project", step, _project_step_form_class)


def _project_step_form_class(layout, step):
    fields = {
        "basic": layout.project_basic_fields,
        "funds": layout.project_funds_fields,
        "goals": layout.project_goal_fields,
    }[step]
    base = {"basic": ProjectBasicForm, "funds": ProjectFundsForm, "goals": ProjectGoalsForm}[step]
    fields = _model_fields(ProjectDeclaration, fields)
    return forms.modelform_factory(
        ProjectDeclaration, form=base, fields=fields, labels=_captions(layout, "project", fields),
        widgets={name: TEXTAREA for name in ("purpose", "necessity", "feasibility", "content", "legal_basis",
                                              "overview", "long_term_goal", "annual_goal")},
    )


def _captions(layout, kind, fields):
    """The wizard asks for each field by the caption its table prints beside it."""
    captions = layout.field_captions(kind)
    return {name: captions[name] for name in fields if name in captions}


# --- budget years -------------------------------------------------------------------------

class DepartmentNewForm(forms.Form):
    """The open budget year of a new 部门整体 declaration, chosen by its id."""

    year = forms.ModelChoiceField(BudgetYear.objects.filter(is_open=True), label="预算年度", empty_label=None,
                                  error_messages=YEAR_ERRORS)


class AdjustmentForm(forms.Form):
    """开始调整 (目标调整): the reason is required; the version the page showed guards the act."""

    reason = forms.CharField(
        label="调整原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写调整原因（如：预算调整）"},
        help_text="调整原因将打印在调整后公开的表下：“本表于…调整，调整原因：…”。",
    )
    version = VersionField()


class CopyForm(forms.Form):
    """Where a copy goes: an open budget year after the source's, given as its number (2026)."""

    year = forms.CharField(label="复制到预算年度", error_messages={"required": "请选择要复制到的预算年度"})
    keep_money = forms.ChoiceField(label="金额", choices=[("0", "清空金额"), ("1", "保留金额")], required=False)

    code = forms.CharField(
        label="新年度项目编码", max_length=40, required=False,
        help_text="项目编码每年重新编制：请填写新年度的编码；暂无编码可不填（不会沿用上年编码）",
    )

    def __init__(self, *args, source_year, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_year = source_year
        self.project = project
        if project is None:
            del self.fields["code"]

    def clean(self):
        data = super().clean()
        code, year = (data.get("code") or "").strip(), data.get("year")
        if self.project is not None and code and year:
            taken = ProjectDeclaration.objects.filter(unit_id=self.project.unit_id, year__year=year, code=code)
            if taken.exists():
                self.add_error("code", duplicate_code_message(year, code))
        return data

    def new_code(self):
        """The copy's 项目编码 (blank when not known yet), or None for a 部门整体."""
        return (self.cleaned_data.get("code") or "").strip() if "code" in self.fields else None

    def clean_year(self):
        raw = self.cleaned_data["year"].strip()
        if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
            raise forms.ValidationError("预算年度应为四位数字，如 2026")
        year = int(raw)
        if year <= self.source_year:
            raise forms.ValidationError(f"只能复制到 {self.source_year} 年以后的预算年度")
        budget_year = BudgetYear.objects.filter(year=year).first()
        if budget_year is None:
            raise forms.ValidationError(f"{year} 年度尚未设立；预算年度由管理员设立")
        if not budget_year.is_open:
            raise forms.ValidationError(f"{year} 年度已停止填报，不能复制到该年度")
        return year

    def keep_money(self):
        return self.cleaned_data.get("keep_money") == "1"


# --- department ---------------------------------------------------------------------------

class DepartmentProfileForm(StepForm):
    def __init__(self, *args, layout, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not (self.instance.functions or self.instance.organisation):
            # A new year's profile starts from the unit's latest one (it is rarely rewritten).
            for name, text in _latest_profile(self.instance).items():
                if name in self.fields:
                    self.initial[name] = text


def _latest_profile(department):
    earlier = (
        DepartmentDeclaration.objects.filter(unit_id=department.unit_id, year__year__lt=department.year.year)
        .exclude(functions="", organisation="")
        .order_by("-year__year")
        .values("functions", "organisation")
        .first()
    )
    return earlier or {}


class SubGoalBlockForm(forms.Form):
    """One 分项绩效目标 as printed: 标题, 绩效目标, 绩效指标 (numbering and labels pasted with them go)."""

    title = forms.CharField(label="标题", max_length=200, required=False)
    goal = forms.CharField(label="绩效目标", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    indicators = forms.CharField(label="绩效指标", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def cleaned_goal(self):
        """The block as SubGoal fields, or None when it is left empty."""
        data = {name: strip_numbering(self.cleaned_data.get(name, "")) for name in ("title", "goal", "indicators")}
        return data if any(data.values()) else None


EMPTY_SUB_GOAL_BLOCKS = 2  # empty blocks under the saved ones; 再添加 saves and shows two more
SubGoalFormSet = forms.formset_factory(SubGoalBlockForm, extra=EMPTY_SUB_GOAL_BLOCKS, max_num=50, absolute_max=50)


class DepartmentGoalsForm(StepForm):
    safeguards_text = forms.CharField(
        label="工作保障措施（每行一条）", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="每行一条，打印时自动编号（一）（二）…；粘贴时带的编号会自动去掉",
    )

    def __init__(self, *args, layout, **kwargs):
        super().__init__(*args, **kwargs)
        self.sub_goal_blocks = None
        if not layout.department_sub_goals:
            del self.fields["safeguards_text"]
            return
        initial = [
            {"title": g.title, "goal": g.goal, "indicators": g.indicators} for g in self.instance.sub_goals.all()
        ] if self.instance.pk else []
        self.sub_goal_blocks = SubGoalFormSet(self.data if self.is_bound else None, initial=initial, prefix="subgoal")
        if self.instance.pk:
            self.fields["safeguards_text"].initial = "\n".join(s.text for s in self.instance.safeguards.all())

    def clean(self):
        data = super().clean()
        if self.sub_goal_blocks is None:
            return data
        if not _formset_valid(self, self.sub_goal_blocks, "分项绩效目标", "项分项目标"):
            return data
        for n, block in enumerate(self.sub_goal_blocks.forms, start=1):
            goal = block.cleaned_goal()
            if goal and not (goal["title"] and goal["goal"]):
                self.add_error(None, f"第{n}项分项目标需要填写标题和绩效目标")
        return data

    def sub_goals(self):
        if self.sub_goal_blocks is None:
            return None
        return [goal for goal in (block.cleaned_goal() for block in self.sub_goal_blocks.forms) if goal]

    def safeguards(self):
        if "safeguards_text" not in self.fields:
            return None
        return pasted_lines(self.cleaned_data["safeguards_text"])


MONEY_COLUMN_LABELS = {
    "amount": "当年金额",
    "half_year_amount": "半年计划执行数",
    "share": "占比（%）",
    "prior_amount_1": "前年金额",
    "prior_amount_2": "上年金额",
}


class DepartmentMoneyForm(forms.Form):
    """One row per income source and expense kind the layout prints, one column per figure."""

    version = VersionField()

    def __init__(self, *args, layout, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        self.columns = list(layout.department_money_columns)
        self.column_labels = [money_column_caption(layout, column, department.year.year) for column in self.columns]
        existing = {(line.direction, line.kind): line for line in department.money_lines.all()}
        self.rows = []
        for direction, kinds in (("income", layout.department_income_kinds), ("expense", layout.department_expense_kinds)):
            for kind in kinds:
                names, caption = [], layout.money_captions.get(kind, MoneyKind(kind).label)
                for column, column_label in zip(self.columns, self.column_labels):
                    name = f"{direction}-{kind}-{column}"
                    line = existing.get((direction, kind))
                    is_share = column == "share"
                    self.fields[name] = forms.DecimalField(
                        label=f"{caption} {column_label}",
                        required=False, min_value=Decimal(0),
                        max_value=Decimal(100) if is_share else None,
                        max_digits=5 if is_share else 18, decimal_places=2 if is_share else 6,
                        initial=format_number(getattr(line, column)) if line else None, widget=MONEY_INPUT,
                    )
                    names.append(name)
                self.rows.append((direction, kind, caption, [self[n] for n in names]))
        self.fields["version"].initial = department.version

    def _typed(self, direction, kind, column):
        return typed_number(self[f"{direction}-{kind}-{column}"])

    def _total(self, direction, column):
        values = [self._typed(d, k, column) for d, k, _label, _bound in self.rows if d == direction]
        values = [v for v in values if v is not None]
        return sum(values, Decimal(0)) if values else None

    def sections(self):
        """Per direction: its rows, each with the share computed from the amounts where none is typed,
        and its 合计 row (sums of the shown numbers; 占比 100 when there is an amount)."""
        result = []
        for direction in ("income", "expense"):
            total = self._total(direction, "amount")
            rows = []
            for d, kind, label, bound in self.rows:
                if d != direction:
                    continue
                amount = self._typed(direction, kind, "amount")
                rows.append((kind, label, bound, format_number(computed_share(amount, total))))
            if not rows:
                continue
            totals = [
                "100" if column == "share" and total else
                "" if column == "share" else format_number(self._total(direction, column)) or ""
                for column in self.columns
            ]
            result.append((direction, rows, totals))
        return result

    def clean(self):
        data = super().clean()
        _require_version(self)
        for direction, kind, label, bound in self.rows:
            values = {column: data.get(f"{direction}-{kind}-{column}") for column in self.columns}
            if values.get("amount") is None and any(v is not None for v in values.values()):
                self.add_error(f"{direction}-{kind}-amount", f"{label}：填写了其他数字时，当年金额不能为空")
        return data

    def lines(self):
        """The lines to save; 占比, where the layout asks for it and none is typed, from the amounts."""
        result = []
        for direction, kind, _label, _bound in self.rows:
            values = {column: self.cleaned_data.get(f"{direction}-{kind}-{column}") for column in self.columns}
            if values.get("amount") is not None:
                result.append({"direction": direction, "kind": kind, **values})
        if "share" in self.columns:
            for direction in ("income", "expense"):
                mine = [line for line in result if line["direction"] == direction]
                total = sum((line["amount"] for line in mine), Decimal(0))
                for line in mine:
                    if line["share"] is None:
                        line["share"] = computed_share(line["amount"], total)
        return result


def computed_share(amount, total):
    """An amount's share of its total in %, two places; None without both."""
    if amount is None or not total or not amount.is_finite() or not total.is_finite():
        return None
    return (amount * 100 / total).quantize(Decimal("0.01"))


def money_column_caption(layout, column, year):
    """A money column's caption as the layout prints it, with the real years and its unit."""
    if column == "share":
        return "占比（%）"
    if column in ("prior_amount_1", "prior_amount_2"):
        return f"{year - 2 if column == 'prior_amount_1' else year - 1}年（万元）"
    return f"{layout.money_captions.get(column, MONEY_COLUMN_LABELS[column])}（万元）"


def department_step_form_class(layout, step):
    return _step_form_class(layout, "department", step, _department_step_form_class)


def _department_step_form_class(layout, step):
    if step == "profile":
        fields, base = layout.department_profile_fields, DepartmentProfileForm
    else:
        fields, base = layout.department_goal_fields, DepartmentGoalsForm
    fields = _model_fields(DepartmentDeclaration, fields)
    return forms.modelform_factory(
        DepartmentDeclaration, form=base, fields=fields, labels=_captions(layout, "department", fields),
        widgets={name: LONG_TEXTAREA for name in ("overall_goal", "long_term_goal", "annual_goal", "annual_tasks",
                                                  "annual_goal_brief", "functions", "organisation")},
    )
