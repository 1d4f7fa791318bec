"""The files of one collection, and what a person may do with each: list, delete, re-ingest,
download the original. The UI's document manager (`app.ui.documents`) draws this.

Every operation asks `core.access.Viewer.require` first, before the store, the ledger or the
disk is touched: a person who may not read a collection learns nothing of it (not even whether
a file exists) and changes nothing in it.

A row joins what the store holds (`VectorStore.source_stats`: chunks and pages of the files
that are in) with what the last runs said (`app.ledger`: skipped and failed files, with their
reasons, sizes and dates), and the original kept on disk (`app.sources.find_source_file`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.ledger import LedgerEntry, forget, read_ledger
from app.sources import find_source_file, forget_source, recorded_sources
from core.access import Viewer
from core.errors import RagError
from core.reasons import Reason
from core.records import FileStatus, IngestReport, SourceStats

if TYPE_CHECKING:
    from app.container import Services
    from ingest.pipeline import IngestProgress


class OriginalMissing(RagError):
    """The original of a document is not kept (ingested from outside the data directory)."""


class DocumentBusy(RagError):
    """Another run is writing the document (`ingest.claims`): it is not deleted meanwhile."""


@dataclass(frozen=True, slots=True)
class DocumentRow:
    source: str
    status: FileStatus  # INGESTED, SKIPPED or FAILED: what the latest run said
    reason: Reason | None  # why it was skipped or failed; None otherwise
    pages: int
    chunks: int  # in the store now
    size: int | None  # bytes; None when neither the original nor the ledger knows
    ingested_at: str  # ISO 8601 in UTC; "" when ingested before the ledger existed
    original: bool  # the original is kept and may be downloaded or re-ingested


def _row(
    source: str, stats: SourceStats | None, entry: LedgerEntry | None, original: Path | None
) -> DocumentRow:
    status = entry.status if entry is not None else FileStatus.INGESTED
    size = original.stat().st_size if original is not None else None
    if size is None and entry is not None and entry.size:
        size = entry.size
    return DocumentRow(
        source=source,
        status=status,
        reason=entry.reason if entry is not None and status is not FileStatus.INGESTED else None,
        pages=stats.pages if stats is not None and stats.pages else (entry.pages if entry else 0),
        chunks=stats.chunks if stats is not None else 0,
        size=size,
        ingested_at=entry.at if entry is not None else "",
        original=original is not None,
    )


def list_documents(services: Services, viewer: Viewer, collection: str) -> list[DocumentRow]:
    """Every file of `collection`, by name: the ones in the store and the ones the latest runs
    skipped or failed. A file whose chunks are gone although the ledger says "ingested" (deleted
    by another instance, say) is not listed."""
    viewer.require(collection)
    store = services.store
    stats = store.source_stats(collection) if store.exists(collection) else {}
    ledger = read_ledger(services.settings.data_dir, collection)
    recorded = recorded_sources(services.settings.data_dir, collection)  # once, not per file
    rows = []
    for source in sorted(set(stats) | set(ledger)):
        entry = ledger.get(source)
        if source not in stats and (entry is None or entry.status is FileStatus.INGESTED):
            continue
        original = find_source_file(
            services.settings, viewer, source, collection, recorded=recorded
        )
        rows.append(_row(source, stats.get(source), entry, original))
    return rows


def original_file(services: Services, viewer: Viewer, collection: str, source: str) -> Path:
    """The kept original of `source`; `OriginalMissing` when there is none."""
    found = find_source_file(services.settings, viewer, source, collection)
    if found is None:
        raise OriginalMissing(f"The original of {source!r} is not kept.")
    return found


def delete_document(services: Services, viewer: Viewer, collection: str, source: str) -> None:
    """Remove `source` from `collection`: its chunks, its ledger entry, its recorded path, and
    its uploaded copy. A file that was ingested from a folder of its own stays on disk. A
    document another run is writing is left alone (`DocumentBusy`)."""
    viewer.require(collection)
    data_dir = services.settings.data_dir
    upload = find_source_file(services.settings, viewer, source, collection)
    with services.claims.held(collection, source) as mine:
        if not mine:
            raise DocumentBusy(
                f"Another run is writing {source!r} into {collection!r}; "
                "delete it once that run is done."
            )
        services.store.delete_source(collection, source)
        services.forget_documents(collection)
        forget(data_dir, collection, source)
        forget_source(data_dir, collection, source)
        uploads = (data_dir / "uploads" / collection).resolve()
        if upload is not None and upload.parent == uploads:
            upload.unlink(missing_ok=True)


def reingest_document(
    services: Services,
    viewer: Viewer,
    collection: str,
    source: str,
    *,
    on_progress: Callable[[IngestProgress], None] | None = None,
) -> IngestReport:
    """Parse, embed and write `source` again from its kept original, even when unchanged.

    A source in a subfolder (`policies/travel.md`) is ingested from the folder it was named
    against, so it keeps its name.
    """
    path = original_file(services, viewer, collection, source)
    depth = len(Path(source).parts)
    root = path.parents[depth - 1] if depth > 1 else path
    glob = _literal(source) if depth > 1 else None
    return services.ingest(
        [root], collection=collection, on_progress=on_progress, glob=glob, refresh=[source]
    )


def _literal(name: str) -> str:
    """`name` as an fnmatch pattern that matches only itself."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)
