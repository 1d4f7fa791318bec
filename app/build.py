"""How the composition root (`app.container`) turns `Settings` into adapters and engine options.

Each function reads the settings for one collaborator: the hub client's config, the chat model,
the reranker, the offline embedder, how scanned pages are read (offline OCR and the opt-in vision
model) and the ingest's options (`app.checks` says first whether the settings can work at
all). Nothing here keeps state: `app.container.build_services` calls these once per
process, and `Services` for what the settings say per call (another chat model, the ingest).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from core.ports import ChatModel
from core.settings import Backend, LocalEmbedModel, OcrMode, Settings
from ingest.ocr import OcrConfig
from ingest.pipeline import IngestOptions

if TYPE_CHECKING:
    from hub.client import ModelHubClient
    from hub.config import HubConfig
    from hub.rerank import ModelHubReranker
    from ingest.vision_ocr import VisionOcr
    from local.e5 import E5Embedder
    from local.embedder import LocalEmbedder


def hub_config(settings: Settings) -> HubConfig:
    """The few settings the hub client reads."""
    from hub.config import HubConfig

    return HubConfig(
        base_url=settings.base_url,
        token=settings.api_token.get_secret_value() if settings.api_token else "",
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_retries=settings.max_retries,
        retry_budget_seconds=settings.retry_budget_seconds,
        rate_limit_per_minute=settings.rate_limit_per_minute,
        rate_limit_burst=settings.rate_limit_burst,
        embed_batch_size=settings.embed_batch_size,
        embed_batch_tokens=settings.embed_batch_tokens,
        embed_concurrency=settings.embed_concurrency,
    )


def remote_chat(client: ModelHubClient, settings: Settings, model: str | None = None) -> ChatModel:
    """The chat adapter for `model` (default: the settings' chat model) over `client`."""
    from hub.adapters import RemoteChat

    return RemoteChat(
        client,
        model=model or settings.chat_model,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
    )


def build_reranker(settings: Settings, client: ModelHubClient | None) -> ModelHubReranker | None:
    """The reranker the settings ask for, or None (unset, offline, or no API client)."""
    if not settings.rerank_model or settings.resolved_backend is not Backend.REMOTE:
        return None
    if client is None:
        return None
    from hub.rerank import ModelHubReranker

    return ModelHubReranker(client, settings.rerank_model)


def local_embedder(settings: Settings) -> LocalEmbedder | E5Embedder:
    """The offline embedder `RAG_LOCAL_EMBED_MODEL` names (multilingual-e5-small by default)."""
    if settings.local_embed_model is LocalEmbedModel.MINILM:
        from local.embedder import LocalEmbedder

        return LocalEmbedder()
    from local.e5 import E5Embedder

    return E5Embedder()


def ocr_config(settings: Settings) -> OcrConfig | None:
    """How the parsers read scanned pages; None when OCR is off."""
    if settings.ocr is OcrMode.OFF:
        return None
    return OcrConfig(
        langs=settings.ocr_langs, dpi=settings.ocr_dpi, max_pages=settings.ocr_max_pages,
        cache_path=settings.ocr_cache,
    )  # fmt: skip


def vision_ocr(settings: Settings, client: ModelHubClient | None) -> VisionOcr | None:
    """The vision model that reads what offline OCR could not: opt-in by RAG_OCR_MODEL."""
    s = settings
    if not s.ocr_model or s.ocr is OcrMode.OFF or client is None:
        return None
    from ingest.vision_ocr import VisionOcr

    chat = remote_chat(client, s, s.ocr_model)
    return VisionOcr(chat, cache=s.ocr_cache, dpi=s.ocr_dpi, max_pages=s.ocr_max_pages)


def ingest_options(settings: Settings, local_batch: int | None = None) -> IngestOptions:
    """The ingest's options; `local_batch`: the local model's batch, which caps the ingest's."""
    s = settings
    return IngestOptions(
        chunk_tokens=s.chunk_tokens, chunk_overlap=s.chunk_overlap,
        workers=s.ingest_workers or max(1, os.cpu_count() or 1),
        file_timeout=s.ingest_file_timeout, file_memory_mb=s.ingest_file_memory_mb,
        batch_size=min(s.embed_batch_size, local_batch or s.embed_batch_size),
        batch_tokens=s.embed_batch_tokens, ocr=ocr_config(s),
        optimize_every=s.ingest_optimize_every,
    )  # fmt: skip
