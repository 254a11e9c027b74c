"""The portal's generation: one number that changes whenever what the public pages show does.

Every publication, withdrawal and new release raises it inside its own transaction, so it
commits (or rolls back) with the change itself: a reader sees the new number exactly when it
sees the new content. Public pages are cached under it (public.views.portal_page) and their
ETag and Last-Modified come from it, so a visit costs one indexed read of one row.
"""
from django.db.models import F
from django.utils import timezone

from .models import PortalGeneration


def portal_changed():
    """Raise the generation (called by the services that change what is public)."""
    now = timezone.now()
    if not PortalGeneration.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now):
        PortalGeneration.objects.get_or_create(pk=1, defaults={"number": 2, "changed_at": now})


def portal_generation():
    """(number, changed_at) of the content public now, in one query."""
    row = PortalGeneration.objects.filter(pk=1).values_list("number", "changed_at").first()
    return row or (0, None)
