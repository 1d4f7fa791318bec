"""The Model Hub behind the core's ports: `RemoteEmbedder` and `RemoteChat` adapt
`hub.client.ModelHubClient` to `core.ports.Embedder` and `core.ports.ChatModel`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from core.ports import ChatStreamItem, EmbedPace, Priority

if TYPE_CHECKING:
    from hub.client import ModelHubClient

# Input limits of the embedding models we know, in the model's own tokens. Unknown models get a
# conservative default; chunkers stay well below whichever applies.
KNOWN_INPUT_LIMITS = {
    "BAAI/bge-m3": 8192,
    "Qwen/Qwen3-VL-Embedding-8B": 8192,
}
DEFAULT_INPUT_LIMIT = 512


class RemoteEmbedder:
    """Embeddings from `/v1/embeddings`; the client rate-limits and retries, and batches lists
    that come uncut (`embed_documents`); `embed_batch` sends a batch as given."""

    def __init__(self, client: ModelHubClient, model: str) -> None:
        self._client = client
        self._model = model
        self._dim: int | None = None

    @property
    def model(self) -> str:
        return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:  # the API does not say; one tiny request tells
            self._dim = len(self.embed_query("dimension probe"))
        return self._dim

    @property
    def max_input_tokens(self) -> int:
        return KNOWN_INPUT_LIMITS.get(self._model, DEFAULT_INPUT_LIMIT)

    def _embed(self, texts: Sequence[str], priority: Priority) -> list[list[float]]:
        vectors = self._client.embeddings(list(texts), model=self._model, priority=priority)
        if vectors:
            self._dim = len(vectors[0])
        return vectors

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(texts, Priority.BULK) if texts else []

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """One request for exactly `texts`: the caller cut them to the batch limits."""
        if not texts:
            return []
        vectors = self._client.embed_batch(list(texts), model=self._model)
        self._dim = len(vectors[0])
        return vectors

    def pace(self) -> EmbedPace:
        limiter = self._client.limiter
        held = f"the rate limit ({limiter.per_minute}/min)" if limiter.holding_back() else ""
        return EmbedPace(self._client.embeddings_in_flight(), held)

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], Priority.INTERACTIVE)[0]


class RemoteChat:
    """`/v1/chat/completions` with one model, token limit and temperature."""

    def __init__(
        self, client: ModelHubClient, *, model: str, max_tokens: int, temperature: float
    ) -> None:
        self._client = client
        self._model = model
        self._max_tokens = max_tokens
        self._temperature = temperature

    @property
    def model(self) -> str:
        return self._model

    def stream_chat(self, messages: Sequence[dict[str, object]]) -> Iterator[ChatStreamItem]:
        return self._client.chat_stream(
            list(messages),
            model=self._model,
            max_tokens=self._max_tokens,
            temperature=self._temperature,
            priority=Priority.INTERACTIVE,
        )

    def complete_chat(
        self, messages: Sequence[dict[str, object]], *, max_tokens: int, bulk: bool = False
    ) -> str:
        return self._client.chat_text(
            list(messages),
            model=self._model,
            max_tokens=max_tokens,
            temperature=0.0,
            priority=Priority.BULK if bulk else Priority.INTERACTIVE,
        )
