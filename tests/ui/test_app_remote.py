"""The app against the fake Model Hub: model picker, rate-limit waits, auth and stream errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from streamlit.testing.v1 import AppTest

from app.build import hub_config, remote_chat
from app.container import Services
from core.settings import Backend, Settings
from hub.client import ModelHubClient
from store.qdrant import QdrantStore
from tests.conftest import NO_FLOOR, bm25
from tests.fakes.chunks import chunk
from tests.fakes.embedder import HashEmbedder
from tests.fakes.fake_hub import FakeHub
from tests.ui.conftest import start_app

TOKEN = "tok-SECRET-never-shown-123"
TEXT = "Full-time employees receive 30 days of paid vacation per calendar year."


def remote_services(tmp_path: Path, hub: FakeHub, **settings: Any) -> Services:
    config = Settings(  # type: ignore[call-arg]
        _env_file=None, backend=Backend.REMOTE, api_token=SecretStr(TOKEN), data_dir=tmp_path,
        max_retries=2, **{"min_score": NO_FLOOR, **settings},
    )  # fmt: skip
    client = ModelHubClient(
        hub_config(config), transport=httpx.MockTransport(hub.handle), sleep=lambda s: None
    )
    services = Services(
        settings=config,
        store=QdrantStore.local(),
        embedder=HashEmbedder(),
        chat=remote_chat(client, config),
        client=client,
    )
    services.store.ensure_collection("docs", dim=64, model="hash-test")
    item = chunk(TEXT, source="handbook.pdf", page=2)
    services.store.upsert_chunks(
        "docs", [item], services.embedder.embed_documents([TEXT]), bm25([item])
    )
    return services


def _page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [s.value for s in at.success] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question)
    return at.run()


def test_app_remote_banner_and_model_picker_from_models_endpoint(tmp_path: Path) -> None:
    hub = FakeHub(token=TOKEN)
    at = start_app(remote_services(tmp_path, hub))
    assert "IONOS AI Model Hub" in at.success[0].value
    picker = at.selectbox(key="rag_chat_model")
    assert picker.options[0] == "meta-llama/Llama-3.3-70B-Instruct"
    assert "openai/gpt-oss-120b" in picker.options
    assert not any("bge-m3" in o or "FLUX" in o or "Reranker" in o for o in picker.options)
    picker.set_value("openai/gpt-oss-120b")
    at = ask(at, "How many vacation days?")
    chats = [r for r in hub.requests if r.path.endswith("/chat/completions")]
    assert chats[-1].body["model"] == "openai/gpt-oss-120b"
    assert "30 days of paid vacation per calendar year" in _page_text(at)
    assert "[1]" in _page_text(at)


def test_app_remote_rate_limit_wait_is_shown(tmp_path: Path) -> None:
    hub = FakeHub(token=TOKEN)
    at = start_app(remote_services(tmp_path, hub))
    hub.fail_next(429, retry_after=2, path="/v1/chat/completions")
    at = ask(at, "How many vacation days?")
    assert "waiting 2s for the rate limit" in _page_text(at)
    assert "30 days of paid vacation" in _page_text(at)


def test_app_remote_expired_token_is_one_line_and_never_shows_the_token(tmp_path: Path) -> None:
    hub = FakeHub(token="another-token")
    at = start_app(remote_services(tmp_path, hub))
    at = ask(at, "How many vacation days?")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "401" in errors[0] and "\n" not in errors[0]
    everything = str(at.main) + str(at.sidebar) + _page_text(at)
    assert TOKEN not in everything


def test_app_remote_broken_stream_keeps_partial_answer(tmp_path: Path) -> None:
    hub = FakeHub(token=TOKEN, chat_reply=lambda m: "Employees get thirty days [1]. " * 5)
    at = start_app(remote_services(tmp_path, hub))
    hub.break_stream(after=4)
    at = ask(at, "How many vacation days?")
    assert not at.exception
    assert "Employees get" in _page_text(at)
    assert len(at.error) == 1


def test_app_remote_reasoning_collapsed_not_in_answer(tmp_path: Path) -> None:
    hub = FakeHub(token=TOKEN, reasoning=True)
    at = start_app(remote_services(tmp_path, hub))
    at = ask(at, "How many vacation days?")
    reasoning = next(e for e in at.expander if e.label == "Reasoning")
    thought = reasoning.text[0].value
    assert thought and thought not in "\n".join(m.value for m in at.markdown)
