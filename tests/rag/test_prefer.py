"""Named documents are preferred, never a cage: a wrong guess from a file name keeps the answer."""

from __future__ import annotations

from pathlib import Path

from app.container import Services
from core.access import Viewer
from core.settings import RetrievalMode
from rag.events import fold
from rag.prefer import merge_preferred
from rag.retriever import StoreRetriever
from store.qdrant import QdrantStore
from tests.conftest import make_settings
from tests.fakes.chunks import scored
from tests.fakes.embedder import HashEmbedder

OPERATOR = Viewer.as_operator()


def test_merge_preferred_keeps_named_hits_when_nothing_is_clearly_better() -> None:
    named = [scored("Beta revenue", 0.50, source="BETA.pdf")]
    elsewhere = [scored("Acme revenue", 0.55, source="ACME.pdf"), *named]
    merged = merge_preferred(named, elsewhere, preferred=frozenset({"BETA.pdf"}), top_k=6)
    assert [h.chunk.source for h in merged] == ["BETA.pdf"]


def test_merge_preferred_puts_a_clearly_better_chunk_elsewhere_first() -> None:
    named = [scored("Pythons are snakes", 0.20, source="python.md")]
    elsewhere = [scored("Python was created by Guido", 0.60, source="languages.md"), *named]
    merged = merge_preferred(named, elsewhere, preferred=frozenset({"python.md"}), top_k=6)
    assert [h.chunk.source for h in merged] == ["languages.md", "python.md"]


def test_merge_preferred_named_documents_without_hits_fall_back_to_everywhere() -> None:
    elsewhere = [scored("Python was created by Guido", 0.30, source="languages.md")]
    merged = merge_preferred([], elsewhere, preferred=frozenset({"python.md"}), top_k=6)
    assert [h.chunk.source for h in merged] == ["languages.md"]


def test_question_whose_word_names_the_wrong_file_still_finds_its_answer(tmp_path: Path) -> None:
    data = tmp_path / "notes"
    data.mkdir()
    (data / "python.md").write_text(
        "# Snakes\n\nPythons are large snakes of Africa and Asia. They squeeze their prey.\n"
    )
    (data / "languages.md").write_text(
        "# Languages\n\nPython was created by Guido van Rossum and first released in 1991.\n"
    )
    settings = make_settings(tmp_path)  # the defaults: both rules on
    assert settings.prefer_named_documents and settings.prefer_named_periods
    services = Services(settings, QdrantStore.local(), HashEmbedder(), None)
    services.ingest([data], collection="notes")
    state = fold(services.answer("Who created Python?", collection="notes", viewer=OPERATOR))
    assert "languages.md" in {h.chunk.source for h in state.sources}
    assert "Guido van Rossum" in state.text


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return super().embed_query(text)


class CountingStore(QdrantStore):
    source_reads = 0

    def source_states(self, name: str) -> dict[str, str]:
        type(self).source_reads += 1
        return super().source_states(name)


def _notes(tmp_path: Path) -> Path:
    data = tmp_path / "notes"
    data.mkdir()
    (data / "ACME_2022.md").write_text("# Acme\n\nAcme revenue in 2022 was 5 million euros.\n")
    (data / "BETA_2022.md").write_text("# Beta\n\nBeta revenue in 2022 was 7 million euros.\n")
    return data


def test_preferring_searches_twice_with_one_query_vector(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    store = QdrantStore.local()
    Services(make_settings(tmp_path), store, embedder, None).ingest(
        [_notes(tmp_path)], collection="notes"
    )
    hits = StoreRetriever(store, embedder).search(
        "revenue in 2022", collection="notes", mode=RetrievalMode.HYBRID, top_k=4,
        prefer=("BETA_2022.md",),
    )  # fmt: skip
    assert [h.chunk.source for h in hits] == ["BETA_2022.md"]  # Acme is not clearly better
    assert embedder.queries == ["revenue in 2022"]  # one vector for both searches


def test_document_names_are_read_again_only_when_the_collection_changed(tmp_path: Path) -> None:
    store = CountingStore()  # in memory
    services = Services(make_settings(tmp_path), store, HashEmbedder(), None)
    data = _notes(tmp_path)
    services.ingest([data], collection="notes")
    CountingStore.source_reads = 0
    for question in ("Acme revenue?", "Beta revenue?", "revenue 2022?"):
        list(services.answer(question, collection="notes", viewer=OPERATOR))
    assert CountingStore.source_reads == 1
    other = QdrantStore(store._client)  # another writer: this Services is not told
    (data / "GAMMA_2023.md").write_text("# Gamma\n\nGamma revenue in 2023 was 9 million euros.\n")
    writer = Services(make_settings(tmp_path), other, HashEmbedder(), None)
    writer.ingest([data], collection="notes")
    assert "GAMMA_2023.md" in services.documents("notes")
    assert CountingStore.source_reads == 2
