"""The composition root: the one place that turns `Settings` into running services.

The CLI and the Streamlit app both call `build_services`; nothing else constructs HTTP clients,
Qdrant clients or models. Tests build `Services` directly with fakes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.errors import ConfigError
from core.ports import ChatModel, Embedder, VectorStore
from core.settings import Backend, Settings

if TYPE_CHECKING:
    from hub.transport import ModelHubClient


@dataclass
class Services:
    settings: Settings
    store: VectorStore
    embedder: Embedder
    chat: ChatModel | None  # None: the offline extractive answerer writes the answer
    client: ModelHubClient | None = None  # the API client, when a remote backend is in use
    _closers: list[object] = field(default_factory=list, repr=False)

    @property
    def offline(self) -> bool:
        return self.chat is None

    def check_models(self, *, chat: bool = True) -> list[str]:
        """Check the configured model names against `/v1/models` ("did you mean ...").

        On IONOS an unknown name is an error. Other OpenAI-compatible servers often list a file
        path and accept any name (llama.cpp), so there it is returned as a warning instead.
        """
        if self.client is None:
            return []
        names = [self.embedder.model] + ([self.chat.model] if chat and self.chat else [])
        warnings = []
        for name in names:
            try:
                self.client.check_model(name)
            except ConfigError as error:
                if self.settings.is_ionos:
                    raise
                warnings.append(str(error))
        return warnings

    def close(self) -> None:
        for closer in self._closers:
            close = getattr(closer, "close", None)
            if close is not None:
                close()
        self._closers.clear()


def check_settings(settings: Settings) -> None:
    """Fail early, in one line, on settings that cannot work."""
    if settings.resolved_backend is Backend.REMOTE:
        if settings.is_ionos and settings.api_token is None:
            raise ConfigError(
                "The IONOS backend needs a token: set IONOS_API_TOKEN (in the environment or "
                ".env), or RAG_BACKEND=local for offline mode."
            )
        if not settings.base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"IONOS_BASE_URL must start with http:// or https:// (got {settings.base_url!r})."
            )


def build_services(settings: Settings | None = None) -> Services:
    """Build every service the settings ask for. Call once per process and keep the result."""
    from store import open_store

    settings = settings or Settings()
    check_settings(settings)
    key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
    store = open_store(url=settings.qdrant_url, api_key=key, path=settings.store_path)
    if settings.resolved_backend is Backend.LOCAL:
        from local.embedder import LocalEmbedder

        return Services(
            settings=settings, store=store, embedder=LocalEmbedder(), chat=None, _closers=[store]
        )

    from hub.adapters import RemoteChat, RemoteEmbedder
    from hub.transport import ModelHubClient

    client = ModelHubClient(settings)
    return Services(
        settings=settings,
        store=store,
        embedder=RemoteEmbedder(client, settings.embed_model),
        chat=RemoteChat(client, settings),
        client=client,
        _closers=[client, store],
    )
