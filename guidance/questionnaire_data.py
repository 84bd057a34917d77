"""The two questionnaires the portal ships with, as plain data, and their installer.

Klimov's differential-diagnostic questionnaire (ДДО): 20 pairs of activities; the pupil
picks one activity of each pair, and each picked option adds 1 point to the type of work
it belongs to. Each of the five types scores 0–8 and the scores add up to 20. The key
(which type each option belongs to) is the published one; it is stored with every option,
not by letter, because published versions differ in the order of the two options of some
pairs. The activity texts are our own wording of the published activities.

The RIASEC inventory after J. Holland: 42 activities, 7 for each of the six types, asked
in turn R I A S E C R I A S E C …; each is answered «да» (2 points to its type),
«не знаю» (1 point) or «нет» (no points: the option has no scale). So each type scores
0–14. The items and the bands are our own; the three-letter code of the leading types is
Holland's way of stating the result.

Bands word the score ranges. Published bands for the ДДО differ between sources; a common
reading is 0–2 / 3–6 / 7–8, worded here as how strong the interest is, never as ability
or a verdict.

The installer is used by the data migration (with historical models) and by tests. It
creates a questionnaire missing by code and leaves an existing one untouched: the
coordinator may have edited its texts in the admin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from guidance.models import Questionnaire

KLIMOV = "klimov-ddo"
RIASEC = "riasec"


@dataclass(frozen=True)
class ScaleData:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class BandData:
    min_score: int
    max_score: int
    label: str
    text: str


@dataclass(frozen=True)
class OptionData:
    label: str
    text: str
    scale: str | None  # the scale code the option adds to; None adds nothing
    points: int


@dataclass(frozen=True)
class QuestionData:
    number: int
    text: str
    options: tuple[OptionData, ...]


@dataclass(frozen=True)
class QuestionnaireData:
    code: str
    title: str
    short_title: str
    description: str
    instructions: str
    result_code_length: int
    scales: tuple[ScaleData, ...]  # in tie-break order
    bands: tuple[BandData, ...]
    questions: tuple[QuestionData, ...]


# --- Klimov's ДДО -----------------------------------------------------------------------

_KLIMOV_SCALES = (
    ScaleData(
        "П",
        "Человек — природа",
        "Вам интересно то, что живёт и растёт: растения, животные, природа. Люди этого "
        "типа терпеливы, внимательны к живому, любят наблюдать и заботиться. Профессии: "
        "агроном, ветеринар, зоотехник, лесник, эколог, лаборант, технолог пищевого "
        "производства, садовник, кинолог.",
    ),
    ScaleData(
        "Т",
        "Человек — техника",
        "Вам интересны машины, механизмы, приборы и материалы: как они устроены, как их "
        "собрать, наладить, починить. Людям этого типа нравится работать руками и видеть "
        "результат. Профессии: сварщик, электромонтёр, слесарь-ремонтник, автомеханик, "
        "токарь, машинист крана, металлург, монтажник, инженер-технолог.",
    ),
    ScaleData(
        "Ч",
        "Человек — человек",
        "Вам интересно общаться, объяснять, помогать, учить, договариваться. Людям этого "
        "типа важно быть среди людей и приносить им пользу. Профессии: учитель, "
        "воспитатель, врач, медицинская сестра, продавец-консультант, администратор, "
        "социальный работник, полицейский, менеджер по работе с клиентами.",
    ),
    ScaleData(
        "З",
        "Человек — знаковая система",
        "Вам интересны числа, тексты, таблицы, схемы, чертежи и программы. Люди этого типа "
        "аккуратны, внимательны к деталям, любят порядок и точность. Профессии: "
        "бухгалтер, программист, экономист, чертёжник, корректор, делопроизводитель, "
        "специалист по информационным системам, оператор баз данных.",
    ),
    ScaleData(
        "Х",
        "Человек — художественный образ",
        "Вам интересно создавать красивое и необычное: рисовать, оформлять, выступать, "
        "сочинять. Людям этого типа важны воображение и вкус. Профессии: дизайнер, "
        "художник-оформитель, фотограф, музыкант, актёр, ювелир, флорист, "
        "парикмахер-стилист, кондитер-декоратор.",
    ),
)

_KLIMOV_BANDS = (
    BandData(
        0,
        2,
        "интерес не выражен",
        "Занятия этого типа выбраны редко. Это не значит, что они не получатся: сейчас "
        "другие занятия привлекают больше.",
    ),
    BandData(
        3,
        6,
        "средний интерес",
        "Занятия этого типа иногда привлекают. Стоит присмотреться к ним на "
        "профпробах и экскурсиях.",
    ),
    BandData(
        7,
        8,
        "выраженный интерес",
        "Занятия этого типа выбирались почти каждый раз, когда встречались в паре. "
        "Опросник говорит об интересах, а не о способностях: обсудите результат с "
        "педагогом и попробуйте себя в деле.",
    ),
)

# (pair, option а as (type, text), option б as (type, text)); the types follow the
# published key (shared KLIMOV.md): П 1а 3б 6а 10а 11а 13б 16а 20а, Т 1б 4а 7б 9а 11б 14а
# 17б 19а, Ч 2а 4б 6б 8а 12а 14б 16б 18а, З 2б 5а 9б 10б 12б 15а 19б 20б,
# Х 3а 5б 7а 8б 13а 15б 17а 18б.
_KLIMOV_PAIRS: tuple[tuple[int, tuple[str, str], tuple[str, str]], ...] = (
    (
        1,
        ("П", "Ухаживать за животными: кормить, выгуливать, следить за их здоровьем"),
        ("Т", "Обслуживать машины и приборы: следить за их работой, налаживать"),
    ),
    (
        2,
        ("Ч", "Помогать больным людям, ухаживать за ними"),
        ("З", "Составлять таблицы, схемы, программы для компьютера"),
    ),
    (
        3,
        ("Х", "Следить за качеством иллюстраций в книгах, плакатов, открыток"),
        ("П", "Следить за состоянием и ростом растений"),
    ),
    (
        4,
        ("Т", "Обрабатывать материалы: дерево, ткань, металл, пластмассу"),
        ("Ч", "Доводить товары до покупателя: рекламировать, продавать"),
    ),
    (
        5,
        ("З", "Обсуждать научно-популярные книги и статьи"),
        ("Х", "Обсуждать художественные книги, фильмы, спектакли, концерты"),
    ),
    (
        6,
        ("П", "Выращивать молодняк животных"),
        ("Ч", "Учить товарищей или младших трудовым, учебным, спортивным навыкам"),
    ),
    (
        7,
        ("Х", "Копировать рисунки и изображения или настраивать музыкальные инструменты"),
        ("Т", "Управлять грузовиком, подъёмным краном, трактором или тепловозом"),
    ),
    (
        8,
        ("Ч", "Рассказывать людям нужные им сведения: в справочной службе, на экскурсии"),
        ("Х", "Оформлять выставки и витрины, готовить спектакли и концерты"),
    ),
    (
        9,
        ("Т", "Ремонтировать вещи, технику, жильё"),
        ("З", "Искать и исправлять ошибки в текстах, таблицах, чертежах"),
    ),
    (
        10,
        ("П", "Лечить животных"),
        ("З", "Выполнять вычисления и расчёты"),
    ),
    (
        11,
        ("П", "Выводить новые сорта растений"),
        ("Т", "Конструировать новые изделия: машины, одежду, дома, продукты питания"),
    ),
    (
        12,
        ("Ч", "Разбирать споры между людьми: убеждать, объяснять, поощрять, наказывать"),
        ("З", "Разбираться в чертежах, схемах, таблицах: проверять, уточнять, упорядочивать"),
    ),
    (
        13,
        ("Х", "Наблюдать за работой творческих кружков и коллективов, изучать её"),
        ("П", "Наблюдать за жизнью микробов, изучать её"),
    ),
    (
        14,
        ("Т", "Обслуживать и налаживать медицинские приборы и аппараты"),
        ("Ч", "Оказывать людям первую помощь при ранах, ушибах, ожогах"),
    ),
    (
        15,
        ("З", "Составлять точные описания и отчёты о явлениях, событиях, измерениях"),
        ("Х", "Художественно описывать или изображать события — увиденные или придуманные"),
    ),
    (
        16,
        ("П", "Делать лабораторные анализы в больнице"),
        ("Ч", "Принимать и осматривать больных, беседовать с ними, назначать лечение"),
    ),
    (
        17,
        ("Х", "Расписывать или красить стены помещений, поверхности изделий"),
        ("Т", "Собирать и монтировать машины и приборы"),
    ),
    (
        18,
        ("Ч", "Водить сверстников или младших в театр, музей, на экскурсии, в походы"),
        ("Х", "Играть на сцене, выступать в концертах"),
    ),
    (
        19,
        ("Т", "Изготавливать по чертежам детали и изделия, строить здания"),
        ("З", "Чертить, копировать чертежи и карты"),
    ),
    (
        20,
        ("П", "Бороться с болезнями растений, с вредителями леса и сада"),
        ("З", "Набирать и оформлять тексты и таблицы на компьютере"),
    ),
)

KLIMOV_DATA = QuestionnaireData(
    code=KLIMOV,
    title="Дифференциально-диагностический опросник (ДДО) Е. А. Климова",
    short_title="ДДО Климова",
    description=(
        "Опросник Е. А. Климова показывает, к какому из пяти типов профессий, различаемых "
        "по предмету труда, склонны интересы обучающегося: природа, техника, люди, знаки "
        "(числа, тексты, схемы) или художественные образы. По каждому типу — от 0 до 8 "
        "баллов, всего 20. Результат — это интересы на сегодня, а не способности и не "
        "приговор: он помогает начать разговор о выборе профессии."
    ),
    instructions=(
        "Представьте, что после обучения вы сможете выполнять любую работу. В каждой из 20 "
        "пар выберите то занятие, которое вам больше нравится. Если нравятся оба, выберите "
        "то, что нравится сильнее; если не нравится ни одно — то, что кажется менее "
        "неприятным. Правильных и неправильных ответов нет."
    ),
    result_code_length=2,
    scales=_KLIMOV_SCALES,
    bands=_KLIMOV_BANDS,
    questions=tuple(
        QuestionData(
            number=number,
            text="",
            options=(
                OptionData("а", a_text, a_type, 1),
                OptionData("б", b_text, b_type, 1),
            ),
        )
        for number, (a_type, a_text), (b_type, b_text) in _KLIMOV_PAIRS
    ),
)


# --- RIASEC ------------------------------------------------------------------------------

_RIASEC_SCALES = (
    ScaleData(
        "R",
        "Реалистический",
        "Вам нравится работать руками, с техникой, инструментами и материалами, видеть "
        "осязаемый результат, бывать на открытом воздухе. Профессии: сварщик, "
        "электромонтёр, автомеханик, повар, строитель, водитель, фермер, станочник.",
    ),
    ScaleData(
        "I",
        "Исследовательский",
        "Вам нравится наблюдать, разбираться, как всё устроено, решать трудные задачи и "
        "проверять догадки. Профессии: лаборант, инженер-исследователь, программист, "
        "химик, биолог, врач-диагност, наладчик оборудования.",
    ),
    ScaleData(
        "A",
        "Артистический",
        "Вам нравится придумывать и создавать: рисовать, сочинять, выступать, оформлять. "
        "Важны свобода и воображение. Профессии: дизайнер, фотограф, музыкант, журналист, "
        "архитектор, парикмахер-стилист, кондитер-декоратор.",
    ),
    ScaleData(
        "S",
        "Социальный",
        "Вам нравится помогать людям, учить, заботиться, объяснять. Профессии: учитель, "
        "воспитатель, медицинская сестра, психолог, социальный работник, тренер, "
        "вожатый.",
    ),
    ScaleData(
        "E",
        "Предприимчивый",
        "Вам нравится руководить, убеждать, договариваться, начинать новое дело и "
        "добиваться цели. Профессии: менеджер, предприниматель, администратор, "
        "торговый представитель, юрист, руководитель проекта.",
    ),
    ScaleData(
        "C",
        "Конвенциональный",
        "Вам нравится порядок, ясные правила, работа с документами, числами и таблицами. "
        "Профессии: бухгалтер, делопроизводитель, кассир, логист, оператор баз данных, "
        "специалист по кадрам, библиотекарь.",
    ),
)

_RIASEC_BANDS = (
    BandData(
        0,
        4,
        "интерес слабый",
        "Такие занятия сейчас привлекают мало. Это интересы, а не способности.",
    ),
    BandData(
        5,
        9,
        "интерес средний",
        "Некоторые занятия этого типа нравятся: их стоит попробовать на практике.",
    ),
    BandData(
        10,
        14,
        "интерес выраженный",
        "Занятия этого типа нравятся больше всего. Обсудите с педагогом, какие профессии "
        "и программы обучения им соответствуют.",
    ),
)

# Seven activities per type, asked in turn R I A S E C so that one type's items are spread
# over the whole form.
_RIASEC_ITEMS: dict[str, tuple[str, ...]] = {
    "R": (
        "Собирать и ремонтировать технику, например велосипед или мопед",
        "Работать с инструментами: пилой, дрелью, паяльником",
        "Выращивать овощи на огороде или в теплице",
        "Управлять трактором, погрузчиком или другой машиной",
        "Сваривать металлические конструкции в мастерской",
        "Готовить блюда по технологической карте на большой кухне",
        "Строить или ремонтировать дом своими руками",
    ),
    "I": (
        "Ставить опыты и смотреть, что получится",
        "Разбираться, как устроены природные явления, например гроза или землетрясение",
        "Решать трудные задачи по математике или физике",
        "Читать научно-популярные статьи и смотреть передачи о науке",
        "Рассматривать под микроскопом клетки растений и животных",
        "Искать причину неисправности, проверяя одно предположение за другим",
        "Писать программы, которые что-то рассчитывают или анализируют",
    ),
    "A": (
        "Рисовать, делать эскизы или фотографировать",
        "Играть на музыкальном инструменте или петь",
        "Придумывать дизайн одежды, комнаты или сайта",
        "Сочинять рассказы, стихи или сценарии",
        "Играть в спектакле или снимать видеоролики",
        "Украшать торты, блюда или зал к празднику",
        "Делать украшения, сувениры или поделки своими руками",
    ),
    "S": (
        "Объяснять одноклассникам трудную тему",
        "Заботиться о младших детях или пожилых людях",
        "Выслушивать и поддерживать человека, которому трудно",
        "Помогать другим как волонтёр",
        "Оказывать первую помощь и ухаживать за больными",
        "Вести занятия или тренировки для младших",
        "Помогать новичкам освоиться в коллективе",
    ),
    "E": (
        "Организовывать мероприятия и руководить их подготовкой",
        "Убеждать людей принять мою точку зрения",
        "Продавать товары или услуги, договариваться о цене",
        "Быть старостой класса или капитаном команды",
        "Придумать и открыть своё дело",
        "Выступать перед публикой с докладом или речью",
        "Вести переговоры и заключать договоры",
    ),
    "C": (
        "Вести учёт: записывать доходы, расходы, количество товара",
        "Наводить порядок в документах, папках, файлах",
        "Заполнять таблицы и проверять в них данные",
        "Работать по чётким правилам и инструкциям",
        "Проверять тексты и расчёты на ошибки",
        "Составлять расписание или план работы",
        "Разбираться в бланках и оформлять документы",
    ),
}
RIASEC_ORDER = "RIASEC"
RIASEC_ITEMS_PER_TYPE = 7
# «да» 2 points, «не знаю» 1, «нет» nothing.
RIASEC_YES, RIASEC_UNSURE, RIASEC_NO = "да", "не знаю", "нет"


def _riasec_questions() -> tuple[QuestionData, ...]:
    questions = []
    for i in range(RIASEC_ITEMS_PER_TYPE):
        for j, scale in enumerate(RIASEC_ORDER):
            questions.append(
                QuestionData(
                    number=i * len(RIASEC_ORDER) + j + 1,
                    text=_RIASEC_ITEMS[scale][i],
                    options=(
                        OptionData(RIASEC_YES, "Да", scale, 2),
                        OptionData(RIASEC_UNSURE, "Не знаю", scale, 1),
                        OptionData(RIASEC_NO, "Нет", None, 0),
                    ),
                )
            )
    return tuple(questions)


RIASEC_DATA = QuestionnaireData(
    code=RIASEC,
    title="Опросник интересов по типологии Дж. Холланда (RIASEC)",
    short_title="RIASEC",
    description=(
        "Опросник по типологии Дж. Холланда различает шесть типов интересов: "
        "реалистический (R), исследовательский (I), артистический (A), социальный (S), "
        "предприимчивый (E) и конвенциональный (C). По каждому типу — от 0 до 14 баллов "
        "(«да» — 2 балла, «не знаю» — 1, «нет» — 0). Результат — код из трёх букв ведущих "
        "типов, например RIC. Он описывает интересы, а не способности."
    ),
    instructions=(
        "Прочитайте каждое занятие и ответьте, хотелось бы вам им заниматься: «да», "
        "«не знаю» или «нет». Не думайте долго: первый ответ обычно самый точный. "
        "Правильных и неправильных ответов нет."
    ),
    result_code_length=3,
    scales=_RIASEC_SCALES,
    bands=_RIASEC_BANDS,
    questions=_riasec_questions(),
)

QUESTIONNAIRES: tuple[QuestionnaireData, ...] = (KLIMOV_DATA, RIASEC_DATA)


# --- installer ---------------------------------------------------------------------------

_MODEL_NAMES = ("Questionnaire", "Scale", "Band", "Question", "Option")


def _current_models() -> dict[str, type]:
    from guidance import models

    return {name: getattr(models, name) for name in _MODEL_NAMES}


def _install_one(data: QuestionnaireData, m: Mapping[str, Any]) -> Any:
    questionnaire = m["Questionnaire"].objects.create(
        code=data.code,
        title=data.title,
        short_title=data.short_title,
        description=data.description,
        instructions=data.instructions,
        result_code_length=data.result_code_length,
        is_active=True,
    )
    scales = {
        s.code: m["Scale"].objects.create(
            questionnaire=questionnaire,
            code=s.code,
            name=s.name,
            description=s.description,
            order=order,
        )
        for order, s in enumerate(data.scales, start=1)
    }
    m["Band"].objects.bulk_create(
        m["Band"](
            questionnaire=questionnaire,
            min_score=b.min_score,
            max_score=b.max_score,
            label=b.label,
            text=b.text,
        )
        for b in data.bands
    )
    m["Question"].objects.bulk_create(
        m["Question"](questionnaire=questionnaire, number=q.number, text=q.text)
        for q in data.questions
    )
    # Read back rather than trusting bulk_create to set primary keys on every database.
    questions = {q.number: q for q in m["Question"].objects.filter(questionnaire=questionnaire)}
    m["Option"].objects.bulk_create(
        m["Option"](
            question=questions[q.number],
            label=o.label,
            text=o.text,
            scale=scales[o.scale] if o.scale else None,
            points=o.points,
            order=order,
        )
        for q in data.questions
        for order, o in enumerate(q.options, start=1)
    )
    return questionnaire


def install_questionnaires(
    models: Mapping[str, type] | None = None,
) -> dict[str, Questionnaire]:
    """Create each shipped questionnaire missing by code; existing ones are left as edited.

    ``models`` maps "Questionnaire", "Scale", "Band", "Question", "Option" to model
    classes (a data migration passes its historical ones); returns questionnaires by code.
    """
    m: Mapping[str, Any] = models or _current_models()
    installed = {}
    with transaction.atomic():
        for data in QUESTIONNAIRES:
            existing = m["Questionnaire"].objects.filter(code=data.code).first()
            installed[data.code] = existing or _install_one(data, m)
    return installed
