"""The portal's admin site: who may use it is decided by ``access.can_use_admin``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from resource_center import access


class PortalAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, which lets in only the admin's users."""

    def confirm_login_allowed(self, user: AbstractBaseUser) -> None:
        super().confirm_login_allowed(user)
        # The role alone: an enrolled user's code is asked for after the password.
        if not access.is_admin_user(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class PortalAdminSite(admin.AdminSite):
    """Django's admin for the resource centre's coordinators and superusers only.

    Any other account gets the admin's login page (with its "not authorised" notice when
    logged in to the portal), and a user enrolled in two-factor login is let in only after
    the code.
    """

    login_form = PortalAdminAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return access.can_use_admin(request.user)
