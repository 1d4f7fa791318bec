from __future__ import annotations

from rag.events import (
    AnswerState,
    Citations,
    Done,
    Failed,
    Notice,
    Query,
    ReasoningDelta,
    Sources,
    TextDelta,
    fold,
)
from tests.fakes.chunks import scored


def test_fold_gathers_every_kind_of_event() -> None:
    hit = scored("Text.", 0.9)
    resolved = Citations((), dropped=(4,), uncited=True)

    state = fold([
        Query("paid vacation", rewritten=True),
        Sources((hit,)),
        ReasoningDelta("think "),
        TextDelta("Yes"),
        Notice("waiting 2s for the rate limit"),
        TextDelta(" [1]."),
        resolved,
        Failed("stopped"),
        Done({"sources": 1}),
    ])  # fmt: skip

    assert (state.query, state.rewritten) == ("paid vacation", True)
    assert state.sources == (hit,) and state.found is True
    assert state.text == "Yes [1]." and state.reasoning == "think "
    assert state.notices == ["waiting 2s for the rate limit"]
    assert state.citations is resolved and state.failed == "stopped"
    assert state.done is True and state.usage == {"sources": 1}


def test_answer_state_apply_is_incremental() -> None:
    state = AnswerState()

    state.apply(Sources((), found=False))
    state.apply(TextDelta("Not "))
    middle = (state.found, state.text, state.done)
    state.apply(TextDelta("found."))

    assert middle == (False, "Not ", False)
    assert state.text == "Not found." and state.citations is None and state.failed is None
