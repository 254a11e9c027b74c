"""财政部 项目支出绩效目标申报表: the national standard form every province derives from."""
from ..builders import indicator_rows
from ..document import Part, Table, bind, label, text, value
from ...models import Term
from .base import LayoutDefinition

INDICATOR_COLUMNS = ["一级指标", "二级指标", "三级指标", "指标值"]
COLUMN_WIDTHS = [18, 22, 20, 16, 24]  # 三级 spans the middle two; 中期目标 | 年度目标 share the right four
TERM_HEADINGS = {Term.LONG: "中期绩效指标", Term.ANNUAL: "年度绩效指标"}


class NationalLayout(LayoutDefinition):
    code = "national"
    verbose_name = "财政部项目支出绩效目标申报表"
    amount_decimals = 2
    project_basic_fields = [
        "code", "name", "supervising_department", "implementing_unit", "attribute", "period_start_year",
        "period_end_year",
    ]

    def _indicator_parts(self, indicators, framework):
        """年度 indicators always print; 中期 ones first, in a part of their own, when declared."""
        indicators = list(indicators)
        long_term = [i for i in indicators if i.term == Term.LONG]
        parts = []
        for term, items in ((Term.LONG, long_term), (Term.ANNUAL, [i for i in indicators if i.term != Term.LONG])):
            if term == Term.LONG and not items:
                continue
            header = [label(name, 2 if name == "三级指标" else 1) for name in INDICATOR_COLUMNS]
            part = Part(header_rows=[[label(TERM_HEADINGS[term], 5)], header] if long_term else [header])
            part.rows = indicator_rows(
                items,
                framework,
                lambda indicator: [
                    text(indicator.name, 2, bind=bind(indicator, "name")),
                    value(indicator.value_display, bind=bind(indicator, "value")),
                ],
            )
            parts.append(part)
        return parts

    def _table(self, data, title, sheet_name, parts, anchor, header_right="单位：万元"):
        return Table(
            title=title,
            sheet_name=sheet_name,
            column_widths=COLUMN_WIDTHS,
            parts=parts,
            subtitle_lines=[f"（{data.year}年度）"],
            header_right=header_right,
            anchor=anchor,
        )

    def department_blocks(self, data):
        dept = data.department
        form = Part()
        # The unit's name prints when no department name is declared; only a declared one is bound.
        name_bind = bind(dept, "department_name") if dept.department_name else ""
        form.add(label("部门（单位）名称"), value(dept.printed_name, 4, bind=name_bind))
        if dept.long_term_goal:
            form.add(label("中长期目标"), text(dept.long_term_goal, 4, bind=bind(dept, "long_term_goal")))
        form.add(label("年度目标"), text(dept.annual_goal, 4, bind=bind(dept, "annual_goal")))
        parts = [form, *self._indicator_parts(dept.indicators.all(), data.frameworks.get("department"))]
        return [self._table(data, "部门整体支出绩效目标申报表", "部门整体", parts, "department", header_right="")]

    def project_table(self, data, project, number):
        form = Part()
        form.add(label("项目名称"), value(project.name, 4, bind=bind(project, "name")))
        # 主管部门 prints with its code, 实施单位 falls back to the unit's name: each is bound only
        # when the cell shows exactly the declared value.
        supervisor = self._supervisor(data, project)
        implementing_unit = project.implementing_unit or data.unit.name
        form.add(
            label("主管部门及代码"),
            value(supervisor, 2, bind=_bind_if_same(project, "supervising_department", supervisor)),
            label("实施单位"),
            value(implementing_unit, bind=_bind_if_same(project, "implementing_unit", implementing_unit)),
        )
        # 项目期 joins two years in one text: not bound.
        form.add(
            label("项目属性"), value(project.attribute, 2, bind=bind(project, "attribute")),
            label("项目期"), value(self._period(project)),
        )
        form.add(
            label("项目资金（万元）", rowspan=4), label("中期资金总额"),
            self.money(project.mid_term_total, colspan=3, bind=bind(project, "mid_term_total")),
        )
        form.add(label("年度资金总额"), self.money(project.budget, colspan=3, bind=bind(project, "budget")))
        form.add(label("其中：财政拨款"), self.money(project.fiscal_funds, colspan=3, bind=bind(project, "fiscal_funds")))
        form.add(label("其他资金"), self.money(project.other_funds, colspan=3, bind=bind(project, "other_funds")))
        form.add(label("总体目标", rowspan=2), label("中期目标", 2), label("年度目标", 2))
        form.add(
            text(project.long_term_goal, 2, bind=bind(project, "long_term_goal")),
            text(project.annual_goal, 2, bind=bind(project, "annual_goal")),
        )
        parts = [form, *self._indicator_parts(project.indicators.all(), data.frameworks.get("project"))]
        return self._table(
            data, "项目支出绩效目标申报表", f"{number}.{project.printed_title_name}", parts, f"project-{number}"
        )

    @staticmethod
    def _supervisor(data, project):
        """The 主管部门 with its code: the unit's parent when it reports through one, else the unit."""
        unit = data.unit
        department = unit.parent or unit
        name = project.supervising_department or department.name
        return f"{name}（{department.code}）" if department.code else name

    @staticmethod
    def _period(project):
        if project.period_start_year is None and project.period_end_year is None:
            return ""
        start = project.period_start_year or project.period_end_year
        end = project.period_end_year or project.period_start_year
        return f"{start}年-{end}年"


def _bind_if_same(obj, field, printed):
    """Bound only when the cell prints the stored value itself, not a fallback or a composition."""
    stored = getattr(obj, field)
    return bind(obj, field) if stored and stored == printed else ""
