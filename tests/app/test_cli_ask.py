from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from app.cli.ask import register, snippet
from app.container import Services
from core.access import OPERATOR_NOTICE
from core.errors import APIStreamError
from core.records import ScoredChunk
from core.settings import Backend, RetrievalMode, Settings
from store.qdrant import QdrantStore
from tests.fakes.chat import FakeChat
from tests.fakes.chunks import scored
from tests.fakes.embedder import HashEmbedder

HITS = [
    scored("Full-time employees receive 25 days of paid vacation per year.", page=3),
    scored("Contractors are not entitled to paid vacation.", source="faq.md", page=None),
]


class CannedRetriever:
    """Answers every search with `HITS` and records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def check(self, collection: str, mode: RetrievalMode) -> None:
        pass

    def search(self, query: str, **kwargs: Any) -> list[ScoredChunk]:
        self.calls.append({"query": query, **kwargs})
        return HITS


RETRIEVER = CannedRetriever()


@pytest.fixture(autouse=True)
def canned_retrieval() -> list[dict[str, Any]]:
    RETRIEVER.calls.clear()
    return RETRIEVER.calls


def run(argv: list[str], chat: FakeChat | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rag")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["ask", *argv])
    services = Services(
        settings=Settings(_env_file=None, backend=Backend.LOCAL),  # type: ignore[call-arg]
        store=QdrantStore.local(),
        embedder=HashEmbedder(),
        chat=chat,
        retriever=RETRIEVER,
    )
    code: int = args.handler(args, services)
    return code


def test_ask_cli_offline_streams_answer_then_lists_cited_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["How many vacation days do employees get?"]) == 0
    out, err = capsys.readouterr()
    answer_text, sources = out.split("\nSources:\n")
    assert "25 days of paid vacation per year [1]." in answer_text
    assert sources.splitlines()[0] == (
        "[1] handbook.pdf, page 3: Full-time employees receive 25 days of paid vacation per year."
    )
    assert "Offline mode" in err


def test_ask_cli_json_prints_one_event_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["vacation days", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    events = [json.loads(line) for line in lines]
    assert events[0]["type"] == "query"
    assert events[1]["type"] == "sources"
    assert events[-2]["type"] == "citations" and events[-1]["type"] == "done"
    assert events[1]["chunks"][0]["chunk"]["source"] == "handbook.pdf"


def test_ask_cli_passes_collection_mode_top_k(canned_retrieval: list[dict[str, Any]]) -> None:
    run(["q", "--collection", "faq", "--mode", "sparse", "--top-k", "2"])
    call = canned_retrieval[0]
    assert (call["collection"], call["mode"].value, call["top_k"]) == ("faq", "sparse", 2)


def test_ask_cli_failed_stream_keeps_text_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    chat = FakeChat(
        reply="Employees get 25 days [1]. More", fail_after=5, error=APIStreamError("broke")
    )
    assert run(["q"], chat) == 1
    out, err = capsys.readouterr()
    assert out.startswith("Employees get 25 days [1].")
    assert "[1] handbook.pdf, page 3" in out
    assert "error: The answer stopped early: broke" in err
    assert "Traceback" not in err


def test_ask_cli_flags_invalid_markers(capsys: pytest.CaptureFixture[str]) -> None:
    run(["q"], FakeChat(reply="Ponies for all [9]."))
    out = capsys.readouterr().out
    assert "(ignored [9]: no such source)" in out
    assert "cites no source" in out


def test_snippet_long_text_cut_at_word() -> None:
    text = "word " * 100
    cut = snippet(text, 30)
    assert cut.endswith("…") and len(cut) <= 30


def test_ask_cli_runs_as_the_operator_and_says_so_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["vacation days", "--collection", "hr"]) == 0
    err = capsys.readouterr().err
    assert err.count(OPERATOR_NOTICE) == 1
    assert RETRIEVER.calls[0]["collection"] == "hr"


@pytest.mark.parametrize("name", ["finance\n", "../x", "a b"])
def test_ask_cli_collection_with_a_newline_is_refused(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(["q", "--collection", name])
    assert exit_.value.code == 2
    assert "Not a collection name" in capsys.readouterr().err
    assert RETRIEVER.calls == []


def test_answer_stream_without_a_viewer_is_refused() -> None:
    """Issue 10, item 7: `answer_stream` with no viewer used to check nothing."""
    from rag.answer import answer_stream

    with pytest.raises(TypeError, match="viewer"):
        answer_stream(  # type: ignore[call-arg]
            "q", retriever=RETRIEVER, chat=None, embedder=HashEmbedder(), collection="docs",
            mode=RetrievalMode.HYBRID, top_k=3, min_score=0.0,
        )  # fmt: skip


def test_ask_cli_source_matching_no_document_fails_without_searching(
    capsys: pytest.CaptureFixture[str], canned_retrieval: list[dict[str, Any]]
) -> None:
    assert run(["vacation days", "--source", "reports/*.pdf", "--source", "x"]) == 1
    err = capsys.readouterr().err
    assert "error: No document matches 'reports/*.pdf' in this collection." in err
    assert canned_retrieval == []
