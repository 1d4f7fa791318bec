"""Kept conversations in a real browser: a reload (and a server restart) reopens the thread with
its cited sources, the sidebar lists it, and the Markdown export carries the citations.

Uses the launcher of `test_e2e_browser.py` (real `streamlit run`, Debian's Chromium); the thread
database is the default SQLite file under RAG_DATA_DIR in the test's temp folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.test_e2e_browser import (
    CHROMIUM,
    _browser_page,
    _environment,
    _ingest_sample,
    _streamlit,
    _wait_until_idle,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"
    ),
]
QUESTION = "How many vacation days do employees get?"


def test_browser_reload_and_restart_keep_the_thread_and_export_it(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    shots = tmp_path / "screenshots"
    shots.mkdir()
    env = _environment(tmp_path)
    _ingest_sample(tmp_path, env)
    with _streamlit(tmp_path, env) as url, _browser_page(url) as page:
        try:
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=90_000)
            box.fill(QUESTION)
            box.press("Enter")
            messages = page.get_by_test_id("stChatMessage")
            expect(messages.nth(1)).to_contain_text(
                "30 days of paid vacation per calendar year [1]", timeout=90_000
            )
            _wait_until_idle(page)
            page.wait_for_url("**?thread=*", timeout=30_000)
            thread_url = page.url
            sidebar = page.get_by_test_id("stSidebar")
            expect(sidebar.get_by_role("button", name=QUESTION)).to_be_visible()

            page.reload()
            expect(messages).to_have_count(2, timeout=90_000)
            _wait_until_idle(page)
            expect(messages.nth(0)).to_contain_text(QUESTION)
            expect(messages.nth(1)).to_contain_text("30 days of paid vacation")
            expect(messages.nth(1)).to_contain_text("handbook.pdf, pages 1–2")
            assert page.url == thread_url
            expect(page.get_by_role("button", name="Regenerate")).to_be_visible()
            expect(sidebar.get_by_role("button", name="Export")).to_be_visible()
            page.screenshot(path=str(shots / "history-page.png"))
            sidebar.get_by_text("Conversations", exact=True).scroll_into_view_if_needed()
            sidebar.screenshot(path=str(shots / "history-sidebar.png"))

            with page.expect_download(timeout=30_000) as download:
                sidebar.get_by_role("button", name="Export").click()
            exported = Path(download.value.path()).read_text("utf-8")
            (shots / "export.md").write_text(exported, "utf-8")
            assert download.value.suggested_filename.endswith(".md")
            assert f"## 1. {QUESTION}" in exported
            assert "30 days of paid vacation per calendar year [1]" in exported
            assert "1. handbook.pdf, pages 1–2" in exported
            assert "## All cited documents" in exported
        except Exception:
            page.screenshot(path=str(shots / "failed.png"), full_page=True)
            raise

    with (
        _streamlit(tmp_path, env) as url,
        _browser_page(url + "/?" + thread_url.split("?")[1]) as page,
    ):
        messages = page.get_by_test_id("stChatMessage")
        expect(messages).to_have_count(2, timeout=90_000)
        expect(messages.nth(1)).to_contain_text("handbook.pdf, pages 1–2")
        page.screenshot(path=str(shots / "after-restart.png"))
