from django.db import migrations, models


class Migration(migrations.Migration):
    """An index on the person key (folded surname, birth date).

    The continuity report looks up each matched technikum student's earlier school record
    by name and birth date across the schools of a district or the region; without it each
    look-up walks every school's surname index.
    """

    dependencies = [
        ("students", "0004_lean_student_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="student",
            index=models.Index(
                fields=["last_name_folded", "birth_date"], name="student_person_key"
            ),
        ),
    ]
