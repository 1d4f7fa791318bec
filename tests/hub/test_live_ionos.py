"""Against the real IONOS AI Model Hub: runs only with IONOS_API_TOKEN set (never in CI)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.build import hub_config
from core.ports import ChatDelta, Priority
from core.settings import IONOS_BASE_URL, Settings
from hub.client import ModelHubClient

pytestmark = pytest.mark.live


@pytest.fixture
def client() -> Iterator[ModelHubClient]:
    settings = Settings(base_url=IONOS_BASE_URL)
    if settings.api_token is None:
        pytest.skip("set IONOS_API_TOKEN to run the live IONOS tests")
    with ModelHubClient(hub_config(settings)) as live:
        yield live


def test_live_models_embeddings_and_streamed_chat(client: ModelHubClient) -> None:
    settings = Settings()
    models = client.models()
    assert settings.embed_model in models and settings.chat_model in models

    vectors = client.embeddings(["first text", "second text"], model=settings.embed_model)
    assert len(vectors) == 2 and len(vectors[0]) == len(vectors[1]) > 0

    stream = client.chat_stream(
        [
            {
                "role": "user",
                "content": "Answer with one word: what colour is the sky on a clear day?",
            }
        ],
        model=settings.chat_model,
        max_tokens=20,
        temperature=0.0,
        priority=Priority.INTERACTIVE,
    )
    text = "".join(item.content for item in stream if isinstance(item, ChatDelta))
    assert "blue" in text.lower()
