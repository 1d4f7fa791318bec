"""The pure rate limiter and retry policy, on a fake clock."""

from __future__ import annotations

import itertools

import pytest

from core.ports import Priority
from hub.ratelimit import (
    RateHeaders,
    RateLimiter,
    RetryPolicy,
    is_retryable_status,
    parse_rate_headers,
    parse_retry_after,
)

NOW = 1_700_000_000.0  # Tue, 14 Nov 2023 22:13:20 GMT


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def send_all(
    limiter: RateLimiter, clock: Clock, n: int, priority: Priority = Priority.BULK
) -> list[float]:
    """Send n requests as fast as allowed; return their send times."""
    times = []
    for _ in range(n):
        while (wait := limiter.try_acquire(priority)) > 0:
            clock.t += wait
        times.append(clock.t)
    return times


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": "-4"}, 0.0),
        ({"Retry-After": "Tue, 14 Nov 2023 22:13:50 GMT"}, 30.0),
        ({"Retry-After": "Tue, 14 Nov 2023 22:00:00 GMT"}, 0.0),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_ratelimit_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == expected


def test_ratelimit_parse_rate_headers_any_case_and_junk() -> None:
    headers = {"X-RateLimit-Limit": "150", "x-ratelimit-burst": "5", "X-RATELIMIT-REMAINING": "x"}
    assert parse_rate_headers(headers) == RateHeaders(limit=150, burst=5, remaining=None)


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (503, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (422, False),
    ],
)
def test_ratelimit_retryable_statuses(status: int, retryable: bool) -> None:
    assert is_retryable_status(status) is retryable


def test_ratelimit_backoff_exponential_capped_with_jitter() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0)
    assert [policy.backoff(a, 0.0) for a in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert policy.backoff(2, 0.999) == pytest.approx(1.5, abs=0.01)


def test_ratelimit_policy_stops_at_count_and_budget() -> None:
    policy = RetryPolicy(max_retries=2, budget_seconds=10.0)
    assert policy.next_delay(0, retry_after=None, waited=0.0, jitter=0.0) == 0.5
    assert policy.next_delay(2, retry_after=None, waited=0.0, jitter=0.0) is None
    assert policy.next_delay(0, retry_after=11.0, waited=0.0, jitter=0.0) is None
    assert policy.next_delay(1, retry_after=3.0, waited=6.0, jitter=0.0) == 3.0


def test_ratelimit_half_burst_at_once_then_even_pace() -> None:
    clock = Clock()
    limiter = RateLimiter(300, 10, clock=clock)
    times = send_all(limiter, clock, 60)
    assert times[:5] == [0.0] * 5 and times[5] > 0.5
    gaps = [b - a for a, b in itertools.pairwise(times[20:])]
    assert min(gaps) > 0.45 * limiter.pace and max(gaps) < 1.55 * limiter.pace  # no clumps
    for i in range(10, 60):  # never more than 10 in any 2-second window
        assert times[i] - times[i - 10] >= 2.0 + limiter.margin - 1e-9
    assert (60 - 1) / times[-1] >= 0.99 / limiter.pace


def test_ratelimit_late_wakeups_are_caught_up() -> None:
    clock = Clock()
    limiter = RateLimiter(300, 10, clock=clock)
    times = []
    for _ in range(200):
        while (wait := limiter.try_acquire()) > 0:
            clock.t += wait + 0.03  # every sleep overshoots by 30 ms
        times.append(clock.t)
    assert (200 - 1) / times[-1] >= 0.98 / limiter.pace
    assert all(times[i] - times[i - 10] >= 2.0 for i in range(10, 200))


def test_ratelimit_idle_limiter_lets_a_small_burst_through() -> None:
    clock = Clock()
    limiter = RateLimiter(300, 10, clock=clock)
    send_all(limiter, clock, 12)
    clock.t += 10.0
    assert send_all(limiter, clock, 3) == [clock.t] * 3


def test_ratelimit_sustained_limit_per_minute() -> None:
    clock = Clock()
    times = send_all(RateLimiter(20, 10, clock=clock), clock, 25)
    assert times[19] < 60.0 and times[20] >= 60.0


def test_ratelimit_pause_holds_everyone() -> None:
    clock = Clock()
    limiter = RateLimiter(300, 10, clock=clock)
    limiter.pause(5.0)
    assert limiter.try_acquire(Priority.INTERACTIVE) == pytest.approx(5.0)
    clock.t = 5.0
    assert limiter.try_acquire(Priority.INTERACTIVE) == 0.0


def test_ratelimit_interactive_goes_ahead_of_bulk() -> None:
    clock = Clock()
    limiter = RateLimiter(300, 2, clock=clock)
    send_all(limiter, clock, 2)
    with limiter.queued(Priority.INTERACTIVE):
        person = limiter.try_acquire(Priority.INTERACTIVE)
        ingest = limiter.try_acquire(Priority.BULK)
        assert ingest > person > 0
        clock.t += person
        assert limiter.try_acquire(Priority.BULK) > 0  # the slot is the person's
        assert limiter.try_acquire(Priority.INTERACTIVE) == 0.0


def test_ratelimit_headers_correct_limits() -> None:
    clock = Clock()
    limiter = RateLimiter(300, 10, clock=clock)
    limiter.observe(RateHeaders(limit=150, burst=5, remaining=None))
    assert (limiter.per_minute, limiter.burst) == (150, 5)
    times = send_all(limiter, clock, 6)
    assert times[:2] == [0.0, 0.0] and times[2] > 0.0
    assert times[5] >= 2.0 + limiter.margin


def test_ratelimit_remaining_below_ours_counts_other_users() -> None:
    clock = Clock()
    limiter = RateLimiter(300, 10, clock=clock)
    send_all(limiter, clock, 2)
    limiter.observe(RateHeaders(remaining=1))  # someone else used 7 of the window
    assert send_all(limiter, clock, 2)[1] == pytest.approx(2.0 + limiter.margin)


def test_ratelimit_remaining_above_ours_changes_nothing() -> None:
    clock = Clock()
    limiter = RateLimiter(300, 10, clock=clock)
    send_all(limiter, clock, 3)
    limiter.observe(RateHeaders(remaining=9))
    assert limiter.delay() == 0.0
    assert send_all(limiter, clock, 2) == [0.0] * 2


def test_ratelimit_remaining_is_compared_with_our_count_when_the_request_went_out() -> None:
    clock = Clock()
    limiter = RateLimiter(300, 10, clock=clock)
    send_all(limiter, clock, 4)  # at 0 s
    sent_at = clock.t
    clock.t += 2.5  # the answer comes back late: our window has moved past those four sends
    limiter.observe(RateHeaders(remaining=6), sent_at=sent_at)  # the server saw our four
    assert limiter.delay() == 0.0
    assert send_all(limiter, clock, 5) == [2.5] * 5  # nothing invented
