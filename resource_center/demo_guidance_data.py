"""Made-up career-guidance activity of the demo district for resource_center.demo_events and
demo_guidance: upcoming and past events, who registers for them, feedback, and how many
pupils complete the questionnaires."""

from __future__ import annotations

from typing import Any

# The interest types of each programme (by ОКСО), set while a programme has none: after
# that they are the coordinator's to edit.
PROGRAMME_TYPES: dict[str, str] = {
    "15.01.05": "Т R",
    "15.02.19": "Т З R I",
    "43.01.09": "Х Ч R A",
    "09.02.07": "З I C",
    "13.01.10": "Т R I",
    "35.01.27": "Т П R",
    "23.01.17": "Т R",
    "38.02.01": "З C",
}

# Career events in the coming weeks, each kind at least once. An event is found by its
# organiser and title among the upcoming ones; when the last one has passed, a re-run plans
# the next one, so the demo calendar never runs dry.
# fmt: off
# kind, organiser key, author (demo login), title, days ahead (moved off weekends), start
# hour, hours long, grades from–to, seats, public, programme (ОКСО) or "", own interest
# types, place, description
DEMO_EVENTS: list[tuple[Any, ...]] = [
    ("trial", "technikum", "technikum", "Профпроба «Сварщик»", 6, 14, 3, 8, 9, 12, True,
     "15.01.05", "", "КГАПОУ «НМТ», сварочная мастерская",
     "Знакомство с профессией сварщика: техника безопасности, пробный сварной шов под "
     "руководством мастера. Спецодежду выдадут."),
    ("trial", "technikum", "technikum", "Профпроба «Повар, кондитер»", 13, 14, 2, 7, 9, 10,
     True, "43.01.09", "", "КГАПОУ «НМТ», учебная кухня",
     "Готовим и оформляем десерт вместе с мастером производственного обучения."),
    ("master_class", "technikum", "technikum",
     "Мастер-класс «Первая программа для микроконтроллера»", 16, 15, 2, 8, 11, 15, True,
     "09.02.07", "", "КГАПОУ «НМТ», компьютерный класс",
     "Собираем схему со светодиодом и пишем к ней программу."),
    ("open_day", "technikum", "technikum", "День открытых дверей техникума", 20, 11, 3, 8, 11,
     150, True, "", "", "КГАПОУ «НМТ», актовый зал и мастерские",
     "Рассказ о программах и приёме, экскурсия по мастерским, встреча с работодателями "
     "дуального обучения."),
    ("excursion", "nytva", "employer", "Экскурсия на ОАО «Нытва»: цех холодной прокатки", 9,
     10, 2, 9, 11, 20, True, "", "Т R", "ОАО «Нытва», проходная № 1",
     "Путь металла от рулона до готовой ленты; рассказ о рабочих профессиях завода."),
    ("excursion", "agro", "coordinator", "Экскурсия в агрофирму «Заречная»", 11, 10, 3, 8, 10,
     15, False, "", "П R", "с. Григорьевское, машинно-тракторный парк и ферма",
     "Современная сельхозтехника и молочная ферма; трансфер от школы."),
    ("job_fair", "czn", "czn", "Ярмарка вакансий и учебных мест", 27, 12, 3, 9, 11, 200, True,
     "", "Ч E", "Ресурсный центр профориентации, актовый зал",
     "Работодатели округа, техникум и центр занятости: вакансии, летняя работа для "
     "подростков, места дуального обучения."),
    ("class_hour", "school1", "counsellor", "Классный час «Профессии Нытвенского округа»", 4,
     13, 1, 7, 9, 30, False, "", "", "Нытвенская СОШ № 1, кабинет 21",
     "Какие профессии нужны предприятиям округа и где им учат."),
]
# fmt: on

# Who the counsellors register (event title, school key, how many at most): pupils holding
# every consent the event needs, in its grades, the family behind the demo logins aside.
DEMO_REGISTRATIONS: list[tuple[str, str, int]] = [
    ("Профпроба «Сварщик»", "school1", 4),
    ("Профпроба «Сварщик»", "school2", 3),
    ("Профпроба «Повар, кондитер»", "school1", 3),
    ("День открытых дверей техникума", "school1", 6),
    ("День открытых дверей техникума", "school2", 5),
    ("Экскурсия на ОАО «Нытва»: цех холодной прокатки", "school1", 4),
    ("Ярмарка вакансий и учебных мест", "school2", 6),
    ("Классный час «Профессии Нытвенского округа»", "school1", 20),
]
# The pupil login's own registration.
FAMILY_EVENT = "День открытых дверей техникума"

# Questionnaire results entered from paper forms for this many pupils with consent (and
# for the pupil login), each pupil leaning to one Klimov type and its RIASEC codes.
DEMO_RESULTS = 12
LEANINGS: list[tuple[str, str]] = [("Т", "RI"), ("Ч", "SE"), ("З", "CI"), ("П", "RI"), ("Х", "AS")]

# Career events held in the past months, found by organiser and title among the events of
# their academic year: in this one they are spread over the weeks already past (up to about
# twelve), in the earlier years over October to May. Who registered: pupils of the listed
# schools (all when empty) in the grades, holding every consent the event needs, this share
# of them (within the seats).
# fmt: off
# kind, organiser key, author (demo login), title, days back, start hour, hours long, grades
# from–to, seats, public, programme (ОКСО) or "", own interest types, place, description,
# school keys, share registered
PAST_EVENTS: list[tuple[Any, ...]] = [
    ("class_hour", "resource_centre", "coordinator",
     "Классный час «Куда пойти учиться после 9 класса»", 9, 13, 1, 8, 9, 300, False, "", "",
     "Школы округа, классные кабинеты",
     "Единый классный час: программы техникума, колледжи Перми, профильные 10 классы.",
     (), 0.7),
    ("trial", "technikum", "technikum", "Профпроба «Электромонтёр»", 16, 14, 2, 8, 9, 12, True,
     "13.01.10", "", "КГАПОУ «НМТ», электромонтажная мастерская",
     "Собираем осветительную цепь с выключателем и розеткой под присмотром мастера.",
     ("school1", "school3", "uralskaya"), 0.8),
    ("master_class", "resource_centre", "coordinator", "Мастер-класс «Как составить резюме»",
     23, 15, 2, 9, 11, 60, True, "", "Ч E", "Ресурсный центр профориентации, компьютерный класс",
     "Пишем первое резюме для летней работы и учебной практики.",
     ("school1", "school2", "school3"), 0.35),
    ("trial", "technikum", "technikum", "Профпроба «Мастер по ремонту автомобилей»", 30, 14, 3,
     8, 11, 15, True, "23.01.17", "", "КГАПОУ «НМТ», автомастерская",
     "Замена колеса и проверка уровня масла на учебном автомобиле.",
     ("uralskaya", "grigorievskaya", "school2"), 0.8),
    ("job_fair", "czn", "czn", "Осенняя ярмарка вакансий для подростков", 37, 12, 3, 8, 11,
     300, True, "", "Ч E", "Ресурсный центр профориентации, актовый зал",
     "Летняя и временная работа для подростков, трудовые отряды, учебные места техникума.",
     (), 0.45),
    ("excursion", "nytva", "employer", "Экскурсия на ОАО «Нытва»: энергетический цех", 44, 10,
     2, 9, 11, 25, True, "", "Т R", "ОАО «Нытва», проходная № 1",
     "Как завод получает и распределяет электроэнергию; рассказ о профессии электромонтёра.",
     ("school1", "school3"), 0.9),
    ("open_day", "technikum", "technikum", "День открытых дверей: рабочие профессии", 51, 11, 3,
     8, 11, 200, True, "", "", "КГАПОУ «НМТ», актовый зал и мастерские",
     "Программы техникума, условия приёма, мастерские и встреча со студентами.",
     (), 0.8),
    ("excursion", "dairy", "coordinator", "Экскурсия в ООО «Молочный двор»", 58, 10, 2, 7, 9, 30,
     False, "", "П R", "ООО «Молочный двор», г. Нытва",
     "От приёмки молока до упаковки: лаборатория, цех пастеризации, склад.",
     ("grigorievskaya", "uralskaya", "sheryinskaya"), 0.9),
    ("class_hour", "school2", "counsellor2", "Классный час «Мир профессий»", 65, 13, 1, 7, 8, 60,
     False, "", "", "Нытвенская СОШ № 2, кабинет 14",
     "Игра-викторина о профессиях округа и о том, где им учат.",
     ("school2",), 0.9),
    ("master_class", "technikum", "technikum", "Мастер-класс «Кондитерская мастерская»", 72, 15,
     2, 7, 9, 20, True, "43.01.09", "", "КГАПОУ «НМТ», учебная кухня",
     "Украшаем пряники глазурью вместе с мастером производственного обучения.",
     ("school1", "school2"), 0.5),
]
# fmt: on
# How many weeks back the past events of this academic year reach at most.
PAST_EVENTS_DAYS = 80
# Attendance of registered pupils (came, did not come, not marked: this academic year only).
ATTENDANCE = {True: 84, False: 12, None: 4}
# Of those who came, the share who left feedback; ratings with their weights; comments.
FEEDBACK_SHARE = 0.35
RATINGS = {5: 45, 4: 35, 3: 14, 2: 4, 1: 2}
FEEDBACK_COMMENTS = [
    "",
    "",
    "Понравилось, хочу ещё.",
    "Интересно, но мало времени, чтобы попробовать самому.",
    "Узнал, куда можно поступить после 9 класса.",
    "Мастер всё понятно объяснил.",
    "Было скучно, много рассказывали.",
    "Хотелось бы побольше практики.",
]

# Questionnaires beyond the paper forms above: the share of pupils with consent of each grade
# who completed each one in each academic year (entered from paper forms).
RESULT_SHARES: dict[str, dict[int, float]] = {
    "klimov-ddo": {7: 0.4, 8: 0.85, 9: 0.85, 10: 0.6, 11: 0.5},
    "riasec": {7: 0.1, 8: 0.4, 9: 0.6, 10: 0.65, 11: 0.6},
}
# The Klimov type a pupil leans to (weights by sex) and its likely RIASEC codes; a pupil's
# answers follow the leaning RESULT_CONSISTENCY of the time.
LEANING_WEIGHTS: dict[str, dict[str, int]] = {
    "m": {"Т": 40, "П": 15, "З": 20, "Ч": 10, "Х": 15},
    "f": {"Т": 8, "П": 17, "З": 15, "Ч": 35, "Х": 25},
}
RIASEC_OF: dict[str, str] = {"Т": "RI", "П": "RI", "З": "IC", "Ч": "SE", "Х": "AS"}
RESULT_CONSISTENCY = 0.75
