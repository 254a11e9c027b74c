class LargeListAdmin:
    """A change list over a province's rows (hundreds of thousands of indicators, tens of
    thousands of declarations and events): one page of 50, no second COUNT(*) for "显示全部",
    newest first by primary key (an index scan that stops after the page, where the models'
    orderings sort every row through joins), and the list's heavy columns (`list_defer`, e.g. a
    snapshot's JSON) left unread. Put it before admin.ModelAdmin in the bases."""

    list_per_page = 50
    show_full_result_count = False
    ordering = ["-pk"]
    list_defer = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if self.list_defer and match is not None and match.url_name.endswith("_changelist"):
            queryset = queryset.defer(*self.list_defer)
        return queryset
