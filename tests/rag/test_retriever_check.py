"""A collection whose BM25 vectors came from another analysis is refused for keyword search."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import ConfigError
from core.records import CollectionInfo
from core.settings import RetrievalMode
from rag.retriever import StoreRetriever
from store.points import check_same_model
from tests.fakes.embedder import HashEmbedder
from text import sparse


class _Store:
    def __init__(self, info: CollectionInfo) -> None:
        self.info = info

    def exists(self, name: str) -> bool:
        return True

    def collection_info(self, name: str) -> CollectionInfo:
        return self.info


def _retriever(info: CollectionInfo) -> StoreRetriever:
    store: Any = _Store(info)
    return StoreRetriever(store, HashEmbedder())


def test_current_scheme_is_searchable_in_every_mode() -> None:
    model = HashEmbedder().model
    retriever = _retriever(CollectionInfo(model, 64, sparse.SCHEME))
    for mode in RetrievalMode:
        retriever.check("c", mode)


@pytest.mark.parametrize("scheme", [None, "bm25-k1.2-b0.75-avg120.0-snowball-en"])
def test_older_analysis_is_refused_for_keyword_search(scheme: str | None) -> None:
    retriever = _retriever(CollectionInfo(HashEmbedder().model, 64, scheme))
    for mode in (RetrievalMode.SPARSE, RetrievalMode.HYBRID):
        with pytest.raises(ConfigError, match="re-ingest"):
            retriever.check("c", mode)
    retriever.check("c", RetrievalMode.DENSE)  # its dense vectors are still good
    with pytest.raises(ConfigError, match="keyword"):
        check_same_model("c", CollectionInfo(HashEmbedder().model, 64, scheme), dim=64,
                         model=HashEmbedder().model)  # fmt: skip


def test_another_embedder_is_refused_for_dense_search() -> None:
    retriever = _retriever(CollectionInfo("all-MiniLM-L6-v2", 384, sparse.SCHEME))
    with pytest.raises(ConfigError, match="all-MiniLM-L6-v2"):
        retriever.check("c", RetrievalMode.HYBRID)
    retriever.check("c", RetrievalMode.SPARSE)
