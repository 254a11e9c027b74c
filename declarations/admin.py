from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

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
    SafeguardMeasure,
    SpendingCheckpoint,
    SubGoal,
    Unit,
)
from .services import drafts


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
    search_fields = ["title", "unit__name"]


class MoneyLineInline(admin.TabularInline):
    model = MoneyLine
    extra = 0
    fields = ["direction", "kind", "order", "amount", "half_year_amount", "share", "prior_amount_1", "prior_amount_2"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = [
        "term", "order", "subcategory", "name", "description", "comparator", "number", "unit", "text_value",
        "half_year_value", "basis", "indicator_class", "prior_value_1", "prior_value_2",
    ]
    autocomplete_fields = ["subcategory"]


class SubGoalInline(admin.StackedInline):
    model = SubGoal
    extra = 0


class SafeguardInline(admin.TabularInline):
    model = SafeguardMeasure
    extra = 0


class GoalItemInline(admin.TabularInline):
    model = GoalItem
    extra = 0


class SpendingCheckpointInline(admin.TabularInline):
    model = SpendingCheckpoint
    extra = 0


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
    """The status changes only through review.services (submit, return, approve, publish), never here."""

    readonly_fields = ["status"]

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":  # a revert would bring back an old status with the old content
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(DepartmentDeclaration)
class DepartmentDeclarationAdmin(DeclarationAdmin):
    list_display = ["unit", "year", "status", "updated_at"]
    list_filter = ["year", "status", "unit__bureau"]
    list_select_related = ["unit", "year"]
    search_fields = ["unit__name", "unit__code", "department_name"]
    autocomplete_fields = ["unit"]
    inlines = [SubGoalInline, SafeguardInline, MoneyLineInline, IndicatorInline]


@admin.register(ProjectDeclaration)
class ProjectDeclarationAdmin(DeclarationAdmin):
    list_display = ["name", "code", "unit", "year", "budget", "status"]
    list_filter = ["year", "status", "unit__bureau", "category"]
    list_select_related = ["unit", "year"]
    search_fields = ["name", "code", "unit__name"]
    autocomplete_fields = ["unit"]
    inlines = [GoalItemInline, SpendingCheckpointInline, MoneyLineInline, IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(VersionedAdmin):
    list_display = ["name", "subcategory", "value_display", "basis", "project", "department"]
    list_filter = ["term", "subcategory__category__framework__layout"]
    list_select_related = ["subcategory__category", "project", "department__unit"]
    search_fields = ["name", "description", "basis"]
