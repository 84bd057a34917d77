"""The participants registry: districts, organisations, memberships, and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from resource_center.validators import validate_inn, validate_phone


class District(models.Model):
    """A municipal district; every organisation and its data belongs to exactly one."""

    name = models.CharField(_("название"), max_length=200)
    region = models.CharField(_("субъект РФ"), max_length=200, default="Пермский край")
    oktmo = models.CharField(
        _("ОКТМО"), max_length=11, blank=True, help_text=_("Код ОКТМО района, 8 или 11 цифр.")
    )

    class Meta:
        verbose_name = _("район")
        verbose_name_plural = _("районы")
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="district_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def of_kind(self, kind: str) -> OrganisationQuerySet:
        return self.filter(kind=kind)

    def schools(self) -> OrganisationQuerySet:
        return self.filter(kind=Organisation.Kind.SCHOOL)

    def employers(self) -> OrganisationQuerySet:
        return self.filter(kind=Organisation.Kind.EMPLOYER)

    def technikums(self) -> OrganisationQuerySet:
        return self.filter(kind=Organisation.Kind.TECHNIKUM)


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("Школа")
    TECHNIKUM = "technikum", _("Техникум")
    EMPLOYMENT_CENTRE = "employment_centre", _("Центр занятости")
    EMPLOYER = "employer", _("Работодатель")
    ADMINISTRATION = "administration", _("Администрация района")
    RESOURCE_CENTRE = "resource_centre", _("Ресурсный центр")


class Organisation(models.Model):
    """A participant of the agreement: a school, the technikum, an employer and so on."""

    Kind = OrganisationKind

    district = models.ForeignKey(
        District, verbose_name=_("район"), on_delete=models.PROTECT, related_name="organisations"
    )
    kind = models.CharField(_("тип"), max_length=20, choices=Kind.choices)
    full_name = models.CharField(_("полное наименование"), max_length=500)
    short_name = models.CharField(_("краткое наименование"), max_length=200)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True, validators=[validate_inn])
    okved = models.CharField(
        _("ОКВЭД"), max_length=8, blank=True, help_text=_("Основной код ОКВЭД, например 24.10.")
    )
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    phone = models.CharField(_("телефон"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("сайт"), blank=True)
    is_active = models.BooleanField(_("действует"), default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["district", "kind", "short_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["inn"], condition=~Q(inn=""), name="organisation_unique_inn"
            ),
            models.UniqueConstraint(
                fields=["district", "kind", "short_name"], name="organisation_unique_short_name"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["district", "kind"])]

    def __str__(self) -> str:
        return self.short_name


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Педагог-навигатор")
    SCHOOL_HEAD = "school_head", _("Руководитель школы")
    TECHNIKUM_STAFF = "technikum_staff", _("Сотрудник техникума")
    EMPLOYER_REP = "employer_rep", _("Представитель работодателя")
    CENTRE_SPECIALIST = "centre_specialist", _("Специалист центра занятости")
    ADMINISTRATION = "administration", _("Администрация района")
    COORDINATOR = "coordinator", _("Координатор ресурсного центра")


# Which kind of organisation each role belongs to; memberships outside it are invalid.
ROLE_ORGANISATION_KIND: dict[str, str] = {
    Role.COUNSELLOR: Organisation.Kind.SCHOOL,
    Role.SCHOOL_HEAD: Organisation.Kind.SCHOOL,
    Role.TECHNIKUM_STAFF: Organisation.Kind.TECHNIKUM,
    Role.EMPLOYER_REP: Organisation.Kind.EMPLOYER,
    Role.CENTRE_SPECIALIST: Organisation.Kind.EMPLOYMENT_CENTRE,
    Role.ADMINISTRATION: Organisation.Kind.ADMINISTRATION,
    Role.COORDINATOR: Organisation.Kind.RESOURCE_CENTRE,
}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, organisation__is_active=True)


class Membership(models.Model):
    """A staff user's role in one organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("роль"), max_length=20, choices=Role.choices)
    position = models.CharField(_("должность"), max_length=200, blank=True)
    is_active = models.BooleanField(_("действует"), default=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("участие в организации")
        verbose_name_plural = _("участие в организациях")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.organisation})"

    def clean(self) -> None:
        expected = ROLE_ORGANISATION_KIND.get(self.role)
        if expected and self.organisation_id and self.organisation.kind != expected:
            raise ValidationError(
                {
                    "organisation": _(
                        "Роль «%(role)s» бывает только в организации типа «%(kind)s»."
                    )
                    % {"role": self.get_role_display(), "kind": Organisation.Kind(expected).label}
                }
            )


class AuditEntry(models.Model):
    """One view or change of a pupil's personal data: who, what, when."""

    class Action(models.TextChoices):
        VIEW = "view", _("Просмотр")
        CREATE = "create", _("Создание")
        UPDATE = "update", _("Изменение")
        DELETE = "delete", _("Удаление")
        EXPORT = "export", _("Выгрузка")
        IMPORT = "import", _("Загрузка")
        CONSENT_GIVEN = "consent_given", _("Согласие дано")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Согласие отозвано")
        INVITATION_ISSUED = "invitation_issued", _("Выдан код приглашения родителю")
        GUARDIAN_LINKED = "guardian_linked", _("Родитель подключён к порталу")

    at = models.DateTimeField(_("когда"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто"),
        on_delete=models.PROTECT,
        related_name="audit_entries",
        # No database constraint to check on each of the many rows an import writes (an
        # append-only log); Django still refuses to delete a user who has entries.
        db_constraint=False,
    )
    action = models.CharField(_("действие"), max_length=20, choices=Action.choices)
    student = models.ForeignKey(
        "students.Student",
        verbose_name=_("обучающийся"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        # An append-only log: no index of its own (the (student, -at) one serves) and no
        # database constraint to check on each of the many rows an import writes; Django
        # still sets it to NULL when the student is deleted.
        db_index=False,
        db_constraint=False,
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Kept when the student row is deleted, so the trail still says whose data it was.
    subject = models.CharField(_("чьи данные"), max_length=300)
    details = models.CharField(_("подробности"), max_length=500, blank=True)
    path = models.CharField(_("адрес страницы"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)

    class Meta:
        verbose_name = _("запись журнала доступа")
        verbose_name_plural = _("журнал доступа к персональным данным")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["student", "-at"]),
            models.Index(fields=["organisation", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.subject}"


class ServiceHeartbeat(models.Model):
    """When a background process last reported itself alive; one row per source."""

    class Source(models.TextChoices):
        CELERY = "celery", _("Celery: worker и beat")
        COMMAND = "command", _("Команда manage.py heartbeat")

    # In the database rather than the cache: the embedded default's cache is per process,
    # and the worker writes what the web process reads.
    name = models.CharField(_("источник"), max_length=50, unique=True, choices=Source.choices)
    seen_at = models.DateTimeField(_("последний сигнал"))

    class Meta:
        verbose_name = _("сигнал фоновой службы")
        verbose_name_plural = _("сигналы фоновых служб")

    def __str__(self) -> str:
        return f"{self.get_name_display()}: {self.seen_at:%Y-%m-%d %H:%M:%S}"
