"""The default schedule of periodic jobs, defined once and synced by `manage.py sync_schedule`.

Beat runs django-celery-beat's DatabaseScheduler, so what runs is what the database holds:
this dict only seeds it. The coordinator may change intervals or switch a job off in the
admin, and the sync never undoes that. Every job here is also a management command.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NotRequired, TypedDict

from celery.schedules import crontab
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class PeriodicJob(TypedDict):
    """One entry, shaped like Celery's own ``beat_schedule`` entries."""

    task: str
    schedule: timedelta | crontab
    description: str | Promise
    # A job missed while the worker was down is dropped instead of piling up in the queue.
    expire_seconds: NotRequired[int]


DEFAULT_SCHEDULE: dict[str, PeriodicJob] = {
    "heartbeat": {
        "task": "resource_center.tasks.heartbeat",
        "schedule": timedelta(seconds=60),
        "description": _(
            "Отмечает, что worker и beat работают; страница /health/ предупреждает, "
            "если сигнала нет дольше трёх минут."
        ),
        "expire_seconds": 60,
    },
    "labour_summaries_catch_up": {
        "task": "labour.tasks_summaries.labour_summaries_catch_up_task",
        "schedule": timedelta(minutes=15),
        "description": _(
            "Рассчитывает недостающие сводки по рынку труда за последнюю завершённую неделю "
            "и месяц (команда labour_summary); уже рассчитанные не трогает."
        ),
        "expire_seconds": 15 * 60,
    },
    "labour_digests_send": {
        "task": "labour.tasks_summaries.labour_digests_send_task",
        "schedule": timedelta(minutes=30),
        "description": _(
            "Рассылает подписчикам письма с новыми сводками по рынку труда; каждая сводка "
            "уходит один раз (после расчёта её отправляет и задача расчёта сводок)."
        ),
        "expire_seconds": 30 * 60,
    },
    "import_trudvsem": {
        "task": "labour.tasks.import_trudvsem_task",
        "schedule": crontab(hour=3, minute=30),
        "description": _(
            "Загружает вакансии «Работы России» по региону TRUDVSEM_REGION_CODE "
            "(команда import_trudvsem); нужен доступ в интернет."
        ),
        "expire_seconds": 6 * 3600,
    },
    "data_retention": {
        "task": "students.tasks.data_retention_task",
        "schedule": crontab(hour=2, minute=15),
        "description": _(
            "Исполняет запросы родителей на удаление персональных данных (в течение 30 дней "
            "по закону) и обезличивает обучающихся, у которых нет записей за последние "
            "PUPIL_RETENTION_YEARS учебных лет (команда anonymise_pupils); сводные отчёты "
            "не меняются."
        ),
        "expire_seconds": 12 * 3600,
    },
}
