"""Reads of the class activities' screens: the classes to record for, the class's pupils,
the list of activities and one activity's participants."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from career_minimum.models import MAX_GRADE, MIN_GRADE, Activity, Participation
from resource_center.models import Organisation
from students.models import Student


@dataclass(frozen=True)
class SchoolClass:
    """A class of a school in one academic year that has active pupils."""

    school_id: int
    school_name: str
    grade: int
    class_letter: str
    pupils: int

    @property
    def key(self) -> str:
        """The value a form posts: «<school id>-<grade>-<letter>»."""
        return f"{self.school_id}-{self.grade}-{self.class_letter}"

    @property
    def name(self) -> str:
        return f"{self.grade}{self.class_letter}"


def class_pupils(
    *, school: Organisation | int, academic_year: int, grade: int, class_letter: str
) -> QuerySet[Student]:
    """The active pupils of one class in one year, by surname (the class register's order)."""
    school_id = school if isinstance(school, int) else school.pk
    return Student.objects.filter(
        organisation_id=school_id,
        academic_year=academic_year,
        grade=grade,
        class_letter=class_letter,
        is_active=True,
    ).order_by("last_name", "first_name", "patronymic", "pk")


def school_classes(*, schools: QuerySet[Organisation], academic_year: int) -> list[SchoolClass]:
    """Classes of grades 6–11 of the schools with active pupils in the year, with how many
    pupils each has: one grouped query."""
    rows = (
        Student.objects.filter(
            organisation__in=schools,
            academic_year=academic_year,
            is_active=True,
            grade__gte=MIN_GRADE,
            grade__lte=MAX_GRADE,
        )
        .values("organisation_id", "organisation__short_name", "grade", "class_letter")
        .annotate(pupils=Count("pk"))
        .order_by("organisation__short_name", "organisation_id", "grade", "class_letter")
    )
    return [
        SchoolClass(
            school_id=row["organisation_id"],
            school_name=row["organisation__short_name"],
            grade=row["grade"],
            class_letter=row["class_letter"],
            pupils=row["pupils"],
        )
        for row in rows
    ]


def class_choices(classes: list[SchoolClass]) -> list[tuple[str, object]]:
    """Choices of a select: flat for one school, grouped by school for several."""

    def label(c: SchoolClass) -> str:
        return _("%(name)s — обучающихся: %(n)s") % {"name": c.name, "n": c.pupils}

    schools = list(dict.fromkeys((c.school_id, c.school_name) for c in classes))
    if len(schools) <= 1:
        return [(c.key, label(c)) for c in classes]
    return [
        (name, [(c.key, label(c)) for c in classes if c.school_id == school_id])
        for school_id, name in schools
    ]


def activity_list_for(
    *,
    activities: QuerySet[Activity],
    academic_year: int,
    school_class: SchoolClass | None = None,
    direction_id: int | None = None,
) -> QuerySet[Activity]:
    """Activities of the year, newest first, with their school, direction and how many of
    the class were present and absent (counted in the same query)."""
    qs = activities.filter(academic_year=academic_year)
    if school_class is not None:
        qs = qs.filter(
            school_id=school_class.school_id,
            grade=school_class.grade,
            class_letter=school_class.class_letter,
        )
    if direction_id is not None:
        qs = qs.filter(direction_id=direction_id)
    return (
        qs.select_related("school", "direction")
        .annotate(
            present=Count("participations", filter=Q(participations__attended=True)),
            absent=Count("participations", filter=Q(participations__attended=False)),
        )
        .order_by("-held_on", "grade", "class_letter", "-pk")
    )


def activity_participants(*, activity: Activity) -> list[Participation]:
    """The activity's pupils with their presence, by surname: one query with the pupil."""
    return list(
        Participation.objects.filter(activity=activity)
        .select_related("student")
        .only(
            "uuid",
            "attended",
            "activity_id",
            "student__uuid",
            "student__last_name",
            "student__first_name",
            "student__patronymic",
            "student__grade",
            "student__class_letter",
            "student__is_active",
            "student__organisation_id",
        )
        .order_by("student__last_name", "student__first_name", "student__patronymic", "pk")
    )
