"""Settings of the resource-centre portal, read from the environment.

With no variable set the portal runs as the embedded default: SQLite in ``var/``,
Celery over the filesystem transport, DEBUG on. Production differs only by
variables; ``.env.example`` and the README list every one of them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG off the portal refuses to start with the "
        "development key: set SECRET_KEY to a long random string (for example the "
        "output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin with the portal's own site: only coordinators and superusers.
    "resource_center.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "django_celery_beat",
    "health_check",
    "resource_center",
    "schools",
    "students",
    "employers",
    "guidance",
    "labour",
    "reports",
    "career_minimum",
]

MIDDLEWARE = [
    # First, so every later middleware and view sees the client's own address.
    "resource_center.middleware.ClientAddressMiddleware",
    "resource_center.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: the Content-Security-Policy goes on pages, not on static files.
    "csp.middleware.CSPMiddleware",
    "resource_center.middleware.AllowedMethodsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "resource_center.session_expiry.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # user.is_verified(); then a user who owes the one-time code is held on the code page.
    "django_otp.middleware.OTPMiddleware",
    "resource_center.two_factor.SecondFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "resource_center.urls"
WSGI_APPLICATION = "resource_center.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "resource_center.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if "DATABASE_URL" not in env:
    # A fresh checkout has no var/ yet; the embedded database lives there.
    VAR_DIR.mkdir(exist_ok=True)
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# With persistent connections (CONN_MAX_AGE > 0, production sets 60) a request first checks
# the connection it inherits and reconnects if the server has restarted meanwhile, instead
# of failing on the dead connection (docs/performance.md measures a restart under load).
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a web process and a Celery worker at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # The portal's queries are short; JIT compilation only slows the region-wide reports.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Seconds a rendered page may stay in the cache (resource_center.page_cache); any write to
# the data leaves it unused before that, and what only the clock changes (an event that has
# begun, a code that has expired) shows at most this late. Only with the shared cache: a
# per-process one would not hear of the other processes' writes. 0 turns it off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300 if REDIS_URL else 0)
if PAGE_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("PAGE_CACHE_SECONDS must be 0 or more.")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# AxesStandaloneBackend only refuses locked-out attempts; ModelBackend logs people in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Two-factor login (optional, coordinators and administration): the name apps show, and
# django-otp's back-off after wrong codes (1, 2, 4, 8... seconds), kept on explicitly.
OTP_TOTP_ISSUER = "Ресурсный центр профориентации"
OTP_TOTP_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("en", _("Английский"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Yekaterinburg"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages come from npm (package-lock.json) and are never committed.
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Uploaded pupil lists are read into memory for the preview; larger files are refused.
PUPIL_IMPORT_MAX_BYTES = env.int("PUPIL_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
VACANCY_IMPORT_MAX_BYTES = env.int("VACANCY_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
# Academic years after a pupil's last record before the record is anonymised (152-FZ).
PUPIL_RETENTION_YEARS = env.int("PUPIL_RETENTION_YEARS", default=3)
# The region whose vacancies the «Работа России» import reads (Perm Krai by default).
TRUDVSEM_REGION_CODE = env.str("TRUDVSEM_REGION_CODE", default="5900000000000")

# Reverse proxies in front of the portal (nginx, a load balancer). 0: it is reached directly
# and X-Forwarded-For is ignored; N: resource_center.middleware.ClientAddressMiddleware takes
# the client's address from the N-th X-Forwarded-For entry from the right. The audit trail,
# the code throttles and the login lockout all read that one address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or a positive number of proxies.")

# Login throttling (django-axes) of the portal's login page and the admin's. Failures are
# counted in the database, so every web process shares them.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
if AXES_FAILURE_LIMIT < 1 or LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_COOLOFF_MINUTES must be at least 1.")
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# Failures are counted per username AND address together. By username alone a stranger could
# lock any real user out from anywhere by typing their login wrong five times; by address
# alone everyone behind one school's NAT would be locked out together. Per pair, a guesser
# gets LOGIN_FAILURE_LIMIT tries per cool-off for each login from each address, and the
# owner signs in from their own address all the same. (Trying one password on many logins
# from one address is not slowed by this; the validators keep such passwords out.)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a successful login clears that pair's failures
# A locked-out pair's cool-off runs from its last counted failure; further attempts during
# the lockout do not extend it, so «try again in N minutes» on the lockout page holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "resource_center.middleware.client_address"
AXES_USERNAME_CALLABLE = "resource_center.throttle.login_username"
AXES_LOCKOUT_CALLABLE = "resource_center.throttle.login_lockout_response"
AXES_COOLOFF_MESSAGE = _("Слишком много неудачных попыток входа. Попробуйте позже.")
AXES_PERMALOCK_MESSAGE = _(
    "Слишком много неудачных попыток входа. Обратитесь к координатору ресурсного центра."
)
# No history of successful logins is kept: only the failures the lockout needs.
AXES_DISABLE_ACCESS_LOG = True

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's own address, for the links of e-mails sent by Celery (no request to read the
# host from), e.g. https://portal.example.ru.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")
if not PORTAL_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("PORTAL_URL must be an http:// or https:// address.")

# Security: strict by default whenever DEBUG is off; each can be relaxed by a variable
# (for example behind a TLS-terminating proxy on a private network).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp), in every environment so that the tests and the browser
# tests meet the policy production sends. Pages load scripts, styles, fonts and images only
# from the portal itself: no inline <script>, no style="" or on…="" attributes (page data
# travels in <script type="application/json"> blocks, which browsers never run). With
# CSP_REPORT_ONLY=true the browser reports violations in its console and blocks nothing.
_csp_policy = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# env.bool() reads any unknown word as false; a typo here must not pass unnoticed.
_csp_report_only = env.str("CSP_REPORT_ONLY", default="false").strip().lower()
if _csp_report_only not in {"true", "false", "on", "off", "yes", "no", "1", "0"}:
    raise ImproperlyConfigured("CSP_REPORT_ONLY must be true or false.")
if _csp_report_only in {"true", "on", "yes", "1"}:
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp_policy
else:
    CONTENT_SECURITY_POLICY = _csp_policy
    CONTENT_SECURITY_POLICY_REPORT_ONLY = None

# A session ends after SESSION_IDLE_MINUTES without a request: IdleSessionMiddleware moves
# an active session's expiry forward (writing it at most once a minute, not on every request
# as SESSION_SAVE_EVERY_REQUEST would). A password change signs the user's other sessions out:
# Django checks each session against a hash of the password on every request.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=60)
if SESSION_IDLE_MINUTES < 2:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 2.")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport so that a
# worker and beat run with no server installed. CELERY_DATA_DIR moves its folders (tests
# point a worker and themselves at a temporary one).
CELERY_DATA_DIR = Path(env.str("CELERY_DATA_DIR", default=str(VAR_DIR / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# LOG_FORMAT=json writes one JSON object per line (time, level, logger, message, request
# id, task id) for journald/Loki/ELK; text is for people reading a terminal. Both go to
# stderr. resource_center.logs.RequestIdMiddleware supplies the request id.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
if LOG_FORMAT == "json":
    # Otherwise the Celery worker replaces the root handler with its own text format.
    CELERY_WORKER_HIJACK_ROOT_LOGGER = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "resource_center.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "resource_center.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every successful login at INFO; failures and lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
