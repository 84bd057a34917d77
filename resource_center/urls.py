from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_http_methods, require_safe

from resource_center import views, views_audit, views_two_factor
from resource_center.sitemaps import sitemaps

auth_patterns = [
    path(
        "login/",
        login_not_required(
            require_http_methods(["GET", "HEAD", "POST"])(
                auth_views.LoginView.as_view(redirect_authenticated_user=True)
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        require_http_methods(["GET", "HEAD", "POST"])(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/done/",
        require_http_methods(["GET", "HEAD"])(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("code/", views_two_factor.login_code, name="login_code"),
    path("two-factor/", views_two_factor.two_factor, name="two_factor"),
    path("two-factor/start/", views_two_factor.two_factor_start, name="two_factor_start"),
    path("two-factor/confirm/", views_two_factor.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/disable/", views_two_factor.two_factor_disable, name="two_factor_disable"),
    path(
        "two-factor/backup-codes/",
        views_two_factor.two_factor_backup_codes,
        name="two_factor_backup_codes",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("ping/", views.ping, name="ping"),
    path("audit/", views_audit.audit_list, name="audit_list"),
    path("accounts/", include(auth_patterns)),
    path("students/", include("students.urls")),
    path("programmes/", include("schools.urls")),
    path("employers/", include("employers.urls")),
    path("guidance/", include("guidance.urls")),
    path("labour/", include("labour.urls")),
    path("reports/", include("reports.urls")),
    path("minimum/", include("career_minimum.urls")),
    path(
        "sitemap.xml",
        login_not_required(require_safe(sitemap)),
        {"sitemaps": sitemaps},
        name="sitemap",
    ),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Ресурсный центр профориентации: администрирование"
admin.site.site_title = "Ресурсный центр"
admin.site.index_title = "Справочники и данные"
