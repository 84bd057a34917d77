from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Отчёты района"

    def ready(self) -> None:
        # Each module registers its reports in reports.registry.REPORTS on import.
        from reports import definitions  # noqa: F401
