from django.contrib import admin

from .models import (
    EvaluationEvent, MonitoringReport, MonitoringRound, MonitoringValue, SelfEvaluation, SelfEvaluationPublication,
    SelfEvaluationValue,
)


@admin.register(MonitoringRound)
class MonitoringRoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "bureau", "checkpoint_month", "status", "opened_by", "opened_at"]
    list_filter = ["status", "year", "bureau"]
    readonly_fields = ["status", "opened_by", "opened_at", "closed_by", "closed_at"]


class MonitoringValueInline(admin.TabularInline):
    model = MonitoringValue
    extra = 0
    raw_id_fields = ["indicator"]


@admin.register(MonitoringReport)
class MonitoringReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "executed_amount", "updated_at"]
    list_filter = ["status", "round"]
    search_fields = ["project__name", "project__unit__name"]
    raw_id_fields = ["project"]
    readonly_fields = ["status"]  # states change through the services only
    inlines = [MonitoringValueInline]


class SelfEvaluationValueInline(admin.TabularInline):
    model = SelfEvaluationValue
    extra = 0
    raw_id_fields = ["indicator"]


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "executed_amount", "updated_at"]
    list_filter = ["status", "project__year"]
    search_fields = ["project__name", "project__unit__name"]
    raw_id_fields = ["project"]
    readonly_fields = ["status"]
    inlines = [SelfEvaluationValueInline]


class ReadOnly(admin.ModelAdmin):
    """Append-only records: listed, never changed here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationEvent)
class EvaluationEventAdmin(ReadOnly):
    list_display = ["verb", "report", "evaluation", "user", "created_at", "comment"]
    list_filter = ["action"]


@admin.register(SelfEvaluationPublication)
class SelfEvaluationPublicationAdmin(ReadOnly):
    list_display = ["__str__", "published_by", "published_at", "withdrawn_at"]
