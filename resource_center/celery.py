"""The Celery app, configured from Django settings (CELERY_* names)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resource_center.settings")

app = Celery("resource_center")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def create_filesystem_folders(conf: Any) -> None:
    """Create the folders of the filesystem transport and file:// backend that ``conf`` names."""
    # Both refuse to start on a missing folder, and a fresh checkout (or a test's temporary
    # CELERY_DATA_DIR) has none.
    if not str(conf.broker_url).startswith("filesystem"):
        return
    options = conf.broker_transport_options or {}
    keys = ("data_folder_in", "data_folder_out", "control_folder", "processed_folder")
    folders = [options.get(key) for key in keys]
    backend = str(conf.result_backend or "")
    if backend.startswith("file://"):
        folders.append(backend.removeprefix("file://"))
    for folder in filter(None, folders):
        Path(folder).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _create_filesystem_folders(sender: Celery, source: Any, **kwargs: Any) -> None:
    create_filesystem_folders(source)
