"""The default profession groups, professions and mapping rules of the district.

``mapping_defaults_install()`` writes them where missing and never changes what is there:
once a group, a profession's group or a rule exists, it is the coordinator's to edit. It is
idempotent, so seed_demo and a data migration may both call it.

Keyword patterns are matched by labour.services.mapping against the folded title (lower
case, «ё» as «е», punctuation as spaces) as a substring, so «сварщ» also finds
«Электрогазосварщик». Specific patterns get a smaller priority than general ones
(«автослесар» before «слесар»); the catch-all «рабоч» comes last.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.db import transaction

METAL = "Металлургия и металлообработка"
WELDING = "Сварка"
ENERGY = "Электротехника и энергетика"
TRANSPORT = "Транспорт и логистика"
TRADE = "Торговля"
CATERING = "Общественное питание"
AGRO = "Сельское хозяйство"
BUILDING = "Строительство"
EDUCATION = "Образование"
HEALTH = "Здравоохранение"
IT = "ИТ и связь"
FINANCE = "Экономика и финансы"
SERVICES = "Сфера услуг"
INDUSTRY = "Производство (прочее)"
SECURITY = "Охрана и безопасность"
HOUSING = "Жилищно-коммунальное хозяйство"
CULTURE = "Культура и спорт"
GOVERNMENT = "Государственное и муниципальное управление"

GROUPS: list[str] = [
    METAL,
    WELDING,
    ENERGY,
    TRANSPORT,
    TRADE,
    CATERING,
    AGRO,
    BUILDING,
    EDUCATION,
    HEALTH,
    IT,
    FINANCE,
    SERVICES,
    INDUSTRY,
    SECURITY,
    HOUSING,
    CULTURE,
    GOVERNMENT,
]

# Profession title -> (ОКЗ code or "", group). The first block is the demo district's
# professions (resource_center/demo_data.py PROFESSIONS_OF_DISTRICT, same ОКЗ codes); the
# second adds the professions most often seen in the vacancies of «Работа России», so that
# most real titles find a group. A missing profession is created; an existing one only gets
# its group when it has none.
# fmt: off
PROFESSIONS: dict[str, tuple[str, str]] = {
    "Сварщик": ("7212", WELDING),
    "Техник-технолог сварочного производства": ("3115", WELDING),
    "Электромонтёр": ("7412", ENERGY),
    "Инженер-энергетик": ("2151", ENERGY),
    "Оператор прокатного стана": ("8121", METAL),
    "Повар": ("5120", CATERING),
    "Кондитер": ("7512", CATERING),
    "Программист": ("2514", IT),
    "Тракторист-машинист": ("8341", AGRO),
    "Автомеханик": ("7231", TRANSPORT),
    "Водитель грузового автомобиля": ("8332", TRANSPORT),
    "Машинист дорожной техники": ("8342", BUILDING),
    "Бухгалтер": ("2411", FINANCE),
    "Продавец": ("5223", TRADE),
    "Официант": ("5131", CATERING),
    "Воспитатель": ("2342", EDUCATION),
    "Медицинская сестра": ("3221", HEALTH),
    "Дизайнер": ("2166", CULTURE),
    "Агроном": ("2132", AGRO),
    "Оператор машинного доения": ("6121", AGRO),
    "Аппаратчик пастеризации": ("8160", INDUSTRY),
    "Лаборант химического анализа": ("3111", INDUSTRY),
    "Станочник деревообрабатывающих станков": ("7523", INDUSTRY),
    "Дорожный рабочий": ("9312", BUILDING),
    "Подсобный рабочий": ("9329", INDUSTRY),
    "Упаковщик": ("9321", INDUSTRY),
    "Мойщик автомобилей": ("9122", SERVICES),
    # Frequent in real vacancies.
    "Водитель автомобиля": ("8322", TRANSPORT),
    "Машинист крана": ("8343", TRANSPORT),
    "Кладовщик": ("4321", TRANSPORT),
    "Грузчик": ("9333", TRANSPORT),
    "Кассир": ("5230", TRADE),
    "Менеджер по продажам": ("", TRADE),
    "Кухонный рабочий": ("9412", CATERING),
    "Бармен": ("5132", CATERING),
    "Пекарь": ("", CATERING),
    "Слесарь-ремонтник": ("7233", METAL),
    "Токарь": ("7223", METAL),
    "Фрезеровщик": ("", METAL),
    "Оператор станков с ЧПУ": ("", METAL),
    "Электрик": ("", ENERGY),
    "Оператор котельной": ("8182", ENERGY),
    "Слесарь-сантехник": ("7126", HOUSING),
    "Уборщик": ("9112", HOUSING),
    "Дворник": ("9613", HOUSING),
    "Каменщик": ("7112", BUILDING),
    "Плотник": ("7115", BUILDING),
    "Маляр": ("7131", BUILDING),
    "Штукатур": ("7123", BUILDING),
    "Монтажник": ("", BUILDING),
    "Инженер": ("", INDUSTRY),
    "Оператор производственной линии": ("", INDUSTRY),
    "Швея": ("", INDUSTRY),
    "Учитель": ("", EDUCATION),
    "Врач": ("", HEALTH),
    "Фельдшер": ("", HEALTH),
    "Санитар": ("5321", HEALTH),
    "Фармацевт": ("", HEALTH),
    "Ветеринарный врач": ("2250", AGRO),
    "Животновод": ("", AGRO),
    "Системный администратор": ("", IT),
    "Оператор связи": ("", IT),
    "Экономист": ("", FINANCE),
    "Юрист": ("2611", GOVERNMENT),
    "Специалист органов власти": ("", GOVERNMENT),
    "Парикмахер": ("5141", SERVICES),
    "Администратор": ("", SERVICES),
    "Охранник": ("5414", SECURITY),
    "Военнослужащий по контракту": ("", SECURITY),
    "Полицейский": ("", SECURITY),
    "Библиотекарь": ("", CULTURE),
    "Тренер": ("", CULTURE),
}

# (kind, pattern, profession title, priority). Codes are ОКПДТР codes (or their start);
# keywords are folded stems.
RULES: list[tuple[str, str, str, int]] = [
    # ОКПДТР codes.
    ("code", "19756", "Сварщик", 10),             # Электрогазосварщик
    ("code", "19906", "Сварщик", 10),             # Электросварщик ручной сварки
    ("code", "11620", "Сварщик", 10),             # Газосварщик
    ("code", "19861", "Электромонтёр", 10),       # Электромонтёр по ремонту и обслуживанию
    ("code", "16675", "Повар", 10),
    ("code", "12901", "Кондитер", 10),
    ("code", "16399", "Официант", 10),
    ("code", "11442", "Водитель автомобиля", 10),
    ("code", "18511", "Автомеханик", 10),         # Слесарь по ремонту автомобилей
    ("code", "19203", "Тракторист-машинист", 10),
    ("code", "17351", "Продавец", 10),            # Продавец непродовольственных товаров
    ("code", "17353", "Продавец", 10),            # Продавец продовольственных товаров
    ("code", "20336", "Бухгалтер", 10),
    # Specific words first.
    ("keyword", "техник-технолог свароч", "Техник-технолог сварочного производства", 20),
    ("keyword", "инженер-энергетик", "Инженер-энергетик", 20),
    ("keyword", "энергетик", "Инженер-энергетик", 30),
    ("keyword", "прокат", "Оператор прокатного стана", 30),
    ("keyword", "машинного доения", "Оператор машинного доения", 20),
    ("keyword", "дояр", "Оператор машинного доения", 30),
    ("keyword", "пастериз", "Аппаратчик пастеризации", 20),
    ("keyword", "лаборант", "Лаборант химического анализа", 40),
    ("keyword", "деревообрабат", "Станочник деревообрабатывающих станков", 30),
    ("keyword", "станочник", "Станочник деревообрабатывающих станков", 40),
    ("keyword", "автогрейдер", "Машинист дорожной техники", 20),
    ("keyword", "машинист экскаватора", "Машинист дорожной техники", 20),
    ("keyword", "машинист бульдозера", "Машинист дорожной техники", 20),
    ("keyword", "машинист катка", "Машинист дорожной техники", 20),
    ("keyword", "машинист крана", "Машинист крана", 20),
    ("keyword", "крановщик", "Машинист крана", 20),
    ("keyword", "машинист котельн", "Оператор котельной", 20),
    ("keyword", "оператор котельн", "Оператор котельной", 20),
    ("keyword", "кочегар", "Оператор котельной", 30),
    ("keyword", "дорожный рабоч", "Дорожный рабочий", 20),
    ("keyword", "кухонный рабоч", "Кухонный рабочий", 20),
    ("keyword", "мойщик посуды", "Кухонный рабочий", 20),
    ("keyword", "мойщик автомоб", "Мойщик автомобилей", 20),
    ("keyword", "автомойщ", "Мойщик автомобилей", 20),
    ("keyword", "автослесар", "Автомеханик", 20),
    ("keyword", "автомеханик", "Автомеханик", 20),
    ("keyword", "ремонту автомоб", "Автомеханик", 20),
    ("keyword", "слесарь-сантехник", "Слесарь-сантехник", 20),
    ("keyword", "сантехник", "Слесарь-сантехник", 30),
    ("keyword", "слесар", "Слесарь-ремонтник", 60),
    ("keyword", "тракторист", "Тракторист-машинист", 20),
    ("keyword", "механизатор", "Тракторист-машинист", 30),
    ("keyword", "лесовоз", "Водитель грузового автомобиля", 20),
    ("keyword", "водитель грузов", "Водитель грузового автомобиля", 20),
    ("keyword", "водитель погрузч", "Водитель грузового автомобиля", 20),
    ("keyword", "водител", "Водитель автомобиля", 50),
    ("keyword", "экспедитор", "Водитель автомобиля", 60),
    ("keyword", "ветеринар", "Ветеринарный врач", 20),
    ("keyword", "зоотехн", "Животновод", 30),
    ("keyword", "животновод", "Животновод", 30),
    ("keyword", "скотник", "Животновод", 30),
    ("keyword", "телятниц", "Животновод", 30),
    ("keyword", "агроном", "Агроном", 30),
    ("keyword", "уборке урожая", "Подсобный рабочий", 30),
    ("keyword", "сварщ", "Сварщик", 30),
    ("keyword", "сварк", "Сварщик", 40),
    ("keyword", "электромонтер", "Электромонтёр", 30),
    ("keyword", "электромонтаж", "Электрик", 30),
    ("keyword", "электрик", "Электрик", 40),
    ("keyword", "электрослесар", "Электромонтёр", 30),
    ("keyword", "токар", "Токарь", 30),
    ("keyword", "фрезеров", "Фрезеровщик", 30),
    ("keyword", "чпу", "Оператор станков с ЧПУ", 20),
    ("keyword", "кондитер", "Кондитер", 40),
    ("keyword", "пекар", "Пекарь", 30),
    ("keyword", "повар", "Повар", 35),
    ("keyword", "официант", "Официант", 30),
    ("keyword", "бармен", "Бармен", 30),
    ("keyword", "бариста", "Бармен", 30),
    ("keyword", "программист", "Программист", 30),
    ("keyword", "разработчик", "Программист", 40),
    ("keyword", "системный администратор", "Системный администратор", 20),
    ("keyword", "почтальон", "Оператор связи", 30),
    ("keyword", "оператор связи", "Оператор связи", 30),
    ("keyword", "бухгалтер", "Бухгалтер", 30),
    ("keyword", "экономист", "Экономист", 30),
    ("keyword", "кассир", "Кассир", 40),
    ("keyword", "продав", "Продавец", 35),
    ("keyword", "торговый представ", "Менеджер по продажам", 30),
    ("keyword", "менеджер по продаж", "Менеджер по продажам", 30),
    ("keyword", "мерчендайзер", "Менеджер по продажам", 30),
    ("keyword", "кладовщ", "Кладовщик", 30),
    ("keyword", "комплектовщ", "Кладовщик", 40),
    ("keyword", "грузчик", "Грузчик", 30),
    ("keyword", "фасовщ", "Упаковщик", 30),
    ("keyword", "упаковщ", "Упаковщик", 30),
    ("keyword", "воспитател", "Воспитатель", 30),
    ("keyword", "учител", "Учитель", 30),
    ("keyword", "преподавател", "Учитель", 30),
    ("keyword", "педагог", "Учитель", 40),
    ("keyword", "медицинская сестра", "Медицинская сестра", 20),
    ("keyword", "медсестра", "Медицинская сестра", 20),
    ("keyword", "медицинский брат", "Медицинская сестра", 20),
    ("keyword", "фельдшер", "Фельдшер", 30),
    ("keyword", "санитар", "Санитар", 30),
    ("keyword", "фармацевт", "Фармацевт", 30),
    ("keyword", "провизор", "Фармацевт", 30),
    ("keyword", "врач", "Врач", 40),
    ("keyword", "дизайнер", "Дизайнер", 30),
    ("keyword", "каменщик", "Каменщик", 30),
    ("keyword", "плотник", "Плотник", 30),
    ("keyword", "столяр", "Плотник", 30),
    ("keyword", "маляр", "Маляр", 30),
    ("keyword", "штукатур", "Штукатур", 30),
    ("keyword", "бетонщик", "Каменщик", 40),
    ("keyword", "монтажник", "Монтажник", 40),
    ("keyword", "швея", "Швея", 30),
    ("keyword", "портн", "Швея", 40),
    ("keyword", "парикмахер", "Парикмахер", 30),
    ("keyword", "администратор", "Администратор", 60),
    ("keyword", "уборщ", "Уборщик", 30),
    ("keyword", "дворник", "Дворник", 30),
    ("keyword", "охранник", "Охранник", 30),
    ("keyword", "сторож", "Охранник", 30),
    ("keyword", "военнослужащ", "Военнослужащий по контракту", 30),
    ("keyword", "стрелок", "Военнослужащий по контракту", 40),
    ("keyword", "полицейск", "Полицейский", 30),
    ("keyword", "участковый уполномоч", "Полицейский", 30),
    ("keyword", "библиотекар", "Библиотекарь", 30),
    ("keyword", "тренер", "Тренер", 30),
    ("keyword", "юрисконсульт", "Юрист", 30),
    ("keyword", "юрист", "Юрист", 30),
    ("keyword", "оператор линии", "Оператор производственной линии", 40),
    ("keyword", "оператор производствен", "Оператор производственной линии", 40),
    ("keyword", "инженер", "Инженер", 70),
    ("keyword", "подсобн", "Подсобный рабочий", 80),
    ("keyword", "разнорабоч", "Подсобный рабочий", 80),
    ("keyword", "благоустройств", "Подсобный рабочий", 80),
    ("keyword", "рабоч", "Подсобный рабочий", 200),
]
# fmt: on


@transaction.atomic
def mapping_defaults_install(*, apps: Any = None) -> dict[str, int]:
    """Create the missing groups, professions and rules; return how many of each were added.

    Never changes an existing row: a group is found by title, a profession by title (its
    group is set only when it has none), a rule by kind and pattern (its profession and
    priority stay as the coordinator left them). A data migration passes its historical
    ``apps``; everyone else uses the current models.
    """
    apps = apps or global_apps
    ProfessionGroup = apps.get_model("labour", "ProfessionGroup")
    Profession = apps.get_model("guidance", "Profession")
    MappingRule = apps.get_model("labour", "MappingRule")
    groups = {g.title: g for g in ProfessionGroup.objects.filter(title__in=GROUPS)}
    new_groups = [ProfessionGroup(title=t) for t in GROUPS if t not in groups]
    ProfessionGroup.objects.bulk_create(new_groups)
    groups = {g.title: g for g in ProfessionGroup.objects.filter(title__in=GROUPS)}

    professions = {p.title: p for p in Profession.objects.filter(title__in=list(PROFESSIONS))}
    new_professions = [
        Profession(title=title, okz_code=okz, group=groups[group])
        for title, (okz, group) in PROFESSIONS.items()
        if title not in professions
    ]
    Profession.objects.bulk_create(new_professions)
    ungrouped = [p for p in professions.values() if p.group_id is None]
    for profession in ungrouped:
        profession.group = groups[PROFESSIONS[profession.title][1]]
    Profession.objects.bulk_update(ungrouped, ["group"])
    professions = {p.title: p for p in Profession.objects.filter(title__in=list(PROFESSIONS))}

    existing = set(MappingRule.objects.values_list("kind", "pattern"))
    new_rules = [
        MappingRule(kind=kind, pattern=pattern, profession=professions[title], priority=priority)
        for kind, pattern, title, priority in RULES
        if (kind, pattern) not in existing
    ]
    MappingRule.objects.bulk_create(new_rules)
    return {
        "groups": len(new_groups),
        "professions": len(new_professions),
        "grouped": len(ungrouped),
        "rules": len(new_rules),
    }
