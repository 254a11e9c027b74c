"""Snapshots taken before headers existed get the header their rows give now; publications get
their title, unit name and code from their snapshot; the tables public now get their 参考值 rows."""
from django.db import migrations


def _header(unit, year, cover):
    bureau = unit.bureau
    parent = unit.parent
    return {
        "bureau": {"name": bureau.name, "province": bureau.province, "layout": bureau.layout.code,
                   "title_prefix": bureau.title_prefix},
        "unit": {"code": unit.code, "name": unit.name,
                 "parent": {"code": parent.code, "name": parent.name} if parent is not None else None},
        "year": year.year,
        "cover": None if cover is None else {
            "title": cover.title, "body": cover.body, "attachment": cover.attachment or None,
            "signed_by": cover.signed_by or None,
            "signed_on": cover.signed_on.isoformat() if cover.signed_on else None,
        },
    }


def backfill(apps, schema_editor):
    Snapshot = apps.get_model("review", "Snapshot")
    Publication = apps.get_model("review", "Publication")
    CoverNote = apps.get_model("declarations", "CoverNote")
    PublishedValue = apps.get_model("indicators", "PublishedValue")
    headers = {}
    related = ("project__unit__bureau__layout", "project__unit__parent", "project__year",
               "department__unit__bureau__layout", "department__unit__parent", "department__year")
    for snapshot in Snapshot.objects.filter(header={}).select_related(*related).iterator(chunk_size=500):
        declaration = snapshot.project or snapshot.department
        key = (declaration.unit_id, declaration.year_id)
        if key not in headers:
            cover = CoverNote.objects.filter(unit_id=declaration.unit_id, year_id=declaration.year_id).first()
            headers[key] = _header(declaration.unit, declaration.year, cover)
        snapshot.header = headers[key]
        snapshot.save(update_fields=["header"])
    values = []
    for publication in Publication.objects.select_related("snapshot", *related).iterator(chunk_size=500):
        declaration = publication.project or publication.department
        data = publication.snapshot.data
        unit_name = declaration.unit.name
        if publication.project_id:
            title = data.get("name") or declaration.name
        else:
            title = f"{data.get('department_name') or unit_name}部门整体绩效目标"
        publication.title, publication.unit_name, publication.code = title[:300], unit_name[:100], (data.get("code") or "")[:40]
        publication.save(update_fields=["title", "unit_name", "code"])
        if publication.withdrawn_at is None and declaration.status == "published":
            values += [
                PublishedValue(
                    publication_id=publication.pk, unit_id=declaration.unit_id, unit_name=unit_name[:100],
                    year=declaration.year.year, name=item["name"][:300], value=(item.get("value") or "")[:300],
                    basis=(item.get("basis") or "")[:300],
                )
                for item in data.get("indicators") or [] if item.get("name")
            ]
        if len(values) > 5000:
            PublishedValue.objects.bulk_create(values)
            values = []
    PublishedValue.objects.bulk_create(values)


class Migration(migrations.Migration):

    dependencies = [
        ("public", "0001_initial"),
        ("review", "0003_snapshot_header_publication_fields"),
        ("indicators", "0002_published_values"),
        ("declarations", "0004_department_profile"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
