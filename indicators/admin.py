from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .models import Category, Framework, LibraryIndicator, Subcategory
from .services import (
    HEADERS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    LibraryImportError,
    LibraryRows,
    library_apply,
    library_preview,
    library_read,
)


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["layout", "table_kind"]
    list_filter = ["layout", "table_kind"]
    list_select_related = ["layout"]
    inlines = [CategoryInline]


class SubcategoryInline(admin.TabularInline):
    model = Subcategory
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "framework", "order"]
    list_filter = ["framework__layout", "framework__table_kind"]
    list_select_related = ["framework__layout"]
    inlines = [SubcategoryInline]


@admin.register(Subcategory)
class SubcategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "order", "mandatory", "note"]
    list_filter = ["category__framework__layout", "mandatory"]
    list_select_related = ["category__framework__layout"]
    search_fields = ["name", "category__name"]


class LibraryUploadForm(forms.Form):
    file = forms.FileField(label="指标库文件", help_text=f".xlsx 或 .csv，不超过 {MAX_FILE_BYTES // 1048576} MB、{MAX_ROWS} 行")


LIBRARY_IMPORT_SALT = "indicators.library_import"
LIBRARY_IMPORT_MAX_AGE = 3600  # seconds between preview and confirm
PREVIEW_SHOWN = 1000  # rows listed per section of the preview page


@admin.register(LibraryIndicator)
class LibraryIndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "category_name", "subcategory_name", "suggested_value", "basis"]
    list_filter = ["category_name", "subcategory_name"]
    search_fields = ["name", "description", "basis"]
    change_list_template = "admin/indicators/library_changelist.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="indicators_libraryindicator_import"),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入指标库",
            "headers": list(HEADERS),
            **extra,
        }

    def import_view(self, request):
        """Upload → preview (nothing written) → confirm: the confirmed rows travel signed in the form."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        if request.method == "POST" and "payload" in request.POST:
            return self._confirm(request)
        form = LibraryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            rows = library_read(upload, upload.name)
            return self._preview(request, rows)
        return TemplateResponse(request, "admin/indicators/library_import.html", self._context(request, form=form))

    def _preview(self, request, rows):
        preview = library_preview(rows)
        payload = "" if preview["errors"] else signing.dumps(rows.to_dict(), salt=LIBRARY_IMPORT_SALT, compress=True)
        updates = [
            {
                "entry": entry,
                "values": values,
                "changes": [
                    {
                        "label": LibraryIndicator._meta.get_field(name).verbose_name,
                        "old": getattr(entry, name),
                        "new": values[name],
                    }
                    for name in ("description", "suggested_value", "basis")
                    if getattr(entry, name) != values[name]
                ],
            }
            for entry, values in preview["update"][:PREVIEW_SHOWN]
        ]
        context = self._context(
            request,
            title="导入指标库：预览",
            source=rows.source,
            preview=preview,
            adds=preview["add"][:PREVIEW_SHOWN],
            updates=updates,
            more_adds=max(0, len(preview["add"]) - PREVIEW_SHOWN),
            more_updates=max(0, len(preview["update"]) - PREVIEW_SHOWN),
            payload=payload,
        )
        return TemplateResponse(request, "admin/indicators/library_preview.html", context)

    def _confirm(self, request):
        try:
            data = signing.loads(request.POST["payload"], salt=LIBRARY_IMPORT_SALT, max_age=LIBRARY_IMPORT_MAX_AGE)
        except signing.SignatureExpired:
            self.message_user(request, "预览已超过一小时，请重新上传文件", messages.ERROR)
            return redirect(reverse("admin:indicators_libraryindicator_import"))
        except signing.BadSignature:
            self.message_user(request, "导入内容无法核对，请重新上传文件", messages.ERROR)
            return redirect(reverse("admin:indicators_libraryindicator_import"))
        rows = LibraryRows.from_dict(data)
        preview = library_preview(rows)  # again: the library may have changed since the preview
        if preview["errors"]:
            return self._preview(request, rows)
        try:
            added, updated = library_apply(preview)
        except LibraryImportError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(reverse("admin:indicators_libraryindicator_import"))
        self.message_user(request, f"已导入指标库（{rows.source}）：新增 {added} 条，更新 {updated} 条，{preview['unchanged']} 条不变")
        return redirect(reverse("admin:indicators_libraryindicator_changelist"))
