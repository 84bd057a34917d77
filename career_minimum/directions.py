"""The directions of the federal career-guidance model the portal starts with; the
coordinator renames them, adds others or switches them off in the admin."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

DEFAULT_DIRECTIONS: list[dict[str, Any]] = [
    {
        "slug": "lessons",
        "title": "Урочная деятельность",
        "description": "Уроки общеобразовательных предметов с профориентационным содержанием.",
    },
    {
        "slug": "horizons",
        "title": "Курс «Россия — мои горизонты»",
        "description": "Внеурочный курс «Россия — мои горизонты» (один час в неделю).",
    },
    {
        "slug": "upbringing",
        "title": "Воспитательная работа",
        "description": "Классные часы, встречи, проекты воспитательной программы школы.",
    },
    {
        "slug": "events",
        "title": "Профориентационные мероприятия",
        "description": "Профпробы, экскурсии на предприятия, ярмарки профессий, дни открытых "
        "дверей; мероприятия портала засчитываются сюда, если не указано иное.",
    },
    {
        "slug": "parents",
        "title": "Работа с родителями",
        "description": "Родительские собрания и консультации по выбору профессии.",
        "counts_towards_level": False,
    },
    {
        "slug": "extra_education",
        "title": "Дополнительное образование",
        "description": "Кружки и программы дополнительного образования с профориентацией.",
    },
    {
        "slug": "vocational",
        "title": "Профессиональное обучение",
        "description": "Профессиональное обучение школьников, в том числе в техникуме.",
    },
    {
        "slug": "diagnostics",
        "title": "Диагностика",
        "description": "Профориентационные анкеты: каждая пройденная за год анкета даёт часы.",
        "questionnaire_hours": Decimal("1"),
    },
]


def directions_install(direction_model: Any) -> int:
    """Create the default directions that are missing (by code); return how many."""
    created = 0
    for position, values in enumerate(DEFAULT_DIRECTIONS, start=1):
        values = dict(values)
        slug = values.pop("slug")
        _obj, was_created = direction_model.objects.get_or_create(
            slug=slug, defaults={**values, "position": position * 10}
        )
        created += was_created
    return created
