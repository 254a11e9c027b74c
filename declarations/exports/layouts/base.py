"""What every layout definition provides; a new region is a new subclass in its own module."""
from ..builders import DocumentData
from ..document import Document


class LayoutDefinition:
    code = ""
    verbose_name = ""
    amount_decimals: int | None = 2  # how amounts print: 2 → 16.00, 6 → 2.000000, None → as short as exact

    # What the fill-in wizards ask for, step by step: model field names of the declaration.
    project_basic_fields = [
        "code", "name", "supervising_department", "implementing_unit", "attribute", "level", "category",
        "period_start_year", "period_end_year",
    ]
    project_funds_fields = ["mid_term_total", "budget", "fiscal_funds", "other_funds", "purpose"]
    project_goal_fields = ["long_term_goal", "annual_goal"]
    project_goal_items = False           # numbered 绩效目标 items (Hebei)
    spending_checkpoints: list[str] = []  # cumulative % by checkpoint (Hebei: 3月底 … 12月底)
    project_income_kinds: list[str] = []  # income lines of a project (Jiangsu)
    department_profile_fields = ["department_name", "functions", "organisation"]
    department_goal_fields = ["long_term_goal", "annual_goal"]
    department_sub_goals = False          # 分项绩效目标 and 工作保障措施 (Hebei prose)
    department_income_kinds = ["fiscal_general", "fiscal_fund", "special_account", "unit_funds", "other"]
    department_expense_kinds = ["basic", "project"]
    department_money_columns = ["amount"]  # plus half_year_amount, share, prior_amount_1, prior_amount_2
    money_captions: dict[str, str] = {}  # money kind or column → the words the table prints, where they differ
    department_terms = ["annual"]          # Hubei has long-term and annual indicator tables
    indicator_fields = ["description"]     # besides name and value: description, half_year_value, basis,
                                           # indicator_class, prior_value_1, prior_value_2, related_project

    def field_captions(self, kind):
        return {}

    def prints_indicators(self, kind):
        return True

    def lists_projects(self):
        return True

    def prints_milestones(self):
        return False

    def prints_money(self, kind):
        return True

    def wizard_steps(self, kind, steps):
        """The wizard's steps for this kind: those that ask for something the layout prints.

        Read off the definition once per layout object (every page of the wizard asks; a changed
        definition is a new object: layouts.get_layout)."""
        memo = self.__dict__.setdefault("_wizard_steps_memo", {})
        key = (kind, tuple(steps))
        if key not in memo:
            memo[key] = self._wizard_steps(kind, steps)
        return list(memo[key])

    def _wizard_steps(self, kind, steps):
        if kind == "project":
            wanted = {
                "basic": bool(self.project_basic_fields),
                "funds": bool(self.project_funds_fields or self.spending_checkpoints or self.project_income_kinds),
                "goals": bool(self.project_goal_fields or self.project_goal_items),
                "milestones": self.prints_milestones(),
                "indicators": self.prints_indicators("project"),
            }
        else:
            wanted = {
                "profile": bool(self.department_profile_fields),
                "money": self.prints_money("department")
                and bool(self.department_income_kinds or self.department_expense_kinds),
                "projects": self.lists_projects(),
                "goals": bool(self.department_goal_fields or self.department_sub_goals),
                "indicators": self.prints_indicators("department") and bool(self.department_terms),
            }
        return [(key, label) for key, label in steps if wanted.get(key, True)]

    def document(self, data: DocumentData) -> Document:
        """The unit's whole document for the year, as its finance bureau publishes it."""
        blocks = []
        if data.department is not None:
            blocks += self.department_blocks(data)
        for number, project in enumerate(self.printed_projects(data), start=1):
            blocks.append(self.project_table(data, project, number))
        return Document(title=self.document_title(data), filename=self.filename(data), blocks=blocks)

    def printed_projects(self, data):
        return [project for project in data.projects if project.has_table]

    def department_document(self, data: DocumentData) -> Document:
        return Document(
            title=f"{self.document_title(data)}（部门整体）",
            filename=f"{self.filename(data)}-部门整体",
            blocks=self.department_blocks(data),
        )

    def project_table_stands_alone(self):
        """Whether a project's table reads nothing of the document but its project (its unit,
        year and frameworks), so that it can be built from that project alone."""
        return False

    def project_document(self, data: DocumentData, project, number=None) -> Document:
        """One project's table; `number` is its place in the unit's document when `data` holds only it."""
        if number is None:
            number = next((n for n, p in enumerate(self.printed_projects(data), start=1) if p.pk == project.pk), 1)
        return Document(
            title=f"{data.year}年 {project.name}绩效目标表",
            filename=f"{data.year}-{data.unit.name}-{project.name}",
            blocks=[self.project_table(data, project, number)],
        )

    def document_title(self, data):
        return f"{data.unit.name}{data.year}年预算绩效目标"

    def filename(self, data):
        return f"{data.year}-{data.unit.name}-绩效目标"

    def department_blocks(self, data):  # pragma: no cover - every layout defines it
        raise NotImplementedError

    def project_table(self, data, project, number):  # pragma: no cover - every layout defines it
        raise NotImplementedError

    def money(self, amount, **kwargs):
        from ..builders import amount_cell

        return amount_cell(amount, decimals=self.amount_decimals, **kwargs)
