from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "unit", "bureau", "is_active"]
    list_filter = ["role", "bureau", "is_active"]
    list_select_related = ["unit", "bureau"]
    fieldsets = BaseUserAdmin.fieldsets + (("角色与范围", {"fields": ["role", "unit", "bureau", "must_change_password"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("角色与范围", {"fields": ["role", "unit", "bureau"]}),)
    autocomplete_fields = ["unit", "bureau"]
