"""Pupils of schools and students of the technikum, their guardians and consents."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resource_center.lib.text import fold
from resource_center.models import Organisation
from resource_center.validators import validate_phone

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def current_academic_year(today: datetime.date | None = None) -> int:
    """The starting year of the academic year (2026 for 2026/27); it turns on 1 September."""
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


class PersonName(models.Model):
    """ФИО of a person; the patronymic is optional."""

    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class StudentQuerySet(models.QuerySet["Student"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> StudentQuerySet:
        """The students this user may see; the rule itself lives in resource_center.access."""
        from resource_center import access

        return access.students_visible_to(user, self)

    def pupils(self) -> StudentQuerySet:
        return self.filter(organisation__kind=Organisation.Kind.SCHOOL)

    def technikum_students(self) -> StudentQuerySet:
        return self.filter(organisation__kind=Organisation.Kind.TECHNIKUM)

    def current(self) -> StudentQuerySet:
        return self.filter(academic_year=current_academic_year(), is_active=True)

    def with_consent(self, scope: str = "processing") -> StudentQuerySet:
        """Students with an active consent of the scope (processing unless said otherwise)."""
        return self.filter(active_consent(scope))

    def annotate_consent(self, scope: str = "processing") -> StudentQuerySet:
        """Adds ``has_consent`` (bool) for the scope, in the same query.

        A scalar subquery with LIMIT 1, not EXISTS: PostgreSQL may turn an EXISTS in the
        select list into one hash of every active consent of the table, built for each query
        even when only a page of 50 rows is returned, while this is one probe of the
        one-active-consent-per-scope index per row returned (or filtered on).
        """
        held = (
            Consent.objects.active()
            .filter(student=models.OuterRef("pk"), scope=scope)
            .values(held=models.Value(True))[:1]
        )
        return self.annotate(
            has_consent=Coalesce(
                models.Subquery(held, output_field=models.BooleanField()), models.Value(False)
            )
        )


def active_consent(scope: str, student_ref: str = "pk") -> models.Exists:
    """The condition that the student (``student_ref`` leads to its id) holds an active
    consent of the scope, as a subquery of the same query."""
    return models.Exists(
        Consent.objects.active().filter(student=models.OuterRef(student_ref), scope=scope)
    )


def held_scopes(consents: Iterable[Consent]) -> set[str]:
    """The scopes of the active consents among ``consents`` (already read, e.g. prefetched)."""
    return {c.scope for c in consents if c.is_active}


class Student(PersonName):
    """A school pupil or a technikum student in one academic year."""

    class Sex(models.TextChoices):
        FEMALE = "f", _("Женский")
        MALE = "m", _("Мужской")

    class PathAfter9(models.TextChoices):
        GRADE_10 = "grade_10", _("10 класс")
        TECHNIKUM = "technikum", _("Нытвенский техникум")
        OTHER_COLLEGE = "other_college", _("Другой колледж или техникум")
        WORK = "work", _("Работа")

    class PathAfter11(models.TextChoices):
        UNIVERSITY = "university", _("Вуз")
        TECHNIKUM = "technikum", _("Техникум или колледж")
        WORK = "work", _("Работа")
        ARMY = "army", _("Служба в армии")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("школа или техникум"),
        on_delete=models.PROTECT,
        related_name="students",
        limit_choices_to={"kind__in": [Organisation.Kind.SCHOOL, Organisation.Kind.TECHNIKUM]},
        # Indexes below start with organisation; fewer indexes keep list imports fast.
        db_index=False,
    )
    birth_date = models.DateField(_("дата рождения"))
    sex = models.CharField(_("пол"), max_length=1, choices=Sex.choices, blank=True)
    # Search key for surnames: lower case with «ё» as «е» (SQLite cannot fold Cyrillic).
    last_name_folded = models.CharField(
        _("фамилия для поиска"), max_length=100, default="", editable=False
    )
    grade = models.PositiveSmallIntegerField(
        _("класс или курс"), help_text=_("Класс школы (1–11) или курс техникума (1–4).")
    )
    class_letter = models.CharField(_("буква класса или группа"), max_length=10, blank=True)
    academic_year = models.PositiveSmallIntegerField(
        _("учебный год"), default=current_academic_year, help_text=_("Год начала: 2026 = 2026/27.")
    )
    programme = models.ForeignKey(
        "schools.Programme",
        verbose_name=_("программа техникума"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="students",
        # Only technikum students have one: the partial index below skips the NULLs.
        db_index=False,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись обучающегося"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
    )
    phone = models.CharField(_("телефон"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    interests = models.TextField(_("интересы и увлечения"), blank=True)
    preferred_professions = models.TextField(_("профессии, которые нравятся"), blank=True)
    path_after_9 = models.CharField(
        _("планы после 9 класса"), max_length=20, choices=PathAfter9.choices, blank=True
    )
    path_after_11 = models.CharField(
        _("планы после 11 класса"), max_length=20, choices=PathAfter11.choices, blank=True
    )
    has_special_needs = models.BooleanField(
        _("ОВЗ"), default=False, help_text=_("Ограниченные возможности здоровья.")
    )
    notes = models.TextField(_("заметки"), blank=True)
    is_active = models.BooleanField(_("обучается"), default=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    objects = StudentQuerySet.as_manager()

    # Career-guidance data kept only while a processing consent is active (152-FZ); the
    # rest is what the school must keep anyway.
    OPTIONAL_FIELDS = (
        "phone",
        "email",
        "interests",
        "preferred_professions",
        "path_after_9",
        "path_after_11",
        "notes",
    )

    class Meta:
        verbose_name = _("обучающийся")
        verbose_name_plural = _("обучающиеся")
        ordering = ["last_name", "first_name", "patronymic"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__gte=1) & Q(grade__lte=11), name="student_grade_range"
            ),
            models.CheckConstraint(
                condition=Q(academic_year__gte=2000) & Q(academic_year__lte=2100),
                name="student_academic_year_range",
            ),
            models.CheckConstraint(condition=Q(sex__in=["", "f", "m"]), name="student_sex_valid"),
            # The natural key that makes a re-imported list update its pupils; its index also
            # serves the counsellor's list (one school, one year).
            models.UniqueConstraint(
                fields=[
                    "organisation",
                    "academic_year",
                    "last_name",
                    "first_name",
                    "patronymic",
                    "birth_date",
                ],
                name="student_unique_person_per_year",
            ),
        ]
        indexes = [
            # The enrolled pupils of a school and year: the list's count and its choice of
            # years read this index alone (an index-only scan), not the table.
            models.Index(
                fields=["organisation", "academic_year"],
                name="student_active_by_year",
                condition=Q(is_active=True),
            ),
            # Surname prefix search (LIKE 'x%'): PostgreSQL needs the pattern opclass. It also
            # serves the district-wide duplicate check (same folded surname in each school of
            # the district, then birth date and the other names).
            models.Index(
                fields=["organisation", "last_name_folded"],
                name="student_surname_search",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            # The same person's records in other schools and years (the continuity report
            # finds a technikum student's earlier school by name and birth date).
            models.Index(fields=["last_name_folded", "birth_date"], name="student_person_key"),
            # Students of a programme (and the PROTECT check when one is deleted); pupils of
            # schools, most of the table, have none and are not in it.
            models.Index(
                fields=["programme"],
                name="student_programme",
                condition=Q(programme__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived column, kept in step with last_name on every save; bulk writers call
        # set_search_key() themselves.
        self.set_search_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "last_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "last_name_folded"}
        super().save(*args, **kwargs)

    def set_search_key(self) -> None:
        self.last_name_folded = fold(self.last_name)

    @property
    def class_name(self) -> str:
        return f"{self.grade}{self.class_letter}"

    def age_on(self, day: datetime.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Guardian(PersonName):
    """A parent or other legal representative of one student."""

    class Relation(models.TextChoices):
        MOTHER = "mother", _("Мать")
        FATHER = "father", _("Отец")
        GUARDIAN = "guardian", _("Опекун (попечитель)")
        OTHER = "other", _("Иной законный представитель")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey(
        Student, verbose_name=_("обучающийся"), on_delete=models.CASCADE, related_name="guardians"
    )
    relation = models.CharField(_("кем приходится"), max_length=20, choices=Relation.choices)
    phone = models.CharField(_("телефон"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    # One parent account may be linked to the records of several children.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись родителя"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardianships",
    )

    class Meta:
        verbose_name = _("родитель (законный представитель)")
        verbose_name_plural = _("родители (законные представители)")
        ordering = ["student", "relation"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "last_name", "first_name", "patronymic"],
                name="guardian_unique_per_student",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Achievement(models.Model):
    """An olympiad, competition or other result of a student."""

    class Kind(models.TextChoices):
        OLYMPIAD = "olympiad", _("Олимпиада")
        COMPETITION = "competition", _("Конкурс, соревнование")
        OTHER = "other", _("Другое")

    class Level(models.TextChoices):
        SCHOOL = "school", _("Школьный")
        MUNICIPAL = "municipal", _("Муниципальный")
        REGIONAL = "regional", _("Региональный")
        NATIONAL = "national", _("Всероссийский")
        INTERNATIONAL = "international", _("Международный")

    class Result(models.TextChoices):
        PARTICIPANT = "participant", _("Участник")
        PRIZE_WINNER = "prize_winner", _("Призёр")
        WINNER = "winner", _("Победитель")

    student = models.ForeignKey(
        Student,
        verbose_name=_("обучающийся"),
        on_delete=models.CASCADE,
        related_name="achievements",
    )
    title = models.CharField(_("название"), max_length=300)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.OLYMPIAD)
    level = models.CharField(_("уровень"), max_length=20, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("год"))
    result = models.CharField(
        _("результат"), max_length=20, choices=Result.choices, default=Result.PARTICIPANT
    )

    class Meta:
        verbose_name = _("достижение")
        verbose_name_plural = _("достижения")
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="achievement_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self) -> ConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """A guardian's consent to the processing or transfer of a student's personal data."""

    class Scope(models.TextChoices):
        PROCESSING = "processing", _("Обработка школой и ресурсным центром")
        TRANSFER_TECHNIKUM = "transfer_technikum", _("Передача техникуму")
        TRANSFER_EMPLOYERS = "transfer_employers", _("Передача работодателям")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    student = models.ForeignKey(
        Student, verbose_name=_("обучающийся"), on_delete=models.CASCADE, related_name="consents"
    )
    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("кто дал согласие"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    scope = models.CharField(_("на что"), max_length=30, choices=Scope.choices)
    given_on = models.DateField(_("дата согласия"))
    document_number = models.CharField(_("номер документа"), max_length=50, blank=True)
    withdrawn_at = models.DateTimeField(_("отозвано"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто внёс"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто внёс отзыв"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("внесено"), auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("согласие на обработку персональных данных")
        verbose_name_plural = _("согласия на обработку персональных данных")
        ordering = ["-given_on", "-created_at"]
        constraints = [
            # A scope is given once at a time; a new consent follows a withdrawal.
            models.UniqueConstraint(
                fields=["student", "scope"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=["processing", "transfer_technikum", "transfer_employers"]),
                name="consent_scope_valid",
            ),
        ]
        indexes = [models.Index(fields=["student", "scope"])]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_scope_display()}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


# Which transfer consent lets a pupil's name reach an organisation of each kind (events,
# placements); other kinds need the processing consent alone.
TRANSFER_SCOPE_OF_KIND: dict[str, str] = {
    Organisation.Kind.TECHNIKUM: Consent.Scope.TRANSFER_TECHNIKUM,
    Organisation.Kind.EMPLOYER: Consent.Scope.TRANSFER_EMPLOYERS,
}


class PupilImport(models.Model):
    """One uploaded pupil list: previewed first, then committed all at once (or discarded)."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Предпросмотр")
        COMMITTED = "committed", _("Загружен")
        DISCARDED = "discarded", _("Отменён")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("школа"),
        on_delete=models.CASCADE,
        related_name="pupil_imports",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто загрузил"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField(_("файл"), max_length=255)
    file_format = models.CharField(_("формат"), max_length=10)
    encoding = models.CharField(_("кодировка"), max_length=20, blank=True)
    # The uploaded bytes, kept between the preview and the commit (size is capped by the form).
    content = models.BinaryField(_("содержимое"), editable=False)
    academic_year = models.PositiveSmallIntegerField(
        _("учебный год"), default=current_academic_year
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.PREVIEW
    )
    rows_total = models.PositiveIntegerField(_("строк"), default=0)
    rows_invalid = models.PositiveIntegerField(_("строк с ошибками"), default=0)
    created_count = models.PositiveIntegerField(_("добавлено"), default=0)
    updated_count = models.PositiveIntegerField(_("обновлено"), default=0)
    created_at = models.DateTimeField(_("загружен"), auto_now_add=True)
    committed_at = models.DateTimeField(_("сохранён"), null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка списка обучающихся")
        verbose_name_plural = _("загрузки списков обучающихся")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d.%m.%Y %H:%M})"


class GuardianInvitation(models.Model):
    """A one-time code with which a guardian sets up a parent account."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    guardian = models.ForeignKey(
        Guardian,
        verbose_name=_("родитель"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    # Only a hash is stored: the code itself is shown once to the counsellor.
    code_hash = models.CharField(_("хеш кода"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто выдал"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("выдано"), auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"))
    used_at = models.DateTimeField(_("использовано"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("учётная запись"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("приглашение родителя")
        verbose_name_plural = _("приглашения родителей")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.created_at:%d.%m.%Y})"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        return self.used_at is None and (now or timezone.now()) < self.expires_at


class DataDeletionRequest(models.Model):
    """A guardian's request to delete a pupil's personal data, answered within 30 days."""

    class Outcome(models.TextChoices):
        OPTIONAL_CLEARED = "optional_cleared", _("Удалены профориентационные сведения")
        ANONYMISED = "anonymised", _("Запись обезличена")

    # 152-FZ, art. 21: data no longer needed is destroyed within 30 days of the request.
    DAYS_ALLOWED = 30

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Nullable so that the record of a request outlives the pupil's row.
    student = models.ForeignKey(
        Student,
        verbose_name=_("обучающийся"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deletion_requests",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("школа или техникум"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто подал"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("подан"), default=timezone.now)
    done_at = models.DateTimeField(_("исполнен"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто исполнил"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    outcome = models.CharField(_("итог"), max_length=20, choices=Outcome.choices, blank=True)
    # Counts only (records, achievements, questionnaire results...), never names.
    removed = models.JSONField(_("что удалено"), default=dict, blank=True)

    class Meta:
        verbose_name = _("запрос на удаление персональных данных")
        verbose_name_plural = _("запросы на удаление персональных данных")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(done_at__isnull=True),
                name="deletion_request_one_open",
            ),
            models.CheckConstraint(
                condition=(Q(done_at__isnull=True) & Q(outcome=""))
                | (Q(done_at__isnull=False) & Q(outcome__in=["optional_cleared", "anonymised"])),
                name="deletion_request_outcome_when_done",
            ),
        ]
        indexes = [
            # The daily task's pending requests and the admin's overdue filter.
            models.Index(
                fields=["requested_at"],
                name="deletion_request_open",
                condition=Q(done_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.requested_at:%d.%m.%Y}"

    @property
    def due_on(self) -> datetime.date:
        return timezone.localdate(self.requested_at) + datetime.timedelta(days=self.DAYS_ALLOWED)

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.done_at is None and (today or timezone.localdate()) > self.due_on
