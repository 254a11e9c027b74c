"""What the public sees: immutable files made at publication, document releases, batch downloads."""
from django.db import models


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"
    JSON = "json", "JSON（开放数据）"
    CSV = "csv", "CSV（指标）"


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}


class DocumentRelease(models.Model):
    """One version of a unit's whole published document for a year (made whenever it changes)."""

    unit = models.ForeignKey("declarations.Unit", models.PROTECT, related_name="releases", verbose_name="单位")
    year = models.ForeignKey("declarations.BudgetYear", models.PROTECT, related_name="releases", verbose_name="预算年度")
    number = models.PositiveIntegerField("版本号")
    publications = models.ManyToManyField("review.Publication", related_name="releases", verbose_name="包含的公开表")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "公开文档版本"
        verbose_name_plural = "公开文档版本"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="release_number_unique"),
        ]

    def __str__(self):
        return f"{self.year.year}年 {self.unit.name} 第{self.number}版"


class PublishedFile(models.Model):
    """A file generated once and never changed: of one publication (a table) or of a release."""

    publication = models.ForeignKey(
        "review.Publication", models.CASCADE, null=True, blank=True, related_name="files", verbose_name="公开表"
    )
    release = models.ForeignKey(
        DocumentRelease, models.CASCADE, null=True, blank=True, related_name="files", verbose_name="公开文档"
    )
    format = models.CharField("格式", max_length=8, choices=Format.choices)
    filename = models.CharField("文件名", max_length=200)
    file = models.FileField("文件", upload_to="published/%Y/%m/", max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("大小（字节）")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "公开文件"
        verbose_name_plural = "公开文件"
        ordering = ["format"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(publication__isnull=False) & models.Q(release__isnull=True))
                | (models.Q(publication__isnull=True) & models.Q(release__isnull=False)),
                name="published_file_belongs_to_one_owner",
            ),
        ]

    def __str__(self):
        return self.filename

    @property
    def content_type(self):
        return CONTENT_TYPES[self.format]


class BatchExport(models.Model):
    """A ZIP of all published documents of a finance bureau and year, built by a worker."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, "排队中"), (RUNNING, "正在打包"), (DONE, "已完成"), (FAILED, "失败")]

    bureau = models.ForeignKey("declarations.FinanceBureau", models.CASCADE, related_name="+", verbose_name="财政局")
    year = models.ForeignKey("declarations.BudgetYear", models.CASCADE, related_name="+", verbose_name="预算年度")
    fingerprint = models.CharField("内容指纹", max_length=64, help_text="所含文件哈希的摘要；内容未变时复用")
    state = models.CharField("状态", max_length=8, choices=STATES, default=QUEUED)
    total = models.PositiveIntegerField("文件数", default=0)
    done = models.PositiveIntegerField("已打包", default=0)
    file = models.FileField("ZIP", upload_to="batches/", blank=True, max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "批量下载"
        verbose_name_plural = "批量下载"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.bureau.name} {self.year.year}年 批量下载"

    @property
    def percent(self):
        if self.state == self.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0


class PortalGeneration(models.Model):
    """One row: a number raised in the same transaction as every publication, withdrawal or new
    release, so that the public pages cached under it change exactly when what they show does
    (public.views.portal_page). Reading it is the only query of a page already rendered."""

    number = models.PositiveBigIntegerField("代次", default=1)
    changed_at = models.DateTimeField("变更时间")

    class Meta:
        verbose_name = "公开内容代次"
        verbose_name_plural = "公开内容代次"

    def __str__(self):
        return f"第{self.number}代"


class SearchEntry(models.Model):
    """A table public now, as the portal's search reads it: what was published (copied from the
    publication), one narrow row per table, made at publication and deleted at withdrawal, so a
    search never joins declarations or reads snapshots. On PostgreSQL `text` carries a trigram
    (pg_trgm) GIN index when the server allows the extension (migration 0004)."""

    publication = models.OneToOneField(
        "review.Publication", models.CASCADE, primary_key=True, related_name="search_entry", verbose_name="公开表"
    )
    unit = models.ForeignKey("declarations.Unit", models.CASCADE, related_name="+", verbose_name="单位")
    bureau = models.ForeignKey("declarations.FinanceBureau", models.CASCADE, related_name="+", verbose_name="财政局")
    year = models.PositiveSmallIntegerField("预算年度")
    title = models.CharField("表名", max_length=300)
    unit_name = models.CharField("单位名称", max_length=100, blank=True)
    anchor = models.CharField("页内位置", max_length=40)
    published_at = models.DateTimeField("公开时间")
    text = models.TextField("检索文本", help_text="表名、项目编码、单位名称（小写），逐行")

    class Meta:
        verbose_name = "公开检索条目"
        verbose_name_plural = "公开检索条目"
        ordering = ["-published_at", "-publication_id"]
        indexes = [
            models.Index(fields=["-published_at", "-publication"], name="search_entry_newest"),
            models.Index(fields=["year", "-published_at"], name="search_entry_year"),
        ]

    def __str__(self):
        return f"{self.unit_name} {self.title}"

    @staticmethod
    def text_of(*, title, code, unit_name):
        """What a query is looked for in: each field on its own line (a query holds no line break,
        so it never matches across two fields), lower-cased as icontains compared them."""
        return "\n".join((title or "", code or "", unit_name or "")).lower()
