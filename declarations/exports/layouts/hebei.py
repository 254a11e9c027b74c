"""河北 部门预算绩效文本: a booklet with a title page, 目录, prose, then one table per project."""
from ..builders import indicator_rows, numeral, paragraphs, percent_cell
from ..document import Document, Heading, Paragraph, Part, Table, TitlePage, Toc, TocEntry, bind, label, text, value
from .base import LayoutDefinition

INDICATOR_COLUMNS = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]


class HebeiLayout(LayoutDefinition):
    code = "hebei"
    verbose_name = "河北省部门预算绩效文本"
    amount_decimals = 2
    project_basic_fields = ["code", "name", "title_name"]
    project_funds_fields = ["budget", "fiscal_funds", "other_funds", "purpose"]
    project_goal_fields = []
    project_goal_items = True
    spending_checkpoints = ["3月底", "6月底", "10月底", "12月底"]
    department_profile_fields = ["department_name", "compiled_by"]
    department_goal_fields = ["overall_goal"]
    department_sub_goals = True
    department_income_kinds = []
    department_expense_kinds = []
    indicator_fields = ["description", "basis"]

    def document_title(self, data):
        return f"{self._department_name(data)}{data.year}年部门预算绩效文本"

    def _department_name(self, data):
        return data.department.printed_name if data.department else data.unit.name

    def document(self, data):
        projects = self.printed_projects(data)
        toc = []
        blocks = [
            TitlePage(
                lines=[self._department_name(data), f"{data.year} 年部门预算绩效文本"],
                footer_lines=[
                    f"{(data.department.compiled_by if data.department else '') or data.unit.name}编制",
                    data.bureau.name,
                ],
            ),
        ]
        if data.department is not None:
            toc.append(TocEntry("第一部分 部门整体绩效目标", "part-1", level=0))
            toc += [
                TocEntry(heading, f"part-1-{n}") for n, heading in enumerate(self.PART_ONE_HEADINGS, start=1)
            ]
        toc.append(TocEntry("第二部分 预算项目绩效目标", "part-2", level=0))
        toc += [
            TocEntry(f"{n}.{project.printed_title_name}绩效目标表", f"project-{n}")
            for n, project in enumerate(projects, start=1)
        ]
        blocks.append(Toc("目 录", toc))
        if data.department is not None:
            blocks += self.department_blocks(data)
        blocks.append(Heading("第二部分", level=0, anchor="part-2", new_page=True))
        blocks.append(Heading("预算项目绩效目标", level=0))
        for number, project in enumerate(projects, start=1):
            table = self.project_table(data, project, number)
            table.new_page = number > 1
            blocks.append(table)
        return Document(title=self.document_title(data), filename=self.filename(data), blocks=blocks)

    PART_ONE_HEADINGS = ["一、总体绩效目标", "二、分项绩效目标", "三、工作保障措施"]

    def department_blocks(self, data):
        dept = data.department
        blocks = [
            Heading("第一部分", level=0, anchor="part-1", new_page=True),
            Heading("部门整体绩效目标", level=0),
            Heading(self.PART_ONE_HEADINGS[0], anchor="part-1-1"),
        ]
        blocks += [
            Paragraph(p, bind=f"{bind(dept, 'overall_goal')}#{n}")
            for n, p in enumerate(paragraphs(dept.overall_goal))
        ]
        blocks.append(Heading(self.PART_ONE_HEADINGS[1], anchor="part-1-2"))
        for n, goal in enumerate(dept.sub_goals.all(), start=1):
            blocks.append(Heading(f"（{numeral(n)}）{goal.title}", level=2, bind=bind(goal, "title"),
                                  bind_prefix=f"（{numeral(n)}）"))
            blocks.append(Paragraph(f"绩效目标：{goal.goal}", bind=bind(goal, "goal"), bind_prefix="绩效目标："))
            if goal.indicators:
                blocks.append(Paragraph(f"绩效指标：{goal.indicators}", bind=bind(goal, "indicators"),
                                        bind_prefix="绩效指标："))
        blocks.append(Heading(self.PART_ONE_HEADINGS[2], anchor="part-1-3"))
        blocks += [
            Paragraph(f"（{numeral(n)}）{m.text}", bind=bind(m, "text"), bind_prefix=f"（{numeral(n)}）")
            for n, m in enumerate(dept.safeguards.all(), start=1)
        ]
        return blocks

    def project_table(self, data, project, number):
        # Seven grid columns: the indicator table's six, with 绩效指标描述 two wide.
        form = Part()
        form.add(
            label("项目编码"), value(project.code, 2, bind=bind(project, "code")),
            label("项目名称"), value(project.name, 3, bind=bind(project, "name")),
        )
        form.add(
            label("预算规模及资金用途", rowspan=2),
            label("预算数"),
            self.money(project.budget, bind=bind(project, "budget")),
            label("其中：财政资金"),
            self.money(project.fiscal_funds, bind=bind(project, "fiscal_funds")),
            label("其他资金"),
            self.money(project.other_funds, bind=bind(project, "other_funds")),
        )
        form.add(text(project.purpose, 6, bind=bind(project, "purpose")))
        plan = list(project.spending_plan.all())
        if plan:
            spans = _spread(len(plan), 6)
            form.add(label("资金支出计划（%）", rowspan=2), *[label(p.label, s) for p, s in zip(plan, spans)])
            form.add(*[percent_cell(p.percent, s, bind=bind(p, "percent")) for p, s in zip(plan, spans)])
        items = list(project.goal_items.all())
        if items:
            for n, item in enumerate(items, start=1):
                cells = [label("绩效目标", rowspan=len(items))] if n == 1 else []
                form.add(*cells, text(f"{n}.{item.text}", 6, bind=bind(item, "text"), bind_prefix=f"{n}."))
        elif project.annual_goal:
            form.add(label("绩效目标"), text(project.annual_goal, 6, bind=bind(project, "annual_goal")))

        indicators = Part(header_rows=[[label(c, 2 if c == "绩效指标描述" else 1) for c in INDICATOR_COLUMNS]])
        indicators.rows = indicator_rows(
            project.indicators.all(),
            data.frameworks.get("project"),
            lambda i: [
                text(i.name, bind=bind(i, "name")), text(i.description, 2, bind=bind(i, "description")),
                value(i.value_display, bind=bind(i, "value")), text(i.basis, bind=bind(i, "basis")),
            ],
        )
        unit_line = f"{data.unit.code}{data.unit.name}"
        return Table(
            title=f"{number}.{project.printed_title_name}绩效目标表",
            sheet_name=f"{number}.{project.printed_title_name}",
            column_widths=[10, 12, 16, 12, 12, 12, 16],
            parts=[form, indicators],
            header_left=unit_line,
            header_right="单位：万元",
            anchor=f"project-{number}",
        )


def _spread(count, columns):
    """Split `columns` grid columns over `count` cells as evenly as the seeds do (2,1,2,1)."""
    base, extra = divmod(columns, count)
    return [base + (1 if n < extra else 0) for n in range(count)]
