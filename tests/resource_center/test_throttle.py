"""FailureThrottle: at most `limit` failures per client address per window, per scope."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from resource_center.throttle import FailureThrottle


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def request_from(rf, address: str = "203.0.113.9"):
    return rf.post("/", REMOTE_ADDR=address)


def test_blocks_once_the_limit_of_failures_is_reached(rf):
    throttle = FailureThrottle(scope="test", limit=3, window=60)
    request = request_from(rf)

    for _ in range(2):
        throttle.fail(request)
        assert not throttle.blocked(request)
    throttle.fail(request)

    assert throttle.blocked(request)


def test_a_fresh_address_is_not_blocked(rf):
    assert not FailureThrottle(scope="test", limit=1).blocked(request_from(rf))


def test_the_block_ends_with_the_window(rf):
    throttle = FailureThrottle(scope="test", limit=2, window=1)
    request = request_from(rf)
    throttle.fail(request)
    throttle.fail(request)
    assert throttle.blocked(request)

    time.sleep(1.1)

    assert not throttle.blocked(request)


def test_the_window_is_fixed_from_the_first_failure(rf):
    # Failures spread over the window still add up: the window does not slide or restart.
    throttle = FailureThrottle(scope="test", limit=2, window=2)
    request = request_from(rf)
    throttle.fail(request)
    time.sleep(1)
    throttle.fail(request)
    assert throttle.blocked(request)

    time.sleep(1.1)

    # Two seconds after the first failure the count starts again from nothing.
    assert not throttle.blocked(request)
    throttle.fail(request)
    assert not throttle.blocked(request)


def test_failures_are_counted_per_address(rf):
    throttle = FailureThrottle(scope="test", limit=1)
    throttle.fail(request_from(rf, "203.0.113.9"))

    assert throttle.blocked(request_from(rf, "203.0.113.9"))
    assert not throttle.blocked(request_from(rf, "198.51.100.20"))


def test_failures_are_counted_per_scope(rf):
    codes = FailureThrottle(scope="codes", limit=1)
    other = FailureThrottle(scope="other", limit=1)
    request = request_from(rf)

    codes.fail(request)

    assert codes.blocked(request)
    assert not other.blocked(request)


def test_two_throttles_of_one_scope_share_their_count(rf):
    # The count lives in the cache, so every web process (and instance) sees the same.
    request = request_from(rf)
    FailureThrottle(scope="shared", limit=2).fail(request)
    FailureThrottle(scope="shared", limit=2).fail(request)

    assert FailureThrottle(scope="shared", limit=2).blocked(request)


def test_a_request_without_an_address_is_still_counted(rf):
    throttle = FailureThrottle(scope="test", limit=1)
    request = rf.post("/")
    del request.META["REMOTE_ADDR"]

    throttle.fail(request)

    assert throttle.blocked(request)


@pytest.mark.parametrize(
    ("window", "minutes"), [(15 * 60, 15), (60, 1), (30, 1), (90, 2), (3600, 60)]
)
def test_window_minutes_rounds_up_to_whole_minutes(window, minutes):
    assert FailureThrottle(scope="test", window=window).window_minutes == minutes
