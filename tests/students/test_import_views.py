"""The import pages: upload, preview, commit, discard, history; access and methods."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resource_center.models import AuditEntry, Role
from students.models import PupilImport, Student
from students.services import imports as services
from tests import factories as f

pytestmark = pytest.mark.django_db

YEAR = 2025
HEADER = "Фамилия;Имя;Отчество;Дата рождения;Класс;Пол"
GOOD = ("Ёлкина;Дарья;Сергеевна;14.05.2011;9Б;ж", "Кузнецов;Артём;;02.01.2011;9 б;м")


@pytest.fixture(autouse=True)
def _academic_year(monkeypatch):
    monkeypatch.setattr(services, "current_academic_year", lambda: YEAR)


def csv_file(*lines: str, name: str = "9Б.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1251"))


def make_import(school, user, *lines: str) -> PupilImport:
    return services.pupil_import_preview(file=csv_file(*lines), school=school, by=user)


@pytest.fixture
def own_import(world, counsellor_a):
    return make_import(world.school_a, counsellor_a, *GOOD)


# --- upload ------------------------------------------------------------------------------


def test_upload_page_for_a_counsellor_without_a_school_choice(client, counsellor_a):
    client.force_login(counsellor_a)
    response = client.get(reverse("students:import_upload"))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert "school" not in response.context["form"].fields


def test_upload_shows_the_preview_and_saves_no_pupil(client, world, counsellor_a):
    client.force_login(counsellor_a)
    response = client.post(reverse("students:import_upload"), {"file": csv_file(*GOOD)})
    pupil_import = PupilImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("students:import_preview", args=[pupil_import.uuid])
    assert (pupil_import.organisation, pupil_import.uploaded_by) == (world.school_a, counsellor_a)
    assert (pupil_import.file_name, pupil_import.rows_total) == ("9Б.csv", 2)
    assert not Student.objects.exists()


def test_counsellor_of_two_schools_chooses_the_school(client, world, counsellor_a):
    f.MembershipFactory(user=counsellor_a, organisation=world.school_b, role=Role.COUNSELLOR)
    client.force_login(counsellor_a)
    form = client.get(reverse("students:import_upload")).context["form"]
    assert set(form.fields["school"].queryset) == {world.school_a, world.school_b}
    client.post(
        reverse("students:import_upload"), {"school": world.school_b.pk, "file": csv_file(*GOOD)}
    )
    assert PupilImport.objects.get().organisation == world.school_b


def test_a_school_that_is_not_ones_own_cannot_be_chosen(client, world, counsellor_a):
    f.MembershipFactory(user=counsellor_a, organisation=world.school_b, role=Role.COUNSELLOR)
    client.force_login(counsellor_a)
    response = client.post(
        reverse("students:import_upload"),
        {"school": world.other_district_school.pk, "file": csv_file(*GOOD)},
    )
    assert response.status_code == 200
    assert "Выберите одну из своих школ." in response.content.decode()
    assert not PupilImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "Это изображение, а не таблица."),
        (b"%PDF-1.5\n", "Это PDF-документ, а не таблица."),
        (b"", "Файл пуст."),
        ("Фамилия;Имя\r\n".encode("cp1251"), "Не найдены столбцы: Дата рождения, Класс."),
    ],
)
def test_upload_of_a_wrong_file_shows_a_russian_message(client, counsellor_a, content, message):
    client.force_login(counsellor_a)
    response = client.post(
        reverse("students:import_upload"), {"file": SimpleUploadedFile("список.csv", content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PupilImport.objects.exists()


def test_upload_of_too_large_a_file(client, counsellor_a, settings):
    settings.PUPIL_IMPORT_MAX_BYTES = 1024 * 1024 // 2
    client.force_login(counsellor_a)
    big = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 // 2 + 1))
    response = client.post(reverse("students:import_upload"), {"file": big})
    assert "Файл слишком большой: можно загрузить не более 0,5 МБ." in response.content.decode()
    assert not PupilImport.objects.exists()


@pytest.mark.parametrize(
    "persona", ["head_a", "technikum_staff", "coordinator", "parent_of_pupil_a"]
)
def test_users_who_do_not_import_get_403(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("students:import_upload")).status_code == 403
    assert client.get(reverse("students:import_list")).status_code == 403


def test_anonymous_is_sent_to_login(client, own_import):
    for url in (
        reverse("students:import_upload"),
        reverse("students:import_list"),
        reverse("students:import_preview", args=[own_import.uuid]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("students:import_commit", args=[own_import.uuid]))
    assert response["Location"].startswith(reverse("login"))
    assert not Student.objects.exists()


# --- preview -----------------------------------------------------------------------------------


def test_preview_shows_every_row_with_its_errors(client, world, counsellor_a):
    pupil_import = make_import(
        world.school_a, counsellor_a, *GOOD, "Белов;Иван;;31.02.2011;9А;м", ";Анна;;14.05.2011;12;ж"
    )
    client.force_login(counsellor_a)
    response = client.get(reverse("students:import_preview", args=[pupil_import.uuid]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ёлкина Дарья Сергеевна" in html
    assert "Дата рождения «31.02.2011» не распознана" in html
    assert "Не указана фамилия." in html
    assert "Класс 12: номер класса должен быть от 1 до 11." in html
    assert response.context["can_commit"] is False
    assert 'data-testid="import-has-errors"' in html

    only_errors = client.get(
        reverse("students:import_preview", args=[pupil_import.uuid]), {"errors": "1"}
    )
    assert [item.row.line for item in only_errors.context["preview"].rows] == [4, 5]


def test_preview_says_what_is_new_and_what_is_updated(client, world, counsellor_a, own_import):
    f.StudentFactory(
        organisation=world.school_a,
        last_name="Кузнецов",
        first_name="Артём",
        patronymic="",
        birth_date="2011-01-02",
        academic_year=YEAR,
    )
    client.force_login(counsellor_a)
    response = client.get(reverse("students:import_preview", args=[own_import.uuid]))
    preview = response.context["preview"]
    assert (preview.new, preview.updates) == (1, 1)
    assert [item.is_update for item in preview.rows] == [False, True]
    assert response.context["can_commit"] is True


@pytest.mark.usefixtures("uncached")
def test_preview_queries_do_not_grow_with_the_list(
    client, world, counsellor_a, django_assert_num_queries
):
    small = make_import(world.school_a, counsellor_a, *GOOD)
    lines = [f"Иванов;Иван{'а' * (n % 30)}{'о' * (n // 30)};;14.05.2011;9А;м" for n in range(300)]
    large = make_import(world.school_a, counsellor_a, *lines)
    client.force_login(counsellor_a)
    client.get(reverse("students:import_preview", args=[small.uuid]))
    # session, user, memberships, parent?, pupil?, the import with its school and
    # uploader, the school's pupils of the year with their consent
    for pupil_import in (small, large):
        with django_assert_num_queries(7):
            client.get(reverse("students:import_preview", args=[pupil_import.uuid]))


# --- commit and discard ----------------------------------------------------------------------


def test_commit_saves_the_pupils_and_shows_the_history(client, world, counsellor_a, own_import):
    client.force_login(counsellor_a)
    response = client.post(reverse("students:import_commit", args=[own_import.uuid]))
    assert response.status_code == 302
    assert response["Location"] == reverse("students:import_list")
    assert Student.objects.filter(organisation=world.school_a).count() == 2
    own_import.refresh_from_db()
    assert own_import.status == PupilImport.Status.COMMITTED
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT)
    assert entries.count() == 2
    assert {e.path for e in entries} == {reverse("students:import_commit", args=[own_import.uuid])}
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Список «9Б.csv» сохранён: добавлено 2, обновлено 0." in html
    assert "9Б.csv" in html
    assert "Загружен" in html


def test_commit_is_refused_while_rows_have_errors(client, world, counsellor_a):
    pupil_import = make_import(world.school_a, counsellor_a, *GOOD, ";Анна;;14.05.2011;9А;ж")
    client.force_login(counsellor_a)
    url = reverse("students:import_commit", args=[pupil_import.uuid])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "students:import_preview", args=[pupil_import.uuid]
    )
    assert "исправьте файл и загрузите его снова" in response.content.decode()
    assert not Student.objects.exists()


def test_discard_drops_the_file_and_saves_nothing(client, counsellor_a, own_import):
    client.force_login(counsellor_a)
    response = client.post(reverse("students:import_discard", args=[own_import.uuid]))
    assert response["Location"] == reverse("students:import_upload")
    own_import.refresh_from_db()
    assert own_import.status == PupilImport.Status.DISCARDED
    assert bytes(own_import.content) == b""
    assert not Student.objects.exists()
    closed = client.get(reverse("students:import_preview", args=[own_import.uuid]))
    assert 'data-testid="import-closed"' in closed.content.decode()
    assert closed.context["preview"].rows == []


# --- access and methods ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("students:import_preview", "get"),
        ("students:import_commit", "post"),
        ("students:import_discard", "post"),
    ],
)
def test_counsellor_of_other_school_gets_404(client, counsellor_b, own_import, name, method):
    client.force_login(counsellor_b)
    response = getattr(client, method)(reverse(name, args=[own_import.uuid]))
    assert response.status_code == 404
    own_import.refresh_from_db()
    assert own_import.status == PupilImport.Status.PREVIEW
    assert not Student.objects.exists()


def test_head_of_the_same_school_gets_404_for_an_import(client, head_a, own_import):
    client.force_login(head_a)
    url = reverse("students:import_preview", args=[own_import.uuid])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("students:import_upload", "put"),
        ("students:import_upload", "delete"),
        ("students:import_list", "post"),
        ("students:import_preview", "post"),
        ("students:import_commit", "get"),
        ("students:import_discard", "get"),
    ],
)
def test_wrong_methods_get_405(client, counsellor_a, own_import, name, method):
    client.force_login(counsellor_a)
    args = [] if name in {"students:import_upload", "students:import_list"} else [own_import.uuid]
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 405
    assert not Student.objects.exists()


# --- history --------------------------------------------------------------------------------------


def test_history_lists_own_schools_imports_only(client, world, counsellor_a, counsellor_b):
    mine = make_import(world.school_a, counsellor_a, *GOOD)
    theirs = make_import(world.school_b, counsellor_b, *GOOD)
    client.force_login(counsellor_a)
    response = client.get(reverse("students:import_list"))
    assert list(response.context["page"]) == [mine]
    assert theirs.file_name == mine.file_name
    assert reverse("students:import_preview", args=[mine.uuid]) in response.content.decode()


@pytest.mark.usefixtures("uncached")
def test_history_queries_do_not_grow(client, world, counsellor_a, django_assert_num_queries):
    for _ in range(3):
        f.PupilImportFactory(organisation=world.school_a, uploaded_by=counsellor_a)
    client.force_login(counsellor_a)
    client.get(reverse("students:import_list"))
    # session, user, memberships, parent?, pupil?, schools, count, page with school and uploader
    with django_assert_num_queries(8):
        client.get(reverse("students:import_list"))
    for _ in range(40):
        f.PupilImportFactory(organisation=world.school_a, uploaded_by=counsellor_a)
    with django_assert_num_queries(8):
        response = client.get(reverse("students:import_list"))
    assert response.context["page"].paginator.count == 43
