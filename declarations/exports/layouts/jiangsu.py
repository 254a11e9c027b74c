"""江苏 市级部门整体 / 项目预算绩效目标表: one bordered form for the unit, then one per project.

Both forms sit on a seven-column grid (the indicator table's columns, with the 三级 column of
the 部门整体 table split in two for the 职能指标 rows that name a project and a description):

    A label column (单位名称, 部门整体资金(万元), 绩效目标指标 …)
    B 一级指标 / 收入 · 支出
    C 二级指标 / 资金来源 · 财政拨款
    D E 三级指标 (计算符号 in E of the 项目 table) / 小计 · 一般公共预算资金 …
    F G 半年 / 全年 values and amounts
"""
from ..builders import indicator_rows, sum_amounts
from ..document import Part, Table, bind, label, text, value
from .base import LayoutDefinition

WAN = "万元"
DEPARTMENT_WIDTHS = [13, 10, 12, 17, 16, 16, 16]
PROJECT_WIDTHS = [13, 10, 13, 22, 9, 16.5, 16.5]
FISCAL_KINDS = [
    ("fiscal_general", "一般公共预算资金"),
    ("fiscal_fund", "政府性基金预算"),
    ("special_account", "财政专户管理资金"),
]
OTHER_SOURCES = [
    (["state_capital"], "国有资本经营预算"),
    (["social_security"], "社保基金预算"),
    (["carryover"], "上年结转资金"),
    (["other", "unit_funds"], "其他资金"),  # the form has no 单位资金 row; it is another source
]
PROJECT_EXPENSE_KINDS = ["personnel", "operating", "specific"]


def _date(day):
    return f"{day.year}.{day.month}.{day.day}" if day else ""


def _bind(obj, field):
    """The binding of a field of `obj`, nothing when there is no object (a sum or a blank row)."""
    return bind(obj, field) if obj is not None else ""


class JiangsuLayout(LayoutDefinition):
    code = "jiangsu"
    verbose_name = "江苏省市级部门整体/项目预算绩效目标表"
    amount_decimals = None  # 1051.92, 92.5, 10: as short as exact
    project_basic_fields = [
        "name", "supervising_department", "attribute", "level", "category", "start_date", "end_date",
        "implementing_unit", "owner_name", "owner_phone",
    ]
    project_funds_fields = ["budget", "fiscal_funds", "other_funds", "half_year_plan"]
    project_goal_fields = ["necessity", "feasibility", "content", "long_term_goal", "annual_goal"]
    project_income_kinds = [
        "fiscal_general", "fiscal_fund", "special_account", "state_capital", "social_security", "carryover", "other",
    ]
    department_profile_fields = ["department_name", "functions", "organisation"]
    department_income_kinds = [
        "fiscal_general", "fiscal_fund", "special_account", "state_capital", "social_security", "carryover", "other",
    ]
    department_expense_kinds = ["basic", "project"]
    department_money_columns = ["amount", "half_year_amount"]
    indicator_fields = ["half_year_value", "related_project", "description"]

    def wan(self, amount, colspan=1, bind=""):
        return self.money(amount, suffix=WAN, colspan=colspan, bind=bind)

    def subtitle(self, data):
        return [f"({data.year}年度)"]

    # 部门整体 -----------------------------------------------------------------------------

    def department_blocks(self, data):
        return [self.department_table(data)]

    def department_document(self, data):
        # Alone, the 部门整体 table is the only place its project rows print: bind them all.
        document = super().department_document(data)
        document.blocks = [self.department_table(data, standalone=True)]
        return document

    def department_table(self, data, standalone=False):
        dept = data.department
        form = Part()
        # The unit's name prints when no department name is declared; only a declared one is bound.
        name_bind = bind(dept, "department_name") if dept.department_name else ""
        form.add(label("单位名称"), value(dept.printed_name, 6, bind=name_bind))
        form.add(label("单位主要职能"), text(dept.functions, 6, bind=bind(dept, "functions")))
        form.add(label("机构设置及人员配置"), text(dept.organisation, 6, bind=bind(dept, "organisation")))

        lines = list(dept.money_lines.all())
        income = self.income_rows(lines, self._amount(lines, "income"), "全年预算数")
        expense = self.department_expense_rows(data, lines, standalone)
        money = income + expense
        money[0].insert(0, label("部门整体资金(万元)", rowspan=len(money)))
        form.rows += money

        form.add(label("中长期目标"), text(dept.long_term_goal, 6, bind=bind(dept, "long_term_goal")))
        form.add(label("年度目标"), text(dept.annual_goal, 6, bind=bind(dept, "annual_goal")))

        indicators = self.indicator_part(
            dept.indicators.all(),
            data.frameworks.get("department"),
            header=["一级指标", "二级指标", "三级指标", "半年指标值", "全年指标值"],
            spans=[1, 1, 2, 1, 1],
            cells_for=self._department_indicator_cells,
        )
        return Table(
            title=f"{data.bureau.title_prefix}部门整体预算绩效目标表",
            sheet_name="部门整体",
            column_widths=DEPARTMENT_WIDTHS,
            parts=[form, indicators],
            subtitle_lines=self.subtitle(data),
            anchor="department",
        )

    def department_expense_rows(self, data, lines, standalone=False):
        basic = self._lines(lines, "expense", ["basic"])
        projects = self._lines(lines, "expense", ["project"])
        if not projects:  # 项目支出 declared by its parts only
            projects = self._lines(lines, "expense", PROJECT_EXPENSE_KINDS)
        rows = [
            [label("资金分配", 3), label("半年计划执行数"), label("全年预算数")],
            [
                label("资金总额", 3),
                self.wan(sum_amounts([_half(basic), _half(projects)])),
                self.wan(sum_amounts([_full(basic), _full(projects)])),
            ],
            *[
                [label(caption, 3), self.wan(_half(group), bind=_bind(one, "half_year_amount")),
                 self.wan(_full(group), bind=_bind(one, "amount"))]
                for caption, group, one in (("基本支出", basic, _one(basic)), ("项目支出", projects, _one(projects)))
            ],
        ]
        for number, project in enumerate(data.projects, start=1):
            # A project with a table of its own is bound there; binding it twice in one workbook
            # would let the unchanged copy overwrite an edit of the other.
            bound = standalone or not project.has_table
            prefix = f"其中：项目 {number}：" if number == 1 else f"项目 {number}："
            rows.append([
                text(f"{prefix}{project.name}", 3, bind=bind(project, "name") if bound else "",
                     bind_prefix=prefix if bound else ""),
                self.wan(project.half_year_plan, bind=bind(project, "half_year_plan") if bound else ""),
                self.wan(project.budget, bind=bind(project, "budget") if bound else ""),
            ])
        rows[0].insert(0, label("支出", rowspan=len(rows)))
        return rows

    def _department_indicator_cells(self, indicator):
        values = [
            value(indicator.half_year_value, bind=bind(indicator, "half_year_value")),
            value(indicator.value_display, bind=bind(indicator, "value")),
        ]
        if indicator.related_project or indicator.description:
            # 职能指标: the 三级 column splits into the function and its project and description.
            # That cell joins two fields in one text, so it is not bound.
            beside = "\n".join(part for part in (indicator.related_project, indicator.description) if part)
            return [text(indicator.name, bind=bind(indicator, "name")), text(beside), *values]
        return [text(indicator.name, 2, bind=bind(indicator, "name")), *values]

    # 项目 ---------------------------------------------------------------------------------

    def project_table(self, data, project, number):
        form = Part()
        form.add(
            label("项目名称"), value(project.name, 3, bind=bind(project, "name")),
            label("主管部门", 2), value(project.supervising_department, bind=bind(project, "supervising_department")),
        )
        form.add(
            label("项目属性"), value(project.attribute, 3, bind=bind(project, "attribute")),
            label("项目级次", 2), value(project.level, bind=bind(project, "level")),
        )
        form.add(label("项目类别"), value(project.category, 6, bind=bind(project, "category")))
        form.add(
            label("开始时间"), value(_date(project.start_date), 3),
            label("完成时间", 2), value(_date(project.end_date)),
        )
        # 负责人 and 电话 print in one cell, joined by a space: not bound.
        owner = " ".join(part for part in (project.owner_name, project.owner_phone) if part)
        form.add(
            label("实施单位:"), value(project.implementing_unit, 3, bind=bind(project, "implementing_unit")),
            label("项目负责人/联系电话:", 2), value(owner),
        )

        lines = list(project.money_lines.all())
        money = self.income_rows(lines, project.budget, "全年(程)预算数", total_bind=bind(project, "budget"))
        expense = [
            [label("资金分配", 3), label("半年(程)计划执行数"), label("全年(程)预算数")],
            [
                label("资金总额", 3),
                self.wan(project.half_year_plan, bind=bind(project, "half_year_plan")),
                # The budget again: bound once only, in the 收入 资金总额 above.
                self.wan(project.budget),
            ],
        ]
        expense[0].insert(0, label("支出", rowspan=len(expense)))
        money += expense
        money[0].insert(0, label("项目资金(万元)", rowspan=len(money)))
        form.rows += money

        for caption, field in (
            ("立项必要性", "necessity"),
            ("实施可行性", "feasibility"),
            ("项目实施内容", "content"),
            ("中长期目标", "long_term_goal"),
            ("年度目标", "annual_goal"),
        ):
            form.add(label(caption), text(getattr(project, field), 6, bind=bind(project, field)))

        indicators = self.indicator_part(
            project.indicators.all(),
            data.frameworks.get("project"),
            header=["一级指标", "二级指标", "三级指标", "计算符号", "半年（程）指标值", "全年（程）指标值"],
            spans=[1] * 6,
            cells_for=lambda i: [
                text(i.name, bind=bind(i, "name")),
                value(i.comparator_display),  # derived from the value
                value(i.half_year_value, bind=bind(i, "half_year_value")),
                value(i.value_display, bind=bind(i, "value")),
            ],
        )
        return Table(
            title=f"{data.bureau.title_prefix}项目预算绩效目标表",
            sheet_name=f"{number}.{project.printed_title_name}",
            column_widths=PROJECT_WIDTHS,
            parts=[form, indicators],
            subtitle_lines=self.subtitle(data),
            header_left=f"填报单位(盖章): {data.unit.name}",
            anchor=f"project-{number}",
        )

    # shared -------------------------------------------------------------------------------

    def income_rows(self, lines, total, amount_header, total_bind=""):
        """收入 (B) … amounts (F–G): 资金来源, 资金总额, 财政拨款 小计 and its three, the rest.

        A source's amount is bound to its money line when exactly one line makes it up."""
        fiscal = [(caption, self._amount(lines, "income", [kind]), [kind]) for kind, caption in FISCAL_KINDS]
        rows = [
            [label("资金来源", 3), label(amount_header, 2)],
            [label("资金总额", 3), self.wan(total, 2, bind=total_bind)],
            [
                label("财政拨款", rowspan=len(fiscal) + 1), label("小计", 2),
                self.wan(sum_amounts([amount for _caption, amount, _kinds in fiscal]), 2),
            ],
        ]
        rows += [
            [label(caption, 2), self.wan(amount, 2, bind=_bind(_one(self._lines(lines, "income", kinds)), "amount"))]
            for caption, amount, kinds in fiscal
        ]
        rows += [
            [
                label(caption, 3),
                self.wan(
                    self._amount(lines, "income", kinds), 2,
                    bind=_bind(_one(self._lines(lines, "income", kinds)), "amount"),
                ),
            ]
            for kinds, caption in OTHER_SOURCES
        ]
        rows[0].insert(0, label("收入", rowspan=len(rows)))
        return rows

    def indicator_part(self, indicators, framework, *, header, spans, cells_for):
        """绩效目标指标: the header (repeated on each page) names the label column; below it
        the label column is one cell down the whole indicator table."""
        rows = indicator_rows(indicators, framework, cells_for)
        if rows:
            rows[0].insert(0, label("", rowspan=len(rows)))
        return Part(
            header_rows=[[label("绩效目标指标"), *[label(name, span) for name, span in zip(header, spans)]]],
            rows=rows,
        )

    @staticmethod
    def _lines(lines, direction, kinds):
        return [line for line in lines if line.direction == direction and line.kind in kinds]

    def _amount(self, lines, direction, kinds=None):
        """The sum of the lines' amounts, None (a blank cell) when there is no such line."""
        return sum_amounts(
            [line.amount for line in lines if line.direction == direction and (kinds is None or line.kind in kinds)]
        )


def _one(lines):
    """The line when there is exactly one, so that the printed amount is that line's own."""
    return lines[0] if len(lines) == 1 else None


def _full(lines):
    return sum_amounts([line.amount for line in lines])


def _half(lines):
    return sum_amounts([line.half_year_amount for line in lines])
