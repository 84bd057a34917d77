"""Fixed-window limits on failed guesses per client address (one-time codes and the like)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


@dataclass
class FailureThrottle:
    """At most ``limit`` failures per client address per ``window`` seconds for one scope.

    The address is REMOTE_ADDR, which resource_center.middleware sets to the client's own
    address behind a trusted proxy.
    """

    scope: str
    limit: int = 10
    window: int = 15 * 60  # seconds

    def _key(self, request: HttpRequest) -> str:
        return f"throttle:{self.scope}:{request.META.get('REMOTE_ADDR') or 'unknown'}"

    def blocked(self, request: HttpRequest) -> bool:
        return cache.get(self._key(request), 0) >= self.limit

    def fail(self, request: HttpRequest) -> None:
        key = self._key(request)
        # add() starts the window at the first failure and incr() keeps its expiry: a fixed
        # window, so at most `limit` guesses per address per window.
        cache.add(key, 0, self.window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, self.window)

    @property
    def window_minutes(self) -> int:
        return max(1, self.window // 60)
