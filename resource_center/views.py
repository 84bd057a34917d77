"""The role-aware home page, the health page and the liveness ping."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from health_check.views import HealthCheckView

from employers.models import DualTrainingPlace, Vacancy
from resource_center import access, selectors
from resource_center.health import worker_heartbeat
from resource_center.models import Organisation, Role
from schools.models import Programme
from students.models import Student


@login_not_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see the public summary; staff, parents and pupils their panels."""
    user = request.user
    if not user.is_authenticated:
        return render(
            request,
            "resource_center/home_public.html",
            {**_public_figures(), "events": selectors.upcoming_events(user=user)},
        )
    acc = access.access_of(user)
    context: dict[str, object] = {"roles": list(access.roles_of(user))}
    if acc.has(*access.PUPIL_READERS):
        context["school_panels"] = selectors.school_panels(
            schools=access.staff_organisations(user, *access.PUPIL_READERS)
        )
    if acc.has(Role.TECHNIKUM_STAFF):
        context["technikum"] = selectors.technikum_panel(
            technikum_ids=acc.organisations(Role.TECHNIKUM_STAFF)
        )
    if acc.has(Role.EMPLOYER_REP):
        context["employer"] = selectors.employer_panel(
            employer_ids=acc.organisations(Role.EMPLOYER_REP)
        )
    if acc.has(Role.CENTRE_SPECIALIST):
        context["labour_market"] = selectors.district_vacancies_panel(
            district_ids=acc.districts(Role.CENTRE_SPECIALIST)
        )
    if acc.has(Role.COORDINATOR):
        context["district"] = selectors.district_panel(
            district_ids=acc.districts(Role.COORDINATOR), suppress=False
        )
        context["district"]["vacancies_on_moderation"] = selectors.vacancies_on_moderation(
            district_ids=acc.districts(Role.COORDINATOR)
        )
    elif acc.has(Role.ADMINISTRATION):
        context["district"] = selectors.district_panel(
            district_ids=acc.districts(Role.ADMINISTRATION), suppress=True
        )
        context["district_suppressed"] = True
    if "district" in context:
        context["grade_chart"] = _grade_chart(context["district"]["pupils_by_grade"])
    if acc.is_parent or acc.is_pupil:
        context["children"] = (
            access.students_visible_to(user)
            .filter(guardians__user=user)
            .select_related("organisation")
            .distinct()
            if acc.is_parent
            else []
        )
        context["own_student"] = (
            Student.objects.filter(user=user).select_related("organisation").first()
        )
    context["organisations"] = access.staff_organisations(user, *Role.values)
    context["events"] = selectors.upcoming_events(user=user)
    return render(request, "resource_center/home.html", context)


def _grade_chart(rows: list[selectors.GradeRow]) -> dict[str, object]:
    """Chart.js data of pupils by grade; hidden small counts stay gaps (null)."""
    return {
        "labels": [_("%(grade)d класс") % {"grade": r.grade} for r in rows],
        "totals": [r.total for r in rows],
        "consents": [r.with_consent for r in rows],
        "totalLabel": _("Обучающихся"),
        "consentLabel": _("С согласием на обработку данных"),
    }


def _public_figures() -> dict[str, object]:
    return {
        "programmes": Programme.objects.published().aggregate(
            count=Count("id"), budget_seats=Sum("budget_seats")
        ),
        "vacancies": Vacancy.objects.published().aggregate(
            count=Count("id"), for_minors=Count("id", filter=Q(for_minors=True))
        ),
        "places": DualTrainingPlace.objects.published().aggregate(
            count=Count("id"), seats=Sum("seats")
        ),
        "schools": Organisation.objects.schools().filter(is_active=True).count(),
    }


@login_not_required
@require_safe
def ping(request: HttpRequest) -> HttpResponse:
    """«ok» without touching the database: a liveness probe, and the baseline of bench/load.py
    (the cost of the server and the middleware alone)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


CHECK_NAMES = {"Database": _("База данных"), "Broker": _("Брокер очередей Celery")}


class HealthView(HealthCheckView):
    """Database and broker status; 503 with the failing service named when one is down.

    The Celery heartbeat is shown as a third row that warns but never fails the page.
    """

    template_name = "resource_center/health.html"
    http_method_names = ["get", "head"]
    checks = (
        "health_check.checks.Database",
        "resource_center.health.Broker",
    )

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            (CHECK_NAMES.get(type(r.check).__name__, type(r.check).__name__), r)
            for r in self.results
        ]
        context["heartbeat"] = self.heartbeat
        return context

    async def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        self.heartbeat = await worker_heartbeat()
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            # A service being down is not a server error of this page.
            response.status_code = 503
        return response


health = login_not_required(HealthView.as_view())
