"""The indicator framework of each layout (一级/二级) and the indicator library (共性指标)."""
from django.db import models


class TableKind(models.TextChoices):
    DEPARTMENT = "department", "部门整体绩效目标表"
    PROJECT = "project", "项目绩效目标表"


class Layout(models.Model):
    """A finance bureau's printed form (版式).

    What it prints is its definition, a document the exporters interpret (docs/layouts.md); an
    empty definition means the one shipped with the application for this code. Every change of
    the definition is a new version."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    definition = models.JSONField("版式定义", default=dict, blank=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "版式"
        verbose_name_plural = "版式"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Framework(models.Model):
    """The ordered 一级/二级 names of one layout and table kind."""

    layout = models.ForeignKey(Layout, models.CASCADE, related_name="frameworks", verbose_name="版式")
    table_kind = models.CharField("表类型", max_length=16, choices=TableKind.choices)

    class Meta:
        verbose_name = "指标框架"
        verbose_name_plural = "指标框架"
        constraints = [
            models.UniqueConstraint(fields=["layout", "table_kind"], name="framework_unique_per_layout_kind"),
        ]

    def __str__(self):
        return f"{self.layout.name} · {self.get_table_kind_display()}"


class Category(models.Model):
    """一级指标."""

    framework = models.ForeignKey(Framework, models.CASCADE, related_name="categories", verbose_name="指标框架")
    name = models.CharField("一级指标", max_length=50)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "一级指标"
        verbose_name_plural = "一级指标"
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="category_unique_name"),
        ]

    def __str__(self):
        return self.name


class Subcategory(models.Model):
    """二级指标, with whether the layout requires it (固原 prints （必填）/（选填））."""

    category = models.ForeignKey(Category, models.CASCADE, related_name="subcategories", verbose_name="一级指标")
    name = models.CharField("二级指标", max_length=50)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    mandatory = models.BooleanField("必填", default=False)
    note = models.CharField("标注", max_length=20, blank=True, help_text="版式打印在名称后的括注，如“必填硬性指标”")

    class Meta:
        verbose_name = "二级指标"
        verbose_name_plural = "二级指标"
        ordering = ["category__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="subcategory_unique_name"),
        ]

    def __str__(self):
        return f"{self.category.name} / {self.name}"

    @property
    def label(self):
        return f"{self.name}（{self.note}）" if self.note else self.name


class LibraryIndicator(models.Model):
    """共性指标: a reusable 三级 with its suggested value and basis."""

    category_name = models.CharField("一级指标", max_length=50)
    subcategory_name = models.CharField("二级指标", max_length=50)
    name = models.CharField("三级指标", max_length=200)
    description = models.TextField("指标解释", blank=True)
    suggested_value = models.CharField("建议指标值", max_length=200, blank=True)
    basis = models.CharField("取值依据", max_length=300, blank=True)

    class Meta:
        verbose_name = "共性指标"
        verbose_name_plural = "指标库"
        ordering = ["category_name", "subcategory_name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category_name", "subcategory_name", "name"], name="library_indicator_unique_path"
            ),
        ]

    def __str__(self):
        return f"{self.category_name} / {self.subcategory_name} / {self.name}"


class PublishedValue(models.Model):
    """A 三级's value as some unit published it: the 参考值 fillers see beside the same 三级.

    Rows are written when a table is published and deleted when it is withdrawn (public.services),
    so reference values never show what is not public. Plain ids, no foreign keys: this app is
    below the declarations and the publications that fill it.
    """

    publication_id = models.PositiveIntegerField("公开记录", db_index=True)
    unit_id = models.PositiveIntegerField("单位")
    unit_name = models.CharField("单位名称", max_length=100)
    year = models.PositiveSmallIntegerField("预算年度")
    name = models.CharField("三级指标", max_length=300)
    value = models.CharField("指标值", max_length=300, blank=True)
    basis = models.CharField("指标值确定依据", max_length=300, blank=True)

    class Meta:
        verbose_name = "公开的指标值"
        verbose_name_plural = "公开的指标值（参考值）"
        indexes = [models.Index(fields=["name", "-year"], name="published_value_name_year")]

    def __str__(self):
        return f"{self.unit_name} {self.year} {self.name} {self.value}"
