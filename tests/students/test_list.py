"""The counsellor's pupil list: scope, search, filters, sorting, bad input, query count."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from students.models import Student, current_academic_year
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("students:student_list")


def _names(response) -> list[str]:
    return [row.record.last_name for row in response.context["table"].paginated_rows]


def _get(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def test_counsellor_sees_own_school_current_year_enrolled_pupils_only(client, counsellor_a, world):
    own = f.StudentFactory(organisation=world.school_a, last_name="Аверин")
    f.StudentFactory(organisation=world.school_b, last_name="Бобров")
    f.StudentFactory(organisation=world.other_district_school, last_name="Далёкий")
    f.StudentFactory(
        organisation=world.school_a,
        last_name="Прошлогодний",
        academic_year=current_academic_year() - 1,
    )
    f.StudentFactory(organisation=world.school_a, last_name="Выбывший", is_active=False)
    response = _get(client, counsellor_a)
    assert _names(response) == [own.last_name]
    html = response.content.decode()
    assert "Бобров" not in html
    assert "Прошлогодний" not in html
    assert reverse("students:student_detail", args=[own.uuid]) in html


def test_list_shows_class_birth_date_consent_and_plans_but_never_special_needs(
    client, counsellor_a, world
):
    pupil = f.StudentFactory(
        organisation=world.school_a,
        last_name="Смирнова",
        grade=9,
        class_letter="Б",
        path_after_9=Student.PathAfter9.TECHNIKUM,
        has_special_needs=True,
    )
    f.ConsentFactory(student=pupil)
    f.StudentFactory(organisation=world.school_a, last_name="Кузнецов")
    html = _get(client, counsellor_a).content.decode()
    assert pupil.full_name in html
    assert pupil.birth_date.strftime("%d.%m.%Y") in html
    assert "9Б" in html
    assert "есть согласие" in html
    assert "нет согласия" in html
    assert "Нытвенский техникум" in html
    assert "ОВЗ" not in html
    assert "Ограниченные" not in html


@pytest.mark.parametrize(
    ("query", "stored", "found"),
    [
        ("ЁЛКИН", "Ёлкина", True),
        ("елкин", "Ёлкин", True),
        ("ёлкин", "Елкин", True),
        ("  ЕлКиН ", "Ёлкина", True),
        ("ёлкина", "Ёлкин", False),
        ("лкин", "Ёлкин", False),
    ],
)
def test_surname_search_ignores_case_and_yo(client, counsellor_a, world, query, stored, found):
    f.StudentFactory(organisation=world.school_a, last_name=stored)
    f.StudentFactory(organisation=world.school_a, last_name="Иванов")
    response = _get(client, counsellor_a, q=query)
    assert _names(response) == ([stored] if found else [])


def test_search_never_finds_another_schools_pupils(client, counsellor_b, world):
    f.StudentFactory(organisation=world.school_a, last_name="Ёлкина")
    own = f.StudentFactory(organisation=world.school_b, last_name="Ёлкин")
    response = _get(client, counsellor_b, q="елкин")
    assert _names(response) == [own.last_name]
    assert "Ёлкина" not in response.content.decode()


def test_filters_by_grade_letter_consent_and_plans(client, counsellor_a, world):
    school = world.school_a
    a9 = f.StudentFactory(organisation=school, last_name="А9", grade=9, class_letter="А")
    b9 = f.StudentFactory(
        organisation=school,
        last_name="Б9",
        grade=9,
        class_letter="Б",
        path_after_9=Student.PathAfter9.TECHNIKUM,
    )
    b11 = f.StudentFactory(
        organisation=school,
        last_name="Б11",
        grade=11,
        class_letter="Б",
        path_after_11=Student.PathAfter11.UNIVERSITY,
    )
    f.ConsentFactory(student=b9)
    f.ConsentFactory(student=b11)

    def names(**params):
        return sorted(_names(_get(client, counsellor_a, **params)))

    assert names(grade="9") == sorted([a9.last_name, b9.last_name])
    assert names(letter="б") == sorted([b9.last_name, b11.last_name])
    assert names(grade="9", letter="Б") == [b9.last_name]
    assert names(consent="yes") == sorted([b9.last_name, b11.last_name])
    assert names(consent="no") == [a9.last_name]
    assert names(path_after_9="technikum") == [b9.last_name]
    assert names(path_after_11="university") == [b11.last_name]


def test_other_academic_years_present_are_selectable(client, counsellor_a, world):
    year = current_academic_year()
    old = f.StudentFactory(organisation=world.school_a, last_name="Старый", academic_year=year - 2)
    f.StudentFactory(organisation=world.school_b, academic_year=year - 5)
    response = _get(client, counsellor_a)
    choices = [value for value, _ in response.context["filter"].form.fields["year"].choices]
    # Only years of the counsellor's own pupils, and always the current one.
    assert choices == [str(year), str(year - 2)]
    assert _names(_get(client, counsellor_a, year=str(year - 2))) == [old.last_name]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Абрамов", "Борисов", "Васильев"]),
        ("-name", ["Васильев", "Борисов", "Абрамов"]),
        ("class_name", ["Борисов", "Абрамов", "Васильев"]),
        ("-birth_date", ["Борисов", "Абрамов", "Васильев"]),
    ],
)
def test_sorting_by_name_class_and_birth_date(client, counsellor_a, world, sort, expected):
    school = world.school_a
    year = current_academic_year()
    f.StudentFactory(
        organisation=school,
        last_name="Васильев",
        grade=11,
        class_letter="А",
        birth_date=datetime.date(year - 17, 1, 10),
    )
    f.StudentFactory(
        organisation=school,
        last_name="Абрамов",
        grade=9,
        class_letter="Б",
        birth_date=datetime.date(year - 15, 2, 10),
    )
    f.StudentFactory(
        organisation=school,
        last_name="Борисов",
        grade=9,
        class_letter="А",
        birth_date=datetime.date(year - 15, 8, 10),
    )
    assert _names(_get(client, counsellor_a, sort=sort)) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"grade": "abc"},
        {"grade": "12"},
        {"year": "99999"},
        {"year": "абв"},
        {"sort": "nonsense"},
        {"sort": "has_special_needs"},
        {"consent": "maybe"},
        {"path_after_9": "moon"},
        {"page": "abc"},
        {"page": "999"},
        {"page": "-1"},
        {"per_page": "100000"},
        {"q": "х" * 500},
    ],
)
def test_invalid_filter_values_do_not_fail(client, counsellor_a, world, params):
    own = f.StudentFactory(organisation=world.school_a, last_name="Аверин")
    f.StudentFactory(organisation=world.school_a, academic_year=current_academic_year() - 1)
    f.StudentFactory(organisation=world.school_b, last_name="Бобров")
    response = _get(client, counsellor_a, **params)
    names = _names(response)
    # A bad value is reported or ignored, never widening the list beyond the current year.
    assert names in ([own.last_name], [])
    if "q" not in params:
        assert names == [own.last_name]
    assert response.context["filter"].chosen_year == current_academic_year()


def test_invalid_filter_values_are_reported(client, counsellor_a):
    response = _get(client, counsellor_a, grade="abc", year="99999")
    form = response.context["filter"].form
    assert set(form.errors) == {"grade", "year"}
    assert "неверно" in response.content.decode()


def test_list_is_paginated_by_50(client, counsellor_a, world):
    f.StudentFactory.create_batch(51, organisation=world.school_a)
    response = _get(client, counsellor_a)
    assert len(_names(response)) == 50
    assert len(_names(_get(client, counsellor_a, page="2"))) == 1


@pytest.mark.usefixtures("uncached")
def test_query_count_does_not_grow_with_pupils(
    client, counsellor_a, world, django_assert_num_queries
):
    def make(start: int, stop: int) -> None:
        for i in range(start, stop):
            pupil = f.StudentFactory(
                organisation=world.school_a,
                last_name=f"Ёлкин{i}",
                grade=9,
                class_letter="А",
                path_after_9=Student.PathAfter9.GRADE_10,
            )
            if i % 2:
                f.ConsentFactory(student=pupil)

    client.force_login(counsellor_a)
    params = {"q": "елкин", "grade": "9", "letter": "а", "sort": "-name"}
    make(0, 5)
    # session, user, memberships, parent?, pupil?, years present, count, page of pupils
    # (consent as an EXISTS annotation), pupils without consent, may the user import?
    with django_assert_num_queries(10):
        client.get(URL, params)
    with django_assert_num_queries(10):
        client.get(URL, {**params, "consent": "yes", "path_after_9": "grade_10"})
    make(5, 200)
    with django_assert_num_queries(10):
        response = client.get(URL, params)
    assert response.context["table"].paginator.count == 200
    with django_assert_num_queries(10):
        client.get(URL, {**params, "consent": "yes", "path_after_9": "grade_10"})


@pytest.mark.parametrize(
    "role", ["parent_of_pupil_a", "pupil_a_user", "district_admin", "employer_rep"]
)
def test_those_who_may_not_list_get_403(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_answers_only_get_and_head(client, counsellor_a):
    client.force_login(counsellor_a)
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_counsellor_gets_links_to_add_and_import(client, counsellor_a):
    html = _get(client, counsellor_a).content.decode()
    for name in ("student_create", "import_upload", "import_list"):
        assert reverse(f"students:{name}") in html


def test_school_head_reads_without_add_or_import_links(client, head_a, pupil_a, pupil_b):
    response = _get(client, head_a)
    assert _names(response) == [pupil_a.last_name]
    html = response.content.decode()
    assert reverse("students:student_create") not in html
    assert reverse("students:import_upload") not in html


def _cells(html: str, link: str) -> list[str]:
    """The cells of the table row that holds ``link``, tags stripped, spaces collapsed."""
    row = html[html.rindex("<tr", 0, html.index(link)) : html.index("</tr>", html.index(link))]
    cells = re.findall(r"<td>(.*?)</td>", row, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_each_row_shows_its_own_cells_in_the_column_order(client, counsellor_a, world):
    planned = f.StudentFactory(
        organisation=world.school_a,
        last_name="Ершова<b>",
        grade=9,
        class_letter="А",
        path_after_9=Student.PathAfter9.TECHNIKUM,
        path_after_11=Student.PathAfter11.UNIVERSITY,
    )
    f.ConsentFactory(student=planned)
    questionnaire = f.QuestionnaireFactory(short_title="Климов")
    f.AttemptFactory(student=planned, questionnaire=questionnaire, result_code="ЧТ")
    bare = f.StudentFactory(organisation=world.school_a, last_name="Жуков", grade=8)
    html = _get(client, counsellor_a).content.decode()
    assert "Ершова<b>" not in html
    assert _cells(html, reverse("students:student_detail", args=[planned.uuid])) == [
        "Ершова&lt;b&gt; " + " ".join(filter(None, (planned.first_name, planned.patronymic))),
        planned.birth_date.strftime("%d.%m.%Y"),
        "9А",
        "есть согласие",
        "Климов: ЧТ",
        f"после 9: {Student.PathAfter9.TECHNIKUM.label} "
        f"после 11: {Student.PathAfter11.UNIVERSITY.label}",
    ]
    assert _cells(html, reverse("students:student_detail", args=[bare.uuid])) == [
        bare.full_name,
        bare.birth_date.strftime("%d.%m.%Y"),
        f"8{bare.class_letter}",
        "нет согласия",
        "—",
        "—",
    ]


def test_coordinator_sees_the_district_with_the_school_column(
    client, coordinator, pupil_a, pupil_b, world
):
    f.StudentFactory(organisation=world.other_district_school, last_name="Далёкий")
    response = _get(client, coordinator)
    assert sorted(_names(response)) == sorted([pupil_a.last_name, pupil_b.last_name])
    html = response.content.decode()
    assert world.school_b.short_name in html
    assert "Далёкий" not in html


def test_export_links_carry_the_filters_and_the_consent_notice(client, counsellor_a, world):
    f.StudentFactory(organisation=world.school_a)
    response = _get(client, counsellor_a, grade="9", q="уч", page="1", sort="name")
    context = response.context
    assert context["without_consent"] == 1
    xlsx = context["export_xlsx_url"]
    assert xlsx.startswith(reverse("students:student_export") + "?")
    assert "grade=9" in xlsx
    assert "format=xlsx" in xlsx
    assert "page=" not in xlsx
    assert "sort=" not in xlsx
    assert "format=csv" in context["export_csv_url"]
    assert "152-ФЗ" in response.content.decode()
