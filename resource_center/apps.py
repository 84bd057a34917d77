from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ResourceCenterConfig(AppConfig):
    name = "resource_center"
    default = True

    def ready(self) -> None:
        # two_factor connects the login hook that asks an enrolled user for the one-time
        # code; page_cache puts on the write watcher that moves the pages' data generation on.
        from resource_center import page_cache, two_factor  # noqa: F401


class PortalAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's own site (in INSTALLED_APPS instead of it)."""

    default = False
    default_site = "resource_center.admin_site.PortalAdminSite"
