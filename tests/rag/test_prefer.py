"""Named documents are preferred, never a cage: a wrong guess from a file name keeps the answer."""

from __future__ import annotations

from pathlib import Path

from app.container import Services
from core.access import Viewer
from rag.events import fold
from rag.prefer import merge_preferred
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
