import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The audit trail's actor without a database constraint: an import writes a row per
    pupil, and each would be checked against the users at commit (Django still protects)."""

    dependencies = [
        ("resource_center", "0006_lean_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="audit_entries",
                to=settings.AUTH_USER_MODEL,
                verbose_name="кто",
            ),
        ),
    ]
