"""Pages the offline engine could not read, read by a vision model on the (fake) Model Hub."""

from __future__ import annotations

import base64
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.build import hub_config, remote_chat
from app.container import Services
from core.reasons import Reason
from core.records import FileStatus
from core.settings import Backend, Settings
from hub.client import ModelHubClient
from ingest import ocr
from ingest.ocr_text import OcrPage, OcrWord
from ingest.vision_ocr import VisionOcr, implausible
from ingest.worker import Parsed, ParseStatus
from store.qdrant import QdrantStore
from tests.conftest import NO_FLOOR
from tests.fakes.embedder import HashEmbedder
from tests.fakes.fake_hub import FakeHub
from tests.ocr_corpus import scanned_pdf

A4 = (595.0, 842.0)
VISION = "mistralai/Mistral-Small-24B-Instruct"


def _services(tmp_path: Path, hub: FakeHub, **settings: Any) -> Services:
    config = Settings(  # type: ignore[call-arg]
        _env_file=None, backend=Backend.REMOTE, api_token=SecretStr("tok-1"),
        store_path=tmp_path / "store" / "qdrant", data_dir=tmp_path / "data", min_score=NO_FLOOR,
        max_retries=1,
        ocr_model=VISION, **settings,
    )  # fmt: skip
    client = ModelHubClient(
        hub_config(config), transport=httpx.MockTransport(hub.handle), sleep=lambda s: None
    )
    return Services(
        settings=config, store=QdrantStore.local(), embedder=HashEmbedder(),
        chat=remote_chat(client, config), client=client,
    )  # fmt: skip


def _image_parts(messages: list[dict[str, Any]]) -> list[str]:
    parts = [p for m in messages if isinstance(m["content"], list) for p in m["content"]]
    return [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]


@pytest.mark.skipif(not ocr.available(), reason="tesserocr or its models missing")
def test_vision_model_reads_the_pages_offline_ocr_left(tmp_path: Path) -> None:
    pdf, texts = scanned_pdf("de", 2)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "fax.pdf").write_bytes(pdf)
    seen: list[str] = []

    def reply(messages: list[dict[str, Any]]) -> str:
        seen.extend(_image_parts(messages))
        return texts[1]  # the page the offline engine was not allowed to read

    hub = FakeHub(chat_reply=reply)
    services = _services(tmp_path, hub, ocr_max_pages=1)  # offline OCR stops after page 1

    report = services.ingest([folder], collection="docs")

    outcome = report.files[0]
    assert outcome.status is FileStatus.INGESTED
    assert (outcome.ocr_pages, outcome.unreadable_pages) == (2, 0)  # Tesseract 1, the model 1
    assert f"1 pages read by {VISION}" in map(str, outcome.warnings)
    assert hub.count("/v1/chat/completions") == 1 and not hub.invalid
    assert len(seen) == 1 and seen[0].startswith("data:image/png;base64,")
    assert base64.b64decode(seen[0].split(",", 1)[1]).startswith(b"\x89PNG")
    pages = {c.page_start for c in services.store.chunks_of("docs", "fax.pdf")}
    assert pages == {1, 2}

    (folder / "fax-copy.pdf").write_bytes(pdf)  # the same scan again: read from the OCR cache
    again = services.ingest([folder], collection="docs")

    copy = next(f for f in again.files if f.source == "fax-copy.pdf")
    assert (copy.status, copy.ocr_pages, copy.unreadable_pages) == (FileStatus.INGESTED, 2, 0)
    assert hub.count("/v1/chat/completions") == 1
    assert {c.page_start for c in services.store.chunks_of("docs", "fax-copy.pdf")} == {1, 2}


@pytest.mark.skipif(not ocr.available(), reason="tesserocr or its models missing")
def test_vision_model_invented_page_is_rejected(tmp_path: Path) -> None:
    pdf, _ = scanned_pdf("en", 2)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "scan.pdf").write_bytes(pdf)
    hub = FakeHub(chat_reply=lambda messages: "Lorem ipsum dolor sit amet. " * 1200)
    services = _services(tmp_path, hub, ocr_max_pages=1)

    report = services.ingest([tmp_path / "docs"], collection="docs")

    outcome = report.files[0]
    assert outcome.status is FileStatus.INGESTED and outcome.unreadable_pages == 1
    assert any("page 2: the same line over and over" in str(w) for w in outcome.warnings)
    assert {c.page_start for c in services.store.chunks_of("docs", "scan.pdf")} == {1}


def _local(words: list[str], conf: float = 0.95) -> OcrPage:
    return OcrPage(" ".join(words), conf, tuple(OcrWord(w, conf, (0, 0, 1, 1)) for w in words))


@pytest.mark.parametrize(
    ("text", "size", "local", "why"),
    [
        ("Rechnung Nr. 4711 vom 03.05.2024", A4, None, ""),
        ("", A4, None, "no text on the page"),
        ("[blank]", A4, None, "no text on the page"),
        ("I'm sorry, I can't read this image.", A4, None, "did not transcribe"),
        ("word " * 30_000, A4, None, "more than the page could hold"),
        ("Background", (8.0, 8.0), None, "more than the page could hold"),
        ("\n".join(["Total 5"] * 40), A4, None, "the same line over and over"),
        (
            "Something else entirely, a made-up page.",
            A4,
            _local(
                [
                    "Vertrag",
                    "Kunde",
                    "Lieferung",
                    "Rechnung",
                    "Zahlung",
                    "Frist",
                    "Monate",
                    "Schaden",
                    "Haftung",
                ]
            ),
            "of the words the offline engine read",
        ),
        (
            "Der Vertrag: Kunde, Lieferung, Rechnung, Zahlung binnen Frist von 2 Monaten.",
            A4,
            _local(
                [
                    "Vertrag",
                    "Kunde",
                    "Lieferung",
                    "Rechnung",
                    "Zahlung",
                    "Frist",
                    "Monaten",
                    "Schaden",
                ]
            ),
            "",
        ),
        (  # unsure offline words (a script the engine cannot read) do not count against it
            "日本語の文書",
            A4,
            _local(
                ["HIER", "MARA", "SHRBOV", "GMMCT", "MEPICH", "NSHARR", "IMAZA", "PHEDSE"], conf=0.3
            ),
            "",
        ),
    ],
)
def test_implausible_table(
    text: str, size: tuple[float, float], local: OcrPage | None, why: str
) -> None:
    result = implausible(text, page_size=size, local=local)
    assert (result is not None and why in str(result)) if why else result is None


class _SlowChat:
    """A vision model that takes a while, and records how many pages it was asked at once."""

    model = VISION

    def __init__(self, texts: dict[bytes, str]) -> None:
        self.texts, self.lock = texts, threading.Lock()  # each page's text by its image
        self.now = self.peak = 0
        self.bulk: list[bool] = []

    def complete_chat(self, messages: Any, *, max_tokens: int, bulk: bool = False) -> str:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.bulk.append(bulk)
        time.sleep(0.2)
        png = base64.b64decode(_image_parts(messages)[0].split(",", 1)[1])
        with self.lock:
            self.now -= 1
        return self.texts[png]


def test_vision_pages_go_out_together_at_bulk_priority_in_page_order(tmp_path: Path) -> None:
    pdf, texts = scanned_pdf("en", 4)
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf)
    images = [ocr.page_png(path, None, page, 150)[0] for page in (1, 2, 3, 4)]
    chat = _SlowChat(dict(zip(images, texts, strict=True)))
    parsed = Parsed(
        "scan.pdf", ParseStatus.SKIPPED, reason=Reason("no_text"), unreadable=(1, 2, 3, 4)
    )

    done = VisionOcr(chat, cache=None, concurrency=4).complete(
        parsed, path, password=None, doc_hash="h", budget=512, overlap=0
    )

    assert chat.peak > 1 and chat.bulk == [True] * 4  # behind people's questions at the limiter
    assert done.status is ParseStatus.OK and done.unreadable == () and done.ocr_pages == 4
    assert [c.page_start for c in done.chunks] == sorted(c.page_start for c in done.chunks)
    assert texts[0].split()[0] in done.chunks[0].text
