"""The small things issue 15 listed: RAG_COLLECTION preselected, an empty collection says so,
the banner names the model picked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.container import Services
from tests.fakes.fake_hub import FakeHub
from tests.ui.conftest import start_app
from tests.ui.test_app_remote import TOKEN, remote_services


def test_app_preselects_the_configured_collection(
    services_factory: Callable[..., Services],
) -> None:
    at = start_app(services_factory(collection="hr"))  # "docs" comes first alphabetically
    assert not at.exception
    assert at.selectbox(key="rag_collection").value == "hr"


def test_app_empty_collection_says_no_documents_yet_and_waits(
    services_factory: Callable[..., Services],
) -> None:
    services = services_factory(collection="empty")
    services.store.ensure_collection("empty", dim=services.embedder.dim, model="hash-test")
    at = start_app(services)
    assert not at.exception
    assert any("No documents in empty yet" in i.value for i in at.info)
    assert at.chat_input[0].disabled
    at.selectbox(key="rag_collection").set_value("docs").run()
    assert not any("No documents" in i.value for i in at.info)
    assert not at.chat_input[0].disabled


def test_app_banner_follows_the_picked_model(tmp_path: Path) -> None:
    def banner(at: AppTest) -> str:
        return str(at.success[0].value).replace("\\", "")  # the banner is markdown-escaped

    at = start_app(remote_services(tmp_path, FakeHub(token=TOKEN)))
    assert "chat meta-llama/Llama-3.3-70B-Instruct" in banner(at)
    at.selectbox(key="rag_chat_model").set_value("openai/gpt-oss-120b").run()
    assert "chat openai/gpt-oss-120b" in banner(at)
