"""End to end in Chromium: the document manager lists a collection's files with their status,
and deleting one removes its chunks: a question about it then finds nothing, and the store holds
no point of it. The app runs under `streamlit run` as in `test_e2e_browser.py`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.ui.documents import _key
from store.edge import EdgeStore
from tests.pdf_factory import make_pdf
from tests.ui.test_e2e_browser import (
    CHROMIUM,
    HANDBOOK,
    _browser_page,
    _environment,
    _streamlit,
    _wait_until_idle,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"
    ),
]
CANTEEN = "# Canteen\n\nThe canteen serves lunch from noon until two o'clock on weekdays.\n"
SHOTS = Path(os.environ.get("RAG_SHOTS_DIR", "/work/scratch/shots"))


def _ingest(tmp: Path, env: dict[str, str]) -> None:
    """A handbook, a canteen note and a broken PDF (its failure is part of the listing)."""
    sample = tmp / "data" / "sample"
    sample.mkdir(parents=True)
    (sample / "handbook.pdf").write_bytes(make_pdf(HANDBOOK, title="Handbook"))
    (sample / "canteen.md").write_text(CANTEEN, "utf-8")
    (sample / "broken.pdf").write_bytes(b"%PDF-1.4 not really a PDF")
    done = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "ingest", str(sample)],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]  # one file failed, as intended
    assert "broken.pdf" in done.stdout


def _shot(page: object, tmp: Path, name: str) -> None:
    page.screenshot(path=str(tmp / name))  # type: ignore[attr-defined]
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / name))  # type: ignore[attr-defined]


def test_browser_delete_removes_a_documents_chunks(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    env = _environment(tmp_path)
    _ingest(tmp_path, env)
    with _streamlit(tmp_path, env) as url, _browser_page(url) as page:
        try:
            page.get_by_text("Offline mode: local embeddings").wait_for(timeout=90_000)
            page.get_by_role("button", name="Manage documents").click()
            dialog = page.get_by_role("dialog")
            expect(dialog).to_contain_text("Documents in docs", timeout=30_000)
            expect(dialog).to_contain_text("3 files: 2 ingested, 0 skipped, 1 failed")
            expect(dialog).to_contain_text("handbook.pdf")
            expect(dialog).to_contain_text("canteen.md")
            expect(dialog.get_by_test_id("stAlertContentError")).to_contain_text(
                "broken.pdf: unreadable PDF"
            )
            _shot(page, tmp_path, "document-manager.png")

            dialog.locator(f".st-key-{_key('del', 'handbook.pdf')} button").first.click()
            expect(dialog).to_contain_text("Delete handbook.pdf and its", timeout=30_000)
            dialog.locator(f".st-key-{_key('yes', 'handbook.pdf')} button").first.click()
            dialog = page.get_by_role("dialog")
            expect(dialog).to_contain_text("Deleted handbook.pdf", timeout=30_000)
            expect(dialog).to_contain_text("2 files: 1 ingested, 0 skipped, 1 failed")
            _shot(page, tmp_path, "document-manager-deleted.png")
            page.keyboard.press("Escape")
            expect(page.get_by_role("dialog")).to_have_count(0)

            box = page.get_by_test_id("stChatInputTextArea")
            box.fill("How many days of paid vacation do full-time employees receive?")
            box.press("Enter")
            messages = page.get_by_test_id("stChatMessage")
            expect(messages).to_have_count(2, timeout=90_000)
            _wait_until_idle(page)
            answer = messages.nth(1).inner_text()
            assert "30 days" not in answer and "handbook.pdf" not in answer, answer
        except Exception:
            page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)
            raise
    store = EdgeStore(tmp_path / "qdrant")  # the app has stopped: the folder is free
    try:
        stats = store.source_stats("docs")
        assert "handbook.pdf" not in stats and stats["canteen.md"].chunks == 1
        assert store.chunks_of("docs", "handbook.pdf") == []  # 0 points of that source
    finally:
        store.close()
