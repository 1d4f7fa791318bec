"""Rate limiting and retry policy: pure, with the clock injected, so tests run instantly.

The Model Hub limits each contract across every endpoint: `X-RateLimit-Limit` requests per minute
sustained and `X-RateLimit-Burst` requests per 2-second window (defaults 300 and 10). A plain
token bucket of capacity 10 refilling at 5/s would let 20 requests through in 2 s, which the burst
rule forbids; so `RateLimiter` keeps the send times of the last minute and admits a request only
when both sliding windows (burst per 2 s, limit per 60 s) have room, with a small safety margin
for network jitter. Any schedule that passes it also passes a token bucket of the same numbers.

Half the burst may go at once (a person's question, its query embedding and its rerank do
not queue behind each other); past that, requests are spread evenly at the allowed rate rather
than fired in clumps whenever the window frees up, so a question arriving during an ingest waits
at most one interval, and a limit that drops mid-run catches few requests in flight.

One limiter per process (the composition root builds one client), shared by every call:
- interactive callers (a person's question) go ahead of bulk callers (ingest embeddings);
- the server's `X-RateLimit-*` headers correct the limits and account for other users of the
  same contract (`Remaining` below what we expect means someone else is sending);
- a 429's `Retry-After` pauses every caller, not just the one that got it.

`RetryPolicy` decides whether and how long to wait before a retry: `Retry-After` when the server
gave one, else capped exponential backoff with jitter, within a retry count and a time budget.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from core.ports import Priority

MINUTE = 60.0
# Seconds added to each window for jitter between our send and the server's count of it. At
# 0.05 s, 1 request in 160 was answered 429 with a 1-2 s hub (`bench/bench_hub.py`, 10,000
# files: 87.4 % of the allowed rate at 2 s, the back-off costing the rest); at 0.10 s none was
# (92.0 %), for 2.4 % of the steady rate.
JITTER_MARGIN = 0.10
RETRYABLE_STATUS = frozenset({408, 409, 429})


@dataclass(frozen=True, slots=True)
class RateHeaders:
    limit: int | None = None
    burst: int | None = None
    remaining: int | None = None


def parse_rate_headers(headers: Mapping[str, str]) -> RateHeaders:
    """The `X-RateLimit-*` values of a response; missing or malformed ones are None."""
    lowered = {k.lower(): v for k, v in headers.items()}

    def number(name: str) -> int | None:
        raw = lowered.get(name, "").strip()
        try:
            return int(float(raw)) if raw else None
        except ValueError:
            return None

    return RateHeaders(
        limit=number("x-ratelimit-limit"),
        burst=number("x-ratelimit-burst"),
        remaining=number("x-ratelimit-remaining"),
    )


def parse_retry_after(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or an HTTP date) or `retry-after-ms`.

    `now` is the wall-clock time (epoch seconds) that an HTTP date is measured against.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms", "").strip()
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    raw = lowered.get("retry-after", "").strip()
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many retries, how long between them, and the total time we may spend waiting."""

    max_retries: int = 6
    budget_seconds: float = 300.0
    base_delay: float = 0.5
    max_delay: float = 8.0

    def backoff(self, attempt: int, jitter: float) -> float:
        """Delay before retry number `attempt` (0-based); `jitter` in [0, 1) shaves up to 25%."""
        delay = min(self.max_delay, self.base_delay * (2.0**attempt))
        return delay * (1.0 - 0.25 * jitter)

    def next_delay(
        self, attempt: int, *, retry_after: float | None, waited: float, jitter: float
    ) -> float | None:
        """Seconds to wait before the next try, or None when retries or budget are spent."""
        if attempt >= self.max_retries:
            return None
        delay = retry_after if retry_after is not None else self.backoff(attempt, jitter)
        if waited + delay > self.budget_seconds:
            return None
        return delay


class RateLimiter:
    """Sliding-window limiter with priority lanes; thread-safe; never sleeps itself.

    Callers loop: `wait = limiter.try_acquire(priority)`; 0 means "send now" (the send is
    recorded), otherwise sleep `wait` seconds and ask again. Wrap the loop in
    `with limiter.queued(priority):` so bulk callers yield to waiting interactive ones.
    """

    def __init__(
        self,
        per_minute: int = 300,
        burst: int = 10,
        *,
        window: float = 2.0,
        margin: float = JITTER_MARGIN,
        clock: Callable[[], float],
    ) -> None:
        self.per_minute = per_minute
        self.burst = burst
        self.window = window
        self.margin = margin
        self._clock = clock
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._next_due = 0.0
        self._waiting = {Priority.INTERACTIVE: 0, Priority.BULK: 0}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RateLimiter(per_minute={self.per_minute}, burst={self.burst})"

    @property
    def interval(self) -> float:
        """The steady spacing of requests the limits allow."""
        return max(MINUTE / self.per_minute, self.window / self.burst)

    @property
    def allowed_rate(self) -> float:
        """Requests per second the contract allows when sustained."""
        return 1.0 / self.interval

    def holding_back(self, priority: Priority = Priority.BULK) -> bool:
        """Whether callers of `priority` are waiting for a slot right now."""
        with self._lock:
            return self._waiting[priority] > 0

    @property
    def pace(self) -> float:
        """The spacing we keep when busy: the allowed one plus the safety margin."""
        return max(
            (MINUTE + self.margin) / self.per_minute, (self.window + self.margin) / self.burst
        )

    @contextmanager
    def queued(self, priority: Priority) -> Iterator[None]:
        with self._lock:
            self._waiting[priority] += 1
        try:
            yield
        finally:
            with self._lock:
                self._waiting[priority] -= 1

    def try_acquire(self, priority: Priority = Priority.BULK) -> float:
        with self._lock:
            now = self._clock()
            wait = self._wait(now)
            if priority is Priority.BULK and self._waiting[Priority.INTERACTIVE]:
                wait += self.interval  # leave the next slot to the person waiting
            if wait > 0:
                return wait
            self._sent.append(now)
            # The even schedule's next slot; a late wake-up (sleep overshoot) is caught up on
            # the following sends instead of being lost, within half a slot.
            self._next_due = max(self._next_due, now) + self.pace
            return 0.0

    def delay(self) -> float:
        """How long a request would wait now (without taking a slot)."""
        with self._lock:
            return self._wait(self._clock())

    def _wait(self, now: float) -> float:
        horizon = MINUTE + self.margin
        while self._sent and self._sent[0] <= now - horizon:
            self._sent.popleft()
        waits = [self._paused_until - now]
        in_burst = self._in_window(now)
        if in_burst >= self.burst:
            waits.append(self._sent[-self.burst] + self.window + self.margin - now)
        if in_burst >= max(1, self.burst // 2):  # busy: spread the rest of the window evenly
            waits.append(self._next_due - self.pace / 2 - now)
        if len(self._sent) >= self.per_minute:
            waits.append(self._sent[-self.per_minute] + horizon - now)
        return max(0.0, *waits)

    def _in_window(self, now: float) -> int:
        """Our sends in the burst window that ends at `now` (later ones left out)."""
        edge = now - self.window - self.margin
        count = 0
        for sent in reversed(self._sent):
            if sent <= edge:
                break
            if sent <= now:
                count += 1
        return count

    def observe(self, headers: RateHeaders, *, sent_at: float | None = None) -> None:
        """Correct the limits from a response's headers.

        `sent_at`: when the request they answer took its slot. `Remaining` is the server's
        count when the request arrived, so ours is taken at that moment too: counted when the
        answer comes back, a window that has moved on (a slow answer, a busy machine) would
        read the difference as someone else's requests and hold ours back for nothing.
        """
        with self._lock:
            if headers.limit and headers.limit > 0:
                self.per_minute = headers.limit
            if headers.burst and headers.burst > 0:
                self.burst = headers.burst
            if headers.remaining is not None:
                now = self._clock()
                expected = self.burst - self._in_window(now if sent_at is None else sent_at)
                # Someone else shares the contract: count their requests as ours.
                for _ in range(max(0, expected - max(0, headers.remaining))):
                    self._sent.append(now)

    def pause(self, seconds: float) -> None:
        """Hold every caller for `seconds` (a 429's Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
