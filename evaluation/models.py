"""After the declaration: 运行监控 (mid-year monitoring rounds and reports) and 绩效自评 (the year-end
self-evaluation), both on the declaration's own indicators, with their review log and publications."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from declarations import values
from declarations.models import money_field

from . import scoring


class RoundStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已关闭"


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "退回修改"
    APPROVED = "approved", "审核通过"
    PUBLISHED = "published", "已公开"


class DeviationCause(models.TextChoices):
    FUNDING = "funding", "经费保障"
    RULES = "rules", "制度保障"
    STAFF = "staff", "人员保障"
    HARDWARE = "hardware", "硬件条件保障"
    OTHER = "other", "其他"


class Likelihood(models.TextChoices):
    CERTAIN = "certain", "确定能"
    POSSIBLE = "possible", "有可能"
    IMPOSSIBLE = "impossible", "完全不可能"


class Judgement(models.TextChoices):
    ACHIEVED = scoring.ACHIEVED, "达成"
    PARTIAL = scoring.PARTIAL, "部分达成"
    MISSED = scoring.MISSED, "未达成"


class MonitoringRound(models.Model):
    """A monitoring round a finance bureau opens for a budget year (1-7月, checkpoint 7月)."""

    bureau = models.ForeignKey(
        "declarations.FinanceBureau", models.PROTECT, related_name="monitoring_rounds", verbose_name="财政局"
    )
    year = models.ForeignKey("declarations.BudgetYear", models.PROTECT, related_name="monitoring_rounds",
                             verbose_name="预算年度")
    period_label = models.CharField("监控期间", max_length=20, help_text="如“1-7月”")
    checkpoint_month = models.PositiveSmallIntegerField(
        "截至月份", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField("状态", max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="开启人")
    opened_at = models.DateTimeField("开启时间", auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name="关闭人")
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = "运行监控批次"
        verbose_name_plural = "运行监控批次"
        ordering = ["-year__year", "-checkpoint_month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year", "period_label"], name="monitoring_round_unique_period"),
            models.CheckConstraint(condition=Q(checkpoint_month__gte=1) & Q(checkpoint_month__lte=12),
                                   name="monitoring_round_month_range"),
        ]

    def __str__(self):
        return f"{self.year.year}年{self.period_label}运行监控"

    @property
    def is_open(self):
        return self.status == RoundStatus.OPEN


def checkpoint_month(label):
    """The month a spending-plan checkpoint names (3月底 → 3), or None."""
    found = scoring.deadline(label or "")
    return found[1] if found else None


def planned_percent(spending_plan, month):
    """The plan's cumulative percentage at the last checkpoint on or before `month` (0 before the
    first), or None when the project has no plan."""
    points = [(checkpoint_month(p.label), p.percent) for p in spending_plan]
    points = [(m, percent) for m, percent in points if m is not None]
    if not points:
        return None
    reached = [percent for m, percent in points if m <= month]
    return max(reached) if reached else Decimal(0)


class Versioned(models.Model):
    """A filled-in table with its review state and the version that guards concurrent edits."""

    status = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        abstract = True

    @property
    def unit(self):
        return self.project.unit


class MonitoringReport(Versioned):
    """One approved (or published) project's report in a monitoring round."""

    round = models.ForeignKey(MonitoringRound, models.PROTECT, related_name="reports", verbose_name="监控批次")
    project = models.ForeignKey("declarations.ProjectDeclaration", models.PROTECT, related_name="monitoring_reports",
                                verbose_name="项目")
    executed_amount = money_field("截至目前执行数（万元）", null=True, blank=True)

    class Meta:
        verbose_name = "运行监控表"
        verbose_name_plural = "运行监控表"
        ordering = ["round", "project__unit__name", "project__order", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "project"], name="monitoring_report_unique_project")]

    def __str__(self):
        return f"{self.round} {self.project.name}"

    @property
    def execution_rate(self):
        return scoring.execution_rate(self.executed_amount, self.project.budget)

    @property
    def planned_percent(self):
        return planned_percent(self.project.spending_plan.all(), self.round.checkpoint_month)

    @property
    def behind_plan(self):
        """执行率 more than 10 points behind the plan's checkpoint."""
        plan, rate = self.planned_percent, self.execution_rate
        return plan is not None and (rate or Decimal(0)) < plan - 10


class MonitoringValue(models.Model):
    """One indicator in a monitoring report: reached to date, expected for the year, why it deviates."""

    report = models.ForeignKey(MonitoringReport, models.CASCADE, related_name="values", verbose_name="运行监控表")
    indicator = models.ForeignKey("declarations.Indicator", models.CASCADE, related_name="monitoring_values",
                                  verbose_name="三级指标")
    reached_value = models.CharField("截至目前完成值", max_length=300, blank=True)
    expected_value = models.CharField("全年预计完成值", max_length=300, blank=True)
    deviation_cause = models.CharField("偏差原因", max_length=12, choices=DeviationCause.choices, blank=True)
    deviation_text = models.TextField("偏差原因说明", blank=True)
    likelihood = models.CharField("完成目标可能性", max_length=12, choices=Likelihood.choices,
                                  default=Likelihood.CERTAIN)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "运行监控指标"
        verbose_name_plural = "运行监控指标"
        ordering = ["report", "indicator__term", "indicator__order", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="monitoring_value_unique")]

    def __str__(self):
        return f"{self.indicator.name} {self.reached_value}"

    @property
    def target(self):
        return values.parse(self.indicator.value_display)

    @property
    def outcome(self):
        """The reached value against the declared target (a deviation is computed, never typed)."""
        return scoring.compare(self.target, self.reached_value)

    @property
    def at_risk(self):
        return self.likelihood != Likelihood.CERTAIN


class SelfEvaluation(Versioned):
    """绩效自评 of one project declaration at the year's end."""

    project = models.OneToOneField("declarations.ProjectDeclaration", models.PROTECT, related_name="self_evaluation",
                                   verbose_name="项目")
    initial_budget = money_field("年初预算数（万元）", null=True, blank=True)
    full_year_budget = money_field("全年预算数（万元）", null=True, blank=True)
    executed_amount = money_field("全年执行数（万元）", null=True, blank=True)
    goal_set = models.TextField("预期目标", blank=True)
    goal_achieved = models.TextField("实际完成情况", blank=True)

    class Meta:
        verbose_name = "绩效自评表"
        verbose_name_plural = "绩效自评表"
        ordering = ["-project__year__year", "project__unit__name", "project__order", "id"]

    def __str__(self):
        return f"{self.project} 绩效自评"

    @property
    def execution_rate(self):
        return scoring.execution_rate(self.executed_amount, self.full_year_budget)


class SelfEvaluationValue(models.Model):
    """One indicator in a self-evaluation: 年度指标值 (declared), 实际完成值, the reviewer's judgement."""

    evaluation = models.ForeignKey(SelfEvaluation, models.CASCADE, related_name="values", verbose_name="绩效自评表")
    indicator = models.ForeignKey("declarations.Indicator", models.CASCADE, related_name="self_evaluation_values",
                                  verbose_name="三级指标")
    reached_value = models.CharField("实际完成值", max_length=300, blank=True)
    analysis = models.TextField("偏差原因分析及改进措施", blank=True)
    judgement = models.CharField("定性评判", max_length=12, choices=Judgement.choices, blank=True)
    judged_score = models.DecimalField("评定得分", max_digits=7, decimal_places=2, null=True, blank=True,
                                       validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = "绩效自评指标"
        verbose_name_plural = "绩效自评指标"
        ordering = ["evaluation", "indicator__term", "indicator__order", "id"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "indicator"], name="self_evaluation_value_unique")]

    def __str__(self):
        return f"{self.indicator.name} {self.reached_value}"

    @property
    def target(self):
        return values.parse(self.indicator.value_display)

    @property
    def is_judged_by_reviewer(self):
        return self.target.is_qualitative and not scoring.is_deadline(self.target)


EVENT_LABELS = {
    f"{kind}.{past}": label
    for kind in ("monitoring", "self_evaluation")
    for past, label in (("started", "开始填报"), ("submitted", "提交"), ("returned", "退回修改"),
                        ("approved", "审核通过"), ("published", "公开"), ("judged", "评定定性指标"))
}


class EvaluationEvent(models.Model):
    """One row per act on a monitoring report or a self-evaluation (append-only)."""

    report = models.ForeignKey(MonitoringReport, models.CASCADE, null=True, blank=True, related_name="events",
                               verbose_name="运行监控表")
    evaluation = models.ForeignKey(SelfEvaluation, models.CASCADE, null=True, blank=True, related_name="events",
                                   verbose_name="绩效自评表")
    action = models.CharField("动作", max_length=40)  # monitoring.submitted, self_evaluation.published …
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "监控与自评流转记录"
        verbose_name_plural = "监控与自评流转记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(report__isnull=False) & Q(evaluation__isnull=True))
                | (Q(report__isnull=True) & Q(evaluation__isnull=False)),
                name="evaluation_event_belongs_to_one",
            )
        ]

    def __str__(self):
        return f"{self.verb} {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else self.verb

    @property
    def verb(self):
        return EVENT_LABELS.get(self.action, self.action)


class SelfEvaluationPublication(models.Model):
    """A self-evaluation made public: the immutable snapshot the public pages and files print."""

    evaluation = models.ForeignKey(SelfEvaluation, models.PROTECT, related_name="publications",
                                   verbose_name="绩效自评表")
    data = models.JSONField("内容")
    published_at = models.DateTimeField("公开时间", auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name="公开人")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "绩效自评公开"
        verbose_name_plural = "绩效自评公开"
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return f"{self.data.get('project', {}).get('name', '')} 绩效自评公开"


class PublicationFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"


class SelfEvaluationPublicationFile(models.Model):
    """A file of a published self-evaluation, rendered once from its snapshot by a worker and
    never changed (services.self_evaluation_files_create); the public downloads are these files."""

    publication = models.ForeignKey(SelfEvaluationPublication, models.CASCADE, related_name="files",
                                    verbose_name="绩效自评公开")
    format = models.CharField("格式", max_length=8, choices=PublicationFormat.choices)
    filename = models.CharField("文件名", max_length=200)
    file = models.FileField("文件", upload_to="published/self-evaluations/%Y/%m/", max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("大小（字节）")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "绩效自评公开文件"
        verbose_name_plural = "绩效自评公开文件"
        ordering = ["format"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "format"], name="self_evaluation_file_one_per_format"),
        ]

    def __str__(self):
        return self.filename

    @property
    def content_type(self):
        from .exports import CONTENT_TYPES

        return CONTENT_TYPES[self.format]
