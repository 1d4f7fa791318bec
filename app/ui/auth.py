"""Sign-in: Streamlit's own OIDC login when `[auth]` is configured in `.streamlit/secrets.toml`,
otherwise named users or a shared password from the settings, otherwise nobody signs in."""

from __future__ import annotations

import time

import streamlit as st

from app.ui.state import HISTORY_KEY, USER_KEY
from core.access import check_login, login_required, named_logins
from core.settings import Settings

FAILED_LOGIN_DELAY = 1.0  # seconds: makes guessing passwords through the form slow


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def signed_in_user(settings: Settings) -> str | None:
    """The person's name; shows the sign-in form and stops the run until they are signed in.

    Returns None when no sign-in is configured (everybody is anonymous).
    """
    if _oidc_configured():
        if not st.user.get("is_logged_in", False):
            st.title("Ask your documents")
            st.button("Log in", on_click=st.login, type="primary")
            st.stop()
        return str(st.user.get("email") or st.user.get("name") or "user")
    if not login_required(settings):
        return None
    user: str | None = st.session_state.get(USER_KEY)
    if user:
        return user
    st.title("Ask your documents")
    with st.form("rag_login"):
        name = st.text_input("Name") if named_logins(settings) else ""
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        user = check_login(settings, name, password)
        if user:
            st.session_state[USER_KEY] = user
            st.rerun()
        time.sleep(FAILED_LOGIN_DELAY)
        st.error("Wrong name or password." if named_logins(settings) else "Wrong password.")
    st.stop()
    return None  # not reached: st.stop() ends the run


def sign_out() -> None:
    if _oidc_configured():
        st.logout()
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(HISTORY_KEY, None)
