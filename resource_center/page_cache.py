"""Rendered pages kept in the cache until the portal's data changes.

A page that is read far more often than its data changes (the pupil list, a pupil's page,
the public catalogue, the district's reports) is rendered once and served from the cache
until any data of the portal changes. There is no per-page invalidation to get wrong:

- The *data generation* is a number in the cache. Every write to the database — through
  the ORM, a bulk update, raw SQL or COPY — moves it on: a database execute wrapper, put on
  every connection, watches the statements (``note_write`` is called by the COPY path that
  bypasses the wrappers). A write in a transaction moves it on again when the transaction
  commits, so a page rendered from the data before the commit is never served after it; the
  transaction's own later reads (the tests run inside one) see it moved on at once.
- A cached page's key holds the generation, so a write leaves every earlier page unused
  (the cache expires them). Writes that no page shows are not watched: sessions, the
  login throttle's records, the audit log (every view of a pupil's page writes one), the
  services' heartbeats and the periodic tasks' last runs.
- The key also holds everything else the page depends on: the path with its query, the
  user, the session, the CSRF secret the page's forms carry, the language, the day and the
  htmx flag. A page is therefore only ever served again to the session that rendered it,
  or, without a session, to visitors who hold no session and the same CSRF cookie (or
  none, when the page has no form). Pages with messages waiting are rendered, not cached.
- Access checks and the audit record stay in the view, before ``cached_page``: only the
  rendering is skipped.
- What only the clock changes within a day (an event that has begun, a questionnaire code
  that has expired) shows at most ``PAGE_CACHE_SECONDS`` (5 minutes) late.

The generation must be shared by every process that writes (web workers, Celery), so the
cache is on only with a shared cache (``PAGE_CACHE_SECONDS`` defaults to 0 without Redis;
the tests, one process, turn it on). While Redis is unreachable pages are rendered as if
there were no cache and writes go on; a process that could not move the generation on
moves it on as soon as it reaches Redis again (the pages of that meantime expire after
``PAGE_CACHE_SECONDS`` at the latest).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

GENERATION_KEY = "rc:data-generation"
# Tables written on every request, view, login or timer tick that no cached page shows.
UNWATCHED_TABLES = frozenset(
    {
        "django_session",
        "resource_center_auditentry",
        "resource_center_serviceheartbeat",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "axes_accesslog",
        "django_celery_beat_periodictask",
        "django_celery_beat_periodictasks",
    }
)
# A statement that changes no data (a UNION of SELECTs starts with a parenthesis).
_READ = re.compile(
    r"[\s(]*(SELECT|EXPLAIN|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|BEGIN|SET|SHOW|PRAGMA)\b", re.I
)
_TABLE = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.I
)


# --- the data generation ----------------------------------------------------------------


def generation(using: str = "default") -> int:
    """The current data generation (moved on first if this connection wrote meanwhile)."""
    from django.db import connections

    connection = connections[using]
    if getattr(connection, "_rc_unseen_write", False) or _missed.moves:
        connection._rc_unseen_write = False
        _move_on()
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Lost (the cache restarted, or the key was evicted): a number no earlier page used.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


class _Missed:
    """Moves of the generation this process could not make (Redis unreachable)."""

    moves = 0


_missed = _Missed()


def _move_on() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there: whatever generation() sets next is a new number anyway
        pass
    except RedisError:
        if not _missed.moves:
            logger.warning("page cache: Redis unreachable, pages are rendered uncached")
        _missed.moves += 1
        return
    _missed.moves = 0


def note_write(connection: BaseDatabaseWrapper) -> None:
    """Record that ``connection`` changed data: the generation moves on now and, inside a
    transaction, again when it commits."""
    if not connection.in_atomic_block:
        _move_on()
        return
    connection._rc_unseen_write = True
    if not any(entry[1] is _move_on for entry in connection.run_on_commit):
        transaction.on_commit(_move_on, using=connection.alias)


def writes_shown_data(sql: str) -> bool:
    """Whether a statement may change data that a page shows."""
    if _READ.match(sql):
        return False
    table = _TABLE.match(sql)
    return table is None or table.group(1).lower() not in UNWATCHED_TABLES


def _watch_writes(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
    result = execute(sql, params, many, context)
    if writes_shown_data(sql):
        note_write(context["connection"])
    return result


@receiver(connection_created, dispatch_uid="resource_center.page_cache.watch")
def _watch_connection(sender: type, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


# --- pages --------------------------------------------------------------------------------


def _has_messages(request: HttpRequest) -> bool:
    # len() counts the waiting messages without marking them shown.
    return len(get_messages(request)) > 0


def _key(request: HttpRequest, csrf_secret: str, extra: tuple) -> str:
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    parts = (
        generation(),
        request.get_full_path(),
        user.pk if user is not None and user.is_authenticated else "",
        session.session_key if session is not None else "",
        csrf_secret,
        getattr(request, "LANGUAGE_CODE", ""),
        request.headers.get("HX-Request", ""),
        timezone.localdate().isoformat(),
        *extra,
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"rc:page:{digest}"


def cached_page(
    request: HttpRequest, render: Callable[[], HttpResponse], *, vary: tuple = ()
) -> HttpResponse:
    """The response of ``render()``, from the cache when the same page was rendered for the
    same session since the data last changed. Call it after the access checks (and the
    audit record); ``vary`` adds anything else the page depends on."""
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds or request.method not in {"GET", "HEAD"} or _has_messages(request):
        return render()
    csrf_secret = request.META.get("CSRF_COOKIE") or ""
    try:
        key = _key(request, csrf_secret, vary)
        hit = cache.get(key)
    except RedisError:
        return render()
    if hit is not None:
        content, content_type, uses_csrf = hit
        if uses_csrf:
            get_token(request)  # the cookie is kept up as the rendered page keeps it
        return HttpResponse(content, content_type=content_type)
    response = render()
    if isinstance(response, SimpleTemplateResponse):
        response.render()
    uses_csrf = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
    if (
        response.status_code == 200
        and not response.streaming
        # A form's token made for a secret only this response brings is no one else's.
        and (csrf_secret or not uses_csrf)
        # A notice the rendering left for the next page would not be left by a cached copy.
        and not get_messages(request).added_new
    ):
        with contextlib.suppress(RedisError):
            cache.set(key, (response.content, response["Content-Type"], uses_csrf), seconds)
    return response


class CachedPageMixin:
    """For a class-based view: its GET served by ``cached_page`` (after ``dispatch``'s
    checks)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        view_get = super().get  # type: ignore[misc]
        return cached_page(request, lambda: view_get(request, *args, **kwargs))
