from django.contrib import admin
from django.utils.html import format_html, format_html_join

from config.admin_lists import LargeListAdmin
from declarations.models import Status, Term
from declarations.services.interchange import INDICATOR_LABELS, field_label, printable

from .models import ACTION_LABELS, Event, Notification, Publication, Review, ReviewComment, Snapshot

DECLARATION = ["project__year", "department__year", "department__unit"]  # what their names read


class ViewOnly:
    """The audit trail is written by review.services only: the admin may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def status_label(code):
    return Status(code).label if code in Status.values else code


class ActionFilter(admin.SimpleListFilter):
    title = "动作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(ACTION_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(Event)
class EventAdmin(ViewOnly, LargeListAdmin, admin.ModelAdmin):
    list_display = ["created_at", "action_label", "from_label", "to_label", "user", "project", "department"]
    list_filter = [ActionFilter]
    search_fields = ["comment", "project__name", "department__unit__name"]
    list_select_related = ["user", *DECLARATION]
    fields = ["created_at", "action_label", "from_label", "to_label", "user", "project", "department", "comment", "data"]
    readonly_fields = fields

    @admin.display(description="动作", ordering="action")
    def action_label(self, event):
        return event.verb

    @admin.display(description="原状态", ordering="from_status")
    def from_label(self, event):
        return status_label(event.from_status)

    @admin.display(description="新状态", ordering="to_status")
    def to_label(self, event):
        return status_label(event.to_status)


class ReviewCommentInline(ViewOnly, admin.TabularInline):
    model = ReviewComment
    extra = 0


@admin.register(Review)
class ReviewAdmin(ViewOnly, LargeListAdmin, admin.ModelAdmin):
    list_display = ["created_at", "result", "reviewer", "project", "department"]
    list_filter = ["result"]
    list_select_related = ["reviewer", *DECLARATION]
    inlines = [ReviewCommentInline]


INDICATOR_COLUMNS = ["term", "category", "subcategory", "name", "value", "half_value", "basis"]


@admin.register(Snapshot)
class SnapshotAdmin(ViewOnly, LargeListAdmin, admin.ModelAdmin):
    """A submitted version read as the document it is: labelled fields and an indicator table, not JSON."""

    list_display = ["number", "created_at", "created_by", "project", "department"]
    list_select_related = ["created_by", *DECLARATION]
    list_defer = ["data", "header"]
    fields = ["number", "created_at", "created_by", "project", "department", "header_text", "content", "indicator_table"]
    readonly_fields = fields

    @admin.display(description="表头信息")
    def header_text(self, snapshot):
        header = snapshot.header or {}
        parts = [(header.get("bureau") or {}).get("name"), (header.get("unit") or {}).get("name"),
                 f"{header['year']}年" if header.get("year") else ""]
        return " · ".join(part for part in parts if part)

    @admin.display(description="内容")
    def content(self, snapshot):
        rows = [
            (field_label(key), printable(key, value))
            for key, value in (snapshot.data or {}).items()
            if key != "indicators" and printable(key, value)
        ]
        body = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', rows)
        return format_html('<table class="snapshot-fields">{}</table>', body)

    @admin.display(description="三级指标")
    def indicator_table(self, snapshot):
        indicators = (snapshot.data or {}).get("indicators") or []
        if not indicators:
            return "无"
        head = format_html_join("", "<th>{}</th>", ((INDICATOR_LABELS[key],) for key in INDICATOR_COLUMNS))
        rows = format_html_join(
            "", "<tr>{}</tr>",
            ((format_html_join("", "<td>{}</td>", ((_cell(key, indicator.get(key)),) for key in INDICATOR_COLUMNS)),)
             for indicator in indicators),
        )
        return format_html('<table class="snapshot-indicators"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
                           head, rows)


def _cell(key, value):
    if key == "term":
        return Term(value).label if value in Term.values else printable(key, value)
    return printable(key, value)


@admin.register(Publication)
class PublicationAdmin(ViewOnly, LargeListAdmin, admin.ModelAdmin):
    list_display = ["published_at", "withdrawn_at", "unit_name", "title", "snapshot"]
    list_select_related = ["snapshot"]
    list_defer = ["snapshot__data", "snapshot__header"]
    search_fields = ["title", "unit_name", "code"]


@admin.register(Notification)
class NotificationAdmin(LargeListAdmin, admin.ModelAdmin):
    list_display = ["created_at", "user", "message", "read_at"]
    list_select_related = ["user"]
