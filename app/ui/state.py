"""What one browser session remembers, and where the app gets its services.

`Exchange` is one question with everything its answer stream said, folded as the events arrive;
the chat history is a list of them in `st.session_state`. Services are built once per process by
`app.container.build_services` (cached with `st.cache_resource`); a test puts ready-made Services
under `SERVICES_KEY` in the session state instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from app.container import Services, build_services
from core.records import ScoredChunk
from core.settings import Settings
from rag.events import (
    AnswerEvent,
    Citations,
    Failed,
    Notice,
    Query,
    ReasoningDelta,
    Sources,
    TextDelta,
)
from rag.prompt import Turn

SERVICES_KEY = "rag_services"  # tests: st.session_state[SERVICES_KEY] = Services(...)
HISTORY_KEY = "rag_history"
USER_KEY = "rag_user"


@dataclass
class Exchange:
    """One question and its answer, as the session keeps it (mutable while it streams)."""

    question: str
    collection: str
    query: str = ""
    rewritten: bool = False
    text: str = ""
    reasoning: str = ""
    notices: list[str] = field(default_factory=list)
    sources: tuple[ScoredChunk, ...] = ()
    found: bool = True
    citations: Citations | None = None
    failed: str | None = None
    done: bool = False

    def apply(self, event: AnswerEvent) -> None:
        if isinstance(event, TextDelta):
            self.text += event.text
        elif isinstance(event, ReasoningDelta):
            self.reasoning += event.text
        elif isinstance(event, Query):
            self.query, self.rewritten = event.text, event.rewritten
        elif isinstance(event, Sources):
            self.sources, self.found = event.chunks, event.found
        elif isinstance(event, Notice):
            self.notices.append(event.message)
        elif isinstance(event, Citations):
            self.citations = event
        elif isinstance(event, Failed):
            self.failed = event.message
        else:
            self.done = True

    def turn(self) -> Turn:
        return Turn(question=self.question, answer=self.text, query=self.query)


@st.cache_resource(show_spinner="Starting: opening the store and loading the models…")
def _process_services() -> Services:
    services = build_services(Settings())
    services.preload()  # a local model loads while the page draws, not on the first question
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
