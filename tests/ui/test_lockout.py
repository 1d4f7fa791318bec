from __future__ import annotations

import pytest

from app.ui import lockout
from app.ui.lockout import LOCKOUT, MAX_FAILURES, WINDOW, LoginLimiter


class Clock:
    def __init__(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.time += seconds


def test_lockout_delay_grows_and_is_capped() -> None:
    limiter = LoginLimiter(Clock())
    delays = [limiter.failed("bob") for _ in range(MAX_FAILURES - 1)]
    assert delays == [0.5, 1.0, 2.0, 4.0] and limiter.locked_for("bob") == 0.0
    assert limiter.failed("bob") == 8.0  # the fifth: capped, and the name is locked
    assert limiter.locked_for(" BOB ") == LOCKOUT


def test_lockout_expires_and_success_clears_the_count() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock)
    for _ in range(MAX_FAILURES):
        limiter.failed("bob")
    clock.time += LOCKOUT
    assert limiter.locked_for("bob") == 0.0
    limiter.failed("bob")
    limiter.succeeded("bob")
    assert limiter.failed("bob") == 0.5  # counting starts over after a sign-in


def test_lockout_failures_outside_the_window_do_not_count() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock)
    for _ in range(MAX_FAILURES - 1):
        limiter.failed("bob")
    clock.time += WINDOW + 1
    limiter.failed("bob")
    assert limiter.locked_for("bob") == 0.0
    assert limiter.locked_for("alice") == 0.0  # names are counted apart


def test_lockout_forgets_stale_names_beyond_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lockout, "MAX_TRACKED", 3)
    clock = Clock()
    limiter = LoginLimiter(clock)
    for _ in range(MAX_FAILURES):
        limiter.failed("locked")
    for name in ("a", "b", "c", "d"):
        clock.time += 1
        limiter.failed(name)
    assert limiter.locked_for("locked") > 0  # flooding names does not lift a lockout
    assert [limiter.failed(name) for name in ("a", "d")] == [0.5, 1.0]  # "a" was forgotten
