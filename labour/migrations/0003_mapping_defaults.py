"""Install the default profession groups, professions and mapping rules.

Idempotent (only what is missing is added, nothing is changed), so it is safe on a database
where seed_demo or the coordinator already created some of them. Reversing keeps the rows:
by then they may be the coordinator's.
"""

from django.db import migrations


def install(apps, schema_editor):
    from labour.mapping_data import mapping_defaults_install

    mapping_defaults_install(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("labour", "0002_imports_preview_digest"),
        ("guidance", "0003_profession_group"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
