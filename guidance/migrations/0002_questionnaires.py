"""Install the two shipped questionnaires (Klimov's ДДО and RIASEC) with their scoring keys."""

from django.db import migrations


def install(apps, schema_editor):
    from guidance.questionnaire_data import install_questionnaires

    install_questionnaires(
        {
            name: apps.get_model("guidance", name)
            for name in ("Questionnaire", "Scale", "Band", "Question", "Option")
        }
    )


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_initial")]

    # Reverse is a no-op: the coordinator may have edited the questionnaires, and attempts
    # refer to them.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
