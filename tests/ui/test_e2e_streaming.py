"""While an answer streams, in a real browser: Stop keeps the partial answer (marked stopped, on
the page, after a reload and in the thread database), and a second question sent meanwhile waits
and is answered after it, losing nothing.

The answers come from the fake hub over HTTP with a stalled stream, so each one takes seconds;
the launcher is `test_e2e_browser.py`'s (real `streamlit run`, Debian's Chromium).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from tests.fakes.fake_hub import FakeHub, serve
from tests.ui.test_e2e_browser import (
    CHROMIUM,
    _browser_page,
    _environment,
    _ingest_sample,
    _streamlit,
    _wait_until_idle,
)
from threads import open_thread_store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"
    ),
]
FIRST = "How many vacation days do employees get?"
SECOND = "And can they be carried over?"
REPLY = "Employees receive thirty days of paid vacation [1]. " + "The rest arrives later. " * 8


def _reply(messages: list[dict[str, Any]]) -> str:
    last = str(messages[-1]["content"])
    return "Up to five days carry over [1]." if "carried over" in last else REPLY


def _stored(tmp: Path) -> list[Any]:
    """Every kept message, oldest first, straight from the thread database."""
    settings = Settings(_env_file=None, data_dir=tmp / "data")  # type: ignore[call-arg]
    store = open_thread_store(settings.resolved_database_url)
    try:
        return [m for t in store.list(None) for m in store.load(t.id, None).messages]
    finally:
        store.close()


@contextlib.contextmanager
def _asked(tmp_path: Path, arrange: Callable[[FakeHub], None]) -> Iterator[Any]:
    """The app on the sample, answering from the fake hub (`arrange`d after the ingest), with
    FIRST asked in the browser: the page, and a screenshot of it if the test fails."""
    shots = tmp_path / "screenshots"
    shots.mkdir()
    hub = FakeHub(chat_reply=_reply)
    with serve(hub) as base_url:
        env = _environment(tmp_path, RAG_BACKEND="remote", IONOS_BASE_URL=base_url)
        _ingest_sample(tmp_path, env)
        arrange(hub)
        with _streamlit(tmp_path, env) as url, _browser_page(url) as page:
            try:
                box = page.get_by_test_id("stChatInputTextArea")
                box.wait_for(timeout=90_000)
                box.fill(FIRST)
                box.press("Enter")
                yield page
            except Exception:
                page.screenshot(path=str(shots / "failed.png"), full_page=True)
                raise


def test_browser_stop_keeps_the_partial_answer(tmp_path: Path) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    shots = tmp_path / "screenshots"
    with _asked(tmp_path, lambda hub: hub.stall_stream(after=4, seconds=30)) as page:
        messages = page.get_by_test_id("stChatMessage")
        expect(messages.nth(1)).to_contain_text("Employees", timeout=90_000)
        stop = page.get_by_role("button", name="Stop")
        expect(stop).to_be_visible()
        page.screenshot(path=str(shots / "streaming.png"))
        stop.click()
        answer = messages.nth(1)
        stopped = page.get_by_text("Stopped before the end")
        expect(stopped).to_be_visible(timeout=30_000)
        _wait_until_idle(page)
        expect(stop).to_have_count(0)
        assert "The rest arrives later" not in answer.inner_text()
        page.screenshot(path=str(shots / "stopped.png"))

        page.reload()
        expect(messages).to_have_count(2, timeout=90_000)
        expect(stopped).to_be_visible()
        expect(messages.nth(1)).to_contain_text("Employees")
    [kept] = _stored(tmp_path)
    assert kept.content.stopped and kept.content.answer.startswith("Employees")
    assert "The rest arrives later" not in kept.content.answer


def test_browser_second_question_during_streaming_loses_nothing(tmp_path: Path) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    shots = tmp_path / "screenshots"
    with _asked(tmp_path, lambda hub: hub.stall_stream(after=4, seconds=8)) as page:
        messages = page.get_by_test_id("stChatMessage")
        expect(messages.nth(1)).to_contain_text("Employees", timeout=90_000)
        expect(page.get_by_role("button", name="Stop")).to_be_visible()
        box = page.get_by_test_id("stChatInputTextArea")
        box.fill(SECOND)  # the first answer is still streaming (the stream stalls)
        box.press("Enter")
        expect(messages.nth(3)).to_contain_text("Waiting", timeout=30_000)
        page.screenshot(path=str(shots / "queued.png"))
        expect(messages.nth(3)).to_contain_text("carry over [1]", timeout=90_000)
        _wait_until_idle(page)
        expect(messages).to_have_count(4)
        expect(messages.nth(1)).to_contain_text("The rest arrives later")
        expect(messages.nth(2)).to_contain_text(SECOND)

        page.reload()
        expect(messages).to_have_count(4, timeout=90_000)
        expect(messages.nth(0)).to_contain_text(FIRST)
        expect(messages.nth(3)).to_contain_text("carry over [1]")
        assert "Stopped before the end" not in page.content()
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Appearance").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "history-sidebar.png"))
    kept = _stored(tmp_path)
    assert [m.content.question for m in kept] == [FIRST, SECOND]
    assert not any(m.content.stopped or m.content.failed for m in kept)


def test_browser_rate_limit_wait_is_announced_with_a_countdown(tmp_path: Path) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    shots = tmp_path / "screenshots"

    def throttle(hub: FakeHub) -> None:
        hub.fail_next(429, retry_after=6, path="/v1/chat/completions")

    with _asked(tmp_path, throttle) as page:
        answer = page.get_by_test_id("stChatMessage").nth(1)
        countdown = answer.get_by_text("trying again in")
        expect(countdown).to_be_visible(timeout=60_000)
        first = countdown.inner_text()
        page.screenshot(path=str(shots / "rate-limit-countdown.png"))
        page.wait_for_timeout(2_000)
        if countdown.is_visible():  # still waiting: the seconds went down
            assert countdown.inner_text() != first
        expect(answer).to_contain_text("Employees receive", timeout=60_000)
        expect(answer).to_contain_text("waiting 6s for the rate limit")
