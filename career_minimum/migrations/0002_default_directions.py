from django.db import migrations

from career_minimum.directions import directions_install


def install(apps, schema_editor):
    directions_install(apps.get_model("career_minimum", "Direction"))


class Migration(migrations.Migration):
    dependencies = [("career_minimum", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
