"""End to end, as a person sees it: the real app under `streamlit run`, driven in Chromium.

The sample corpus (a two-page PDF handbook the test writes itself) is ingested with the real
pipeline and the local embedder into an embedded Qdrant store in a temp folder; then
`streamlit run streamlit_app.py` starts on 127.0.0.1 on a free port, and Debian's Chromium,
driven by playwright (no browser download), asks a question, waits for the streamed answer and
its sources, opens the cited PDF page, uploads a file and ingests it. Screenshots are saved in
the test's temp folder. The server is stopped however the test ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.fake_hub import FakeHub, serve
from tests.pdf_factory import make_pdf

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip
HANDBOOK = [
    "Lumen Harbor employee handbook\nWelcome. This handbook explains how we work together.",
    "Vacation and leave\nFull-time employees receive 30 days of paid vacation per calendar year. "
    "Up to five unused vacation days may be carried over into the next year.",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(tmp: Path, **settings: str) -> dict[str, str]:
    """The parent's environment without any product setting, then the test's own."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "IONOS_", "STREAMLIT_"))
    }
    env |= {
        "RAG_BACKEND": "local",
        "RAG_DATA_DIR": str(tmp / "data"),
        "RAG_STORE_PATH": str(tmp / "qdrant"),
        "RAG_COLLECTION": "docs",
        "PYTHONPATH": str(ROOT),
    }
    return env | settings


def _ingest_sample(tmp: Path, env: dict[str, str]) -> None:
    """Ingest with the real pipeline in a child process (it holds the embedded store's lock)."""
    sample = tmp / "data" / "sample"
    sample.mkdir(parents=True)
    (sample / "handbook.pdf").write_bytes(make_pdf(HANDBOOK, title="Handbook"))
    done = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "ingest", str(sample)],
        cwd=tmp, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


@contextmanager
def _streamlit(tmp: Path, env: dict[str, str]) -> Iterator[str]:
    """`streamlit run streamlit_app.py` on a free local port; stopped on the way out."""
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal",
    ]  # fmt: skip
    log = (tmp / "streamlit.log").open("w")
    server = subprocess.Popen(
        command, cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {(tmp / 'streamlit.log').read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    env = _environment(tmp_path)
    _ingest_sample(tmp_path, env)
    with _streamlit(tmp_path, env) as url:
        yield url


def _wait_until_idle(page: Any) -> None:
    """Until Streamlit's script run is over (its "running" indicator is gone)."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=90_000)


def _open_preview(scope: Any, label: str) -> Any:
    """Open the "Show page N" expander in `scope` and return its page image, once visible.

    A rerun (e.g. the one that lists a new conversation) can redraw the expander already open, so
    a click may close it: click until the image shows, at most three times."""
    image = scope.get_by_test_id("stImage")
    for _ in range(3):
        if image.first.is_visible():
            break
        scope.get_by_text(label).first.click()
        scope.page.wait_for_timeout(1_000)
    image.first.wait_for()
    return image.first


@contextmanager
def _browser_page(url: str) -> Iterator[Any]:
    """Debian's Chromium, headless, on one page opened at `url`; closed however the test ends."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(url)
            yield page
        finally:
            browser.close()


def test_browser_ask_streams_cited_answer_and_shows_sources(app_url: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with _browser_page(app_url) as page:
        try:
            page.get_by_text("Offline mode: local embeddings").wait_for(timeout=90_000)
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for()
            page.get_by_text("indexed", exact=False).wait_for()
            page.screenshot(path=str(shots / "1-start.png"), full_page=True)

            messages = page.get_by_test_id("stChatMessage")
            box.fill("How many vacation days do employees get?")
            box.press("Enter")
            expect(messages).to_have_count(2, timeout=90_000)
            expect(messages.nth(1)).to_contain_text(
                "30 days of paid vacation per calendar year [1]", timeout=90_000
            )
            _wait_until_idle(page)
            answer = messages.nth(1)
            expect(answer).to_contain_text("Sources")
            expect(answer).to_contain_text("handbook.pdf, pages 1–2")
            mark = answer.locator(".rag-snippet mark").first
            assert "30 days of paid vacation" in mark.inner_text()
            answer.get_by_text("Sources", exact=True).scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "2-answer.png"))
            image = _open_preview(answer, "Show page 2")  # the page of the cited sentence
            image.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "3-page.png"))

            page.get_by_text("Show the search query").click()
            _wait_until_idle(page)
            box.fill("And can they be carried over?")
            box.press("Enter")
            expect(messages).to_have_count(4, timeout=90_000)
            follow_up = messages.nth(3)
            expect(follow_up).to_contain_text("carried over into the next year [1]", timeout=90_000)
            _wait_until_idle(page)
            expect(follow_up).to_contain_text("Searched for (rewritten)")
            follow_up.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "4-follow-up.png"))
            assert "Traceback" not in page.content()
        except Exception:
            page.screenshot(path=str(shots / "failed.png"), full_page=True)
            raise
    assert (shots / "2-answer.png").stat().st_size > 10_000


def test_browser_upload_ingests_with_progress(app_url: str, tmp_path: Path) -> None:
    upload = tmp_path / "travel-policy.md"
    upload.write_text(
        "# Travel policy\n\nTrain travel is preferred for trips under six hours.\n", "utf-8"
    )
    with _browser_page(app_url) as page:
        page.get_by_text("Offline mode: local embeddings").wait_for(timeout=90_000)
        page.locator("section[data-testid='stSidebar'] input[type='file']").set_input_files(
            str(upload)
        )
        page.get_by_role("button", name="Ingest").click()
        page.get_by_text("travel-policy.md ingested (1 chunk)").wait_for(timeout=90_000)
        page.get_by_text("2 chunks indexed").wait_for()
        page.screenshot(path=str(tmp_path / "4-upload.png"), full_page=True)
    saved = tmp_path / "data" / "uploads" / "docs" / "travel-policy.md"
    assert saved.read_text("utf-8").startswith("# Travel policy")


def test_browser_remote_mode_against_fake_hub(tmp_path: Path) -> None:
    """The same app on an OpenAI-compatible server (the fake hub over HTTP): the banner names
    it, the model picker lists its chat models, the answer streams with its reasoning collapsed."""
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    hub = FakeHub(reasoning=True)
    with serve(hub) as base_url:
        env = _environment(tmp_path, RAG_BACKEND="remote", IONOS_BASE_URL=base_url)
        _ingest_sample(tmp_path, env)
        with _streamlit(tmp_path, env) as url, _browser_page(url) as page:
            page.get_by_text(f"{base_url}: chat meta-llama/Llama-3.3-70B-Instruct").wait_for(
                timeout=90_000
            )
            expect(page.get_by_text("Chat model")).to_be_visible()
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill("How many vacation days do employees get?")
            box.press("Enter")
            messages = page.get_by_test_id("stChatMessage")
            expect(messages).to_have_count(2, timeout=90_000)
            expect(messages.nth(1)).to_contain_text("[1]", timeout=90_000)
            _wait_until_idle(page)
            expect(messages.nth(1)).to_contain_text("Reasoning")
            expect(messages.nth(1)).to_contain_text("handbook.pdf")
            page.screenshot(path=str(tmp_path / "5-remote.png"))
    chats = [r for r in hub.requests if r.path.endswith("/chat/completions")]
    assert chats and chats[-1].body["stream"] is True
    assert "[1] handbook.pdf" in chats[-1].body["messages"][0]["content"]


def test_browser_scanned_page_answer_marks_the_passage_on_the_scan(tmp_path: Path) -> None:
    """A scanned (image-only) PDF is read by OCR at ingest; a question about a sentence on its
    second page is answered from it, and the page preview marks the passage on the scan."""
    import io

    from PIL import Image

    from ingest import ocr
    from tests.ocr_corpus import scanned_pdf

    if not ocr.available():
        pytest.skip("tesserocr or its models missing")
    sync_api = pytest.importorskip("playwright.sync_api")
    env = _environment(tmp_path)
    sample = tmp_path / "data" / "sample"
    sample.mkdir(parents=True)
    pdf, texts = scanned_pdf("en", 2)
    (sample / "signed-sla.pdf").write_bytes(pdf)
    done = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "ingest", str(sample)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "OCR: 2 pages read" in done.stdout, done.stdout
    sentence = texts[1].split("\n")[2].split(". ")[0] + "."
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with _streamlit(tmp_path, env) as url, _browser_page(url) as page:
        try:
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=90_000)
            messages = page.get_by_test_id("stChatMessage")
            box.fill(sentence.rstrip(".") + "?")
            box.press("Enter")
            sync_api.expect(messages).to_have_count(2, timeout=90_000)
            answer = messages.nth(1)
            sync_api.expect(answer).to_contain_text("signed-sla.pdf, page", timeout=90_000)
            _wait_until_idle(page)
            preview = answer.locator("details").filter(has_text="Show page 2").first
            image = _open_preview(preview, "Show page 2")  # the first source on page 2
            image.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "scan-marked.png"))
            shown = Image.open(io.BytesIO(image.screenshot())).convert("RGB")
        except Exception:
            page.screenshot(path=str(shots / "failed.png"), full_page=True)
            raise
    data = shown.tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    yellow = sum(1 for r, g, b in pixels if r > 200 and g > 150 and b < 120)
    assert yellow > 200  # the passage is marked on the scan, from the OCR word boxes
