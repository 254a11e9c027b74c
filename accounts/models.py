from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    FILLER = "filler", "填报人"
    REVIEWER = "reviewer", "审核人"
    ADMIN = "admin", "管理员"


class User(AbstractUser):
    """A person: a filler belongs to a unit, a reviewer to a finance bureau."""

    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.FILLER)
    unit = models.ForeignKey(
        "declarations.Unit", models.PROTECT, null=True, blank=True, related_name="users", verbose_name="所属单位"
    )
    bureau = models.ForeignKey(
        "declarations.FinanceBureau",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属财政局",
    )

    must_change_password = models.BooleanField(
        "须修改密码", default=False, help_text="下次登录时必须先修改密码（如演示账号、重置过的密码）"
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="filler") | models.Q(unit__isnull=False),
                name="filler_has_unit",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="reviewer") | models.Q(bureau__isnull=False),
                name="reviewer_has_bureau",
            ),
        ]

    @property
    def is_filler(self):
        return self.role == Role.FILLER

    @property
    def is_reviewer(self):
        return self.role == Role.REVIEWER

    @property
    def is_administrator(self):
        return self.role == Role.ADMIN or self.is_superuser
