"""Signed sign-in sessions: a token a browser keeps (in a cookie) so that a reload stays signed in.

    token = base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))
    payload = {"u": user, "sid": random id, "iat": issued, "seen": last activity, "fp": binding}

Pure: the secret, the clock and the binding (a fingerprint of the user's stored password hash,
so a changed password ends every session of that user) are passed in. `verify` fails closed:
a bad signature, a malformed token, an idle session (`seen` older than the idle limit), one past
`MAX_AGE`, one from the future, or a binding that no longer matches all give None, never an
exception. The token holds no password and no secret; the secret never leaves the server.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_AGE = 12 * 3600  # seconds: a session ends this long after sign-in, however active
CLOCK_SKEW = 60  # seconds a token's times may lie ahead of the server's clock
SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class Session:
    user: str
    sid: str  # random: what a sign-out revokes
    issued: float
    seen: float


def fingerprint(stored_hash: str) -> str:
    """A short digest of a user's stored password hash: a new password, a new fingerprint."""
    return hashlib.sha256(stored_hash.encode("utf-8")).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    def __init__(self, secret: bytes, *, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError("a session secret needs at least 16 bytes")
        self._secret = secret
        self._clock = clock

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode("ascii"), hashlib.sha256).digest())

    def issue(
        self, user: str, binding: str, *, sid: str | None = None, issued: float | None = None
    ) -> str:
        """A token for `user`, seen now (a refresh keeps `sid` and `issued`)."""
        now = self._clock()
        payload = {
            "u": user,
            "sid": sid or secrets.token_urlsafe(16),
            "iat": now if issued is None else issued,
            "seen": now,
            "fp": binding,
        }
        body = _b64(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
        return f"{body}.{self._sign(body)}"

    def refresh(self, session: Session, binding: str) -> str:
        return self.issue(session.user, binding, sid=session.sid, issued=session.issued)

    def verify(
        self, token: str | None, *, idle_seconds: float, binding: Callable[[str], str | None]
    ) -> Session | None:
        """The session `token` carries, or None (see the module docstring). `binding(user)` is
        the user's current fingerprint, None when the user no longer exists."""
        if not token or token.count(".") != 1 or len(token) > 4096:
            return None
        body, signature = token.split(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            payload = json.loads(_unb64(body))
            user, sid = str(payload["u"]), str(payload["sid"])
            issued, seen = float(payload["iat"]), float(payload["seen"])
            bound = str(payload["fp"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None
        now = self._clock()
        if seen > now + CLOCK_SKEW or issued > seen + CLOCK_SKEW:
            return None
        if now - seen > idle_seconds or now - issued > MAX_AGE:
            return None
        current = binding(user)
        if current is None or not hmac.compare_digest(current, bound):
            return None
        return Session(user, sid, issued, seen)
