"""Made-up people of the demo district: the family behind the parent and pupil logins, the
name lists every other person is combined from, their guidance profiles, and how the
earlier academic years and the technikum's intake are shaped (resource_center.demo_people
and demo_history use them)."""

from __future__ import annotations

# The family behind the "parent" and "pupil" logins, at school № 1: parents as
# (relation, last name, first name, patronymic), the mother first (she is the parent
# login); children as (last name, first name, patronymic, sex, grade, letter, birth month,
# day), the pupil login first. Every child's birth year follows from the grade.
DEMO_PARENTS = [
    ("mother", "Рычкова", "Елена", "Викторовна"),
    ("father", "Рычков", "Сергей", "Николаевич"),
]
DEMO_CHILDREN = [
    ("Рычков", "Артём", "Сергеевич", "m", 9, "А", 3, 14),
    ("Рычкова", "Дарья", "Сергеевна", "f", 7, "Б", 4, 2),
]

# --- names: common Russian and Perm-region ones, combined at random --------------------

# fmt: off
SURNAMES = [
    "Попов", "Кузнецов", "Шилов", "Зубарев", "Мальцев", "Пермяков", "Чащин", "Шестаков", "Лунегов",
    "Пьянков", "Рычков", "Ширинкин", "Мехоношин", "Кычкин", "Носков", "Третьяков", "Петухов",
    "Бояршинов", "Сидоров", "Некрасов", "Соколов", "Морозов", "Волков", "Лебедев", "Новиков",
    "Фёдоров", "Смирнов", "Белоусов", "Ермаков", "Оборин", "Останин", "Субботин", "Калинин",
    "Колчанов", "Шардаков", "Пономарёв", "Боталов", "Зырянов", "Паршаков", "Корепанов",
    "Никольский", "Мошев", "Старков", "Чудинов", "Гилёв", "Вотинов", "Лядов", "Кобелев", "Мелехин",
    "Овчинников",
]
BOYS = [
    "Артём", "Александр", "Максим", "Иван", "Дмитрий", "Кирилл", "Никита", "Михаил", "Егор",
    "Матвей", "Андрей", "Илья", "Даниил", "Алексей", "Роман", "Сергей", "Владислав", "Ярослав",
    "Тимофей", "Арсений",
]
GIRLS = [
    "Анастасия", "Мария", "Дарья", "Анна", "Елизавета", "Полина", "Виктория", "Екатерина", "Софья",
    "Алиса", "Ксения", "Варвара", "Александра", "Вероника", "Арина", "Ульяна", "Валерия",
    "Кристина", "Алёна", "Милана",
]
MOTHERS = [
    "Елена", "Ольга", "Наталья", "Татьяна", "Светлана", "Ирина", "Анна", "Юлия", "Екатерина",
    "Марина", "Оксана", "Надежда", "Галина", "Людмила", "Мария", "Евгения", "Анастасия", "Ксения",
    "Любовь", "Вера",
]
# A father's first name and the patronymic it gives a son (a daughter's ends in -вна).
FATHERS = [
    ("Александр", "Александрович"), ("Сергей", "Сергеевич"), ("Андрей", "Андреевич"),
    ("Алексей", "Алексеевич"), ("Дмитрий", "Дмитриевич"), ("Евгений", "Евгеньевич"),
    ("Владимир", "Владимирович"), ("Михаил", "Михайлович"), ("Николай", "Николаевич"),
    ("Игорь", "Игоревич"), ("Павел", "Павлович"), ("Денис", "Денисович"),
    ("Роман", "Романович"), ("Олег", "Олегович"), ("Виктор", "Викторович"),
    ("Юрий", "Юрьевич"), ("Максим", "Максимович"), ("Иван", "Иванович"),
    ("Константин", "Константинович"), ("Вячеслав", "Вячеславович"),
]
# fmt: on
# Perm Krai mobile codes, so made-up numbers look local.
MOBILE_CODES = ("902", "908", "912", "919", "950", "951", "952", "961", "963", "982", "992")

# Career-guidance profile of pupils with a processing consent (made up).
INTERESTS = [
    "робототехника, компьютерные игры",
    "футбол, рыбалка",
    "рисование, шитьё",
    "музыка, гитара",
    "кулинария, выпечка",
    "техника, ремонт велосипедов",
    "лыжи, туризм",
    "программирование на Python",
    "животные, помощь в приюте",
    "химия, опыты",
    "чтение, история края",
    "волейбол, танцы",
]
PROFESSIONS = [
    "сварщик",
    "повар",
    "программист",
    "электромонтёр",
    "автомеханик",
    "бухгалтер",
    "ветеринар",
    "учитель",
    "медсестра",
    "инженер-металлург",
    "дизайнер",
    "полицейский",
]
ACHIEVEMENTS = [
    ("Всероссийская олимпиада школьников по технологии", "olympiad", "municipal"),
    ("Всероссийская олимпиада школьников по математике", "olympiad", "school"),
    ("Конкурс «Юный мастер»", "competition", "municipal"),
    ("Чемпионат «Профессионалы», юниоры", "competition", "regional"),
    ("Первенство округа по лыжным гонкам", "competition", "municipal"),
    ("Олимпиада по информатике", "olympiad", "regional"),
]

# --- career guidance ----------------------------------------------------------------------

# fmt: off
# Professions of the district: title, ОКЗ code (ОК 010-2014 group), interest types (Klimov

# --- earlier academic years and the technikum's intake ------------------------------------

# How many academic years before the current one have pupils' records: each pupil of this
# year has one record (a grade lower each year back) in every earlier year in which their
# grade was 7 or more.
HISTORY_YEARS = 2
# The 11th graders of each earlier year (they have left school since), per 11th grader the
# school has this year.
GRADUATES_SHARE = 0.8
# First-year technikum students beyond the TECHNIKUM_STUDENTS of every course, per
# programme (ОКСО); most of them finished a district school last year.
INTAKE: dict[str, int] = {
    "15.01.05": 14,
    "15.02.19": 8,
    "43.01.09": 12,
    "09.02.07": 12,
    "13.01.10": 10,
    "35.01.27": 10,
    "23.01.17": 12,
    "38.02.01": 8,
}
# Technikum students of the first two courses who finished a district school (the others
# came from elsewhere); about half of them come from the programme's feeder school (by key).
FROM_DISTRICT = 0.85
FEEDER_SHARE = 0.5
FEEDER_SCHOOLS: dict[str, str] = {
    "15.01.05": "school3",
    "15.02.19": "school1",
    "43.01.09": "school2",
    "09.02.07": "school1",
    "13.01.10": "uralskaya",
    "35.01.27": "grigorievskaya",
    "23.01.17": "uralskaya",
    "38.02.01": "school2",
}
# Of the pupils of grades 8–11 with a processing consent, the share whose guardians also let
# their names reach employers (company excursions), and of the 9th and 11th graders the share
# who let them reach the technikum.
TRANSFER_EMPLOYERS_SHARE = 0.4
TRANSFER_TECHNIKUM_SHARE = 0.5
