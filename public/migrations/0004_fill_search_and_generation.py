"""The portal's generation row, a search entry for every table public now, and on PostgreSQL a
trigram index on the search text when the server lets us create pg_trgm."""
from django.db import migrations, transaction
from django.db.models import Q
from django.utils import timezone

PUBLISHED = "published"
TRIGRAM_INDEX = "search_entry_text_trgm"


def fill(apps, schema_editor):
    PortalGeneration = apps.get_model("public", "PortalGeneration")
    SearchEntry = apps.get_model("public", "SearchEntry")
    Publication = apps.get_model("review", "Publication")
    PortalGeneration.objects.update_or_create(pk=1, defaults={"changed_at": timezone.now()})
    current = (
        Publication.objects.filter(withdrawn_at__isnull=True)
        .filter(Q(project__status=PUBLISHED) | Q(department__status=PUBLISHED))
        .select_related("project__unit", "project__year", "department__unit", "department__year")
    )
    entries = []
    for publication in current.iterator(chunk_size=2000):
        declaration = publication.project or publication.department
        anchor = f"project-{publication.project_id}" if publication.project_id else f"department-{publication.department_id}"
        entries.append(SearchEntry(
            publication=publication, unit_id=declaration.unit_id, bureau_id=declaration.unit.bureau_id,
            year=declaration.year.year, title=publication.title, unit_name=publication.unit_name, anchor=anchor,
            published_at=publication.published_at,
            text="\n".join((publication.title, publication.code, publication.unit_name)).lower(),
        ))
    SearchEntry.objects.bulk_create(entries, batch_size=2000)


def empty(apps, schema_editor):
    apps.get_model("public", "SearchEntry").objects.all().delete()


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        # A savepoint: a server that refuses the extension (no superuser) leaves the migration going.
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON public_searchentry USING gin (text gin_trgm_ops)"
            )
    except Exception:  # noqa: BLE001 - without the index the search is still right, only slower
        pass


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("public", "0003_portal_generation_and_search"),
    ]

    operations = [
        # The index first: PostgreSQL refuses CREATE INDEX on a table with rows just inserted in the
        # same transaction (their deferred foreign-key checks are pending).
        migrations.RunPython(trigram_index, drop_trigram_index),
        migrations.RunPython(fill, empty),
    ]
