"""Parent invitations: a counsellor issues a one-time code, the parent accepts it."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from resource_center import access
from resource_center.throttle import FailureThrottle
from students.forms.invitations import (
    INVALID_CODE_MESSAGE,
    InvitationAcceptForm,
    InvitationCodeForm,
)
from students.models import Guardian
from students.services import invitations as services

# Wrong or malformed codes allowed per client address within the window.
INVITATION_THROTTLE = FailureThrottle(scope="invitation-accept", limit=10, window=15 * 60)

# The account was not made through authenticate(), so login() must be told the backend.
_LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_POST
@never_cache
def invitation_create(request: HttpRequest, uuid: UUID, guardian_uuid: UUID) -> HttpResponse:
    student = access.student_for(request.user, uuid, write=True)
    guardian = get_object_or_404(Guardian.objects.filter(student=student), uuid=guardian_uuid)
    if guardian.user_id is not None:
        messages.error(
            request,
            _("У родителя %(name)s уже есть учётная запись на портале: новый код не нужен.")
            % {"name": guardian.full_name},
        )
        return redirect("students:student_detail", uuid=student.uuid)
    invitation, code = services.guardian_invitation_issue(
        guardian=guardian, by=request.user, request=request
    )
    # Rendered straight from the POST, never redirected to: the code exists only in this
    # response (the database keeps its hash), and never_cache keeps it out of caches.
    return render(
        request,
        "students/invitation_code.html",
        {
            "student": student,
            "guardian": guardian,
            "invitation": invitation,
            "code": services.invitation_code_format(code),
            "accept_url": request.build_absolute_uri(reverse("students:invitation_accept")),
        },
    )


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@sensitive_post_parameters("code", "password1", "password2")
@never_cache
def invitation_accept(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated and not access.access_of(user).is_parent:
        # Staff or a pupil: a parent account is made by the parent, after logging this one out.
        return render(request, "students/invitation_accept.html", {"wrong_account": True})
    form_class = InvitationCodeForm if user.is_authenticated else InvitationAcceptForm
    if request.method != "POST":
        return render(request, "students/invitation_accept.html", {"form": form_class()})

    if INVITATION_THROTTLE.blocked(request):
        return _too_many_attempts(request, form_class)
    form = form_class(request.POST)
    if not form.is_valid():
        if form.has_error("code", "invalid"):
            INVITATION_THROTTLE.fail(request)
        return render(request, "students/invitation_accept.html", {"form": form})

    try:
        if user.is_authenticated:
            account = services.guardian_invitation_accept(
                code=form.cleaned_data["code"], user=user, request=request
            )
        else:
            account = services.guardian_invitation_accept(
                code=form.cleaned_data["code"],
                new_account=services.NewAccount(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                ),
                request=request,
            )
    except services.InvitationInvalid:
        INVITATION_THROTTLE.fail(request)
        form.add_error("code", ValidationError(INVALID_CODE_MESSAGE, code="invalid"))
    except services.UsernameTaken:
        form.add_error("username", _("Этот логин уже занят, придумайте другой."))
    except ValidationError as error:
        form.add_error("password2", error)
    else:
        if not user.is_authenticated:
            login(request, account, backend=_LOGIN_BACKEND)
            messages.success(
                request,
                _("Учётная запись создана. Страница ребёнка — в разделе «Мои дети»."),
            )
        else:
            messages.success(request, _("Ребёнок добавлен в раздел «Мои дети»."))
        return redirect("home")
    return render(request, "students/invitation_accept.html", {"form": form})


def _too_many_attempts(request: HttpRequest, form_class: type[InvitationCodeForm]) -> HttpResponse:
    return render(
        request,
        "students/invitation_accept.html",
        {
            "form": form_class(),
            "too_many_attempts": True,
            "window_minutes": INVITATION_THROTTLE.window_minutes,
        },
        status=429,
    )
