"""Issue 10 in a real browser: a signed-in user sees and previews only the collections she may
read, and nothing a document says makes the browser fetch anything.

Same setup as `test_e2e_browser`: the real app under `streamlit run` on 127.0.0.1, documents
ingested with `rag ingest` in a child process (it runs as the operator), Debian's Chromium
driven by playwright.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.passwords import hash_password
from tests.pdf_factory import make_pdf
from tests.ui.test_e2e_browser import (
    CHROMIUM,
    HANDBOOK,
    _browser_page,
    _environment,
    _open_preview,
    _streamlit,
    _wait_until_idle,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"
    ),
]


def _ingest(tmp: Path, env: dict[str, str], path: Path, collection: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "ingest", "--quiet", str(path),
         "--collection", collection],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


class _Counting(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _watched_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every path it is asked for."""
    hits: list[str] = []
    handler = type("Handler", (_Counting,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def _sign_in(page: Any, user: str, password: str) -> None:
    page.get_by_role("textbox", name="Name").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {user}").wait_for(timeout=90_000)


def _ask(page: Any, question: str) -> Any:
    expect = pytest.importorskip("playwright.sync_api").expect
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(2, timeout=90_000)
    answer = messages.nth(1)
    expect(answer).to_contain_text("Sources", timeout=90_000)
    _wait_until_idle(page)
    return answer


def test_browser_access_hides_collections_and_their_previews(tmp_path: Path) -> None:
    """alice may read only "hr"; bob only "docs". Both hold a `handbook.pdf`. alice neither
    sees "docs" nor gets its page when her own citation names `handbook.pdf` (issue 10, item 1:
    the preview searched the whole data folder by file name); bob gets his preview."""
    expect = pytest.importorskip("playwright.sync_api").expect
    env = _environment(
        tmp_path,
        RAG_AUTH_USERS=json.dumps(
            {"alice": hash_password("alice-pw"), "bob": hash_password("bob-pw")}
        ),
        RAG_COLLECTION_ACCESS=json.dumps({"hr": ["alice"], "docs": ["bob"]}),
    )
    sample = tmp_path / "data" / "sample"
    sample.mkdir(parents=True)
    (sample / "handbook.pdf").write_bytes(make_pdf(HANDBOOK, title="Handbook"))
    hr = tmp_path / "hr-files"  # outside the data folder: recorded for nobody's preview
    hr.mkdir()
    (hr / "handbook.pdf").write_bytes(
        make_pdf(["HR handbook\nSalary bands are reviewed every April by the committee."])
    )
    _ingest(tmp_path, env, sample, "docs")
    _ingest(tmp_path, env, hr, "hr")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with _streamlit(tmp_path, env) as url:
        with _browser_page(url) as page:
            _sign_in(page, "alice", "alice-pw")
            sidebar = page.get_by_test_id("stSidebar")
            picker = sidebar.get_by_role("combobox", name="Collection")
            expect(picker).to_have_value("hr")
            picker.click()
            options = page.get_by_role("option")
            expect(options).to_have_count(1)
            assert options.all_inner_texts() == ["hr"]
            page.keyboard.press("Escape")
            answer = _ask(page, "When are salary bands reviewed?")
            expect(answer).to_contain_text("reviewed every April")
            expect(answer).to_contain_text("handbook.pdf, page 1")
            page.screenshot(path=str(shots / "alice.png"), full_page=True)
            assert answer.get_by_text("Show page").count() == 0  # never docs' handbook
            assert "Lumen Harbor" not in page.content()
        with _browser_page(url) as page:
            _sign_in(page, "bob", "bob-pw")
            answer = _ask(page, "How many vacation days do employees get?")
            _open_preview(answer, "Show page 2")
            page.screenshot(path=str(shots / "bob.png"), full_page=True)
            assert "Salary bands" not in page.content()


def test_browser_document_image_url_is_never_fetched(tmp_path: Path) -> None:
    """A document sentence with `![x](http://127.0.0.1:PORT/p.png?leak=…)` and an <img> tag,
    quoted in the answer and its snippet: the server at that address receives no request."""
    expect = pytest.importorskip("playwright.sync_api").expect
    with _watched_server() as (base, hits):
        assert httpx.get(f"{base}/probe").status_code == 200  # the server does answer
        hits.clear()
        env = _environment(tmp_path)
        notes = tmp_path / "data" / "notes"
        notes.mkdir(parents=True)
        (notes / "leave.md").write_text(
            "# Leave\n\n"
            f"Employees receive 30 days of paid vacation ![chart]({base}/p.png?leak=vacation) "
            f'<img src="{base}/i.png?leak=html"> per calendar year.\n',
            "utf-8",
        )
        _ingest(tmp_path, env, notes, "docs")
        with _streamlit(tmp_path, env) as url, _browser_page(url) as page:
            page.get_by_text("Offline mode: local embeddings").wait_for(timeout=90_000)
            answer = _ask(page, "How many days of paid vacation do employees get?")
            expect(answer).to_contain_text("30 days of paid vacation")
            expect(answer).to_contain_text("![chart]")  # shown as text
            page.wait_for_timeout(1500)  # time for any image request to go out
            page.screenshot(path=str(tmp_path / "image-as-text.png"), full_page=True)
            assert answer.locator("img[src*='127.0.0.1']").count() == 0
        assert hits == []
