"""The Celery app, configured from Django settings (CELERY_* names)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resource_center.settings")

app = Celery("resource_center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
