from django.contrib import admin

from .models import Category, Framework, Layout, LibraryIndicator, Subcategory


@admin.register(Layout)
class LayoutAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["layout", "table_kind"]
    list_filter = ["layout", "table_kind"]
    inlines = [CategoryInline]


class SubcategoryInline(admin.TabularInline):
    model = Subcategory
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "framework", "order"]
    list_filter = ["framework__layout", "framework__table_kind"]
    inlines = [SubcategoryInline]


@admin.register(Subcategory)
class SubcategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "order", "mandatory", "note"]
    list_filter = ["category__framework__layout", "mandatory"]
    list_select_related = ["category__framework__layout"]
    search_fields = ["name", "category__name"]


@admin.register(LibraryIndicator)
class LibraryIndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "category_name", "subcategory_name", "suggested_value", "basis"]
    list_filter = ["category_name", "subcategory_name"]
    search_fields = ["name", "description", "basis"]
