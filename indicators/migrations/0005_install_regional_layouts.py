"""Install the regional layouts added since 0003 (guangdong, hunan-*, neimenggu) on
databases migrated before: the same add-only installer over indicators/fixtures/frameworks."""
from django.db import migrations


def install(apps, schema_editor):
    from indicators.services import layouts_install

    layouts_install(apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0004_layout_definition"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
