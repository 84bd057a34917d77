"""The two ways reading «Работа России» fails as a whole, and how a cause is shortened."""

from __future__ import annotations


class TrudvsemFormatError(Exception):
    """The file or response cannot be read at all; ``message`` is for the user (Russian)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TrudvsemNetworkError(Exception):
    """The service could not be reached or answered with an error (worth retrying)."""


def short_reason(exc: Exception) -> str:
    """The first line of an exception's text (at most 200 characters), for a message."""
    text = str(exc).strip().splitlines()
    return (text[0].strip().rstrip(".") if text else exc.__class__.__name__)[:200]
