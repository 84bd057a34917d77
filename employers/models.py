"""Employers' vacancies, dual-training places and the placements of students to them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resource_center.models import Organisation
from resource_center.validators import validate_phone

EMPLOYER_CHOICES = {"kind": Organisation.Kind.EMPLOYER}


class VacancyQuerySet(models.QuerySet["Vacancy"]):
    def published(self) -> VacancyQuerySet:
        """Published vacancies of active employers whose «действует до» has not passed."""
        return self.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()),
            status=Vacancy.Status.PUBLISHED,
            employer__is_active=True,
        )

    def for_minors(self) -> VacancyQuerySet:
        return self.filter(for_minors=True)


class Vacancy(models.Model):
    """A job offered by an employer, entered by hand or imported."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        MODERATION = "moderation", _("На модерации")
        PUBLISHED = "published", _("Опубликована")
        CLOSED = "closed", _("Закрыта")

    class Schedule(models.TextChoices):
        FULL_DAY = "full_day", _("Полный день")
        SHIFT = "shift", _("Сменный график")
        FLEXIBLE = "flexible", _("Гибкий график")
        PART_TIME = "part_time", _("Неполный день")
        ROTATION = "rotation", _("Вахтовый метод")
        REMOTE = "remote", _("Удалённая работа")

    class EmploymentType(models.TextChoices):
        FULL = "full", _("Полная занятость")
        PART = "part", _("Частичная занятость")
        TEMPORARY = "temporary", _("Временная работа")
        SEASONAL = "seasonal", _("Сезонная работа")
        INTERNSHIP = "internship", _("Стажировка")

    # Who moves a vacancy between states: its publishers (the employer's representative, the
    # employment centre's specialist) or the coordinator, who moderates.
    TRANSITIONS: dict[tuple[str, str], str] = {
        (Status.DRAFT, Status.MODERATION): "publisher",
        (Status.MODERATION, Status.PUBLISHED): "moderator",
        (Status.MODERATION, Status.DRAFT): "moderator",  # returned with a comment
        (Status.PUBLISHED, Status.CLOSED): "publisher",
        (Status.CLOSED, Status.DRAFT): "publisher",  # reopened, moderated again
    }

    class Source(models.TextChoices):
        MANUAL = "manual", _("Внесена на портале")
        TRUDVSEM = "trudvsem", _("«Работа России»")
        EMPLOYMENT_CENTRE = "employment_centre", _("Выгрузка центра занятости")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("работодатель"),
        on_delete=models.CASCADE,
        related_name="vacancies",
        limit_choices_to=EMPLOYER_CHOICES,
    )
    title = models.CharField(_("должность"), max_length=300)
    okpdtr_code = models.CharField(_("код ОКПДТР"), max_length=10, blank=True)
    profession = models.ForeignKey(
        "guidance.Profession",
        verbose_name=_("профессия"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vacancies",
    )
    description = models.TextField(_("описание"), blank=True)
    salary_from = models.PositiveIntegerField(_("зарплата от, ₽"), null=True, blank=True)
    salary_to = models.PositiveIntegerField(_("зарплата до, ₽"), null=True, blank=True)
    schedule = models.CharField(
        _("график работы"), max_length=20, choices=Schedule.choices, blank=True
    )
    employment_type = models.CharField(
        _("тип занятости"), max_length=20, choices=EmploymentType.choices, blank=True
    )
    requirements = models.TextField(_("требования"), blank=True)
    for_minors = models.BooleanField(_("подходит несовершеннолетним 14–17 лет"), default=False)
    for_graduates = models.BooleanField(_("подходит выпускникам"), default=False)
    for_students = models.BooleanField(_("подходит студентам"), default=False)
    valid_until = models.DateField(_("действует до"), null=True, blank=True)
    moderation_comment = models.TextField(
        _("замечания модератора"),
        blank=True,
        help_text=_("Почему вакансия возвращена на доработку."),
    )
    is_summer_job = models.BooleanField(_("летняя (временная) работа"), default=False)
    min_age = models.PositiveSmallIntegerField(_("возраст от"), null=True, blank=True)
    address = models.CharField(_("адрес места работы"), max_length=500, blank=True)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(
        _("источник"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    external_id = models.CharField(_("идентификатор в источнике"), max_length=100, blank=True)
    source_url = models.URLField(_("страница в источнике"), max_length=500, blank=True)
    sector = models.CharField(
        _("сфера деятельности"),
        max_length=200,
        blank=True,
        help_text=_("Как её называет источник."),
    )
    education = models.CharField(_("требуемое образование"), max_length=100, blank=True)
    experience_years = models.PositiveSmallIntegerField(
        _("требуемый опыт, лет"), null=True, blank=True
    )
    work_places = models.PositiveSmallIntegerField(_("рабочих мест"), default=1)
    # Set by each import that lists the vacancy; one gone from its source is closed.
    last_seen_at = models.DateTimeField(_("последний раз в источнике"), null=True, blank=True)
    closed_at = models.DateTimeField(_("закрыта"), null=True, blank=True)
    published_at = models.DateTimeField(_("опубликована"), null=True, blank=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    objects = VacancyQuerySet.as_manager()

    class Meta:
        verbose_name = _("вакансия")
        verbose_name_plural = _("вакансии")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            # Re-running an import updates a vacancy instead of adding it twice.
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="vacancy_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(salary_from__isnull=True)
                | Q(salary_to__isnull=True)
                | Q(salary_from__lte=F("salary_to")),
                name="vacancy_salary_range",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | (Q(min_age__gte=14) & Q(min_age__lte=70)),
                name="vacancy_min_age_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "moderation", "published", "closed"]),
                name="vacancy_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "for_minors"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.employer})"


class DualTrainingPlaceQuerySet(models.QuerySet["DualTrainingPlace"]):
    def published(self) -> DualTrainingPlaceQuerySet:
        """What the public catalogue shows: published places of active employers, for a
        published programme, whose period has not ended."""
        return self.filter(
            status=DualTrainingPlace.Status.PUBLISHED,
            employer__is_active=True,
            programme__is_published=True,
            ends_on__gte=timezone.localdate(),
        )

    def with_free_seats(self) -> DualTrainingPlaceQuerySet:
        """Adds ``held`` (seat-holding placements) and ``free_seats``, in the same query."""
        return self.annotate(
            held=models.Count("placements", filter=Q(placements__status__in=Placement.SEAT_HOLDING))
        ).annotate(free_seats=F("seats") - F("held"))


class DualTrainingPlace(models.Model):
    """Seats at an employer where technikum students of one programme train under a mentor."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        PUBLISHED = "published", _("Опубликовано")
        CLOSED = "closed", _("Закрыто")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "schools.Programme",
        verbose_name=_("программа"),
        on_delete=models.PROTECT,
        related_name="dual_places",
    )
    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("работодатель"),
        on_delete=models.PROTECT,
        related_name="dual_places",
        limit_choices_to=EMPLOYER_CHOICES,
    )
    workplace = models.CharField(_("рабочее место, участок"), max_length=300)
    address = models.CharField(_("адрес рабочего места"), max_length=500, blank=True)
    # The mentor's name and contacts are personal data: shown to signed-in staff only.
    mentor_name = models.CharField(_("наставник (ФИО)"), max_length=200, blank=True)
    mentor_position = models.CharField(_("должность наставника"), max_length=200, blank=True)
    mentor_phone = models.CharField(
        _("телефон наставника"), max_length=30, blank=True, validators=[validate_phone]
    )
    mentor_email = models.EmailField(_("e-mail наставника"), blank=True)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись наставника"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_places",
    )
    seats = models.PositiveSmallIntegerField(_("мест"))
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    schedule = models.CharField(
        _("режим обучения"),
        max_length=200,
        blank=True,
        help_text=_("Например: 2 дня на предприятии / 3 дня в техникуме."),
    )
    stipend = models.PositiveIntegerField(
        _("стипендия от предприятия, ₽ в месяц"), null=True, blank=True
    )
    requirements = models.TextField(_("требования к студенту"), blank=True)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    objects = DualTrainingPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("место дуального обучения")
        verbose_name_plural = _("места дуального обучения")
        ordering = ["starts_on", "employer"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="dual_place_seats_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="dual_place_period_valid"
            ),
            models.UniqueConstraint(
                fields=["programme", "employer", "workplace", "starts_on"],
                name="dual_place_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "closed"]),
                name="dual_place_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer}: {self.workplace}"


class Placement(models.Model):
    """A technikum student placed at a dual-training place, through its lifecycle."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Предложен техникумом")
        AGREED = "agreed", _("Согласован работодателем")
        CONTRACT_SIGNED = "contract_signed", _("Заключён ученический договор")
        ACTIVE = "active", _("Проходит обучение")
        COMPLETED = "completed", _("Завершено")
        DECLINED = "declined", _("Отклонено работодателем")
        TERMINATED = "terminated", _("Прекращено")

    # The statuses that hold one of the place's seats.
    SEAT_HOLDING = (Status.AGREED, Status.CONTRACT_SIGNED, Status.ACTIVE)
    # The statuses of a placement still under way (one per student and place at a time).
    OPEN = (Status.PROPOSED, *SEAT_HOLDING)
    # The placements through which an employer sees a student: those under way and done.
    VISIBLE_TO_EMPLOYER = (*OPEN, Status.COMPLETED)

    # Which side owns each transition: the technikum proposes, signs and runs the training,
    # the employer agrees or declines, either side can end it (with a reason).
    TRANSITIONS: dict[tuple[str, str], str] = {
        (Status.PROPOSED, Status.AGREED): "employer",
        (Status.PROPOSED, Status.DECLINED): "employer",
        (Status.PROPOSED, Status.TERMINATED): "technikum",
        (Status.AGREED, Status.CONTRACT_SIGNED): "technikum",
        (Status.AGREED, Status.TERMINATED): "either",
        (Status.CONTRACT_SIGNED, Status.ACTIVE): "technikum",
        (Status.CONTRACT_SIGNED, Status.TERMINATED): "either",
        (Status.ACTIVE, Status.COMPLETED): "technikum",
        (Status.ACTIVE, Status.TERMINATED): "either",
    }
    NEEDS_REASON = (Status.DECLINED, Status.TERMINATED)

    # A student's name reaches the employer: the consents it needs (152-FZ).
    REQUIRED_CONSENT_SCOPES = ("processing", "transfer_employers")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    place = models.ForeignKey(
        DualTrainingPlace,
        verbose_name=_("место"),
        on_delete=models.PROTECT,
        related_name="placements",
    )
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("студент"),
        on_delete=models.CASCADE,
        related_name="placements",
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    contract_number = models.CharField(_("номер ученического договора"), max_length=50, blank=True)
    contract_date = models.DateField(_("дата ученического договора"), null=True, blank=True)
    reason = models.TextField(_("причина отказа или прекращения"), blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("направление на дуальное обучение")
        verbose_name_plural = _("направления на дуальное обучение")
        ordering = ["-created_at"]
        constraints = [
            # A student may be proposed again after a refusal, but not twice at a time.
            models.UniqueConstraint(
                fields=["place", "student"],
                condition=Q(status__in=["proposed", "agreed", "contract_signed", "active"]),
                name="placement_unique_open",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "proposed",
                        "agreed",
                        "contract_signed",
                        "active",
                        "completed",
                        "declined",
                        "terminated",
                    ]
                ),
                name="placement_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["contract_signed", "active", "completed"])
                | (~Q(contract_number="") & Q(contract_date__isnull=False)),
                name="placement_contract_when_signed",
            ),
        ]
        indexes = [models.Index(fields=["place", "status"])]

    def __str__(self) -> str:
        return f"{self.student} → {self.place}"

    def next_statuses(self) -> list[str]:
        return [to for (frm, to) in self.TRANSITIONS if frm == self.status]


class PlacementTransition(models.Model):
    """One step of a placement's history: who moved it from which status to which, and why."""

    placement = models.ForeignKey(
        Placement, verbose_name=_("направление"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(
        _("из статуса"), max_length=20, choices=Placement.Status.choices, blank=True
    )
    to_status = models.CharField(_("в статус"), max_length=20, choices=Placement.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("когда"), auto_now_add=True)
    comment = models.TextField(_("комментарий"), blank=True)

    class Meta:
        verbose_name = _("шаг направления")
        verbose_name_plural = _("история направлений")
        ordering = ["placement", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.placement}: {self.from_status or '—'} → {self.to_status}"


class Evaluation(models.Model):
    """A mentor's evaluation of a placed student: marks per competence, hours, comment."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    placement = models.ForeignKey(
        Placement,
        verbose_name=_("направление"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    evaluated_on = models.DateField(_("дата оценки"))
    hours_worked = models.PositiveSmallIntegerField(_("отработано часов"))
    comment = models.TextField(_("комментарий наставника"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто оценил"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)

    class Meta:
        verbose_name = _("оценка наставника")
        verbose_name_plural = _("оценки наставников")
        ordering = ["placement", "evaluated_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_worked__lte=744), name="evaluation_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement}: {self.evaluated_on:%d.%m.%Y}"


class EvaluationMark(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("оценка"), on_delete=models.CASCADE, related_name="marks"
    )
    competence = models.ForeignKey(
        "schools.Competence",
        verbose_name=_("компетенция"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    mark = models.PositiveSmallIntegerField(_("отметка"))

    class Meta:
        verbose_name = _("отметка по компетенции")
        verbose_name_plural = _("отметки по компетенциям")
        ordering = ["evaluation", "competence__order", "competence__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "competence"], name="evaluation_mark_unique"
            ),
            models.CheckConstraint(
                condition=Q(mark__gte=1) & Q(mark__lte=5), name="evaluation_mark_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competence}: {self.mark}"
