"""Install the layouts (版式) and their 一级/二级 frameworks from indicators/fixtures/frameworks.

The YAML files stay the single source: this migration reads them when it runs. It only adds what a
database lacks — a layout by code, a framework by table kind, a 一级 or 二级 by name — and changes
nothing that exists, so a database where `load_demo` already loaded them, or where an administrator
has since edited or added 指标, is left as it is. Reversing it removes nothing: declarations may
already use the frameworks.
"""
from django.db import migrations


def install(apps, schema_editor):
    # The installer works only with the models it is given (here: as of this migration).
    from indicators.services import layouts_install

    layouts_install(apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0002_published_values"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
