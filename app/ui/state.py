"""What one browser session remembers, and where the app gets its services.

`Exchange` is one question with everything its answer stream said, folded as the events arrive
(by `rag.events.AnswerState.apply`, the fold `rag ask` uses too);
the chat history is a list of them in `st.session_state`. Services are built once per process by
`app.container.build_services` (cached with `st.cache_resource`); a test puts ready-made Services
under `SERVICES_KEY` in the session state instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st

from app.container import Services, build_services
from core.settings import load_settings
from rag.events import AnswerState
from rag.prompt import Turn

log = logging.getLogger(__name__)

SERVICES_KEY = "rag_services"  # tests: st.session_state[SERVICES_KEY] = Services(...)
LIMITER_KEY = "rag_login_limiter"  # tests: a `LoginLimiter` with a fake clock
HISTORY_KEY = "rag_history"
USER_KEY = "rag_user"
SEEN_KEY = "rag_last_seen"  # the signed-in session's last activity (the limiter's clock)
NOTICE_KEY = "rag_login_notice"  # why the sign-in form is back (idle expiry)
# What survives a sign-out: the injected test doubles, never anything of the person.
_KEEP_ON_SIGN_OUT = (SERVICES_KEY, LIMITER_KEY)


@dataclass(kw_only=True)
class Exchange(AnswerState):
    """One question and its answer's state (`rag.events.AnswerState`), as the session keeps it."""

    question: str
    collection: str
    stopped: bool = False  # the person stopped it; the partial text stays
    message_id: int | None = None  # its row in the thread database, once kept
    feedback: str | None = None  # "up" / "down" (threads.Feedback), once given
    feedback_comment: str = ""

    def turn(self) -> Turn:
        return Turn(question=self.question, answer=self.text, query=self.query)


@st.cache_resource(show_spinner="Starting: opening the store and loading the models…")
def _process_services() -> Services:
    services = build_services(load_settings(), with_threads=True)
    services.warm_up()  # the models load while the page draws, not on the first question
    for line in services.access_warnings():  # once per process; admins also see them on the page
        log.warning("%s", line)
    return services


def get_services() -> Services:
    injected = st.session_state.get(SERVICES_KEY)
    if isinstance(injected, Services):
        return injected
    return _process_services()


def history() -> list[Exchange]:
    if HISTORY_KEY not in st.session_state:
        st.session_state[HISTORY_KEY] = []
    exchanges: list[Exchange] = st.session_state[HISTORY_KEY]
    return exchanges


def forget_session() -> None:
    """Drop everything this browser session remembers (history, reports, choices, widget
    values, the user): the next person in this tab starts from nothing."""
    for key in list(st.session_state.keys()):
        if key not in _KEEP_ON_SIGN_OUT:
            del st.session_state[key]
