from django.contrib import admin

from .models import Event, Notification, Publication, Review, ReviewComment, Snapshot


class ViewOnly:
    """The audit trail is written by review.services only: the admin may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["created_at", "action", "from_status", "to_status", "user", "project", "department"]
    list_filter = ["action"]
    search_fields = ["comment", "project__name", "department__unit__name"]
    list_select_related = ["user", "project", "department__unit"]


class ReviewCommentInline(ViewOnly, admin.TabularInline):
    model = ReviewComment
    extra = 0


@admin.register(Review)
class ReviewAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["created_at", "result", "reviewer", "project", "department"]
    list_filter = ["result"]
    inlines = [ReviewCommentInline]


@admin.register(Snapshot)
class SnapshotAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["number", "created_at", "created_by", "project", "department"]


@admin.register(Publication)
class PublicationAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["published_at", "withdrawn_at", "project", "department", "snapshot"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "message", "read_at"]
