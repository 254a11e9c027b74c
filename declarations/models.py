"""Units, budget years and their declarations (部门整体 and 项目) with everything they print."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from simple_history.models import HistoricalRecords

from . import values

# Money is in 万元 with 6 decimals (固原 prints 2.000000); never a float.
MONEY = {"max_digits": 18, "decimal_places": 6}
PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, validators=[MinValueValidator(Decimal("0"))], **MONEY, **kwargs)


class FinanceBureau(models.Model):
    """财政局: reviews the declarations of its units, which print in its layout."""

    name = models.CharField("名称", max_length=100, unique=True)
    province = models.CharField("省份", max_length=50)
    layout = models.ForeignKey("indicators.Layout", models.PROTECT, related_name="bureaus", verbose_name="版式")
    title_prefix = models.CharField("表名前缀", max_length=50, blank=True, help_text="如“如皋市市级”“自治区本级”")

    class Meta:
        verbose_name = "财政局"
        verbose_name_plural = "财政局"
        ordering = ["province", "name"]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """预算单位: declares its targets; may report through a supervising department (主管部门)."""

    bureau = models.ForeignKey(FinanceBureau, models.PROTECT, related_name="units", verbose_name="财政局")
    code = models.CharField("单位编码", max_length=32, blank=True)
    name = models.CharField("单位名称", max_length=100)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="主管部门"
    )

    class Meta:
        verbose_name = "预算单位"
        verbose_name_plural = "预算单位"
        ordering = ["bureau", "code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "name"], name="unit_unique_name_per_bureau"),
            models.UniqueConstraint(
                fields=["bureau", "code"], condition=~Q(code=""), name="unit_unique_code_per_bureau"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}".strip()


class BudgetYear(models.Model):
    year = models.PositiveSmallIntegerField(
        "预算年度", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    is_open = models.BooleanField("开放填报", default=True)

    class Meta:
        verbose_name = "预算年度"
        verbose_name_plural = "预算年度"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年"


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    APPROVED = "approved", "审核通过"
    PUBLISHED = "published", "已公开"
    # 目标调整 (财预〔2015〕88号): an approved or published declaration reopened with a reason; what
    # is public stays public, from its snapshot, until the adjusted version is published.
    ADJUSTING = "adjusting", "调整中"


class Adjustment:
    """What a table prints of its adjustment; a layout may word it itself from `date` and `reason`."""

    def __init__(self, date, reason):
        self.date = date
        self.reason = reason

    def __str__(self):
        day = f"{self.date.year}年{self.date.month}月{self.date.day}日" if self.date else ""
        return f"本表于{day}调整，调整原因：{self.reason}"

    def __bool__(self):
        return bool(self.reason)


class CoverNote(models.Model):
    """The note a unit prints before its tables (固原: legal basis, 附件, signature, date)."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="cover_notes", verbose_name="单位")
    year = models.ForeignKey(BudgetYear, models.PROTECT, related_name="cover_notes", verbose_name="预算年度")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    attachment = models.CharField("附件", max_length=200, blank=True)
    signed_by = models.CharField("落款单位", max_length=100, blank=True)
    signed_on = models.DateField("落款日期", null=True, blank=True)

    class Meta:
        verbose_name = "公开说明"
        verbose_name_plural = "公开说明"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="cover_note_unique_per_unit_year")]

    def __str__(self):
        return self.title


class Declaration(models.Model):
    """What both kinds of declaration share: owner, year, state and a version for edit conflicts."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="%(class)ss", verbose_name="单位")
    year = models.ForeignKey(BudgetYear, models.PROTECT, related_name="%(class)ss", verbose_name="预算年度")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    long_term_goal = models.TextField("中长期目标", blank=True)
    annual_goal = models.TextField("年度目标", blank=True)
    # Sign-off lines some tables print (填报人、联系电话、审核人、单位负责人、填报日期).
    filler_name = models.CharField("填报人", max_length=50, blank=True)
    filler_phone = models.CharField("联系电话", max_length=30, blank=True)
    checker_name = models.CharField("审核人", max_length=50, blank=True)
    head_name = models.CharField("单位负责人", max_length=50, blank=True)
    fill_date = models.DateField("填报日期", null=True, blank=True)
    # A table that names no unit is imported under a unit the importer names; its unit line prints blank.
    unit_name_stated = models.BooleanField(
        "表上列明单位名称", default=True, help_text="导入的表上没有单位名称时为否，打印时单位名称留空"
    )
    copied_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name="复制自",
        help_text="从上一年度复制而来时，指向原申报",
    )
    # 目标调整: the reason and day of the latest adjustment print as a note under the table
    # (`{{ adjustment }}` in a layout); kept after its publication, replaced by the next one.
    adjustment_reason = models.TextField("调整原因", blank=True)
    adjusted_on = models.DateField("调整日期", null=True, blank=True)
    adjustment_of = models.PositiveIntegerField(
        "调整的审核通过版本", null=True, blank=True, editable=False,
        help_text="调整进行中时，为被调整的审核通过版本的提交序号；调整后的版本公开后清空",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        abstract = True

    @property
    def adjustment(self):
        """The note of the latest adjustment (its text is 本表于…调整，调整原因：…), or None."""
        if not self.adjustment_reason:
            return None
        return Adjustment(self.adjusted_on, self.adjustment_reason)

    @property
    def layout_code(self):
        return self.unit.bureau.layout.code


class DepartmentDeclaration(Declaration):
    """部门整体绩效目标: the whole unit's targets for a budget year."""

    department_name = models.CharField("部门（单位）名称", max_length=100, blank=True)
    compiled_by = models.CharField("编制单位", max_length=100, blank=True)
    # The year's own profile: printed in this year's table, so next year's draft never changes it.
    functions = models.TextField("单位主要职能", blank=True)
    organisation = models.TextField("机构设置及人员配置", blank=True)
    overall_goal = models.TextField("总体绩效目标", blank=True)
    long_term_end_year = models.PositiveSmallIntegerField(
        "长期目标截止年度", null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    annual_goal_brief = models.TextField("年度目标（指标表前）", blank=True)
    annual_tasks = models.TextField("年度工作任务", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "部门整体绩效目标"
        verbose_name_plural = "部门整体绩效目标"
        ordering = ["-year__year", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="department_declaration_unique_per_unit_year"),
        ]
        indexes = [models.Index(fields=["unit", "year", "status"], name="department_unit_year_state")]

    def __str__(self):
        return f"{self.year.year}年 {self.printed_name} 部门整体绩效目标"

    @property
    def printed_name(self):
        return self.department_name or self.unit.name


class SubGoal(models.Model):
    """分项绩效目标 of a 部门整体 declaration (Hebei prose)."""

    declaration = models.ForeignKey(
        DepartmentDeclaration, models.CASCADE, related_name="sub_goals", verbose_name="部门整体绩效目标"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    title = models.CharField("标题", max_length=200)
    goal = models.TextField("绩效目标")
    indicators = models.TextField("绩效指标", blank=True)

    class Meta:
        verbose_name = "分项绩效目标"
        verbose_name_plural = "分项绩效目标"
        ordering = ["declaration", "order"]

    def __str__(self):
        return self.title


class SafeguardMeasure(models.Model):
    """工作保障措施, one numbered paragraph each."""

    declaration = models.ForeignKey(
        DepartmentDeclaration, models.CASCADE, related_name="safeguards", verbose_name="部门整体绩效目标"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    text = models.TextField("内容")

    class Meta:
        verbose_name = "工作保障措施"
        verbose_name_plural = "工作保障措施"
        ordering = ["declaration", "order"]

    def __str__(self):
        return Truncator(self.text).chars(40)


class ProjectDeclaration(Declaration):
    """项目绩效目标: one project's targets for a budget year."""

    code = models.CharField("项目编码", max_length=40, blank=True)
    name = models.CharField("项目名称", max_length=200)
    title_name = models.CharField("表题名称", max_length=200, blank=True, help_text="表题与项目名称不同时填写")
    supervising_department = models.CharField("主管部门", max_length=100, blank=True)
    implementing_unit = models.CharField("实施单位", max_length=100, blank=True)
    attribute = models.CharField("项目属性", max_length=50, blank=True)
    level = models.CharField("项目级次", max_length=50, blank=True)
    category = models.CharField("项目类别", max_length=50, blank=True)
    start_date = models.DateField("开始时间", null=True, blank=True)
    end_date = models.DateField("完成时间", null=True, blank=True)
    period_start_year = models.PositiveSmallIntegerField("项目期起", null=True, blank=True)
    period_end_year = models.PositiveSmallIntegerField("项目期止", null=True, blank=True)
    # A period stated to the month (2023.07–2024.01); empty when the table states years only.
    period_start_month = models.PositiveSmallIntegerField(
        "项目期起（月）", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    period_end_month = models.PositiveSmallIntegerField(
        "项目期止（月）", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    owner_name = models.CharField("项目负责人", max_length=50, blank=True)
    owner_phone = models.CharField("联系电话", max_length=30, blank=True)
    # Amounts a table does not state stay empty and print blank: never an invented 0.00.
    budget = money_field("预算数", null=True, blank=True)
    fiscal_funds = money_field("财政资金", null=True, blank=True)
    other_funds = money_field("其他资金", null=True, blank=True)
    carryover_funds = money_field("结余结转", null=True, blank=True)
    half_year_plan = money_field("半年计划执行数", null=True, blank=True)
    mid_term_total = money_field("项目总预算（中期）", null=True, blank=True)
    purpose = models.TextField("资金用途", blank=True)
    necessity = models.TextField("立项必要性", blank=True)
    feasibility = models.TextField("实施可行性", blank=True)
    content = models.TextField("项目实施内容", blank=True)
    legal_basis = models.TextField("立项依据", blank=True)
    overview = models.TextField("项目概况", blank=True)
    has_table = models.BooleanField(
        "打印项目表", default=True, help_text="仅在部门整体表中列示、不单独打印绩效目标表的项目取消勾选"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "项目绩效目标"
        verbose_name_plural = "项目绩效目标"
        ordering = ["-year__year", "unit__name", "order", "id"]
        indexes = [models.Index(fields=["unit", "year", "status"], name="project_unit_year_status")]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "name"], name="project_unique_name_per_unit_year"),
            models.UniqueConstraint(
                fields=["unit", "year", "code"], condition=~Q(code=""), name="project_unique_code_per_unit_year"
            ),
            models.CheckConstraint(
                condition=Q(period_start_year__isnull=True)
                | Q(period_end_year__isnull=True)
                | Q(period_start_year__lte=models.F("period_end_year")),
                name="project_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(start_date__lte=models.F("end_date")),
                name="project_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.year.year}年 {self.name}"

    @property
    def printed_title_name(self):
        return self.title_name or self.name


class GoalItem(models.Model):
    """A numbered goal of a project (绩效目标 1.… 2.…)."""

    project = models.ForeignKey(ProjectDeclaration, models.CASCADE, related_name="goal_items", verbose_name="项目")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    text = models.TextField("绩效目标")

    class Meta:
        verbose_name = "绩效目标条目"
        verbose_name_plural = "绩效目标条目"
        ordering = ["project", "order"]

    def __str__(self):
        return Truncator(self.text).chars(40)


class ProjectMilestone(models.Model):
    """项目实施进度计划: one row of what is done when, the times as the table writes them (2016, 2020.07)."""

    project = models.ForeignKey(ProjectDeclaration, models.CASCADE, related_name="milestones", verbose_name="项目")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    content = models.CharField("实施内容", max_length=300)
    start = models.CharField("开始时间", max_length=20, blank=True)
    end = models.CharField("完成时间", max_length=20, blank=True)

    class Meta:
        verbose_name = "项目实施进度计划"
        verbose_name_plural = "项目实施进度计划"
        ordering = ["project", "order"]

    def __str__(self):
        return Truncator(self.content).chars(40)


class SpendingCheckpoint(models.Model):
    """资金支出计划: the cumulative share spent by a checkpoint (3月底 30%)."""

    project = models.ForeignKey(
        ProjectDeclaration, models.CASCADE, related_name="spending_plan", verbose_name="项目"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    label = models.CharField("时间节点", max_length=20)
    percent = models.DecimalField("累计支出（%）", max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS)

    class Meta:
        verbose_name = "资金支出计划"
        verbose_name_plural = "资金支出计划"
        ordering = ["project", "order"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lte=100), name="checkpoint_percent_range"),
            models.UniqueConstraint(fields=["project", "label"], name="checkpoint_unique_label"),
        ]

    def __str__(self):
        return f"{self.label} {values.format_number(self.percent)}%"


class Direction(models.TextChoices):
    INCOME = "income", "收入"
    EXPENSE = "expense", "支出"


class MoneyKind(models.TextChoices):
    FISCAL_GENERAL = "fiscal_general", "一般公共预算资金"
    FISCAL_FUND = "fiscal_fund", "政府性基金预算"
    SPECIAL_ACCOUNT = "special_account", "财政专户管理资金"
    STATE_CAPITAL = "state_capital", "国有资本经营预算"
    SOCIAL_SECURITY = "social_security", "社保基金预算"
    CARRYOVER = "carryover", "上年结转资金"
    UNIT_FUNDS = "unit_funds", "单位资金"
    OTHER = "other", "其他资金"
    BASIC = "basic", "基本支出"
    PROJECT = "project", "项目支出"
    PERSONNEL = "personnel", "人员类项目支出"
    OPERATING = "operating", "运转类项目支出"
    SPECIFIC = "specific", "特定目标类项目支出"
    OTHER_EXPENSE = "other_expense", "其他支出"


EXPENSE_KINDS = ["basic", "project", "personnel", "operating", "specific", "other_expense"]
INCOME_KINDS = [k.value for k in MoneyKind if k.value not in EXPENSE_KINDS]


def belongs_to_one_declaration(prefix):
    return models.CheckConstraint(
        condition=(Q(department__isnull=False) & Q(project__isnull=True))
        | (Q(department__isnull=True) & Q(project__isnull=False)),
        name=f"{prefix}_belongs_to_one_declaration",
    )


class MoneyLine(models.Model):
    """An income line by source or an expense line by kind, in 万元; totals are derived."""

    department = models.ForeignKey(
        DepartmentDeclaration, models.CASCADE, null=True, blank=True, related_name="money_lines",
        verbose_name="部门整体绩效目标",
    )
    project = models.ForeignKey(
        ProjectDeclaration, models.CASCADE, null=True, blank=True, related_name="money_lines", verbose_name="项目"
    )
    direction = models.CharField("收支", max_length=8, choices=Direction.choices)
    kind = models.CharField("类别", max_length=20, choices=MoneyKind.choices)
    label = models.CharField("表内名称", max_length=100, blank=True, help_text="表上的名称与类别名称不同时填写，如“上级资金”")
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="parts", verbose_name="所属小计",
        help_text="表上列在某一小计之下的行，指向该小计行",
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    amount = money_field("当年金额", null=True, blank=True)
    half_year_amount = money_field("半年计划执行数", null=True, blank=True)
    share = models.DecimalField(
        "占比（%）", max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS,
        help_text="按申报表填列；为空时按金额计算",
    )
    prior_amount_1 = money_field("前年金额", null=True, blank=True)
    prior_amount_2 = money_field("上年金额", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "收支明细"
        verbose_name_plural = "收支明细"
        ordering = ["direction", "order"]
        constraints = [
            belongs_to_one_declaration("money_line"),
            models.CheckConstraint(
                condition=(Q(direction="income") & Q(kind__in=INCOME_KINDS))
                | (Q(direction="expense") & Q(kind__in=EXPENSE_KINDS)),
                name="money_line_kind_matches_direction",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="money_line_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(share__gte=0) & Q(share__lte=100)), name="money_line_share_range"
            ),
        ]

    def __str__(self):
        amount = "" if self.amount is None else values.format_amount(self.amount)
        return f"{self.get_direction_display()} {self.printed_label} {amount}".strip()

    @property
    def printed_label(self):
        return self.label or self.get_kind_display()


class Term(models.TextChoices):
    ANNUAL = "annual", "年度"
    LONG = "long", "长期"


class Comparator(models.TextChoices):
    GE = "≥", "≥"
    LE = "≤", "≤"
    EQ = "=", "="
    GT = ">", ">"
    LT = "<", "<"
    NUMBER = "", "数值"
    QUALITATIVE = values.QUALITATIVE, "定性"


class Indicator(models.Model):
    """三级指标 under a 二级 of the layout's framework; its printed value is composed from parts."""

    department = models.ForeignKey(
        DepartmentDeclaration, models.CASCADE, null=True, blank=True, related_name="indicators",
        verbose_name="部门整体绩效目标",
    )
    project = models.ForeignKey(
        ProjectDeclaration, models.CASCADE, null=True, blank=True, related_name="indicators", verbose_name="项目"
    )
    subcategory = models.ForeignKey(
        "indicators.Subcategory", models.PROTECT, related_name="declared_indicators", verbose_name="二级指标"
    )
    term = models.CharField("期限", max_length=8, choices=Term.choices, default=Term.ANNUAL)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("三级指标", max_length=300)
    description = models.TextField("绩效指标描述", blank=True)
    comparator = models.CharField("计算符号", max_length=4, choices=Comparator.choices, blank=True)
    number = models.DecimalField("数值", max_digits=20, decimal_places=6, null=True, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    text_value = models.TextField("定性指标值", blank=True)
    printed_unit = models.CharField(
        "表列计量单位", max_length=20, blank=True,
        help_text="表上计量单位列所写与指标值自身单位不同时填写（如“应保尽保”“28.8万元”旁的“%”）",
    )
    half_year_value = models.CharField("半年指标值", max_length=300, blank=True)
    basis = models.CharField("指标值确定依据", max_length=300, blank=True)
    standard = models.TextField("绩效标准", blank=True, help_text="评（扣）分标准或绩效标准列")
    weight = models.DecimalField("分值（权重）", max_digits=7, decimal_places=2, null=True, blank=True)
    indicator_class = models.CharField("指标分类", max_length=20, blank=True)
    prior_value_1 = models.CharField("前年指标值", max_length=300, blank=True)
    prior_value_2 = models.CharField("上年指标值", max_length=300, blank=True)
    related_project = models.CharField("对应项目", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "三级指标"
        verbose_name_plural = "三级指标"
        ordering = ["term", "order"]
        indexes = [
            models.Index(fields=["project", "term", "order"], name="indicator_project_term_order"),
            models.Index(fields=["department", "term", "order"], name="indicator_dept_term_order"),
            models.Index(fields=["name"], name="indicator_name"),  # reference values of the same 三级
        ]
        constraints = [
            belongs_to_one_declaration("indicator"),
            models.CheckConstraint(
                condition=(Q(comparator=values.QUALITATIVE) & Q(number__isnull=True))
                | (~Q(comparator=values.QUALITATIVE) & Q(number__isnull=False)),
                name="indicator_number_iff_quantitative",
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.value_display}"

    @property
    def value_display(self):
        """The printed 指标值: `≥95%`, `≤180万元`, `有效改善`."""
        return values.compose(self.comparator, self.number, self.unit, self.text_value)

    @property
    def comparator_display(self):
        """Jiangsu's 计算符号 column: 定性 for a text, 数值 for a number."""
        return values.QUALITATIVE if self.comparator == values.QUALITATIVE else "数值"

    def set_value(self, raw, *, strict=False):
        parsed = values.parse(raw, strict=strict)
        self.comparator = parsed.comparator
        self.number = parsed.number
        self.unit = parsed.unit
        self.text_value = parsed.text


class IndicatorDraft(models.Model):
    """The indicator grid's rows as the filler left them while some are not yet valid.

    Valid rows are saved as Indicators at once; while any row still has an error the whole grid is
    kept here (in the database, never only in the browser), shown again with its errors on the
    next visit, and submission is refused until it is saved or discarded."""

    department = models.OneToOneField(
        DepartmentDeclaration, models.CASCADE, null=True, blank=True, related_name="indicator_draft",
        verbose_name="部门整体绩效目标",
    )
    project = models.OneToOneField(
        ProjectDeclaration, models.CASCADE, null=True, blank=True, related_name="indicator_draft",
        verbose_name="项目",
    )
    rows = models.JSONField("暂存的指标行", default=list)
    based_on = models.PositiveIntegerField("所依据的版本", default=0)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="暂存人"
    )
    saved_at = models.DateTimeField("暂存时间", auto_now=True)

    class Meta:
        verbose_name = "未完成的指标（暂存）"
        verbose_name_plural = "未完成的指标（暂存）"
        constraints = [belongs_to_one_declaration("indicator_draft")]

    def __str__(self):
        return f"{self.project or self.department}：{len(self.rows)} 行暂存"
