import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Fewer index entries per imported pupil.

    The (last_name, first_name, birth_date) index served no query: the district-wide
    duplicate check filters on the folded surname, which student_surname_search serves.
    The programme index keeps only the students that have one (technikum students).
    """

    dependencies = [
        ("schools", "0003_paid_seats_competences"),
        ("students", "0003_lean_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="student",
            name="students_st_last_na_518521_idx",
        ),
        migrations.AlterField(
            model_name="student",
            name="programme",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="students",
                to="schools.programme",
                verbose_name="программа техникума",
            ),
        ),
        migrations.AddIndex(
            model_name="student",
            index=models.Index(
                condition=models.Q(("programme__isnull", False)),
                fields=["programme"],
                name="student_programme",
            ),
        ),
    ]
