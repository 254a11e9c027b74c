"""Review of declarations: immutable snapshots, the transition log, reviews with pinned comments,
publications and in-app notifications."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator


class DeclarationLink(models.Model):
    """Belongs to exactly one declaration, a 项目 or a 部门整体 one."""

    project = models.ForeignKey(
        "declarations.ProjectDeclaration", models.CASCADE, null=True, blank=True, related_name="%(class)ss",
        verbose_name="项目",
    )
    department = models.ForeignKey(
        "declarations.DepartmentDeclaration", models.CASCADE, null=True, blank=True, related_name="%(class)ss",
        verbose_name="部门整体",
    )

    class Meta:
        abstract = True

    @property
    def declaration(self):
        return self.project or self.department

    @staticmethod
    def link(declaration):
        from declarations.models import ProjectDeclaration

        key = "project" if isinstance(declaration, ProjectDeclaration) else "department"
        return {key: declaration}


def one_declaration(name):
    return models.CheckConstraint(
        condition=(Q(project__isnull=False) & Q(department__isnull=True))
        | (Q(project__isnull=True) & Q(department__isnull=False)),
        name=name,
    )


class Snapshot(DeclarationLink):
    """The whole declaration as submitted (the interchange shape). Never changed afterwards."""

    number = models.PositiveIntegerField("版本号")
    data = models.JSONField("内容")
    # What the table prints beside the declaration (bureau, unit, year, cover note) as it was when
    # submitted: public files and pages are made from the snapshot alone, never from live rows.
    header = models.JSONField("表头信息", default=dict)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="提交人")

    class Meta:
        verbose_name = "提交版本"
        verbose_name_plural = "提交版本"
        ordering = ["-number"]
        constraints = [
            one_declaration("snapshot_belongs_to_one_declaration"),
            models.UniqueConstraint(fields=["project", "number"], name="snapshot_number_unique_per_project"),
            models.UniqueConstraint(fields=["department", "number"], name="snapshot_number_unique_per_department"),
        ]

    def __str__(self):
        return f"第{self.number}次提交"


def _when(moment):
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


ACTION_LABELS = {
    "declaration.adjusted": "开始调整",
    "declaration.adjustment_submitted": "提交调整",
    "declaration.submitted": "提交",
    "declaration.resubmitted": "重新提交",
    "declaration.returned": "退回修改",
    "declaration.approved": "审核通过",
    "declaration.published": "公开",
    "declaration.unpublished": "撤回公开",
}


class Event(DeclarationLink):
    """One row per state change: who, when, from, to, and the comment (append-only)."""

    action = models.CharField("动作", max_length=40)  # declaration.submitted, declaration.returned, …
    from_status = models.CharField("原状态", max_length=16)
    to_status = models.CharField("新状态", max_length=16)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["-created_at", "-id"]
        constraints = [one_declaration("event_belongs_to_one_declaration")]

    def __str__(self):
        return f"{self.verb} {_when(self.created_at)}".strip()

    @property
    def verb(self):
        return ACTION_LABELS.get(self.action, self.action)


class Result(models.TextChoices):
    EXCELLENT = "excellent", "优（通过）"
    GOOD = "good", "良（修改后通过）"
    FAIR = "fair", "中（退回修改）"
    POOR = "poor", "差（不予通过）"


class Criterion(models.TextChoices):
    COMPLETENESS = "完整性", "完整性"
    RELEVANCE = "相关性", "相关性"
    APPROPRIATENESS = "适当性", "适当性"
    FEASIBILITY = "可行性", "可行性"


class Review(DeclarationLink):
    """A reviewer's decision on one submitted snapshot."""

    snapshot = models.ForeignKey(Snapshot, models.PROTECT, related_name="reviews", verbose_name="审核的版本")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="审核人")
    result = models.CharField("审核结果", max_length=16, choices=Result.choices)
    reason = models.TextField("审核意见", blank=True)
    created_at = models.DateTimeField("审核时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核"
        verbose_name_plural = "审核"
        ordering = ["-created_at", "-id"]
        constraints = [one_declaration("review_belongs_to_one_declaration")]

    def __str__(self):
        return f"{self.get_result_display()} {_when(self.created_at)}".strip()

    @property
    def approved(self):
        return self.result in (Result.EXCELLENT, Result.GOOD)

    @property
    def result_short(self):
        return {"excellent": "通过", "good": "修改后通过", "fair": "退回修改", "poor": "不予通过"}[self.result]


class ReviewComment(models.Model):
    """A comment pinned to one field or one indicator, tagged with a review criterion."""

    review = models.ForeignKey(Review, models.CASCADE, related_name="comments", verbose_name="审核")
    target = models.CharField("位置", max_length=400, help_text="字段名，或 indicator:期限/一级/二级/三级")
    target_label = models.CharField("位置说明", max_length=400)
    criterion = models.CharField("审核要点", max_length=8, choices=Criterion.choices)
    text = models.TextField("意见")

    class Meta:
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"
        ordering = ["review", "id"]

    def __str__(self):
        return f"{self.target_label}：{Truncator(self.text).chars(40)}"


class Publication(DeclarationLink):
    """An approved snapshot made public; withdrawn publications stay listed."""

    snapshot = models.ForeignKey(Snapshot, models.PROTECT, related_name="publications", verbose_name="公开的版本")
    published_at = models.DateTimeField("公开时间", auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="公开人")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    # 目标调整: the publication of the adjusted version that took this one's place. A replaced
    # publication is no longer current but stays public as the table's history (已调整), never withdrawn.
    replaced_by = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="replaced", verbose_name="调整后的公开",
    )
    # Copied from the snapshot at publication, for listing and search without reading live rows.
    title = models.CharField("表名", max_length=300, blank=True)
    unit_name = models.CharField("单位名称", max_length=100, blank=True)
    code = models.CharField("项目编码", max_length=40, blank=True)

    class Meta:
        verbose_name = "公开"
        verbose_name_plural = "公开"
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["withdrawn_at"], name="publication_withdrawn_at")]
        constraints = [one_declaration("publication_belongs_to_one_declaration")]

    def __str__(self):
        return f"{self.unit_name} {self.title} {_when(self.published_at)}".strip() or "公开"

    @property
    def adjustment(self):
        """The 目标调整 note of the published version (from its snapshot), or None."""
        from datetime import date

        from declarations.models import Adjustment

        spec = self.snapshot.data.get("adjustment") or {}
        if not spec.get("reason"):
            return None
        return Adjustment(date.fromisoformat(spec["date"]) if spec.get("date") else None, spec["reason"])


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name="接收人")
    message = models.CharField("消息", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.message
