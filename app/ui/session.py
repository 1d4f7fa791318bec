"""A sign-in that survives a reload: a signed session cookie (`core.sessions`), its secret and the
signed-out sessions kept under RAG_DATA_DIR.

- Signing in sets the cookie `rag_session` (a signed opaque token: user, random session id,
  times; never the password) with a small script of ours; it is renewed while the person is
  active, so it expires after RAG_AUTH_IDLE_MINUTES without activity, and after `MAX_AGE` anyway.
- A reload (a new browser session) reads it from `st.context.cookies` and signs in again if the
  signature, the times, the user and their password (by fingerprint) still hold; anything else
  is as if there were no cookie (fails closed).
- Signing out, or idle expiry, revokes the session id (`signed-out-sessions`, a JSON record of
  id → time under the data directory, shared by every app instance on it) and clears the
  cookie: the old cookie no longer signs anyone in, even if the browser kept it.

The secret (`session-secret`, 32 random bytes, mode 0600) is made on first use and never logged
or shown. The cookie is set by script, so it cannot be HttpOnly; the page runs no script from a
document or a model (`app.ui.markdown`), which is what HttpOnly would guard against.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from pathlib import Path

import streamlit as st

from app.records import change_record, read_record
from core.access import SHARED_USER
from core.sessions import MAX_AGE, SECRET_BYTES, Session, SessionSigner, fingerprint
from core.settings import Settings

COOKIE = "rag_session"
SECRET_FILE = "session-secret"
REVOKED_FILE = "signed-out-sessions"
REFRESH = 60.0  # seconds: renew the cookie's activity time at most this often
SESSION_KEY = "rag_login_session"  # the signed session this browser session runs on
CLEAR_KEY = "rag_login_clear_cookie"  # the next run clears the cookie (after a sign-out)
PENDING_KEY = "rag_login_cookie"  # a token the next run sets as the cookie (after a sign-in)
_TOKEN = re.compile(r"[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")
_lock = threading.Lock()


def _secret(data_dir: Path) -> bytes:
    """The server's signing secret, made on first use (only the owner may read it)."""
    path = data_dir / SECRET_FILE
    with _lock:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another instance made it meanwhile
            return path.read_bytes()
        with os.fdopen(handle, "wb") as file:
            file.write(secrets.token_bytes(SECRET_BYTES))
        return path.read_bytes()


def signer(settings: Settings) -> SessionSigner:
    return SessionSigner(_secret(settings.data_dir))


def binding(settings: Settings, user: str) -> str | None:
    """The fingerprint of `user`'s stored password hash; None when the user no longer exists."""
    if settings.auth_users:
        stored = settings.auth_users.get(user)
        return fingerprint(stored.get_secret_value()) if stored is not None else None
    if settings.auth_password is not None and user == SHARED_USER:
        return fingerprint(settings.auth_password.get_secret_value())
    return None


def revoked(settings: Settings, sid: str) -> bool:
    return sid in read_record(settings.data_dir / REVOKED_FILE)


def revoke(settings: Settings, sid: str) -> None:
    """Record a signed-out session id; ids older than `MAX_AGE` are dropped (they expired).
    Under `app.records`' locks, so two app instances signing people out at once lose neither."""
    now = time.time()

    def change(signed_out: dict[str, object]) -> bool:
        for old, at in list(signed_out.items()):
            if not isinstance(at, int | float) or now - at > MAX_AGE:
                del signed_out[old]
        signed_out[sid] = round(now)
        return True

    change_record(settings.data_dir / REVOKED_FILE, change)


def cookie_script(token: str | None, *, max_age: int) -> str:
    """The script that sets (or, with None, clears) the session cookie; our token only."""
    if token is not None and not _TOKEN.fullmatch(token):
        raise ValueError("not a session token")
    value, age = (token, max_age) if token is not None else ("", 0)
    return (
        "<script>document.cookie = "
        f'"{COOKIE}={value}; path=/; max-age={age}; SameSite=Strict"'
        ' + (window.location.protocol === "https:" ? "; Secure" : "");</script>'
    )


def _set_cookie(token: str | None) -> None:
    st.html(cookie_script(token, max_age=MAX_AGE), unsafe_allow_javascript=True)


def restore(settings: Settings) -> str | None:
    """The user a valid, not signed-out session cookie names (then signed in), else None."""
    token = st.context.cookies.get(COOKIE)
    session = signer(settings).verify(
        token,
        idle_seconds=settings.auth_idle_minutes * 60,
        binding=lambda user: binding(settings, user),
    )
    if session is None or revoked(settings, session.sid):
        return None
    st.session_state[SESSION_KEY] = session
    return session.user


def remember(settings: Settings, user: str) -> None:
    """After a sign-in: a new session, its cookie set in the browser."""
    fingerprint_ = binding(settings, user)
    if fingerprint_ is None:
        return
    sign = signer(settings)
    token = sign.issue(user, fingerprint_)
    session = sign.verify(token, idle_seconds=MAX_AGE, binding=lambda _user: fingerprint_)
    st.session_state[SESSION_KEY] = session
    st.session_state[PENDING_KEY] = token  # the sign-in run reruns at once: set it next run


def keep_fresh(settings: Settings, user: str) -> None:
    """While active: set the cookie a sign-in made, and renew its activity time (at most every
    `REFRESH` seconds)."""
    pending = st.session_state.pop(PENDING_KEY, None)
    if isinstance(pending, str):
        _set_cookie(pending)
        return
    session = st.session_state.get(SESSION_KEY)
    fingerprint_ = binding(settings, user)
    if not isinstance(session, Session) or session.user != user or fingerprint_ is None:
        return
    if time.time() - session.seen < REFRESH:
        return
    sign = signer(settings)
    token = sign.refresh(session, fingerprint_)
    st.session_state[SESSION_KEY] = Session(session.user, session.sid, session.issued, time.time())
    _set_cookie(token)


def end(settings: Settings) -> None:
    """Sign-out or idle expiry (before the session state is forgotten): revoke the session."""
    session = st.session_state.get(SESSION_KEY)
    if isinstance(session, Session):
        revoke(settings, session.sid)


def clear_cookie_next() -> None:
    """(After the session state was forgotten) the next run clears the cookie."""
    st.session_state[CLEAR_KEY] = True


def clear_cookie_if_asked() -> None:
    """On the sign-in form after a sign-out: the browser forgets the cookie."""
    if st.session_state.pop(CLEAR_KEY, False):
        _set_cookie(None)
