"""Writes to the indicator library."""
import logging

from django.db import transaction

from .models import LibraryIndicator

logger = logging.getLogger(__name__)
PLACEHOLDERS = {"……", "…", "...", "无", ""}


@transaction.atomic
def library_add_from_indicators(*, indicators):
    """Add each distinct 一级/二级/三级 of `indicators` to the library once; existing entries stay.

    The first occurrence gives the suggested value, description and basis. Returns the number added.
    """
    existing = set(LibraryIndicator.objects.values_list("category_name", "subcategory_name", "name"))
    new = {}
    for indicator in indicators:
        sub = indicator.subcategory
        key = (sub.category.name, sub.name, indicator.name)
        if indicator.name in PLACEHOLDERS or key in existing or key in new:
            continue
        new[key] = LibraryIndicator(
            category_name=key[0],
            subcategory_name=key[1],
            name=indicator.name[:200],
            description=indicator.description,
            suggested_value=indicator.value_display[:200],
            basis=indicator.basis[:300],
        )
    LibraryIndicator.objects.bulk_create(new.values())
    logger.info("library.added count=%s", len(new))
    return len(new)
