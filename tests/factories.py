"""factory_boy factories: made-up people and organisations only."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from career_minimum.models import Activity, Direction, Participation, SchoolPlan
from employers.models import (
    DualTrainingPlace,
    Evaluation,
    Placement,
    PlacementTransition,
    Vacancy,
)
from guidance.models import (
    Assignment,
    AssignmentBatch,
    Attempt,
    Event,
    Option,
    Profession,
    Question,
    Questionnaire,
    Registration,
    Scale,
)
from labour.models import VacancyImport
from resource_center.lib.checks import inn_with_check_digits
from resource_center.models import District, Membership, Organisation, Role
from schools.models import Competence, Programme
from students.models import (
    Achievement,
    Consent,
    Guardian,
    GuardianInvitation,
    PupilImport,
    Student,
    current_academic_year,
)

User = get_user_model()


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("region", "name")

    name = "Нытвенский городской округ"
    region = "Пермский край"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    district = factory.SubFactory(DistrictFactory)
    kind = Organisation.Kind.SCHOOL
    full_name = factory.Sequence(lambda n: f"МБОУ «Средняя общеобразовательная школа № {n + 1}»")
    short_name = factory.Sequence(lambda n: f"СОШ № {n + 1}")
    inn = factory.Sequence(lambda n: inn_with_check_digits(f"5942{n:05d}"))
    address = "Пермский край, г. Нытва"


class SchoolFactory(OrganisationFactory):
    kind = Organisation.Kind.SCHOOL


class TechnikumFactory(OrganisationFactory):
    kind = Organisation.Kind.TECHNIKUM
    full_name = factory.Sequence(lambda n: f"КГАПОУ «Многопрофильный техникум № {n + 1}»")
    short_name = factory.Sequence(lambda n: f"Техникум {n + 1}")


class EmployerFactory(OrganisationFactory):
    kind = Organisation.Kind.EMPLOYER
    full_name = factory.Sequence(lambda n: f"ООО «Предприятие {n + 1}»")
    short_name = factory.Sequence(lambda n: f"Предприятие {n + 1}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Анна"
    last_name = factory.Sequence(lambda n: f"Тестова{n}")
    password = factory.django.Password("test-pass-123")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(SchoolFactory)
    role = Role.COUNSELLOR


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    technikum = factory.SubFactory(TechnikumFactory)
    okso_code = factory.Sequence(lambda n: f"15.01.{n % 100:02d}")
    title = "Сварщик (ручной и частично механизированной сварки (наплавки))"
    qualification = "Сварщик ручной дуговой сварки плавящимся покрытым электродом"
    duration_months = 34
    budget_seats = 25
    is_dual = True


class StudentFactory(DjangoModelFactory):
    class Meta:
        model = Student

    organisation = factory.SubFactory(SchoolFactory)
    last_name = factory.Sequence(lambda n: f"Учеников{n}")
    first_name = "Иван"
    patronymic = "Петрович"
    grade = 9
    class_letter = "А"
    academic_year = factory.LazyFunction(current_academic_year)
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(o.academic_year - o.grade - 6, 5, 14)
    )
    sex = Student.Sex.MALE


class GuardianFactory(DjangoModelFactory):
    class Meta:
        model = Guardian

    student = factory.SubFactory(StudentFactory)
    last_name = factory.LazyAttribute(lambda o: o.student.last_name)
    first_name = "Мария"
    patronymic = "Ивановна"
    relation = Guardian.Relation.MOTHER
    phone = "+7 900 000-00-00"


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    student = factory.SubFactory(StudentFactory)
    guardian = factory.SubFactory(GuardianFactory, student=factory.SelfAttribute("..student"))
    scope = Consent.Scope.PROCESSING
    given_on = factory.LazyFunction(lambda: datetime.date(current_academic_year(), 9, 2))
    document_number = factory.Sequence(lambda n: f"С-{n:04d}")


class VacancyFactory(DjangoModelFactory):
    class Meta:
        model = Vacancy

    employer = factory.SubFactory(EmployerFactory)
    title = "Подсобный рабочий"
    salary_from = 25000
    salary_to = 35000
    status = Vacancy.Status.PUBLISHED


class DualTrainingPlaceFactory(DjangoModelFactory):
    class Meta:
        model = DualTrainingPlace

    programme = factory.SubFactory(ProgrammeFactory)
    employer = factory.SubFactory(EmployerFactory)
    workplace = factory.Sequence(lambda n: f"Участок сварки № {n + 1}")
    mentor_name = "Сидоров Пётр Алексеевич"
    seats = 3
    starts_on = factory.LazyFunction(lambda: datetime.date(current_academic_year(), 9, 1))
    ends_on = factory.LazyFunction(lambda: datetime.date(current_academic_year() + 1, 6, 30))
    status = DualTrainingPlace.Status.PUBLISHED


SIGNED_STATUSES = (
    Placement.Status.CONTRACT_SIGNED,
    Placement.Status.ACTIVE,
    Placement.Status.COMPLETED,
)


class PlacementFactory(DjangoModelFactory):
    class Meta:
        model = Placement

    place = factory.SubFactory(DualTrainingPlaceFactory)
    student = factory.SubFactory(
        StudentFactory,
        organisation=factory.SelfAttribute("..place.programme.technikum"),
        programme=factory.SelfAttribute("..place.programme"),
        grade=2,
    )
    status = Placement.Status.ACTIVE
    contract_number = factory.LazyAttribute(
        lambda o: f"УД-{o.student.pk:04d}" if o.status in SIGNED_STATUSES else ""
    )
    contract_date = factory.LazyAttribute(
        lambda o: o.place.starts_on if o.status in SIGNED_STATUSES else None
    )


class PlacementTransitionFactory(DjangoModelFactory):
    class Meta:
        model = PlacementTransition

    placement = factory.SubFactory(PlacementFactory)
    from_status = ""
    to_status = Placement.Status.PROPOSED
    by = factory.SubFactory(UserFactory)


class CompetenceFactory(DjangoModelFactory):
    class Meta:
        model = Competence

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Выполнение сварных швов, приём {n + 1}")
    order = factory.Sequence(lambda n: n)


class EvaluationFactory(DjangoModelFactory):
    class Meta:
        model = Evaluation

    placement = factory.SubFactory(PlacementFactory)
    evaluated_on = factory.LazyFunction(timezone.localdate)
    hours_worked = 64
    comment = "Аккуратен, соблюдает технику безопасности."
    by = factory.SubFactory(UserFactory)


class AchievementFactory(DjangoModelFactory):
    class Meta:
        model = Achievement

    student = factory.SubFactory(StudentFactory)
    title = "Всероссийская олимпиада школьников по технологии"
    kind = Achievement.Kind.OLYMPIAD
    level = Achievement.Level.MUNICIPAL
    year = factory.LazyFunction(current_academic_year)
    result = Achievement.Result.PRIZE_WINNER


class PupilImportFactory(DjangoModelFactory):
    class Meta:
        model = PupilImport

    organisation = factory.SubFactory(SchoolFactory)
    uploaded_by = factory.SubFactory(UserFactory)
    file_name = "список 9А.csv"
    file_format = "csv"
    encoding = "cp1251"
    content = "Фамилия;Имя;Дата рождения;Класс\r\n".encode("cp1251")


class VacancyImportFactory(DjangoModelFactory):
    """An employment-centre export waiting in preview."""

    class Meta:
        model = VacancyImport

    source = Vacancy.Source.EMPLOYMENT_CENTRE
    origin = "вакансии ЦЗН.csv"
    district = factory.SubFactory(DistrictFactory)
    started_by = factory.SubFactory(UserFactory)
    status = VacancyImport.Status.PREVIEW
    file_format = "csv"
    encoding = "utf-8"
    content = "Наименование вакансии;Работодатель;ИНН\r\n".encode()


class GuardianInvitationFactory(DjangoModelFactory):
    class Meta:
        model = GuardianInvitation

    guardian = factory.SubFactory(GuardianFactory)
    code_hash = factory.Sequence(lambda n: f"{n:064x}")
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))


# --- career guidance ----------------------------------------------------------------------
# Small made-up questionnaires for tests of the mechanics; tests of the real scoring use
# the shipped ones (the `questionnaires` fixture).


class QuestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = Questionnaire
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-{n}")
    title = factory.Sequence(lambda n: f"Пробная анкета {n}")
    short_title = "Пробная"
    instructions = "Выберите в каждой паре то, что вам больше нравится."
    result_code_length = 1


class ScaleFactory(DjangoModelFactory):
    class Meta:
        model = Scale

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    code = factory.Sequence(lambda n: f"S{n % 100}")
    name = factory.Sequence(lambda n: f"Тип {n}")
    description = "Пояснение к типу."
    order = factory.Sequence(lambda n: n)


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    number = factory.Sequence(lambda n: n + 1)


class OptionFactory(DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    label = factory.Sequence(lambda n: f"в{n}")
    text = "Занятие"
    scale = factory.SubFactory(
        ScaleFactory, questionnaire=factory.SelfAttribute("..question.questionnaire")
    )
    points = 1


class AssignmentBatchFactory(DjangoModelFactory):
    class Meta:
        model = AssignmentBatch

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    organisation = factory.SubFactory(SchoolFactory)
    title = "9А"
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    batch = factory.SubFactory(AssignmentBatchFactory)
    student = factory.SubFactory(
        StudentFactory, organisation=factory.SelfAttribute("..batch.organisation")
    )
    code = factory.Sequence(lambda n: f"TEST{n:04d}")


class AttemptFactory(DjangoModelFactory):
    class Meta:
        model = Attempt

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    student = factory.SubFactory(StudentFactory)
    source = Attempt.Source.PAPER


class ProfessionFactory(DjangoModelFactory):
    class Meta:
        model = Profession

    title = factory.Sequence(lambda n: f"Профессия {n}")


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    kind = Event.Kind.TRIAL
    title = factory.Sequence(lambda n: f"Профпроба «Сварщик» № {n + 1}")
    organiser = factory.SubFactory(TechnikumFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=7)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    place = "г. Нытва, ул. Комсомольская, 1, мастерские"
    min_grade = 8
    max_grade = 11
    capacity = 10
    created_by = factory.SubFactory(UserFactory)


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    student = factory.SubFactory(StudentFactory)
    registered_by = factory.SubFactory(UserFactory)


class SchoolPlanFactory(DjangoModelFactory):
    class Meta:
        model = SchoolPlan

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.LazyFunction(current_academic_year)
    level = SchoolPlan.Level.BASIC


class ActivityFactory(DjangoModelFactory):
    """A «Россия — мои горизонты» lesson for 9А (the direction installed by the migration)."""

    class Meta:
        model = Activity

    school = factory.SubFactory(SchoolFactory)
    academic_year = factory.LazyFunction(current_academic_year)
    grade = 9
    class_letter = "А"
    held_on = factory.LazyFunction(timezone.localdate)
    hours = 1
    direction = factory.LazyFunction(lambda: Direction.objects.get(slug=Direction.HORIZONS))
    topic = "Россия индустриальная: атомная промышленность"
    recorded_by = factory.SubFactory(UserFactory)


class ParticipationFactory(DjangoModelFactory):
    class Meta:
        model = Participation

    activity = factory.SubFactory(ActivityFactory)
    student = factory.SubFactory(StudentFactory)
    attended = True
