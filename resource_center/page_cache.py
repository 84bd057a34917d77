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
- A cached page is stored with the generation it was rendered in, and served only while
  that is still the current one (both are read in one round trip to the cache): a write
  leaves every earlier page unused, the next rendering replaces it. The same holds for
  other values read from the data (``remembered``: each user's access grants, which every
  page of a signed-in user reads). Writes that no page shows are not watched: sessions, the
  login throttle's records, the time of a user's last login, the audit log (every view of
  a pupil's page writes one), the services' heartbeats and the periodic tasks' last runs.
- The key also holds everything else the page depends on: the path with its query, the
  user (none for visitors), the language, the day and the htmx flag. A page is therefore
  only ever served again to the user it was rendered for (in any of their browsers), or a
  public page to any visitor. The CSRF token of the page's forms, which belongs to one
  browser, is cut out before the page is stored and the requesting browser's own token put
  in its place. Pages with messages waiting are rendered, not cached.
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
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
T = TypeVar("T")

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
# Django's stamp of a login (no page shows it): logins do not empty the cache.
_LAST_LOGIN = re.compile(
    r'\s*UPDATE\s+"auth_user"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE\s+"auth_user"\."id"\s*=\s*%s\s*$'
)
# The CSRF token of a rendered page's forms ({% csrf_token %}: the same 64 letters and digits
# in every form of one rendering); a cached page holds the slot in its place.
TOKEN_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
TOKEN_SLOT = b"\0csrf-token\0"
# A statement that changes no data (a UNION of SELECTs starts with a parenthesis).
_READ = re.compile(
    r"[\s(]*(SELECT|EXPLAIN|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|BEGIN|SET|SHOW|PRAGMA)\b", re.I
)
_TABLE = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.I
)


# --- the data generation ----------------------------------------------------------------


def generation() -> int:
    """The current data generation (moved on first if this connection wrote meanwhile)."""
    return _generation_and(None)[0]


def _generation_and(key: str | None) -> tuple[int, Any]:
    """The current data generation and the entry at ``key``, in one round trip."""
    connection = connections[DEFAULT_DB_ALIAS]
    if getattr(connection, "_rc_unseen_write", False) or _missed.moves:
        connection._rc_unseen_write = False
        _move_on()
    keys = [GENERATION_KEY] if key is None else [GENERATION_KEY, key]
    found = cache.get_many(keys)
    if GENERATION_KEY not in found:
        # Lost (the cache restarted, or the key was evicted): a number no earlier entry has.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        return cache.get(GENERATION_KEY), None
    return found[GENERATION_KEY], found.get(key) if key is not None else None


def remembered(key: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in the cache until the data changes (like the pages; computed
    each time when the cache is off or unreachable). For values read from the data only."""
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds:
        return compute()
    try:
        current, stored = _generation_and(key)
    except RedisError:
        return compute()
    if stored is not None and stored[0] == current:
        return stored[1]
    # Read after the generation: a write committed meanwhile has moved it past ``current``.
    value = compute()
    with contextlib.suppress(RedisError):
        cache.set(key, (current, value), seconds)
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
    if _READ.match(sql) or _LAST_LOGIN.match(sql):
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


def _key(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    parts = (
        request.get_full_path(),
        user.pk if user is not None and user.is_authenticated else "",
        getattr(request, "LANGUAGE_CODE", ""),
        request.headers.get("HX-Request", ""),
        timezone.localdate().isoformat(),
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"rc:page:{digest}"


def cached_page(request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The response of ``render()``, from the cache when the same page was rendered for the
    same user since the data last changed. Call it after the access checks (and the audit
    record). The page may depend on nothing but the data, the URL, the user, the language
    and the day."""
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds or request.method not in {"GET", "HEAD"} or _has_messages(request):
        return render()
    key = _key(request)
    try:
        current, stored = _generation_and(key)
    except RedisError:
        return render()
    if stored is not None and stored[0] == current:
        content, content_type = stored[1]
        if TOKEN_SLOT in content:
            # This browser's token (and its cookie, as rendering the form would set it).
            content = content.replace(TOKEN_SLOT, get_token(request).encode())
        return HttpResponse(content, content_type=content_type)
    response = render()
    if isinstance(response, SimpleTemplateResponse):
        response.render()
    if (
        response.status_code == 200
        and not response.streaming
        # A notice the rendering left for the next page would not be left by a cached copy.
        and not getattr(get_messages(request), "added_new", False)
    ):
        content = _without_token(request, response.content)
        if content is not None:
            with contextlib.suppress(RedisError):
                cache.set(key, (current, (content, response["Content-Type"])), seconds)
    return response


def _without_token(request: HttpRequest, content: bytes) -> bytes | None:
    """The page with its CSRF token replaced by the slot; None if it used a token that is
    not in a form field (nothing to cut out: not cached)."""
    if not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # no get_token() while rendering
        return content
    field = TOKEN_FIELD.search(content)
    if field is None:
        return None
    return content.replace(field.group(1), TOKEN_SLOT)


class CachedPageMixin:
    """For a class-based view: its GET served by ``cached_page`` (after ``dispatch``'s
    checks)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        view_get = super().get  # type: ignore[misc]
        return cached_page(request, lambda: view_get(request, *args, **kwargs))
