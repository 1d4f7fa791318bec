"""thread_markdown: table tests on small conversations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.records import Chunk, Citation
from threads import Conversation, Feedback, Message, NewMessage, Thread
from threads.export import thread_markdown

WHEN = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
PDF = Chunk(id="a", source="handbook.pdf", title="", kind="pdf", text="t", position=0,
            page_start=3, page_end=4)  # fmt: skip
MD = Chunk(id="b", source="faq.md", title="", kind="md", text="t", position=0,
           headings=("Billing",))  # fmt: skip


def _conversation(*messages: Message) -> Conversation:
    return Conversation(Thread("t1", "alice", "Leave  rules", WHEN, WHEN), messages)


def _msg(
    position: int = 0, feedback: Feedback | None = None, comment: str = "", **kw: object
) -> Message:
    content: dict[str, object] = {"question": "How much leave?", "answer": "30 days [1].",
                                  "collection": "docs"}  # fmt: skip
    content.update(kw)
    return Message(position + 1, "t1", position, WHEN, NewMessage(**content), feedback, comment)  # type: ignore[arg-type]


CASES = [
    pytest.param(
        _conversation(),
        ["# Leave rules", "*0 questions, last updated 2026-03-04 05:06 UTC*"],
        ["## All cited documents"],
        id="empty",
    ),
    pytest.param(
        _conversation(_msg(citations=(Citation(1, PDF, 0.9, quote="Leave is\n30 days."),))),
        [
            "## 1. How much leave?",
            "30 days [1].",
            "**Sources**",
            "1. handbook.pdf, pages 3–4",
            "   > Leave is 30 days.",
            "## All cited documents",
            "- handbook.pdf, pages 3, 4",
        ],
        ["*Stopped", "*Failed", "Feedback", "Searched for"],
        id="cited-pdf",
    ),
    pytest.param(
        _conversation(
            _msg(query="annual leave", citations=(Citation(2, MD, 0.5),)),
            _msg(1, answer="30 d", stopped=True, feedback=Feedback.UP, comment="good\nenough"),
            _msg(2, answer="", failed="The API timed out."),
        ),
        [
            "*Searched for: annual leave*",
            "2. faq.md, Billing",
            "- faq.md",
            "## 2. How much leave?",
            "*Stopped before the answer was complete.*",
            "*Feedback: 👍 helpful — good enough*",
            "## 3.",
            "*Failed: The API timed out.*",
            "*3 questions",
        ],
        ["*(no answer)*"],
        id="query-stopped-feedback-failed",
    ),
    pytest.param(
        _conversation(_msg(answer="", question="Line one\nline two")),
        ["## 1. Line one line two", "*(no answer)*"],
        ["**Sources**"],
        id="no-answer",
    ),
]


@pytest.mark.parametrize(("conversation", "present", "absent"), CASES)
def test_thread_markdown_lines(
    conversation: Conversation, present: list[str], absent: list[str]
) -> None:
    markdown = thread_markdown(conversation)
    lines = markdown.splitlines()
    for expected in present:
        assert any(line.startswith(expected) for line in lines), expected
    for unexpected in absent:
        assert unexpected not in markdown, unexpected
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")


def test_thread_markdown_keeps_questions_in_order() -> None:
    markdown = thread_markdown(_conversation(_msg(0, question="first"), _msg(1, question="second")))
    assert markdown.index("## 1. first") < markdown.index("## 2. second")
