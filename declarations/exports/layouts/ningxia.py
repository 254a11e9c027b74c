"""宁夏 项目支出预算绩效目标表 (固原): a cover note, then one four-column table per project."""
from ..builders import indicator_rows, paragraphs
from ..document import Document, Letter, Part, Table, bind, label, text, value
from .base import LayoutDefinition

INDICATOR_COLUMNS = ["一级指标", "二级指标", "三级指标", "指标值"]
COLUMN_WIDTHS = [17, 27, 32, 24]


def printed_date(day):
    return f"{day.year} 年 {day.month} 月 {day.day} 日" if day else ""


class NingxiaLayout(LayoutDefinition):
    code = "ningxia"
    verbose_name = "宁夏项目支出预算绩效目标表"
    amount_decimals = 6  # 固原 prints 2.000000
    project_basic_fields = [
        "name", "supervising_department", "implementing_unit", "attribute", "period_start_year", "period_end_year",
    ]
    project_funds_fields = ["budget", "fiscal_funds", "carryover_funds", "other_funds"]
    project_goal_fields = ["annual_goal"]
    indicator_fields = []

    def document(self, data):
        blocks = []
        if data.cover is not None:
            blocks.append(self.cover_letter(data.cover))
        if data.department is not None:
            blocks += self.department_blocks(data)
        for number, project in enumerate(self.printed_projects(data), start=1):
            blocks.append(self.project_table(data, project, number))
        return Document(title=self.document_title(data), filename=self.filename(data), blocks=blocks)

    def cover_letter(self, cover):
        return Letter(
            title=cover.title,
            paragraphs=paragraphs(cover.body),
            attachment=cover.attachment,
            signed_by=cover.signed_by,
            signed_on=printed_date(cover.signed_on),
        )

    def _title(self, data, kind):
        return f"{data.year} 年{data.bureau.title_prefix}部门{kind}预算绩效目标表"

    def _indicator_part(self, indicators, framework):
        part = Part(header_rows=[[label(name) for name in INDICATOR_COLUMNS]])
        part.rows = indicator_rows(
            indicators,
            framework,
            lambda indicator: [
                text(indicator.name, bind=bind(indicator, "name")),
                value(indicator.value_display, bind=bind(indicator, "value")),
            ],
            category_label=lambda number, category: f"{number}、{category.name}",
            include_empty_subcategories=True,
            empty_cells=lambda: [text(""), value("")],
        )
        return part

    def department_blocks(self, data):
        """宁夏 publishes project tables; a 部门整体 declaration prints as a table of the same shape."""
        dept = data.department
        form = Part()
        # The unit's name prints when no department name is declared; only a declared one is bound.
        name_bind = bind(dept, "department_name") if dept.department_name else ""
        form.add(label("部门（单位）名称"), value(dept.printed_name, 3, bind=name_bind))
        if dept.long_term_goal:
            form.add(label("中长期目标"), text(dept.long_term_goal, 3, bind=bind(dept, "long_term_goal")))
        form.add(label("年度目标"), text(dept.annual_goal, 3, bind=bind(dept, "annual_goal")))
        return [
            Table(
                title=self._title(data, "整体支出"),
                sheet_name="部门整体",
                column_widths=COLUMN_WIDTHS,
                parts=[form, self._indicator_part(dept.indicators.all(), data.frameworks.get("department"))],
                anchor="department",
            )
        ]

    def project_table(self, data, project, number):
        form = Part()
        form.add(label("项目名称"), value(project.name, 3, bind=bind(project, "name")))
        form.add(
            label("主管部门"), value(project.supervising_department, bind=bind(project, "supervising_department")),
            label("实施单位"), value(project.implementing_unit, bind=bind(project, "implementing_unit")),
        )
        # 项目期 joins two years in one text: not bound.
        form.add(
            label("项目属性"), value(project.attribute, bind=bind(project, "attribute")),
            label("项目期"), value(self._period(project)),
        )
        form.add(
            label("项目资金 (万元)", rowspan=4), label("年度资金总额"),
            self.money(project.budget, colspan=2, bind=bind(project, "budget")),
        )
        form.add(label("其中：财政拨款"), self.money(project.fiscal_funds, colspan=2, bind=bind(project, "fiscal_funds")))
        form.add(label("结余结转"), self.money(project.carryover_funds, colspan=2, bind=bind(project, "carryover_funds")))
        form.add(label("其他资金"), self.money(project.other_funds, colspan=2, bind=bind(project, "other_funds")))
        form.add(label("绩效目标"), text(project.annual_goal, 3, bind=bind(project, "annual_goal")))
        return Table(
            title=self._title(data, "项目支出"),
            sheet_name=f"{number}.{project.printed_title_name}",
            column_widths=COLUMN_WIDTHS,
            parts=[form, self._indicator_part(project.indicators.all(), data.frameworks.get("project"))],
            anchor=f"project-{number}",
        )

    @staticmethod
    def _period(project):
        if project.period_start_year is None and project.period_end_year is None:
            return ""
        start = project.period_start_year or project.period_end_year
        end = project.period_end_year or project.period_start_year
        return f"{start} 年-{end} 年"
