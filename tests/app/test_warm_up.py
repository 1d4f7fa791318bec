"""`Services.warm_up`: `warmed` is clear while the models load in the background, set once they
are (and set from the start for Services that never warm up: tests, the CLI)."""

from __future__ import annotations

import threading

from app.container import Services
from core.settings import Backend, Settings
from store.qdrant import QdrantStore
from tests.fakes.embedder import HashEmbedder


def test_warm_up_clears_warmed_until_the_models_are_loaded() -> None:
    release = threading.Event()
    loaded: list[str] = []

    def preload() -> None:
        assert release.wait(10)
        loaded.append("embedder")

    services = Services(
        settings=Settings(_env_file=None, backend=Backend.LOCAL),  # type: ignore[call-arg]
        store=QdrantStore.local(),
        embedder=HashEmbedder(),
        chat=None,
        preload=preload,
    )
    assert services.warmed.is_set()
    services.warm_up()
    assert not services.warmed.is_set()
    release.set()
    assert services.warmed.wait(30)
    assert loaded == ["embedder"]
