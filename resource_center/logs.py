"""Log formats: plain text, or one JSON object per line for a log collector (LOG_FORMAT).

Every record carries a request id: RequestIdMiddleware takes it from the X-Request-ID
header the front proxy sets (nginx: ``proxy_set_header X-Request-ID $request_id;``) or
makes one, returns it in the response and keeps it for the records logged while the
request is handled. In a Celery worker the task's id and name are added instead.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is accepted as it is when it looks like one; anything else (too long,
# spaces, control characters that could forge log lines) is replaced by our own.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# Attributes every LogRecord has; anything else was passed by the caller in ``extra``.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "task_id",
    "task_name",
}


def current_request_id() -> str:
    """The id of the request being handled in this thread or task, or ''."""
    return _request_id.get()


class RequestIdMiddleware:
    """Give each request an id, echo it in X-Request-ID and attach it to its log records."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Add ``request_id`` (and in a worker ``task_id``, ``task_name``) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id()
        if not request_id:
            # django.request logs errors with the request attached, even without middleware.
            request = getattr(record, "request", None)
            request_id = getattr(request, "request_id", "") or ""
        record.request_id = request_id
        record.task_id, record.task_name = _current_task()
        return True


def _current_task() -> tuple[str, str]:
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return "", ""
    task = current_task
    if not task or task.request.id is None:
        return "", ""
    return str(task.request.id), str(task.name)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "task_id", "task_name"):
            if getattr(record, key, ""):
                entry[key] = getattr(record, key)
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key != "request" and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra that JSON cannot hold (a date, a model) is logged as text
        # rather than losing the whole line.
        return json.dumps(entry, ensure_ascii=False, default=str)
