"""How the page looks, in a real browser: dark when the system is dark (and light again from the
sidebar's Appearance picker), `[n]` links that scroll to their source, and a phone-width layout
(390 px) without horizontal overflow, the page preview included.

Uses the launcher of `test_e2e_browser.py` (real `streamlit run`, Debian's Chromium, offline).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.ui.test_e2e_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    _environment,
    _ingest_sample,
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
QUESTION = "How many vacation days do employees get?"
# The app's background; "" while a rerun has the app element replaced (no element to read).
BACKGROUND = (
    "(app => app ? getComputedStyle(app).backgroundColor : '')"
    "(document.querySelector('[data-testid=stApp]'))"
)


@contextmanager
def _page(url: str, **options: Any) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(**options)
            page.goto(url)
            yield page
        finally:
            browser.close()


def _brightness(css_color: str) -> float:
    """0 (black) .. 1 (white) for "rgb(r, g, b)"."""
    r, g, b = (int(v) for v in css_color[css_color.index("(") + 1 : -1].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def _ask(page: Any, expect: Any) -> Any:
    box = page.get_by_test_id("stChatInputTextArea")
    box.wait_for(timeout=90_000)
    box.fill(QUESTION)
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    expect(answer).to_contain_text("30 days of paid vacation", timeout=90_000)
    _wait_until_idle(page)
    expect(answer).to_contain_text("handbook.pdf")
    return answer


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    env = _environment(tmp_path)
    _ingest_sample(tmp_path, env)
    with _streamlit(tmp_path, env) as url:
        yield url


def test_browser_dark_system_dark_page_links_scroll_and_picker_turns_light(
    app_url: str, tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    shots = tmp_path / "screenshots"
    shots.mkdir()
    options = {"viewport": {"width": 1280, "height": 900}, "color_scheme": "dark"}
    with _page(app_url, **options) as page:
        try:
            answer = _ask(page, expect)
            assert _brightness(page.evaluate(BACKGROUND)) < 0.2
            link = answer.get_by_role("link", name="[1]").first
            expect(link).to_have_attribute("href", "#rag-src-0-1")
            link.click()
            page.wait_for_function("window.location.hash === '#rag-src-0-1'")
            target = page.locator("#rag-src-0-1")
            expect(target).to_be_in_viewport()
            image = _open_preview(answer, "Show page 2")
            image.scroll_into_view_if_needed()
            mark = answer.locator(".rag-snippet mark").first
            colors = mark.evaluate(
                "m => [getComputedStyle(m).color, getComputedStyle(m).backgroundColor]"
            )
            assert _brightness(colors[1]) - _brightness(colors[0]) > 0.5  # dark text on yellow
            page.screenshot(path=str(shots / "dark-mode.png"))

            sidebar = page.get_by_test_id("stSidebar")
            sidebar.get_by_test_id("stButtonGroup").get_by_text("Light", exact=True).click()
            page.wait_for_function(f"{BACKGROUND} === 'rgb(255, 255, 255)'", timeout=60_000)
            page.get_by_test_id("stChatInputTextArea").wait_for(timeout=90_000)
            assert "thread=" in page.url  # the reload kept the conversation
            expect(page.get_by_test_id("stChatMessage")).to_have_count(2, timeout=90_000)
            page.screenshot(path=str(shots / "light-picked.png"))
        except Exception:
            page.screenshot(path=str(shots / "failed.png"), full_page=True)
            raise


def test_browser_phone_width_has_no_horizontal_overflow(app_url: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    shots = tmp_path / "screenshots"
    shots.mkdir()
    options = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}
    with _page(app_url, **options) as page:
        try:
            answer = _ask(page, expect)
            image = _open_preview(answer, "Show page 2")
            image.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / "phone-390.png"))
            widths = page.evaluate(
                "[document.documentElement.scrollWidth, document.body.scrollWidth,"
                " ...[...document.querySelectorAll('section, [data-testid=stAppViewContainer]')]"
                ".map(e => e.scrollWidth)]"
            )
            assert max(widths) <= 390, widths
            box = image.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        except Exception:
            page.screenshot(path=str(shots / "failed.png"), full_page=True)
            raise
