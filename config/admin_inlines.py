from django.contrib import admin


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose fields are named for screen readers: Django shows their labels only as
    column headers, so each input, select and 删除 box gets its label as aria-label."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for field in form.fields.values():
                    if field.label:
                        field.widget.attrs.setdefault("aria-label", str(field.label))

        return LabelledFormSet
