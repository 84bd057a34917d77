"""The counsellor's pupil profile form: validation, duplicates, storing, access."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from resource_center.models import AuditEntry, Role
from students.forms.pupils import MAX_GUARDIANS, StudentForm
from students.importers.pupils import birth_date_fits_grade
from students.models import Achievement, Guardian, Student, current_academic_year
from students.services import pupils as services
from tests import factories as f

pytestmark = pytest.mark.django_db

YEAR = current_academic_year()
CREATE_URL = reverse("students:student_create")


def edit_url(student: Student) -> str:
    return reverse("students:student_update", args=[student.uuid])


def management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def new_pupil(**fields: str) -> dict[str, str]:
    """POST data of the create form: a 9th-grader with one mother, nothing else."""
    data = {
        "last_name": "Смирнова",
        "first_name": "Ольга",
        "patronymic": "Андреевна",
        "birth_date": f"{YEAR - 15}-03-10",
        "sex": "f",
        "grade": "9",
        "class_letter": "б",
        "academic_year": str(YEAR),
        **management("guardians", total=1),
        "guardians-0-last_name": "Смирнова",
        "guardians-0-first_name": "Елена",
        "guardians-0-patronymic": "Викторовна",
        "guardians-0-relation": "mother",
        "guardians-0-phone": "+7 (34272) 3-12-34",
        "guardians-0-email": "smirnova@example.ru",
    }
    data.update(fields)
    return data


def form_values(response) -> dict[str, object]:
    """The POST data the edit page would send back unchanged."""
    data: dict[str, object] = {}
    forms = [response.context["form"]]
    for key in ("guardians", "achievements"):
        formset = response.context.get(key)
        if formset is None:
            continue
        mf = formset.management_form
        data.update({mf.add_prefix(name): mf[name].value() for name in mf.fields})
        forms += formset.forms
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value
    return data


def errors_of(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- birth date for the grade -----------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_year", "fits"),
    [
        (YEAR - 14, True),
        (YEAR - 15, True),
        (YEAR - 18, True),
        (YEAR - 19, False),
        (YEAR - 13, False),
    ],
)
def test_birth_date_fits_grade_allows_grade_plus_5_to_plus_9(birth_year, fits):
    # born 1 March: the age on 1 September is YEAR - birth_year
    assert birth_date_fits_grade(datetime.date(birth_year, 3, 1), 9, YEAR) is fits


def test_birth_date_fits_grade_counts_age_on_first_september():
    # 14 on 1 September (turns 15 the next day): a 9th-grader of age grade+5
    assert birth_date_fits_grade(datetime.date(YEAR - 15, 9, 2), 9, YEAR)
    assert not birth_date_fits_grade(datetime.date(YEAR - 14, 9, 2), 9, YEAR)


# --- validation messages ----------------------------------------------------------------


def test_birth_date_that_does_not_fit_the_grade_is_explained(client, counsellor_a):
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil(birth_date=f"{YEAR - 8}-03-10"))
    assert response.status_code == 200
    assert "Дата рождения не подходит к классу" in errors_of(response)
    assert "от 14 до 18 лет" in errors_of(response)
    assert not Student.objects.exists()


@pytest.mark.parametrize("grade", ["0", "12"])
def test_grade_outside_1_to_11_is_refused(client, counsellor_a, grade):
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil(grade=grade))
    assert response.context["form"].errors["grade"] == ["Класс — число от 1 до 11."]


def test_birth_date_in_the_future_is_refused(client, counsellor_a):
    client.force_login(counsellor_a)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(CREATE_URL, new_pupil(birth_date=tomorrow.isoformat()))
    assert response.context["form"].errors["birth_date"] == [
        "Дата рождения не может быть в будущем."
    ]


def test_birth_date_can_be_typed_the_russian_way(client, counsellor_a):
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil(birth_date=f"10.03.{YEAR - 15}"))
    assert response.status_code == 302
    assert Student.objects.get().birth_date == datetime.date(YEAR - 15, 3, 10)


@pytest.mark.parametrize("letter", ["AB", "A", "1", "аб"])
def test_class_letter_must_be_one_cyrillic_letter(client, counsellor_a, letter):
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil(class_letter=letter))
    assert response.context["form"].errors["class_letter"] == [
        "Буква класса — одна русская буква, например «А»."
    ]


def test_class_letter_is_stored_in_upper_case(client, counsellor_a):
    client.force_login(counsellor_a)
    client.post(CREATE_URL, new_pupil(class_letter=" ё "))
    assert Student.objects.get().class_letter == "Ё"


def test_guardian_phone_and_email_are_checked(client, counsellor_a):
    client.force_login(counsellor_a)
    response = client.post(
        CREATE_URL, new_pupil(**{"guardians-0-phone": "---", "guardians-0-email": "mama@"})
    )
    errors = response.context["guardians"].forms[0].errors
    assert errors["phone"] == ["Введите телефон цифрами, например +7 (34272) 3-12-34."]
    assert errors["email"] == ["Введите e-mail в виде имя@домен, например ivanova@mail.ru."]
    assert not Student.objects.exists()


def test_pupil_phone_and_email_are_checked(client, counsellor_a, pupil_a):
    f.ConsentFactory(student=pupil_a)
    client.force_login(counsellor_a)
    data = form_values(client.get(edit_url(pupil_a)))
    response = client.post(edit_url(pupil_a), {**data, "phone": "12", "email": "not an e-mail"})
    errors = response.context["form"].errors
    assert errors["phone"] == ["Введите телефон цифрами, например +7 (34272) 3-12-34."]
    assert errors["email"] == ["Введите e-mail в виде имя@домен, например ivanova@mail.ru."]


def test_required_fields_have_russian_messages(client, counsellor_a):
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil(last_name="", birth_date="", grade="девять"))
    errors = response.context["form"].errors
    assert errors["last_name"] == ["Укажите фамилию."]
    assert errors["birth_date"] == ["Укажите дату рождения."]
    assert errors["grade"] == ["Класс указывается числом."]


# --- duplicates -------------------------------------------------------------------------


@pytest.fixture
def twin_in_school_b(world):
    """The same person (other case, «ё») already entered by school B of the same district."""
    return f.StudentFactory(
        organisation=world.school_b,
        last_name="СМИРНОВА",
        first_name="ольга",
        patronymic="Андреевна",
        birth_date=datetime.date(YEAR - 15, 3, 10),
    )


def test_likely_duplicate_elsewhere_in_the_district_is_shown_before_saving(
    client, counsellor_a, twin_in_school_b
):
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil())
    assert response.status_code == 200
    assert Student.objects.count() == 1
    html = response.content.decode()
    assert 'data-testid="duplicates"' in html
    assert "СОШ № 2" in html
    # school B's pupil is not visible to this counsellor: no link to the page, no name
    assert reverse("students:student_detail", args=[twin_in_school_b.uuid]) not in html
    assert "Это другой человек, всё равно сохранить" in html
    assert "уже есть в базе района" in errors_of(response)


def test_duplicate_check_folds_case_and_yo(client, counsellor_a, world):
    f.StudentFactory(
        organisation=world.school_b,
        last_name="Семёнова",
        first_name="Ольга",
        patronymic="Андреевна",
        birth_date=datetime.date(YEAR - 15, 3, 10),
    )
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil(last_name="семенова"))
    assert response.context["form"].duplicates


def test_confirmed_duplicate_is_saved(client, counsellor_a, twin_in_school_b):
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil(confirm_duplicate="on"))
    assert response.status_code == 302
    assert Student.objects.filter(organisation__short_name="СОШ № 1").count() == 1


def test_visible_duplicate_links_to_its_page(client, counsellor_a, world):
    own = f.StudentFactory(
        organisation=world.school_a,
        last_name="Смирнова",
        first_name="Ольга",
        patronymic="Андреевна",
        birth_date=datetime.date(YEAR - 15, 3, 10),
        academic_year=YEAR,
    )
    # the surname differs in case only, so the database constraint does not catch it
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil(last_name="смирнова"))
    html = response.content.decode()
    assert reverse("students:student_detail", args=[own.uuid]) in html


def test_other_district_and_other_year_are_not_duplicates(client, counsellor_a, world):
    born = datetime.date(YEAR - 15, 3, 10)
    same = {"last_name": "Смирнова", "first_name": "Ольга", "patronymic": "Андреевна"}
    f.StudentFactory(organisation=world.other_district_school, birth_date=born, **same)
    f.StudentFactory(
        organisation=world.school_b, birth_date=born, academic_year=YEAR - 1, grade=8, **same
    )
    client.force_login(counsellor_a)
    assert client.post(CREATE_URL, new_pupil()).status_code == 302


def test_same_person_twice_in_one_school_and_year_is_a_form_error(client, counsellor_a, world):
    f.StudentFactory(
        organisation=world.school_a,
        last_name="Смирнова",
        first_name="Ольга",
        patronymic="Андреевна",
        birth_date=datetime.date(YEAR - 15, 3, 10),
    )
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil(confirm_duplicate="on"))
    assert response.status_code == 200
    assert "уже есть обучающийся с такими же ФИО и датой рождения" in errors_of(response)
    assert Student.objects.count() == 1


def test_service_turns_the_unique_constraint_into_a_validation_error(counsellor_a, pupil_a):
    data = {
        k: getattr(pupil_a, k)
        for k in ("last_name", "first_name", "patronymic", "birth_date", "grade", "academic_year")
    }
    with pytest.raises(ValidationError, match="такими же ФИО"):
        services.student_create(school=pupil_a.organisation, data=data, by=counsellor_a)
    assert Student.objects.count() == 1


def test_renaming_into_an_existing_pupil_is_a_form_error(client, counsellor_a, pupil_a, world):
    other = f.StudentFactory(organisation=world.school_a, birth_date=pupil_a.birth_date)
    client.force_login(counsellor_a)
    data = form_values(client.get(edit_url(other)))
    data.update(last_name=pupil_a.last_name)
    response = client.post(edit_url(other), data)
    assert response.status_code == 200
    assert "такими же ФИО" in errors_of(response)


# --- storing ----------------------------------------------------------------------------


def test_create_stores_pupil_and_guardian_and_audits_field_names(client, counsellor_a, world):
    client.force_login(counsellor_a)
    response = client.post(CREATE_URL, new_pupil())
    student = Student.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("students:student_detail", args=[student.uuid])
    assert (student.organisation, student.full_name) == (
        world.school_a,
        "Смирнова Ольга Андреевна",
    )
    assert (student.grade, student.class_letter, student.academic_year) == (9, "Б", YEAR)
    assert student.last_name_folded == "смирнова"
    guardian = Guardian.objects.get()
    assert (guardian.student, guardian.full_name, guardian.email) == (
        student,
        "Смирнова Елена Викторовна",
        "smirnova@example.ru",
    )
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.student) == (counsellor_a, "create", student)
    assert "last_name" in entry.details
    assert "guardians: +1" in entry.details
    assert "Смирнова" not in entry.details


def test_create_page_has_no_optional_fields_before_consent(client, counsellor_a):
    client.force_login(counsellor_a)
    response = client.get(CREATE_URL)
    form = response.context["form"]
    assert not set(Student.OPTIONAL_FIELDS) & set(form.fields)
    assert "has_special_needs" in form.fields
    assert "school" not in form.fields  # the counsellor's only school
    assert response.context["achievements"] is None
    assert 'data-testid="no-consent"' in response.content.decode()


def test_optional_data_posted_without_consent_is_ignored(client, counsellor_a):
    client.force_login(counsellor_a)
    client.post(CREATE_URL, new_pupil(interests="Сварка", phone="+7 900 111-22-33"))
    student = Student.objects.get()
    assert (student.interests, student.phone) == ("", "")


def test_counsellor_of_two_schools_chooses_one_of_them(client, counsellor_a, world):
    f.MembershipFactory(user=counsellor_a, organisation=world.school_b, role=Role.COUNSELLOR)
    client.force_login(counsellor_a)
    form = client.get(CREATE_URL).context["form"]
    assert set(form.fields["school"].queryset) == {world.school_a, world.school_b}
    response = client.post(CREATE_URL, new_pupil(school=str(world.other_district_school.pk)))
    assert response.context["form"].errors["school"] == ["Выберите одну из своих школ."]
    client.post(CREATE_URL, new_pupil(school=str(world.school_b.pk)))
    assert Student.objects.get().organisation == world.school_b


def test_update_stores_changes_and_audits_only_field_names(client, counsellor_a, pupil_a):
    f.ConsentFactory(student=pupil_a)
    client.force_login(counsellor_a)
    data = form_values(client.get(edit_url(pupil_a)))
    data.update(
        class_letter="в",
        interests="Сварка, электрика",
        path_after_9="technikum",
        has_special_needs="on",
    )
    response = client.post(edit_url(pupil_a), data)
    assert response.status_code == 302
    pupil_a.refresh_from_db()
    assert (pupil_a.class_letter, pupil_a.interests, pupil_a.path_after_9) == (
        "В",
        "Сварка, электрика",
        "technikum",
    )
    assert pupil_a.has_special_needs
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.actor == counsellor_a
    assert entry.details == "fields: class_letter, has_special_needs, interests, path_after_9"


def test_unchanged_form_writes_no_update_row(client, counsellor_a, pupil_a):
    client.force_login(counsellor_a)
    data = form_values(client.get(edit_url(pupil_a)))
    assert client.post(edit_url(pupil_a), data).status_code == 302
    assert not AuditEntry.objects.filter(action="update").exists()


def test_update_saves_guardians_and_achievements(client, counsellor_a, pupil_a):
    consent = f.ConsentFactory(student=pupil_a)
    leaving = f.GuardianFactory(student=pupil_a, first_name="Пётр", relation="father")
    kept = consent.guardian
    client.force_login(counsellor_a)
    response = client.get(edit_url(pupil_a))
    data = form_values(response)
    guardian_forms = response.context["guardians"].forms
    index = {form.instance.pk: i for i, form in enumerate(guardian_forms)}
    extra = len(guardian_forms) - 1
    data.update(
        {
            f"guardians-{index[kept.pk]}-phone": "+7 912 000-11-22",
            f"guardians-{index[leaving.pk]}-DELETE": "on",
            f"guardians-{extra}-last_name": "Иванова",
            f"guardians-{extra}-first_name": "Анна",
            f"guardians-{extra}-relation": "guardian",
            "achievements-0-title": "Региональный чемпионат «Профессионалы»",
            "achievements-0-kind": "competition",
            "achievements-0-level": "regional",
            "achievements-0-year": str(timezone.localdate().year),
            "achievements-0-result": "winner",
        }
    )
    response = client.post(edit_url(pupil_a), data)
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.phone == "+7 912 000-11-22"
    assert not Guardian.objects.filter(pk=leaving.pk).exists()
    assert Guardian.objects.filter(student=pupil_a, first_name="Анна").exists()
    achievement = Achievement.objects.get(student=pupil_a)
    assert (achievement.level, achievement.result) == ("regional", "winner")
    entry = AuditEntry.objects.filter(action="update").get()
    assert "guardians: +1 ~1 -1" in entry.details
    assert "achievements: +1 ~0 -0" in entry.details


def test_achievement_year_is_checked(client, counsellor_a, pupil_a):
    f.ConsentFactory(student=pupil_a)
    client.force_login(counsellor_a)
    data = form_values(client.get(edit_url(pupil_a)))
    data.update(
        {
            "achievements-0-title": "Олимпиада",
            "achievements-0-level": "school",
            "achievements-0-year": "1999",
        }
    )
    response = client.post(edit_url(pupil_a), data)
    last = timezone.localdate().year
    assert response.context["achievements"].forms[0].errors["year"] == [f"Год — от 2000 до {last}."]


def test_guardian_who_gave_a_consent_cannot_be_deleted(client, counsellor_a, pupil_a):
    consent = f.ConsentFactory(student=pupil_a)
    client.force_login(counsellor_a)
    data = form_values(client.get(edit_url(pupil_a)))
    data["guardians-0-DELETE"] = "on"
    response = client.post(edit_url(pupil_a), data)
    assert response.status_code == 200
    assert "удалить его нельзя" in str(response.context["guardians"].forms[0].errors)
    assert Guardian.objects.filter(pk=consent.guardian_id).exists()


def test_update_without_consent_hides_optional_fields_and_achievements(
    client, counsellor_a, pupil_a
):
    client.force_login(counsellor_a)
    response = client.get(edit_url(pupil_a))
    assert not set(Student.OPTIONAL_FIELDS) & set(response.context["form"].fields)
    assert response.context["achievements"] is None
    data = form_values(response)
    client.post(edit_url(pupil_a), {**data, "notes": "Секрет", **management("achievements", 1)})
    pupil_a.refresh_from_db()
    assert pupil_a.notes == ""


def test_service_refuses_optional_data_without_consent(counsellor_a, pupil_a):
    with pytest.raises(ValidationError, match="согласии"):
        services.student_update(student=pupil_a, data={"interests": "Сварка"}, by=counsellor_a)


# --- ОВЗ --------------------------------------------------------------------------------


def test_special_needs_flag_is_not_in_the_coordinators_form(client, coordinator, pupil_a):
    pupil_a.has_special_needs = True
    pupil_a.save(update_fields=["has_special_needs"])
    client.force_login(coordinator)
    response = client.get(edit_url(pupil_a))
    assert response.status_code == 200
    assert "has_special_needs" not in response.context["form"].fields
    assert "ОВЗ" not in response.content.decode()
    data = form_values(response)
    assert client.post(edit_url(pupil_a), data).status_code == 302
    pupil_a.refresh_from_db()
    assert pupil_a.has_special_needs  # kept, not reset by a form that lacks the field


def test_special_needs_flag_is_in_the_counsellors_form(client, counsellor_a, pupil_a):
    client.force_login(counsellor_a)
    assert "has_special_needs" in client.get(edit_url(pupil_a)).context["form"].fields


# --- access and methods ------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["head_a", "technikum_staff", "coordinator", "parent_of_pupil_a", "pupil_a_user"]
)
def test_only_counsellors_add_pupils(request, client, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, new_pupil()).status_code == 403
    assert not Student.objects.exclude(last_name="Иванов").exists()


@pytest.mark.parametrize("role", ["head_a", "parent_of_pupil_a", "pupil_a_user"])
def test_readers_get_403_on_edit(request, client, pupil_a, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(edit_url(pupil_a)).status_code == 403
    assert client.post(edit_url(pupil_a), {"last_name": "Взлом"}).status_code == 403


def test_counsellor_of_other_school_gets_404_on_edit(client, counsellor_b, pupil_a):
    client.force_login(counsellor_b)
    assert client.get(edit_url(pupil_a)).status_code == 404
    assert client.post(edit_url(pupil_a), {"last_name": "Взлом"}).status_code == 404
    assert not AuditEntry.objects.exists()


def test_anonymous_is_sent_to_login(client, pupil_a):
    for url in (CREATE_URL, edit_url(pupil_a)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_wrong_methods_get_405(client, counsellor_a, pupil_a, method):
    client.force_login(counsellor_a)
    for url in (CREATE_URL, edit_url(pupil_a)):
        assert getattr(client, method)(url).status_code == 405


def test_form_checks_technikum_courses_without_the_school_age_rule(technikum_staff, world):
    student = f.StudentFactory(
        organisation=world.technikum, grade=2, class_letter="Св-21", academic_year=YEAR
    )
    data = {
        "last_name": student.last_name,
        "first_name": student.first_name,
        "patronymic": student.patronymic,
        "birth_date": "2008-01-01",
        "grade": "5",
        "class_letter": "Св-21",
        "academic_year": str(YEAR),
    }
    form = StudentForm(
        data, instance=student, user=technikum_staff, show_special_needs=False, with_optional=False
    )
    assert form.errors == {"grade": ["Курс техникума — число от 1 до 4."]}


def test_the_same_guardian_twice_is_a_form_error(client, counsellor_a):
    client.force_login(counsellor_a)
    data = new_pupil(**management("guardians", total=2))
    data.update(
        {k.replace("-0-", "-1-"): v for k, v in data.items() if k.startswith("guardians-0-")}
    )
    response = client.post(CREATE_URL, data)
    assert response.status_code == 200
    assert response.context["guardians"].non_form_errors()
    assert not Student.objects.exists()


def test_a_forged_number_of_guardian_forms_is_refused_without_building_them(client, counsellor_a):
    client.force_login(counsellor_a)

    response = client.post(CREATE_URL, new_pupil(**{"guardians-TOTAL_FORMS": "100000000"}))

    assert response.status_code == 200
    page = response.content.decode()
    assert "не больше" in page
    assert f'name="guardians-{MAX_GUARDIANS - 1}-last_name"' in page
    assert f'name="guardians-{MAX_GUARDIANS}-last_name"' not in page
    assert not Student.objects.exists()
