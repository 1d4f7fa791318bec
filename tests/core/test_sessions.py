"""Signed session tokens: a good one verifies; any change, idleness, age, a token from the
future, another secret, a removed user or a changed password fails closed (None)."""

from __future__ import annotations

import pytest

from core.sessions import MAX_AGE, SessionSigner, fingerprint

SECRET = b"s" * 32


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _verify(signer: SessionSigner, token: str | None, *, bound: str | None = "fp") -> object:
    return signer.verify(token, idle_seconds=600, binding=lambda user: bound)


def test_sessions_token_round_trip_names_the_user_and_holds_no_secret() -> None:
    # A binding long enough that a random session id or signature never holds it by chance
    # (a two-letter one did, once in about a hundred runs).
    binding = "binding-of-alice-3f9a1c7e5b2d4f60"
    signer = SessionSigner(SECRET, clock=Clock())
    token = signer.issue("alice", binding)
    session = _verify(signer, token, bound=binding)
    assert session is not None and session.user == "alice"  # type: ignore[attr-defined]
    assert binding not in token and SECRET.decode() not in token


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # the signature
        lambda t: "eyJ1IjoibWFsbG9yeSJ9" + t[t.index(".") :],  # another payload
        lambda t: t.replace(".", ""),
        lambda t: t + ".x",
        lambda t: "",
        lambda t: "a" * 5000 + "." + "b",
    ],
)
def test_sessions_tampered_token_fails_closed(tamper: object) -> None:
    signer = SessionSigner(SECRET, clock=Clock())
    token = signer.issue("alice", "fp")
    assert _verify(signer, tamper(token)) is None  # type: ignore[operator]
    assert _verify(signer, None) is None


def test_sessions_other_secret_removed_user_or_new_password_fail() -> None:
    clock = Clock()
    token = SessionSigner(SECRET, clock=clock).issue("alice", "fp")
    assert _verify(SessionSigner(b"t" * 32, clock=clock), token) is None
    assert _verify(SessionSigner(SECRET, clock=clock), token, bound=None) is None
    assert _verify(SessionSigner(SECRET, clock=clock), token, bound="other") is None


def test_sessions_idle_expiry_and_refresh_and_max_age() -> None:
    clock = Clock()
    signer = SessionSigner(SECRET, clock=clock)
    token = signer.issue("alice", "fp")
    clock.now += 500
    session = _verify(signer, token)
    assert session is not None
    fresh = signer.refresh(session, "fp")  # type: ignore[arg-type]
    clock.now += 500  # 1000 s after the sign-in, 500 s after the last activity
    assert _verify(signer, token) is None  # idle too long
    renewed = _verify(signer, fresh)
    assert renewed is not None and renewed.sid == session.sid  # type: ignore[attr-defined]
    while clock.now < 1_800_000_000.0 + MAX_AGE:
        fresh = signer.refresh(_verify(signer, fresh), "fp")  # type: ignore[arg-type]
        clock.now += 500
    assert _verify(signer, fresh) is None  # active all along, but past MAX_AGE


def test_sessions_token_from_the_future_fails() -> None:
    clock = Clock()
    token = SessionSigner(SECRET, clock=clock).issue("alice", "fp")
    clock.now -= 3600
    assert _verify(SessionSigner(SECRET, clock=clock), token) is None


def test_sessions_short_secret_refused_and_fingerprint_changes_with_the_hash() -> None:
    with pytest.raises(ValueError):
        SessionSigner(b"short")
    assert fingerprint("$argon2id$a") != fingerprint("$argon2id$b")
