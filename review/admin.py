from django.contrib import admin

from .models import Event, Notification, Publication, Review, ReviewComment, Snapshot


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "from_status", "to_status", "user", "project", "department"]
    list_filter = ["action"]
    search_fields = ["comment", "project__name", "department__unit__name"]
    list_select_related = ["user", "project", "department__unit"]

    def has_change_permission(self, request, obj=None):  # the log is append-only
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewCommentInline(admin.TabularInline):
    model = ReviewComment
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["created_at", "result", "reviewer", "project", "department"]
    list_filter = ["result"]
    inlines = [ReviewCommentInline]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["number", "created_at", "created_by", "project", "department"]
    readonly_fields = ["number", "data", "created_by", "project", "department"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["published_at", "withdrawn_at", "project", "department", "snapshot"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "message", "read_at"]
