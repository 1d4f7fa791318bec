"""`LoginLimiter`: slows down and then locks out guessing at the sign-in form.

Failures count per typed name (casefolded), whether or not the name exists, so an attacker
learns nothing about which names are real: every name gets the same growing delay and the
same lockout. One limiter serves all sessions of the process (a second browser tab does not
start afresh). Pure logic with an injected clock; `app.ui.auth` sleeps and shows the message.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

MAX_FAILURES = 5  # within WINDOW seconds ...
WINDOW = 300.0
LOCKOUT = 300.0  # ... lock the name this long
FIRST_DELAY = 0.5  # seconds after the first failure, doubling after each one
MAX_DELAY = 8.0
MAX_TRACKED = 10_000  # names remembered at once; the stalest unlocked are forgotten first


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class _Record:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0
    seen: float = 0.0


class LoginLimiter:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(name: str) -> str:
        return name.strip().casefold()

    def locked_for(self, name: str) -> float:
        """Seconds until `name` may try again; 0.0 when it may now."""
        with self._lock:
            record = self._records.get(self._key(name))
            return max(0.0, record.locked_until - self.clock.now()) if record else 0.0

    def failed(self, name: str) -> float:
        """Record a failed attempt; the delay (seconds) to wait before answering it."""
        now = self.clock.now()
        with self._lock:
            record = self._records.setdefault(self._key(name), _Record())
            record.seen = now
            while record.failures and record.failures[0] <= now - WINDOW:
                record.failures.popleft()
            record.failures.append(now)
            count = len(record.failures)
            if count >= MAX_FAILURES:
                record.locked_until = now + LOCKOUT
                record.failures.clear()
            self._forget_stalest()
        return min(FIRST_DELAY * 2.0 ** (count - 1), MAX_DELAY)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._records.pop(self._key(name), None)

    def _forget_stalest(self) -> None:
        if len(self._records) <= MAX_TRACKED:
            return
        now = self.clock.now()
        for key in [k for k, r in self._records.items() if r.locked_until <= now
                    and (not r.failures or r.failures[-1] <= now - WINDOW)]:  # fmt: skip
            del self._records[key]
        while len(self._records) > MAX_TRACKED:  # unlocked names go first, the stalest first
            del self._records[min(self._records, key=lambda k: (
                self._records[k].locked_until > now, self._records[k].seen))]  # fmt: skip
