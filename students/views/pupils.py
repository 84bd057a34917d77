"""Pages of pupils and technikum students: the profile page and the profile form."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from guidance.selectors.student_page import student_guidance_for
from resource_center import access, audit, page_cache
from resource_center.models import Organisation
from students import selectors
from students.forms.pupils import (
    AchievementFormSet,
    GuardianFormSet,
    NewPupilGuardianFormSet,
    StudentForm,
    achievement_helper,
    formset_edits,
    guardian_helper,
)
from students.models import Consent, Student, held_scopes
from students.services import pupils as services


@require_safe
def student_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    student = access.student_for(request.user, uuid)
    audit.record(actor=request.user, action=audit.Action.VIEW, student=student, request=request)

    def page(student: Student = student) -> HttpResponse:
        # The student's row as the access check read it, with what the page lists prefetched.
        student = selectors.student_detail_for(student=student)
        consents = list(student.consents.all())
        active_scopes = held_scopes(consents)
        has_processing = Consent.Scope.PROCESSING in active_scopes
        can_edit = access.can_edit_student(request.user, student)
        can_manage_consents = access.can_manage_consents(request.user, student)
        scopes_to_give = [
            (v, label) for v, label in Consent.Scope.choices if v not in active_scopes
        ]
        # Questionnaires, events and recommendations exist only under a processing consent.
        guidance = (
            student_guidance_for(student=student, consents=consents)
            if has_processing and access.can_see_guidance_of(request.user, student)
            else None
        )
        return render(
            request,
            "students/student_detail.html",
            {
                "student": student,
                "consents": consents,
                "can_edit": can_edit,
                "can_manage_consents": can_manage_consents,
                "consents_online": can_manage_consents and not can_edit,
                "show_special_needs": access.can_see_special_needs(request.user, student),
                "has_processing": has_processing,
                "scopes_to_give": scopes_to_give,
                "is_school": student.organisation.kind == Organisation.Kind.SCHOOL,
                "guidance": guidance,
                "can_open_placements": access.can_list_placements(request.user),
            },
        )

    return page_cache.cached_page(request, page)


def _render_form(
    request: HttpRequest,
    form: StudentForm,
    guardians: Any,
    achievements: Any,
    student: Student | None,
    student_name: str = "",
) -> HttpResponse:
    return render(
        request,
        "students/student_form.html",
        {
            "form": form,
            "guardians": guardians,
            "guardian_helper": guardian_helper(deletable=True),
            "new_guardian_helper": guardian_helper(deletable=False),
            "achievements": achievements,
            "with_optional": achievements is not None,
            "achievement_helper": achievement_helper(deletable=True),
            "new_achievement_helper": achievement_helper(deletable=False),
            "student": student,
            "student_name": student_name,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def student_create(request: HttpRequest) -> HttpResponse:
    # Pupils are added by the counsellors of their school; the technikum enrols its
    # students by other means for now.
    schools = list(access.schools_for_import(request.user))
    if not schools:
        raise PermissionDenied
    show_special_needs = all(
        access.can_see_special_needs(request.user, Student(organisation=school))
        for school in schools
    )
    data = request.POST if request.method == "POST" else None
    form = StudentForm(
        data,
        user=request.user,
        schools=schools,
        show_special_needs=show_special_needs,
        with_optional=False,
    )
    guardians = NewPupilGuardianFormSet(data, instance=Student(), prefix="guardians")
    if data is not None and form.is_valid() and guardians.is_valid():
        try:
            student = services.student_create(
                school=form.selected_school,
                data=form.student_data(),
                guardians=formset_edits(guardians),
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Обучающийся добавлен. Чтобы вносить профориентационные сведения, "
                    "запишите согласие родителя на обработку персональных данных."
                ),
            )
            return redirect("students:student_detail", uuid=student.uuid)
    return _render_form(request, form, guardians, None, None)


@require_http_methods(["GET", "HEAD", "POST"])
def student_update(request: HttpRequest, uuid: UUID) -> HttpResponse:
    student = access.student_for(request.user, uuid, write=True)
    if request.method == "POST":
        return _student_form_page(request, student, request.POST)
    return page_cache.cached_page(request, lambda: _student_form_page(request, student, None))


def _student_form_page(request: HttpRequest, student: Student, data: Any) -> HttpResponse:
    """The profile form of ``student``: blank from the database, or bound to ``data`` and
    saved when valid."""
    # The bound form writes the typed values onto the instance; the page keeps the old name.
    student_name = student.full_name
    with_optional = selectors.student_has_consent(student=student)
    form = StudentForm(
        data,
        instance=student,
        user=request.user,
        show_special_needs=access.can_see_special_needs(request.user, student),
        with_optional=with_optional,
    )
    guardians = GuardianFormSet(data, instance=student, prefix="guardians")
    achievements = (
        AchievementFormSet(data, instance=student, prefix="achievements") if with_optional else None
    )
    if (
        data is not None
        and form.is_valid()
        and guardians.is_valid()
        and (achievements is None or achievements.is_valid())
    ):
        try:
            services.student_update(
                student=student,
                data=form.student_data(),
                guardians=formset_edits(guardians),
                achievements=formset_edits(achievements) if achievements is not None else None,
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect("students:student_detail", uuid=student.uuid)
    return _render_form(request, form, guardians, achievements, student, student_name)
