"""Domain records: small, frozen, and free of IO.

A loader turns a file into a `Document` made of `Block`s (text with its page and heading path);
the chunker turns a document into `Chunk`s; retrieval returns `ScoredChunk`s; the answer step
resolves [n] markers into `Citation`s.
"""

from __future__ import annotations

import hashlib
import uuid
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from core.packed import PackedStrings
from core.reasons import Reason

# Fixed namespace: chunk ids are uuid5(namespace, source + position + text hash), so the same file
# always yields the same ids and re-ingesting it overwrites instead of duplicating.
CHUNK_NAMESPACE = uuid.UUID("6f1c2a52-3d0e-4f53-9a57-1c0f6e2b7d41")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Block:
    """A run of text from one place in a document: a paragraph, a heading's body, a page."""

    text: str
    page: int | None = None  # 1-based PDF page; None for formats without pages
    headings: tuple[str, ...] = ()  # heading path, outermost first


@dataclass(frozen=True, slots=True)
class Document:
    source: str  # path relative to the ingest root (or the upload name): what citations show
    title: str
    kind: str  # "pdf", "markdown", "text", "html", ...
    content_hash: str  # sha256 of the file's bytes: decides whether re-ingest is needed
    blocks: tuple[Block, ...]
    page_count: int | None = None
    warnings: tuple[Reason, ...] = ()  # e.g. "2 of 10 pages have no text (blank or drawings)"
    ocr_pages: int = 0  # pages whose text OCR read
    ocr_confidence: float = 0.0  # their mean confidence, 0..1
    unreadable: tuple[int, ...] = ()  # pages (1-based) that needed OCR and still have no text


@dataclass(frozen=True, slots=True)
class Chunk:
    id: str  # deterministic UUID string, see `chunk_id`
    source: str
    title: str
    kind: str
    text: str
    position: int  # 0-based index of the chunk within its document
    page_start: int | None = None
    page_end: int | None = None
    headings: tuple[str, ...] = ()
    doc_hash: str = ""  # the file's content hash
    token_count: int = 0

    @property
    def pages_label(self) -> str:
        if self.page_start is None:
            return ""
        if self.page_end is None or self.page_end == self.page_start:
            return f"page {self.page_start}"
        return f"pages {self.page_start}–{self.page_end}"

    @property
    def location(self) -> str:
        """`handbook.pdf, page 3` or `faq.md › Billing`: how a citation names its place."""
        where = self.pages_label or " › ".join(self.headings)
        return f"{self.source}, {where}" if where else self.source

    @property
    def indexed_text(self) -> str:
        """What the embedder and the BM25 vector index: title, heading path, then the text.

        A chunk cut from the middle of a document rarely names its subject; its title and headings
        do (SciFact: the title alone carries a good part of nDCG@10). Answers still quote `text`.
        """
        context = [part for part in (self.title, " › ".join(self.headings)) if part]
        return "\n".join([*context, self.text])


def chunk_id(source: str, position: int, text: str) -> str:
    return str(uuid.uuid5(CHUNK_NAMESPACE, f"{source}\x00{position}\x00{sha256_text(text)}"))


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    chunk: Chunk
    score: float


@dataclass(frozen=True, slots=True)
class Citation:
    number: int  # the [n] used in the answer
    chunk: Chunk
    score: float
    quote: str = ""  # the sentence(s) of the chunk that support the answer, for highlighting


class FileStatus(StrEnum):
    """What an ingest run did with one file. The values are what `rag ingest --json` prints."""

    INGESTED = "ingested"  # parsed, embedded and written
    UNCHANGED = "unchanged"  # same content hash as in the store: left alone
    SKIPPED = "skipped"  # nothing to ingest: unsupported, encrypted, no text
    FAILED = "failed"  # could not be read or written; the reason says why
    PRUNED = "pruned"  # in the store but no longer on disk: removed
    BUSY = "busy"  # another run was writing it: left to that run (`ingest.claims`)


@dataclass(frozen=True, slots=True)
class FileOutcome:
    source: str
    status: FileStatus
    reason: Reason | None = None  # why it was skipped or failed (or "dry run")
    chunks: int = 0
    pages: int = 0
    warnings: tuple[Reason, ...] = ()
    ocr_pages: int = 0  # pages read by OCR
    ocr_confidence: float = 0.0  # their mean confidence, 0..1
    unreadable_pages: int = 0  # pages that needed OCR and still have no text


_STATUSES = tuple(FileStatus)
_STATUS_CODES = {status: code for code, status in enumerate(_STATUSES)}


class Outcomes:
    """A run's file outcomes in the order they came, packed: a file that went as planned (no
    reason, warning or OCR) costs ~40 bytes where a `FileOutcome` and its name cost ~180
    (100,000 files: 4 MB, not 18). They come out as `FileOutcome`s, made when asked for."""

    __slots__ = ("_chunks", "_full", "_names", "_pages", "_status")

    def __init__(self, outcomes: Iterable[FileOutcome] = ()) -> None:
        self._names = PackedStrings()  # the source names
        self._status = bytearray()  # index into _STATUSES
        self._chunks = array("Q")
        self._pages = array("Q")
        self._full: dict[int, FileOutcome] = {}  # the outcomes with more to say, whole
        self.extend(outcomes)

    def append(self, outcome: FileOutcome) -> None:
        index, chunks, pages = len(self._status), outcome.chunks, outcome.pages
        self._names.append(outcome.source)
        self._status.append(_STATUS_CODES[outcome.status])
        self._chunks.append(chunks)
        self._pages.append(pages)
        if outcome != FileOutcome(outcome.source, outcome.status, chunks=chunks, pages=pages):
            self._full[index] = outcome

    def extend(self, outcomes: Iterable[FileOutcome]) -> None:
        for outcome in outcomes:
            self.append(outcome)

    def __iadd__(self, outcomes: Iterable[FileOutcome]) -> Outcomes:
        self.extend(outcomes)
        return self

    def __len__(self) -> int:
        return len(self._status)

    def __getitem__(self, index: int) -> FileOutcome:
        index = range(len(self))[index]  # negative ones too; IndexError past the end
        if index in self._full:
            return self._full[index]
        status = _STATUSES[self._status[index]]
        chunks, pages = self._chunks[index], self._pages[index]
        return FileOutcome(self._names[index], status, chunks=chunks, pages=pages)

    def __iter__(self) -> Iterator[FileOutcome]:
        return (self[index] for index in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Outcomes | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Outcomes({list(self)!r})"

    def count(self, status: FileStatus) -> int:
        return self._status.count(_STATUS_CODES[status])

    @property
    def chunks(self) -> int:
        return sum(self._chunks)


@dataclass(slots=True)
class IngestReport:
    """What an ingest run did, file by file. Mutable while the run fills it in."""

    collection: str
    files: Outcomes = field(default_factory=Outcomes)  # a list of outcomes becomes one
    seconds: float = 0.0
    stopped: str = ""  # why the run stopped early (e.g. the token expired); rerun to resume

    def __post_init__(self) -> None:
        if not isinstance(self.files, Outcomes):
            self.files = Outcomes(self.files)

    def count(self, status: FileStatus) -> int:
        return self.files.count(FileStatus(status))

    @property
    def chunks(self) -> int:
        return self.files.chunks

    @property
    def ok(self) -> bool:
        return self.count(FileStatus.FAILED) == 0 and not self.stopped


@dataclass(frozen=True, slots=True)
class SourceStats:
    """One source's footprint in a collection: its chunks, and the last page they cite."""

    chunks: int = 0
    pages: int = 0  # the highest page a chunk ends on; 0 for sources without pages


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """Restricts retrieval; empty fields mean "any"."""

    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


# --- What the vector store takes and returns (see `core.ports.VectorStore`) -----------------


@dataclass(frozen=True, slots=True)
class CollectionInfo:
    """What a collection recorded at creation; None for a collection made without it."""

    embed_model: str | None = None
    dim: int | None = None
    sparse_scheme: str | None = None  # `text.sparse.SCHEME` of its BM25 vectors

    def sparse_matches(self, scheme: str) -> bool:
        """Were its BM25 vectors made by `scheme`? A collection that recorded a model but no
        scheme predates schemes being recorded: it used the old English-only analysis."""
        if self.sparse_scheme is None:
            return self.embed_model is None
        return self.sparse_scheme == scheme


@dataclass(frozen=True, slots=True)
class DenseQuery:
    """Nearest chunks by cosine similarity to `vector`."""

    vector: Sequence[float]


@dataclass(frozen=True, slots=True)
class SparseQuery:
    """Best chunks by BM25 over the query's term weights (`text.sparse.query_vector`)."""

    indices: Sequence[int]
    values: Sequence[float]


StoreQuery = DenseQuery | SparseQuery


@dataclass(frozen=True, slots=True)
class Candidate:
    """A search hit before its payload is fetched: a chunk id and the store's raw score
    (cosine for a dense query, BM25 for a sparse one)."""

    id: str
    score: float
