"""OCR through a vision chat model on the Model Hub, for pages the offline engine could not read.

Opt-in (`RAG_OCR_MODEL`). It runs in the ingest process, not in the parsers (they have no hub
client and should not hold a token): the pipeline hands each parsed file that still has
unreadable pages to `VisionOcr.complete` before embedding it. Each page is rendered, sent as a
base64 PNG data URL in an `image_url` content part to `/v1/chat/completions` through the
`ChatModel` port, so the hub client's rate limiter, retries and bulk priority apply as for
embeddings (one page per request: a page image is already a large request). The answer is
checked (`implausible`) before it becomes text of the document: no refusals, no more characters
than the page could hold, and, when the offline engine read some words confidently, most of
those words must be in it. Accepted pages are chunked and added; the rest stay unreadable.

A file's pages are rendered one after the other (pdfium is not thread-safe) and sent
`concurrency` at a time at bulk priority: the hub client's limiter paces them inside the contract
and lets people's questions go first. An accepted transcription is kept in the OCR cache under
the page image's hash and the model, so a re-run reads the page from the cache, not the hub.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core.errors import APIError
from core.ports import ChatModel
from core.reasons import Reason
from core.records import Block, Chunk, Document, chunk_id
from ingest.ocr_cache import OcrCache
from ingest.ocr_text import OcrPage
from ingest.parse import Parsed, ParseStatus

BLANK = "[blank]"
SYSTEM = (
    "You transcribe scanned document pages. Reply with exactly the text printed on the page, "
    "in reading order, and nothing else: no comments, no translation, no summary, no Markdown. "
    f"If the page holds no text, reply {BLANK}."
)
MIN_CHAR_AREA = 40.0  # square points per character: 8 pt type, densely set (A4: ~12,500)
_SEGMENT = re.compile(r"(?<=[.!?])\s+|\n")
_REFUSALS = ("i'm sorry", "i am sorry", "sorry", "i cannot", "i can't", "as an ai", "unfortunately")


def _letters(text: str) -> str:
    return "".join(char for char in text.casefold() if char.isalnum())


def implausible(
    text: str, *, page_size: tuple[float, float], local: OcrPage | None
) -> Reason | None:
    """Why the model's transcription of a page is not to be trusted, or None when it may be."""
    stripped = text.strip()
    if not stripped or stripped.casefold() == BLANK:
        return Reason("vision_blank")
    if stripped.casefold().startswith(_REFUSALS):
        return Reason("vision_refused")
    chars = len("".join(stripped.split()))
    capacity = page_size[0] * page_size[1] / MIN_CHAR_AREA
    if chars > capacity:
        return Reason("vision_too_long", chars=f"{chars:,}", capacity=f"{capacity:,.0f}")
    parts = [part.strip() for part in _SEGMENT.split(stripped) if part.strip()]
    if len(parts) >= 10 and Counter(parts).most_common(1)[0][1] > len(parts) / 2:
        return Reason("vision_repeats")
    if local is not None:
        sure = {_letters(w.text) for w in local.words if w.conf >= 0.8}
        sure = {word for word in sure if len(word) >= 4}
        if len(sure) >= 8:
            said = _letters(stripped)
            share = sum(1 for word in sure if word in said) / len(sure)
            if share < 0.5:
                return Reason("vision_disagrees", share=f"{share:.0%}")
    return None


def _unusable(model: str, rejected: list[Reason]) -> Reason:
    """ "model read no usable text: page 2: …; page 5: …" for the first three pages."""
    why = rejected[min(len(rejected), 3) - 1]
    for earlier in reversed(rejected[: min(len(rejected), 3) - 1]):
        why = Reason("joined", first=earlier, rest=why)
    return Reason("vision_unusable", model=model, why=why)


class VisionOcr:
    """Reads a parsed file's unreadable pages with `chat` (a vision model), `max_pages` a file."""

    def __init__(
        self,
        chat: ChatModel,
        *,
        cache: Path | None,
        dpi: int = 150,
        max_pages: int = 20,
        max_tokens: int = 2048,
        concurrency: int = 4,
    ) -> None:
        self.chat, self._cache, self.dpi = chat, cache, dpi
        self.max_pages, self.max_tokens, self.concurrency = max_pages, max_tokens, concurrency

    def read(self, png: bytes) -> str:
        url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        messages: list[dict[str, object]] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": [
                {"type": "text", "text": "Transcribe this page."},
                {"type": "image_url", "image_url": {"url": url}},
            ]},
        ]  # fmt: skip
        return self.chat.complete_chat(messages, max_tokens=self.max_tokens, bulk=True)

    def _key(self, png: bytes) -> str:
        digest = hashlib.sha256(f"vision|{self.chat.model}|{self.dpi}|".encode())
        digest.update(png)
        return digest.hexdigest()

    def complete(
        self, parsed: Parsed, path: Path, *, password: str | None, doc_hash: str, budget: int,
        overlap: int,
    ) -> Parsed:  # fmt: skip
        """`parsed` with chunks added for the unreadable pages the model reads plausibly."""
        from ingest import ocr
        from ingest.chunker import chunk_document
        from text.sparse import document_vector

        if not parsed.unreadable or parsed.status is ParseStatus.FAILED:
            return parsed
        cache = OcrCache(self._cache) if self._cache else None
        blocks: list[Block] = []
        rejected: list[Reason] = []
        try:
            pages, asks = [], []  # (page, key, size, local OCR); (page, png) to send
            for page in parsed.unreadable[: self.max_pages]:
                png, size = ocr.page_png(path, password, page, self.dpi)
                key = self._key(png)
                known = cache.get(key) if cache else None
                if known is not None:
                    blocks.append(Block(text=known.text, page=page))
                    continue
                pages.append((page, key, size, cache.page_of(doc_hash, page) if cache else None))
                asks.append(png)
            with ThreadPoolExecutor(max(1, min(self.concurrency, len(asks)))) as pool:
                texts = list(pool.map(self.read, asks))
            for (page, key, size, local), text in zip(pages, texts, strict=True):
                why = implausible(text, page_size=size, local=local)
                if why is not None:
                    rejected.append(Reason("page_problem", page=page, detail=why))
                    continue
                blocks.append(Block(text=text.strip(), page=page))
                if cache:
                    cache.put(key, OcrPage(text.strip(), 0.0, ()))
        except APIError as exc:  # the pages not read stay unreadable; the run goes on
            rejected.append(Reason("vision_ask_failed", detail=str(exc)))
        except Exception as exc:  # pdfium cannot draw the page
            rejected.append(Reason("vision_render_failed", detail=type(exc).__name__))
        finally:
            if cache:
                cache.close()
        blocks.sort(key=lambda block: block.page or 0)
        warnings = list(parsed.warnings)
        if rejected:
            warnings.append(_unusable(self.chat.model, rejected))
        if not blocks:
            return dataclasses.replace(parsed, warnings=tuple(warnings))
        title = parsed.chunks[0].title if parsed.chunks else path.stem
        extra = Document(parsed.source, title, "pdf", doc_hash, tuple(blocks))
        start = len(parsed.chunks)
        added: list[Chunk] = []
        for offset, chunk in enumerate(chunk_document(extra, budget=budget, overlap=overlap)):
            position = start + offset
            new_id = chunk_id(parsed.source, position, chunk.text)
            added.append(dataclasses.replace(chunk, id=new_id, position=position))
        sparse = parsed.sparse
        if sparse:
            sparse = sparse + tuple(document_vector(c.indexed_text) for c in added)
        read_pages = {block.page for block in blocks}
        warnings.append(Reason("vision_pages_read", count=len(read_pages), model=self.chat.model))
        return dataclasses.replace(
            parsed,
            status=ParseStatus.OK,
            reason=None,
            chunks=parsed.chunks + tuple(added),
            sparse=sparse,
            warnings=tuple(warnings),
            ocr_pages=parsed.ocr_pages + len(read_pages),
            unreadable=tuple(p for p in parsed.unreadable if p not in read_pages),
        )
