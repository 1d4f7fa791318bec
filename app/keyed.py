"""Per-collection records keyed by source name, in one SQLite file: the ledger and the paths.

The document manager's ledger (`app.ledger`) and the page preview's source paths
(`app.sources`) keep one row per (record, collection, source) in `<data_dir>/.records.sqlite3`.
A run writes the rows of the files it saw and nothing else, and a lookup reads one row: a
one-file upload into a collection of 100,000 files no longer rewrites the whole record, and the
document manager no longer reads it once per file it lists.

Several people upload at once and `rag ingest` may run beside `rag ui`: every change is one
transaction (WAL mode, so readers never wait for it; a writer waits up to `TIMEOUT` for another).
A record that cannot be read (the file is damaged or not a database) reads as empty, as before.

Records of earlier versions (`<data_dir>/<folder>/<collection>.json`, one JSON object) are
imported the first time their collection's record is opened, once (the database remembers it),
and the file is renamed `<collection>.json.imported`: nothing is lost, and a row dropped later
never comes back from the old file.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from app.records import read_record
from core.names import valid_collection_name

log = logging.getLogger(__name__)

FILE = ".records.sqlite3"
TIMEOUT = 30.0  # seconds a writer waits for another
_BATCH = 1000  # rows per statement when a run writes many
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    record TEXT NOT NULL, collection TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (record, collection, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS imported (
    record TEXT NOT NULL, collection TEXT NOT NULL, PRIMARY KEY (record, collection)
) WITHOUT ROWID;
"""


class KeyedRecord:
    """The rows of one record (`folder`, e.g. ".ledger") of one collection; values are JSON."""

    def __init__(self, data_dir: Path, folder: str, collection: str) -> None:
        if not valid_collection_name(collection):
            raise ValueError(f"not a collection name: {collection!r}")
        self._dir = data_dir
        self._record = folder
        self._collection = collection

    @property
    def legacy_path(self) -> Path:
        """Where an earlier version kept this record as one JSON file."""
        return self._dir / self._record / f"{self._collection}.json"

    def get(self, key: str) -> object | None:
        with self._reading() as db:
            if db is None:
                return None
            row = db.execute(
                "SELECT value FROM records WHERE record = ? AND collection = ? AND key = ?",
                (self._record, self._collection, key),
            ).fetchone()
        return _value(row[0]) if row else None

    def read(self) -> dict[str, object]:
        """Every row, by key."""
        with self._reading() as db:
            if db is None:
                return {}
            rows = db.execute(
                "SELECT key, value FROM records WHERE record = ? AND collection = ?",
                (self._record, self._collection),
            ).fetchall()
        return {str(key): _value(value) for key, value in rows}

    def change(self, put: Iterable[tuple[str, object]] = (), drop: Iterable[str] = ()) -> None:
        """Write the rows `put`, then remove the keys `drop`, in one transaction.

        A record that cannot be written (a damaged file, a full disk) logs why and keeps what it
        held: the store, not the record, says what is in a collection."""
        try:
            self._change(put, drop)
        except (OSError, sqlite3.Error) as error:
            log.warning("could not update the records in %s: %s", self._dir / FILE, error)

    def _change(self, put: Iterable[tuple[str, object]], drop: Iterable[str]) -> None:
        where = (self._record, self._collection)
        puts = _batches(self._rows(put))
        first = next(puts, None)
        if first is None and not self._exists():
            return  # nothing to write, nothing to drop from: no file (a run over files elsewhere)
        with self._writing() as db:
            for rows in itertools.chain([first] if first else [], puts):
                db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", rows)
            for keys in _batches((*where, key) for key in drop):
                db.executemany(
                    "DELETE FROM records WHERE record = ? AND collection = ? AND key = ?", keys
                )

    # the database -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        if not self._exists():
            yield None  # nothing was ever recorded: create nothing
            return
        try:
            db = self._open()
        except (OSError, sqlite3.Error) as error:
            log.warning("the records in %s cannot be read: %s", self._dir / FILE, error)
            yield None
            return
        try:
            yield db
        finally:
            db.close()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        db = self._open()
        try:
            with _transaction(db):
                yield db
        finally:
            db.close()

    def _rows(self, items: Iterable[tuple[str, object]]) -> Iterator[tuple[str, ...]]:
        """`items` as rows of this record: the value as JSON text."""
        for key, value in items:
            yield self._record, self._collection, key, json.dumps(value, ensure_ascii=False)

    def _exists(self) -> bool:
        return (self._dir / FILE).is_file() or self.legacy_path.is_file()

    def _open(self) -> sqlite3.Connection:
        self._dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(self._dir / FILE), timeout=TIMEOUT, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            if self.legacy_path.is_file():
                self._import(db)
        except BaseException:
            db.close()
            raise
        return db

    def _import(self, db: sqlite3.Connection) -> None:
        """Move the earlier version's JSON record in, once, then rename its file."""
        where = (self._record, self._collection)
        with _transaction(db):  # another process may be importing it too
            done = "SELECT 1 FROM imported WHERE record = ? AND collection = ?"
            if db.execute(done, where).fetchone() is None:
                for batch in _batches(self._rows(read_record(self.legacy_path).items())):
                    db.executemany("INSERT OR IGNORE INTO records VALUES (?, ?, ?, ?)", batch)
                db.execute("INSERT INTO imported VALUES (?, ?)", where)
        with contextlib.suppress(OSError):  # tidy only: the database remembers the import
            self.legacy_path.replace(
                self.legacy_path.with_name(self.legacy_path.name + ".imported")
            )


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once (other writers wait up to `TIMEOUT`)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _value(text: str) -> object | None:
    try:
        value: object = json.loads(text)
    except ValueError:
        return None
    return value


def _batches(rows: Iterable[tuple[str, ...]]) -> Iterator[list[tuple[str, ...]]]:
    batch: list[tuple[str, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
