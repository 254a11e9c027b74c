"""Long work asked for by a user and done by a worker: its progress lives in the database, so
the progress page needs no connection to the task queue (docs/tasks.md)."""
from django.conf import settings
from django.db import models


class Job(models.Model):
    """One piece of long work (a publication, an export that is not kept yet) and its outcome."""

    PUBLISH, EXPORT = "publish", "export"
    KINDS = [(PUBLISH, "公开"), (EXPORT, "导出")]
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, "排队中"), (RUNNING, "正在处理"), (DONE, "已完成"), (FAILED, "失败")]

    kind = models.CharField("类型", max_length=16, choices=KINDS)
    title = models.CharField("任务", max_length=300)
    params = models.JSONField("参数", default=dict, help_text="工作进程据此重新读取对象")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="jobs", verbose_name="发起人")
    state = models.CharField("状态", max_length=8, choices=STATES, default=QUEUED)
    total = models.PositiveIntegerField("总步数", default=1)
    done = models.PositiveIntegerField("已完成步数", default=0)
    message = models.TextField("结果说明", blank=True)
    back_url = models.CharField("返回页面", max_length=300, blank=True)
    result_file = models.CharField("结果文件（存储中的名称）", max_length=300, blank=True)
    result_filename = models.CharField("下载文件名", max_length=300, blank=True)
    result_content_type = models.CharField("文件类型", max_length=120, blank=True)
    task = models.CharField("任务函数", max_length=200, blank=True, help_text="重新排队时调用的 huey 任务（模块.函数）")
    lease_until = models.DateTimeField(
        "租约到期", null=True, blank=True,
        help_text="排队或运行中的任务到此时仍无进展即重新排队（工作进程被杀、队列丢失）",
    )
    worker = models.CharField("工作进程", max_length=120, blank=True, help_text="最近领取该任务的进程（主机:进程号）")
    attempts = models.PositiveIntegerField("领取次数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "kind", "state"], name="job_user_kind_state"),
            models.Index(fields=["state", "lease_until"], name="job_state_lease"),
        ]

    def __str__(self):
        return self.title

    @property
    def pending(self):
        return self.state in (self.QUEUED, self.RUNNING)

    @property
    def percent(self):
        if self.state == self.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0
