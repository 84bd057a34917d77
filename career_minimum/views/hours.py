"""Hours of the career-guidance minimum: the class sheet (and its XLSX), a pupil's page,
the school's level of the year."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from career_minimum import selectors
from career_minimum import selectors_activities as class_reads
from career_minimum.forms import SchoolPlanForm, year_label
from career_minimum.models import SchoolPlan
from career_minimum.services import school_plan_choose
from resource_center import access, audit
from resource_center.models import AuditEntry, Organisation
from students.models import current_academic_year

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class SheetChoice:
    """The school and class the sheet shows, with the choices offered."""

    schools: list[Organisation]
    school: Organisation | None
    classes: list[tuple[int, str]]
    grade: int | None
    letter: str
    year: int

    @property
    def class_name(self) -> str:
        return f"{self.grade}{self.letter}" if self.grade else ""

    @property
    def class_key(self) -> str:
        return f"{self.grade}-{self.letter}" if self.grade else ""

    def class_options(self) -> list[tuple[str, str]]:
        return [(f"{g}-{letter}", f"{g}{letter}") for g, letter in self.classes]


def _sheet_choice(request: HttpRequest) -> SheetChoice:
    """Parse ?school=&class= against what the user may read; a wrong value gets a message
    and the first school or class instead."""
    year = current_academic_year()
    schools = list(access.career_schools_of(request.user).order_by("short_name", "pk"))
    school = schools[0] if schools else None
    wanted = request.GET.get("school")
    if wanted:
        found = next((s for s in schools if str(s.pk) == wanted), None)
        if found is None:
            messages.warning(request, _("Эта школа вам недоступна: показана другая."))
        else:
            school = found
    classes = (
        [
            (c.grade, c.class_letter)
            for c in class_reads.school_classes(
                schools=Organisation.objects.filter(pk=school.pk), academic_year=year
            )
        ]
        if school
        else []
    )
    grade, letter = classes[0] if classes else (None, "")
    wanted_class = request.GET.get("class")
    if wanted_class and classes:
        match = next((c for c in classes if f"{c[0]}-{c[1]}" == wanted_class), None)
        if match is None:
            messages.warning(
                request, _("Такого класса в школе нет в этом учебном году: показан другой.")
            )
        else:
            grade, letter = match
    return SheetChoice(schools, school, classes, grade, letter, year)


def _sheet(choice: SheetChoice) -> selectors.Sheet | None:
    if choice.school is None or choice.grade is None:
        return None
    level = selectors.school_level(school=choice.school, year=choice.year)
    pupils = class_reads.class_pupils(
        school=choice.school,
        academic_year=choice.year,
        grade=choice.grade,
        class_letter=choice.letter,
    ).only(
        # organisation_id: the export's audit rows name the pupil's school.
        "uuid",
        "organisation_id",
        "last_name",
        "first_name",
        "patronymic",
        "grade",
        "class_letter",
    )
    return selectors.pupil_hours_sheet(pupils=pupils, year=choice.year, level=level)


@require_safe
def class_sheet(request: HttpRequest) -> HttpResponse:
    """Every pupil of a class with hours by direction, the level total and who is behind."""
    if not access.can_read_career_minimum(request.user):
        raise PermissionDenied
    choice = _sheet_choice(request)
    return render(
        request,
        "career_minimum/sheet.html",
        {
            "choice": choice,
            "sheet": _sheet(choice),
            "year_label": year_label(choice.year),
            "can_choose_level": access.can_choose_career_level(request.user),
        },
    )


def _hours(value: Any) -> float:
    return float(value)


def sheet_workbook(choice: SheetChoice, sheet: selectors.Sheet) -> bytes:
    """The sheet as an XLSX: school, class, date and level on top, then one row a pupil."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Профминимум %(name)s") % {"name": choice.class_name}
    level = sheet.level.label if sheet.level.chosen else _("не выбран (считается базовый)")
    head = [
        _("Профминимум: часы обучающихся"),
        _("Школа: %(school)s") % {"school": choice.school.short_name if choice.school else ""},
        _("Класс: %(name)s, учебный год %(year)s")
        % {"name": choice.class_name, "year": year_label(choice.year)},
        _("Данные на %(date)s") % {"date": sheet.day.strftime("%d.%m.%Y")},
        _("Уровень: %(level)s; цель на год %(target)s ч, на дату %(now)s ч")
        % {"level": level, "target": sheet.full_target, "now": sheet.target},
    ]
    for line in head:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    header = [
        _("№"),
        _("Обучающийся"),
        *(d.title for d in sheet.directions),
        _("В зачёт уровня"),
        _("Цель на дату"),
        _("Отметка"),
    ]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    behind_fill = PatternFill("solid", fgColor="F8D7DA")
    for number, row in enumerate(sheet.rows, start=1):
        ws.append(
            [
                number,
                row.student.full_name,
                *(_hours(row.hours(d)) for d in sheet.directions),
                _hours(row.level_total),
                _hours(sheet.target),
                _("отстаёт") if row.behind else _("в графике"),
            ]
        )
        if row.behind:
            ws.cell(row=ws.max_row, column=len(header)).fill = behind_fill
    widths = [5, 36, *(max(12, min(30, len(d.title))) for d in sheet.directions), 14, 14, 12]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@require_GET
def class_sheet_export(request: HttpRequest) -> HttpResponse:
    """The class sheet as an XLSX file with the same figures; audited as an export."""
    if not access.can_read_career_minimum(request.user):
        raise PermissionDenied
    choice = _sheet_choice(request)
    sheet = _sheet(choice)
    if sheet is None:
        messages.warning(request, _("Нет класса 6–11 классов для выгрузки."))
        return redirect("career_minimum:class_sheet")
    audit.record_many(
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        students=[r.student for r in sheet.rows],
        details=_("Профминимум, класс %(name)s") % {"name": choice.class_name},
        request=request,
    )
    response = HttpResponse(sheet_workbook(choice, sheet), content_type=XLSX_CONTENT_TYPE)
    name = f"career-minimum-{choice.grade}-{sheet.day.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def student_hours(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One pupil's hours by direction against the target, what gave them, what is missing."""
    student = access.career_minimum_student_for(request.user, uuid)
    audit.record(
        actor=request.user, action=AuditEntry.Action.VIEW, student=student, request=request
    )
    page = selectors.pupil_page(student=student)
    return render(
        request,
        "career_minimum/student_hours.html",
        {
            "student": student,
            "page": page,
            "sheet": page.sheet,
            "row": page.row,
            "year_label": year_label(student.academic_year),
            "is_staff_reader": access.career_schools_of(request.user)
            .filter(pk=student.organisation_id)
            .exists(),
        },
    )


def _plans_of(schools: QuerySet[Organisation], year: int) -> list[tuple[Organisation, Any]]:
    plans = {
        p.school_id: p
        for p in SchoolPlan.objects.filter(school__in=schools, academic_year=year).select_related(
            "updated_by"
        )
    }
    return [(s, plans.get(s.pk)) for s in schools]


@require_http_methods(["GET", "HEAD", "POST"])
def school_plan(request: HttpRequest) -> HttpResponse:
    """The head (or the coordinator) chooses the level of the year for their school(s)."""
    if not access.can_choose_career_level(request.user):
        raise PermissionDenied
    schools = access.career_plan_schools_of(request.user).order_by("short_name", "pk")
    year = current_academic_year()
    if request.method == "POST":
        form = SchoolPlanForm(request.POST, schools=schools)
        if form.is_valid():
            plan = school_plan_choose(
                school=form.cleaned_data["school"],
                academic_year=form.cleaned_data["academic_year"],
                level=form.cleaned_data["level"],
                by=request.user,
            )
            messages.success(
                request,
                _("%(school)s: на %(year)s учебный год выбран уровень «%(level)s».")
                % {
                    "school": plan.school.short_name,
                    "year": year_label(plan.academic_year),
                    "level": plan.get_level_display(),
                },
            )
            return redirect("career_minimum:school_plan")
        messages.error(request, _("Уровень не сохранён: исправьте ошибки в форме."))
    else:
        initial: dict[str, Any] = {}
        first = schools.first()
        if first is not None:
            initial["school"] = first
            current = SchoolPlan.objects.filter(school=first, academic_year=year).first()
            if current is not None:
                initial["level"] = current.level
        form = SchoolPlanForm(initial=initial, schools=schools)
    return render(
        request,
        "career_minimum/plan_form.html",
        {
            "form": form,
            "plans": _plans_of(schools, year),
            "year_label": year_label(year),
            "levels": [
                (label, SchoolPlan.TARGET_HOURS[value]) for value, label in SchoolPlan.Level.choices
            ],
        },
    )
