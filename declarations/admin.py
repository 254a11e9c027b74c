from decimal import Decimal

from csp.decorators import csp_replace
from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_sameorigin
from simple_history.admin import SimpleHistoryAdmin

from config.admin_inlines import LabelledTabularInline
from config.admin_lists import LargeListAdmin
from indicators.models import Layout

from .forms import VersionField
from .models import (
    BudgetYear,
    CoverNote,
    DepartmentDeclaration,
    FinanceBureau,
    GoalItem,
    Indicator,
    MoneyLine,
    ProjectDeclaration,
    ProjectMilestone,
    SafeguardMeasure,
    SpendingCheckpoint,
    SubGoal,
    Unit,
)
from .exports.worker import render_pdf_once
from .services import drafts, layouts
from .values import format_amount, format_number


class AmountFormField(forms.DecimalField):
    """An amount edited as printed: 20, not 20.000000."""

    def prepare_value(self, value):
        return format_number(value) if isinstance(value, Decimal) else value


AMOUNTS = {models.DecimalField: {"form_class": AmountFormField}}


def amount_column(name, description):
    @admin.display(description=description, ordering=name)
    def column(self, obj):
        return format_amount(getattr(obj, name))

    column.__name__ = f"{name}_display"
    return column


@admin.register(FinanceBureau)
class FinanceBureauAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "layout", "title_prefix"]
    list_filter = ["province", "layout"]
    search_fields = ["name", "province"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "bureau"]
    list_filter = ["bureau"]
    list_select_related = ["parent", "bureau"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "bureau"]


@admin.register(BudgetYear)
class BudgetYearAdmin(admin.ModelAdmin):
    list_display = ["year", "is_open"]


@admin.register(CoverNote)
class CoverNoteAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "year", "signed_on"]
    list_filter = ["year"]
    list_select_related = ["unit", "year"]
    search_fields = ["title", "unit__name"]


class MoneyLineInline(LabelledTabularInline):
    model = MoneyLine
    extra = 0
    formfield_overrides = AMOUNTS
    fields = ["direction", "kind", "order", "amount", "half_year_amount", "share", "prior_amount_1", "prior_amount_2"]


class SubGoalInline(admin.StackedInline):
    model = SubGoal
    extra = 0


class SafeguardInline(LabelledTabularInline):
    model = SafeguardMeasure
    extra = 0


class GoalItemInline(LabelledTabularInline):
    model = GoalItem
    extra = 0


class ProjectMilestoneInline(LabelledTabularInline):
    model = ProjectMilestone
    extra = 0


class SpendingCheckpointInline(LabelledTabularInline):
    model = SpendingCheckpoint
    extra = 0
    formfield_overrides = AMOUNTS


STALE = "这份申报在您打开本页之后已被修改并保存，本次没有保存。请重新打开本页，核对后再修改。"


class VersionedForm(forms.ModelForm):
    """An admin change of a declaration (or of one of its indicators) carries the declaration's
    version it was opened at, as the wizard does; missing or stale, nothing is saved."""

    declaration_version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owner = _declaration_of(self.instance)
        if owner is not None:
            self.fields["declaration_version"].initial = owner.version

    def clean(self):
        data = super().clean()
        owner = _declaration_of(self.instance)
        if owner is None:
            return data
        version = data.get("declaration_version")
        if version is None:
            self.add_error(None, drafts.MISSING_VERSION)
        elif not type(owner).objects.filter(pk=owner.pk, version=version).exists():
            self.add_error(None, STALE)
        return data


def _declaration_of(obj):
    """The saved declaration that `obj` (a declaration or an indicator) belongs to, or None."""
    if obj.pk is None:
        return None
    if isinstance(obj, Indicator):
        saved = Indicator.objects.filter(pk=obj.pk).select_related("project", "department").first()
        return saved and (saved.project or saved.department)
    return type(obj).objects.filter(pk=obj.pk).first()


class VersionedAdmin(SimpleHistoryAdmin):
    form = VersionedForm

    def save_model(self, request, obj, form, change):
        owner = _declaration_of(obj) if change else None
        if owner is not None:
            # The conditional UPDATE: a save between the form's check and here is refused (rolled back).
            drafts.claim_version(owner, form.cleaned_data["declaration_version"])
            if type(obj) is type(owner):
                obj.version = owner.version
        super().save_model(request, obj, form, change)


class DeclarationAdmin(VersionedAdmin):
    """The status changes only through review.services (submit, return, approve, publish), never here.

    Its indicators are edited in the wizard's grid, not as an inline (81 of them made a 4,444 px
    table and a page of several seconds): the change page links there and to the indicator list."""

    readonly_fields = ["status", "copied_from", "indicators_links"]
    formfield_overrides = AMOUNTS
    wizard_step = ""  # the URL name of the declaration's wizard step
    indicator_filter = ""  # the Indicator field naming the declaration

    @admin.display(description="三级指标")
    def indicators_links(self, declaration):
        if declaration.pk is None:
            return "保存后在填报向导中填写"
        wizard = reverse(self.wizard_step, args=[declaration.pk, "indicators"])
        listing = f"{reverse('admin:declarations_indicator_changelist')}?{self.indicator_filter}={declaration.pk}"
        return format_html(
            '共 {} 条：<a href="{}">在填报向导中编辑</a> · <a href="{}">在三级指标列表中查看</a>',
            declaration.indicators.count(), wizard, listing,
        )

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":  # a revert would bring back an old status with the old content
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(DepartmentDeclaration)
class DepartmentDeclarationAdmin(LargeListAdmin, DeclarationAdmin):
    list_display = ["unit", "year", "status", "updated_at"]
    list_filter = ["year", "status", "unit__bureau"]
    list_select_related = ["unit", "year"]
    search_fields = ["unit__name", "unit__code", "department_name"]
    autocomplete_fields = ["unit"]
    inlines = [SubGoalInline, SafeguardInline, MoneyLineInline]
    wizard_step = "department_step"
    indicator_filter = "department"


@admin.register(ProjectDeclaration)
class ProjectDeclarationAdmin(LargeListAdmin, DeclarationAdmin):
    list_display = ["name", "code", "unit", "year", "budget_display", "status"]
    list_filter = ["year", "status", "unit__bureau", "category"]
    list_select_related = ["unit", "year"]
    search_fields = ["name", "code", "unit__name"]
    autocomplete_fields = ["unit"]
    inlines = [GoalItemInline, ProjectMilestoneInline, SpendingCheckpointInline, MoneyLineInline]
    wizard_step = "project_step"
    indicator_filter = "project"
    budget_display = amount_column("budget", "预算数（万元）")


@admin.register(Indicator)
class IndicatorAdmin(LargeListAdmin, VersionedAdmin):
    list_display = ["name", "subcategory", "value_text", "basis", "project", "department"]
    list_filter = ["term", "subcategory__category__framework__layout"]
    list_select_related = ["subcategory__category", "project__year", "department__unit", "department__year"]
    search_fields = ["name", "description", "basis"]
    autocomplete_fields = ["subcategory", "project", "department"]
    formfield_overrides = AMOUNTS

    @admin.display(description="指标值")
    def value_text(self, indicator):
        return indicator.value_display


# --- layouts: a definition edited as YAML beside a preview of what it prints --------------

class LayoutForm(forms.ModelForm):
    definition_text = forms.CharField(
        label="版式定义（YAML）", widget=forms.Textarea(attrs={"rows": 40, "class": "layout-yaml", "spellcheck": "false"}),
        help_text="字段与写法见 docs/layouts.md；保存前按 docs/layout.schema.json 检查，并用一个单位的数据试印。",
    )
    layout_version = VersionField()

    class Meta:
        model = Layout
        fields = ["code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["definition_text"].initial = layouts.definition_text(self.instance)
            self.fields["layout_version"].initial = self.instance.version
            self.fields["code"].disabled = True

    def clean_definition_text(self):
        try:
            definition = layouts.definition_parse(self.cleaned_data["definition_text"])
        except layouts.LayoutDefinitionError as error:
            raise forms.ValidationError(error.messages) from None
        problems = layouts.definition_errors(definition)
        if problems:
            raise forms.ValidationError(problems)
        self.definition = definition
        return self.cleaned_data["definition_text"]

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            version = data.get("layout_version")
            if version is None:
                self.add_error(None, drafts.MISSING_VERSION)
            elif not Layout.objects.filter(pk=self.instance.pk, version=version).exists():
                self.add_error(None, "版式定义在您打开之后已被他人修改并保存，本次没有保存；请重新打开后再改")
        elif getattr(self, "definition", None) is not None and self.definition.get("code") != data.get("code"):
            self.add_error("definition_text", f"code：应与版式代码“{data.get('code')}”相同")
        return data


@admin.register(Layout)
class LayoutAdmin(admin.ModelAdmin):
    """版式: its definition is data; saving checks it and makes a new version."""

    form = LayoutForm
    list_display = ["code", "name", "version"]
    readonly_fields = ["version"]
    change_form_template = "admin/layout_change_form.html"

    def get_urls(self):
        preview = self.admin_site.admin_view(layout_preview)
        return [path("<int:pk>/preview/", preview, name="layout_preview"), *super().get_urls()]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.definition = form.definition
            super().save_model(request, obj, form, change)
            return
        try:
            layouts.layout_definition_save(
                layout=obj, definition=form.definition, user=request.user, version=form.cleaned_data["layout_version"]
            )
        except layouts.LayoutDefinitionError as error:
            # Stale since the form was checked: nothing saved, the administrator is told why.
            self.message_user(request, "；".join(error.messages), level="error")


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def layout_preview(request, pk):
    """What a definition (the stored one, or the one in the editor when posted) prints, on a sample."""
    if not request.user.is_staff or not request.user.has_perm("indicators.change_layout"):
        raise PermissionDenied
    layout = get_object_or_404(Layout, pk=pk)
    problems, document = [], None
    text = request.POST.get("definition_text") if request.method == "POST" else layouts.definition_text(layout)
    try:
        definition = layouts.definition_parse(text or "")
        problems = layouts.definition_errors(definition)
        if not problems:
            document = layouts.preview_document(definition)
    except layouts.LayoutDefinitionError as error:
        problems = error.messages
    if document is not None and request.GET.get("format") == "pdf" and not problems:
        response = HttpResponse(render_pdf_once(document), content_type="application/pdf")
        response["Content-Disposition"] = "inline"
        return response
    return render(request, "admin/layout_preview.html", {"layout": layout, "document": document, "problems": problems})
