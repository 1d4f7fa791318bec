"""A sign-in that survives a reload, in a real browser: sign in, reload, still signed in (the
signed session cookie); sign out, reload, signed out (the cookie cleared and its session
revoked, so even a kept copy of it signs nobody in).

Uses the launcher of `test_e2e_browser.py` (real `streamlit run`, Debian's Chromium).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.passwords import hash_password
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


def test_browser_sign_in_survives_reload_and_sign_out_ends_it(tmp_path: Path) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    env = _environment(tmp_path, RAG_AUTH_USERS=json.dumps({"alice": hash_password("alice-pw")}))
    _ingest_sample(tmp_path, env)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with _streamlit(tmp_path, env) as url, _browser_page(url) as page:
        try:
            page.get_by_role("textbox", name="Name").fill("alice")
            page.get_by_role("textbox", name="Password").fill("alice-pw")
            page.get_by_role("button", name="Sign in").click()
            sidebar = page.get_by_test_id("stSidebar")
            expect(sidebar.get_by_text("Signed in as")).to_be_visible(timeout=90_000)
            _wait_until_idle(page)
            page.wait_for_function("document.cookie.includes('rag_session=')", timeout=30_000)
            cookie = next(c for c in page.context.cookies() if c["name"] == "rag_session")
            assert "alice-pw" not in cookie["value"] and cookie["sameSite"] == "Strict"

            page.reload()
            expect(sidebar.get_by_text("Signed in as")).to_be_visible(timeout=90_000)
            expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible()
            assert page.get_by_role("textbox", name="Password").count() == 0
            page.screenshot(path=str(shots / "reloaded-signed-in.png"))

            sidebar.get_by_role("button", name="Sign out").click()
            expect(page.get_by_role("textbox", name="Password")).to_be_visible(timeout=30_000)
            page.wait_for_function("!document.cookie.includes('rag_session=')", timeout=30_000)
            page.reload()
            expect(page.get_by_role("textbox", name="Password")).to_be_visible(timeout=90_000)
            expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(0)

            page.context.add_cookies([cookie])  # a copy kept from before the sign-out
            page.reload()
            expect(page.get_by_role("textbox", name="Password")).to_be_visible(timeout=90_000)
            expect(page.get_by_test_id("stChatInputTextArea")).to_have_count(0)
        except Exception:
            page.screenshot(path=str(shots / "failed.png"), full_page=True)
            raise
