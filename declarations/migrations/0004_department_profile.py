"""职能 and 机构 move from the unit to each 部门整体 declaration (issue 12, finding 1)."""

from django.db import migrations, models


def copy_profiles_from_units(apps, schema_editor):
    """The unit's 职能/机构 become each of its 部门整体 declarations' own (printed per year)."""
    Unit = apps.get_model("declarations", "Unit")
    Department = apps.get_model("declarations", "DepartmentDeclaration")
    for unit in Unit.objects.exclude(functions="", organisation=""):
        Department.objects.filter(unit=unit).update(functions=unit.functions, organisation=unit.organisation)


class Migration(migrations.Migration):

    dependencies = [
        ('declarations', '0003_list_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='departmentdeclaration',
            name='functions',
            field=models.TextField(blank=True, verbose_name='单位主要职能'),
        ),
        migrations.AddField(
            model_name='departmentdeclaration',
            name='organisation',
            field=models.TextField(blank=True, verbose_name='机构设置及人员配置'),
        ),
        migrations.AddField(
            model_name='historicaldepartmentdeclaration',
            name='functions',
            field=models.TextField(blank=True, verbose_name='单位主要职能'),
        ),
        migrations.AddField(
            model_name='historicaldepartmentdeclaration',
            name='organisation',
            field=models.TextField(blank=True, verbose_name='机构设置及人员配置'),
        ),
        migrations.RunPython(copy_profiles_from_units, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='unit',
            name='functions',
        ),
        migrations.RemoveField(
            model_name='unit',
            name='organisation',
        ),
    ]
