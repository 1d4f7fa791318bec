"""Sign-in: Streamlit's own OIDC login when `[auth]` is configured in `.streamlit/secrets.toml`,
otherwise named users or a shared password from the settings (Argon2 hashes, `core.passwords`),
otherwise nobody signs in.

Wrong passwords are slowed down and then locked out per typed name (`app.ui.lockout`, one
limiter for the whole process); a session idle longer than RAG_AUTH_IDLE_MINUTES signs in
again; signing out forgets everything the session held (`app.ui.state.forget_session`).
"""

from __future__ import annotations

import math

import streamlit as st

from app.ui import session
from app.ui.lockout import LoginLimiter
from app.ui.state import (
    LIMITER_KEY,
    NOTICE_KEY,
    SEEN_KEY,
    USER_KEY,
    forget_session,
    get_services,
)
from app.ui.strings import ui_text
from core.access import check_login, login_required, named_logins
from core.settings import Settings


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


@st.cache_resource
def _process_limiter() -> LoginLimiter:
    return LoginLimiter()


def _limiter() -> LoginLimiter:
    injected = st.session_state.get(LIMITER_KEY)
    return injected if isinstance(injected, LoginLimiter) else _process_limiter()


def _still_active(limiter: LoginLimiter, settings: Settings) -> bool:
    """Whether the signed-in session was used recently; if not, it is signed out."""
    now = limiter.clock.now()
    if now - st.session_state.get(SEEN_KEY, now) > settings.auth_idle_minutes * 60:
        session.end(settings)
        forget_session()
        session.clear_cookie_next()
        minutes = settings.auth_idle_minutes
        st.session_state[NOTICE_KEY] = ui_text()("idle_signed_out", minutes=minutes)
        return False
    st.session_state[SEEN_KEY] = now
    return True


def _locked_message(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    t = ui_text()
    return t("locked_one") if minutes == 1 else t("locked_many", minutes=minutes)


def signed_in_user(settings: Settings) -> str | None:
    """The person's name; shows the sign-in form and stops the run until they are signed in.

    Returns None when no sign-in is configured (everybody is anonymous).
    """
    t = ui_text()
    if _oidc_configured():
        if not st.user.get("is_logged_in", False):
            st.title(t("title"))
            st.button(t("log_in"), on_click=st.login, type="primary")
            st.stop()
        return str(st.user.get("email") or st.user.get("name") or "user")
    if not login_required(settings):
        return None
    limiter = _limiter()
    user: str | None = st.session_state.get(USER_KEY)
    if user and _still_active(limiter, settings):
        session.keep_fresh(settings, user)
        return user
    if not user and not st.session_state.get(session.CLEAR_KEY):
        user = session.restore(settings)  # a reload: the signed cookie, if still good
        if user:
            st.session_state[USER_KEY] = user
            st.session_state[SEEN_KEY] = limiter.clock.now()
            return user
    session.clear_cookie_if_asked()
    st.title(t("title"))
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice)
    with st.form("rag_login"):
        name = st.text_input(t("name")) if named_logins(settings) else ""
        password = st.text_input(t("password"), type="password")
        submitted = st.form_submit_button(t("sign_in"), type="primary")
    if submitted:
        waiting = limiter.locked_for(name)
        if waiting:  # the password is not even checked while the name is locked
            st.error(_locked_message(waiting))
            st.stop()
        user = check_login(settings, name, password)
        if user:
            limiter.succeeded(name)
            st.session_state[USER_KEY] = user
            st.session_state[SEEN_KEY] = limiter.clock.now()
            session.remember(settings, user)  # the cookie is set on the next run
            st.rerun()
        limiter.clock.sleep(limiter.failed(name))
        waiting = limiter.locked_for(name)
        wrong = t("wrong_name_or_password") if named_logins(settings) else t("wrong_password")
        st.error(f"{wrong} {_locked_message(waiting)}" if waiting else wrong)
    st.stop()
    return None  # not reached: st.stop() ends the run


def sign_out() -> None:
    """A button callback: forget the session, then end the OIDC login when there is one."""
    session.end(get_services().settings)
    forget_session()
    session.clear_cookie_next()
    if _oidc_configured():
        st.logout()
