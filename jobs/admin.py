from django.contrib import admin

from config.admin_lists import LargeListAdmin

from .models import Job


@admin.register(Job)
class JobAdmin(LargeListAdmin, admin.ModelAdmin):
    list_display = ["title", "kind", "state", "user", "created_at", "finished_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
