"""Hand-made data for the district reports: pupils with known attributes, so each test
computes the expected figures from the same list in plain Python."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from students.models import Student, current_academic_year
from tests import factories as f


@dataclass
class PupilSpec:
    school: str  # "school_a", "school_b", "other_district_school"
    grade: int
    consent: bool = False
    profile: bool = False
    attempt_scale: int | None = None  # index into ReportData.scales
    path_9: str = ""
    path_11: str = ""
    year_offset: int = 0  # -1: last academic year
    active: bool = True


@dataclass
class ReportData:
    specs: list[PupilSpec]
    students: list[Student]
    scales: list = field(default_factory=list)
    questionnaire: object = None

    def school_name(self, world, key: str) -> str:
        return getattr(world, key).short_name


def default_specs() -> list[PupilSpec]:
    """Varied on purpose: school A has many pupils in grade 9, school B few (1–4 per cell),
    and pupils of another district, last year and left school must never be counted."""
    specs: list[PupilSpec] = []
    paths_9 = ["grade_10", "technikum", "technikum", "other_college", "", "work"]
    paths_11 = ["university", "technikum", "army", "", "university"]
    for i in range(14):
        specs.append(
            PupilSpec(
                "school_a",
                9,
                consent=i % 3 != 0,
                profile=i % 2 == 0,
                attempt_scale=i % 3 if i < 10 else None,
                path_9=paths_9[i % len(paths_9)],
            )
        )
    for i in range(7):
        specs.append(
            PupilSpec(
                "school_a",
                11,
                consent=True,
                profile=i < 3,
                attempt_scale=0 if i < 6 else None,
                path_11=paths_11[i % len(paths_11)],
            )
        )
    for i in range(3):
        specs.append(PupilSpec("school_b", 9, consent=i < 2, attempt_scale=1, path_9="technikum"))
    specs.append(PupilSpec("school_b", 8, consent=True, profile=True, attempt_scale=2))
    specs += [
        PupilSpec("other_district_school", 9, consent=True, attempt_scale=0, path_9="work"),
        PupilSpec("school_a", 9, consent=True, attempt_scale=0, year_offset=-1, path_9="work"),
        PupilSpec("school_b", 9, consent=True, attempt_scale=0, active=False, path_9="work"),
    ]
    return specs


def build(world, specs: list[PupilSpec], *, questionnaire=None, scales=None) -> ReportData:
    year = current_academic_year()
    questionnaire = questionnaire or f.QuestionnaireFactory(short_title="Тест")
    scales = scales or [
        f.ScaleFactory(questionnaire=questionnaire, code=c, name=n, order=i)
        for i, (c, n) in enumerate([("T", "Техника"), ("P", "Природа"), ("Z", "Знак")])
    ]
    students = []
    for n, spec in enumerate(specs):
        student = f.StudentFactory(
            organisation=getattr(world, spec.school),
            grade=spec.grade,
            academic_year=year + spec.year_offset,
            last_name=f"Секретов{n}",
            first_name="Тайна",
            is_active=spec.active,
            interests="Техника" if spec.profile else "",
            path_after_9=spec.path_9,
            path_after_11=spec.path_11,
        )
        if spec.consent:
            f.ConsentFactory(student=student)
        if spec.attempt_scale is not None:
            # An older result of another type: only the latest one counts.
            f.AttemptFactory(
                student=student,
                questionnaire=questionnaire,
                leading_scale=scales[(spec.attempt_scale + 1) % len(scales)],
                completed_at=timezone.now() - datetime.timedelta(hours=2),
            )
            f.AttemptFactory(
                student=student,
                questionnaire=questionnaire,
                leading_scale=scales[spec.attempt_scale],
                completed_at=timezone.now() - datetime.timedelta(hours=1),
            )
        students.append(student)
    return ReportData(specs=specs, students=students, scales=scales, questionnaire=questionnaire)


@pytest.fixture
def report_data(world) -> ReportData:
    return build(world, default_specs())


def counted(specs: list[PupilSpec]) -> list[PupilSpec]:
    """The pupils a district report of the current year covers: this district, active."""
    return [
        s for s in specs if s.school != "other_district_school" and s.year_offset == 0 and s.active
    ]
