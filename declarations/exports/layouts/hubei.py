"""湖北 部门整体绩效目标申报表: one landscape form per unit and year.

The form holds the unit's money, functions, tasks, the projects as rows of 项目支出情况, the
long-term and annual goals and the 长期/年度绩效指标 tables. Projects print no table of their
own in the document; `project_table` still gives one for the per-project download.

Every row of the department form sits on one nine-column grid:

    0 label | 1 | 2 二级 | 3 三级 | 4 前年 | 5 上年 | 6 预期当年 | 7 依据 | 8 分类

(一级指标 takes columns 0-1 in the indicator tables, whose caption is a full-width row.)
"""
from decimal import ROUND_HALF_UP, Decimal

from ..builders import indicator_rows, percent_cell, sum_amounts
from ..document import Document, Part, Table, bind, label, text, value
from .base import LayoutDefinition

COLUMN_WIDTHS = [10, 5, 11, 16, 12, 12, 12, 10, 6]
COLUMNS = len(COLUMN_WIDTHS)
HUNDRED = Decimal(100)

# 收入构成 and 支出构成 rows: (printed name, money kinds summed into it). Kinds outside these
# rows print as rows of their own (their display name) before 合计, so 合计 is always the sum.
INCOME_ROWS = [
    ("财政拨款", ("fiscal_general", "fiscal_fund")),
    ("财政专户管理资金", ("special_account",)),
    ("单位资金", ("unit_funds",)),
]
EXPENSE_ROWS = [
    ("人员类项目支出", ("personnel",)),
    ("运转类项目支出", ("operating",)),
    ("特定目标类项目支出", ("specific",)),
]

PROJECT_COLUMNS = ["一级指标", "二级指标", "三级指标", "指标值", "指标值确定依据", "指标分类"]


def _date(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


def _bind(obj, field):
    """The binding of a field of `obj`, nothing when there is no object (a sum of lines, a blank row)."""
    return bind(obj, field) if obj is not None else ""


class HubeiLayout(LayoutDefinition):
    code = "hubei"
    verbose_name = "湖北省部门整体绩效目标申报表"
    amount_decimals = 2
    project_basic_fields = ["name", "category"]
    project_funds_fields = ["mid_term_total", "budget", "fiscal_funds", "other_funds", "purpose"]
    project_goal_fields = ["long_term_goal", "annual_goal"]
    department_profile_fields = ["department_name", "filler_name", "filler_phone", "fill_date", "functions"]
    department_goal_fields = ["annual_tasks", "long_term_goal", "long_term_end_year", "annual_goal", "annual_goal_brief"]
    department_income_kinds = ["fiscal_general", "fiscal_fund", "special_account", "unit_funds"]
    department_expense_kinds = ["personnel", "operating", "specific"]
    department_money_columns = ["amount", "share", "prior_amount_1", "prior_amount_2"]
    department_terms = ["long", "annual"]
    indicator_fields = ["basis", "indicator_class", "prior_value_1", "prior_value_2"]

    def document_title(self, data):
        name = data.department.printed_name if data.department else data.unit.name
        return f"{name}{data.year}年部门整体绩效目标申报表"

    def filename(self, data):
        return f"{data.year}-{data.unit.name}-部门整体绩效目标申报表"

    def document(self, data):
        """The 申报表 alone: projects print as its 项目支出情况 rows, not as tables of their own.

        Without a department declaration there is no form; the projects marked 打印项目表
        then print as single tables so that the document is not empty.
        """
        if data.department is not None:
            blocks = self.department_blocks(data)
        else:
            blocks = [self.project_table(data, p, n) for n, p in enumerate(self.printed_projects(data), start=1)]
        return Document(title=self.document_title(data), filename=self.filename(data), blocks=blocks)

    # -- the department form -------------------------------------------------------------

    def department_blocks(self, data):
        dept = data.department
        form = Part()
        form.add(
            label("部门（单位）\n名称"),
            # The unit's name prints when no department name is declared; only a declared one is bound.
            value(dept.printed_name, 3, bind=bind(dept, "department_name") if dept.department_name else ""),
            label("填报人"),
            value(dept.filler_name, bind=bind(dept, "filler_name")),
            label("联系电话"),
            value(dept.filler_phone, 2, bind=bind(dept, "filler_phone")),
        )
        self._money_rows(form, data)
        form.add(label("部门职能概述"), text(dept.functions, COLUMNS - 1, bind=bind(dept, "functions")))
        form.add(label("年度工作任务"), text(dept.annual_tasks, COLUMNS - 1, bind=bind(dept, "annual_tasks")))
        self._project_rows(form, data)
        end_year = f"{dept.long_term_end_year}年" if dept.long_term_end_year else "    年"
        form.add(label("整体绩效\n总目标", rowspan=2), label(f"长期目标（截止 {end_year}）", 4), label("年度目标", 4))
        form.add(
            text(dept.long_term_goal, 4, bind=bind(dept, "long_term_goal")),
            text(dept.annual_goal, 4, bind=bind(dept, "annual_goal")),
        )
        # The long-term goal again: bound once only, above (a second binding would let the
        # unchanged copy overwrite an edit of the other).
        form.add(label(f"长期目标：\n（截止{end_year}）"), text(dept.long_term_goal, COLUMNS - 1))

        indicators = list(dept.indicators.all())
        framework = data.frameworks.get("department")
        long_term = Part(
            header_rows=[
                [label("长期绩效指标", COLUMNS)],
                [
                    label("一级指标", 2), label("二级指标"), label("三级指标"), label("指标值", 3),
                    label("指标值确定依据"), label("指标分类"),
                ],
            ]
        )
        long_term.rows = indicator_rows(
            [i for i in indicators if i.term == "long"],
            framework,
            lambda i: [
                text(i.name, bind=bind(i, "name")), value(i.value_display, 3, bind=bind(i, "value")),
                value(i.basis, bind=bind(i, "basis")), value(i.indicator_class, bind=bind(i, "indicator_class")),
            ],
            category_colspan=2,
        )
        goal = Part()
        goal.add(label("年度目标："), text(dept.annual_goal_brief, COLUMNS - 1, bind=bind(dept, "annual_goal_brief")))
        annual = Part(
            header_rows=[
                [label("年度绩效指标", COLUMNS)],
                [
                    label("一级指标", 2, rowspan=3), label("二级指标", rowspan=3), label("三级指标", rowspan=3),
                    label("指标值", 3), label("指标值确定依据", rowspan=3), label("指标分类", rowspan=3),
                ],
                [label("近两年指标值", 2), label("预期当年实现值", rowspan=2)],
                [label("前年"), label("上年")],
            ]
        )
        annual.rows = indicator_rows(
            [i for i in indicators if i.term == "annual"],
            framework,
            lambda i: [
                text(i.name, bind=bind(i, "name")),
                value(i.prior_value_1, bind=bind(i, "prior_value_1")),
                value(i.prior_value_2, bind=bind(i, "prior_value_2")),
                value(i.value_display, bind=bind(i, "value")),
                value(i.basis, bind=bind(i, "basis")),
                value(i.indicator_class, bind=bind(i, "indicator_class")),
            ],
            category_colspan=2,
        )
        parts = [form]
        if long_term.rows:
            parts.append(long_term)
        parts.append(goal)
        if annual.rows:
            parts.append(annual)
        return [
            Table(
                title="部门整体绩效目标申报表",
                sheet_name="部门整体绩效目标申报表",
                column_widths=COLUMN_WIDTHS,
                parts=parts,
                before_lines=["附件2"],
                header_left=f"填报日期：{_date(dept.fill_date)}",
                header_right="单位：万元",
                landscape=True,
                anchor="department",
            )
        ]

    def _money_rows(self, form, data):
        lines = list(data.department.money_lines.all())
        year = data.year
        income = self._money_groups([line for line in lines if line.direction == "income"], INCOME_ROWS)
        expense = self._money_groups([line for line in lines if line.direction == "expense"], EXPENSE_ROWS)
        form.add(
            label("部门总体\n资金情况", rowspan=2 + len(income) + len(expense) + 2),
            label("总体资金情况", 3, rowspan=2),
            label("当年金额", rowspan=2),
            label("占比", rowspan=2),
            label("近两年收支金额", 3),
        )
        form.add(label(f"{year - 2}年"), label(f"{year - 1}年", 2))
        for caption, groups in (("收入\n构成", income), ("支出\n构成", expense)):
            total = sum((amount for _name, amount, _share, _p1, _p2, _line in groups), Decimal(0))
            for n, (name, amount, share, prior_1, prior_2, line) in enumerate(groups):
                # A row of exactly one money line shows that line's values and is bound to them;
                # a row summing several lines, or a computed share, is derived and is not.
                share_bind = _bind(line, "share") if share is not None else ""
                if share is None:
                    share = (amount * HUNDRED / total).quantize(Decimal("0.01"), ROUND_HALF_UP) if total else None
                cells = [label(caption, rowspan=len(groups) + 1)] if n == 0 else []
                form.add(
                    *cells,
                    label(name, 2),
                    self.money(amount, bind=_bind(line, "amount")),
                    percent_cell(share, bind=share_bind),
                    self.money(prior_1, bind=_bind(line, "prior_amount_1")),
                    self.money(prior_2, colspan=2, bind=_bind(line, "prior_amount_2")),
                )
            prior_1 = sum_amounts([g[3] for g in groups])
            prior_2 = sum_amounts([g[4] for g in groups])
            form.add(
                label("合计", 2),
                self.money(total),
                percent_cell(HUNDRED if total else None),
                self.money(prior_1),
                self.money(prior_2, colspan=2),
            )

    @staticmethod
    def _money_groups(lines, fixed_rows):
        """(name, amount, share, prior 1, prior 2, the line when exactly one) per printed row: the
        form's rows, then strays."""
        groups = []
        used = set()

        def group(name, kinds):
            chosen = [line for line in lines if line.kind in kinds]
            used.update(kinds)
            shares = [line.share for line in chosen if line.share is not None]
            share = sum(shares, Decimal(0)) if shares and len(shares) == len(chosen) else None
            return (
                name,
                sum((line.amount for line in chosen), Decimal(0)),
                share,
                sum_amounts([line.prior_amount_1 for line in chosen]),
                sum_amounts([line.prior_amount_2 for line in chosen]),
                chosen[0] if len(chosen) == 1 else None,
            )

        for name, kinds in fixed_rows:
            groups.append(group(name, kinds))
        for line in lines:
            if line.kind not in used:
                groups.append(group(line.get_kind_display(), (line.kind,)))
        return groups

    def _project_rows(self, form, data):
        projects = data.projects
        form.add(
            label("项目支出情况", rowspan=1 + len(projects)),
            label("项目名称", 2),
            label("支出项目类别"),
            label("项目总预算"),
            label("项目本年度预算"),
            label("项目主要支出方向和用途", 3),
        )
        for project in projects:
            # Projects print here only (no tables of their own in the document): bound here.
            form.add(
                value(project.name, 2, bind=bind(project, "name")),
                value(project.category, bind=bind(project, "category")),
                self.money(project.mid_term_total, bind=bind(project, "mid_term_total")),
                self.money(project.budget, bind=bind(project, "budget")),
                text(project.purpose, 3, bind=bind(project, "purpose")),
            )

    # -- one project, for its own download ------------------------------------------------

    def project_table(self, data, project, number):
        # Six grid columns: the indicator table's.
        form = Part()
        form.add(label("项目名称"), value(project.name, 5, bind=bind(project, "name")))
        form.add(
            label("支出项目类别"),
            value(project.category, bind=bind(project, "category")),
            label("项目总预算"),
            self.money(project.mid_term_total, bind=bind(project, "mid_term_total")),
            label("项目本年度预算"),
            self.money(project.budget, bind=bind(project, "budget")),
        )
        form.add(label("项目主要支出方向和用途"), text(project.purpose, 5, bind=bind(project, "purpose")))
        if project.long_term_goal:
            form.add(label("长期目标"), text(project.long_term_goal, 5, bind=bind(project, "long_term_goal")))
        if project.annual_goal:
            form.add(label("年度目标"), text(project.annual_goal, 5, bind=bind(project, "annual_goal")))
        parts = [form]
        indicators = Part(header_rows=[[label(c) for c in PROJECT_COLUMNS]])
        indicators.rows = indicator_rows(
            project.indicators.all(),
            data.frameworks.get("project"),
            lambda i: [
                text(i.name, bind=bind(i, "name")), value(i.value_display, bind=bind(i, "value")),
                value(i.basis, bind=bind(i, "basis")), value(i.indicator_class, bind=bind(i, "indicator_class")),
            ],
        )
        if indicators.rows:
            parts.append(indicators)
        return Table(
            title=f"{project.printed_title_name}绩效目标申报表",
            sheet_name=f"{number}.{project.printed_title_name}",
            column_widths=[12, 12, 18, 14, 14, 10],
            parts=parts,
            header_left=f"部门（单位）名称：{data.unit.name}",
            header_right="单位：万元",
            anchor=f"project-{number}",
        )
