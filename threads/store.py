"""ThreadStore: the conversations people keep, in one database behind one URL.

Every read and write names the user (None when logins are off) and only ever touches that
user's threads: a thread of someone else is indistinguishable from one that does not exist
(`ThreadNotFoundError`). Database failures surface as `ThreadStoreError`, one line without the
URL (it may hold a password).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from core.errors import ThreadNotFoundError, ThreadStoreError
from threads import migrate
from threads.records import (
    Conversation,
    Feedback,
    Message,
    NewMessage,
    Thread,
    citations_from_json,
    citations_to_json,
    sources_from_json,
    sources_to_json,
)
from threads.schema import messages, threads

log = logging.getLogger(__name__)

TITLE_CHARS = 80  # a title longer than this is cut (with …)
SQLITE_BUSY_MS = 10_000  # how long a writer waits for another one before giving up


def _utc(value: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def title_for(text: str) -> str:
    """A thread title from free text: one line, at most TITLE_CHARS characters."""
    line = " ".join(text.split())
    if len(line) <= TITLE_CHARS:
        return line or "Untitled"
    return line[: TITLE_CHARS - 1].rstrip() + "…"


def _owned(user: str | None) -> ColumnElement[bool]:
    return threads.c.owner.is_(None) if user is None else threads.c.owner == user


def _thread(row: Row[Any]) -> Thread:
    return Thread(
        id=row.id,
        user=row.owner,
        title=row.title,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
    )


def _message(row: Row[Any]) -> Message:
    content = NewMessage(
        question=row.question,
        answer=row.answer,
        collection=row.collection,
        query=row.query,
        rewritten=bool(row.rewritten),
        reasoning=row.reasoning,
        notices=tuple(row.notices or ()),
        sources=sources_from_json(row.sources),
        found=bool(row.found),
        citations=citations_from_json(row.citations),
        dropped=tuple(int(n) for n in row.dropped or ()),
        uncited=bool(row.uncited),
        failed=row.failed,
        stopped=bool(row.stopped),
    )
    return Message(
        id=row.id,
        thread_id=row.thread_id,
        position=row.position,
        created_at=_utc(row.created_at),
        content=content,
        feedback=Feedback(row.feedback) if row.feedback else None,
        feedback_comment=row.feedback_comment,
    )


def _message_values(message: NewMessage) -> dict[str, Any]:
    return {
        "question": message.question,
        "answer": message.answer,
        "collection": message.collection,
        "query": message.query,
        "rewritten": message.rewritten,
        "reasoning": message.reasoning,
        "notices": list(message.notices),
        "sources": sources_to_json(message.sources),
        "found": message.found,
        "citations": citations_to_json(message.citations),
        "dropped": list(message.dropped),
        "uncited": message.uncited,
        "failed": message.failed,
        "stopped": message.stopped,
        "feedback": None,
        "feedback_comment": "",
    }


class ThreadStore:
    def __init__(self, engine: Engine, *, now: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self._now = now or (lambda: datetime.now(UTC))

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as connection:
                yield connection
        except SQLAlchemyError as error:
            log.warning("thread database error: %s", type(error).__name__, exc_info=True)
            raise ThreadStoreError(
                f"The conversation database failed ({type(error).__name__}); try again."
            ) from error

    def _require(
        self, connection: Connection, thread_id: str, user: str | None, *, lock: bool = False
    ) -> Row[Any]:
        query = select(threads).where(threads.c.id == thread_id, _owned(user))
        if lock:  # PostgreSQL: appends to one thread queue here; SQLite has one writer anyway
            query = query.with_for_update()
        row = connection.execute(query).first()
        if row is None:
            raise ThreadNotFoundError("That conversation does not exist (or was deleted).")
        return row

    # --- threads ---------------------------------------------------------------------------

    def create(self, user: str | None, title: str) -> Thread:
        now = self._now()
        uuid_hex, title = uuid.uuid4().hex, title_for(title)
        with self._begin() as connection:
            connection.execute(
                insert(threads).values(
                    id=uuid_hex, owner=user, title=title, created_at=now, updated_at=now
                )
            )
        return Thread(uuid_hex, user, title, now, now)

    def rename(self, thread_id: str, user: str | None, title: str) -> Thread:
        with self._begin() as connection:
            self._require(connection, thread_id, user)
            connection.execute(
                update(threads)
                .where(threads.c.id == thread_id, _owned(user))
                .values(title=title_for(title), updated_at=self._now())
            )
            return _thread(self._require(connection, thread_id, user))

    def delete(self, thread_id: str, user: str | None) -> None:
        with self._begin() as connection:
            self._require(connection, thread_id, user)
            connection.execute(delete(messages).where(messages.c.thread_id == thread_id))
            connection.execute(delete(threads).where(threads.c.id == thread_id, _owned(user)))

    def list(self, user: str | None, *, search: str = "", limit: int = 200) -> list[Thread]:
        """The user's threads, most recently used first; `search` matches within titles."""
        query = select(threads).where(_owned(user))
        if search.strip():
            query = query.where(threads.c.title.icontains(search.strip(), autoescape=True))
        query = query.order_by(threads.c.updated_at.desc(), threads.c.id).limit(limit)
        with self._begin() as connection:
            return [_thread(row) for row in connection.execute(query)]

    def get(self, thread_id: str, user: str | None) -> Thread:
        with self._begin() as connection:
            return _thread(self._require(connection, thread_id, user))

    def load(self, thread_id: str, user: str | None) -> Conversation:
        with self._begin() as connection:
            thread = _thread(self._require(connection, thread_id, user))
            rows = connection.execute(
                select(messages)
                .where(messages.c.thread_id == thread_id)
                .order_by(messages.c.position)
            )
            return Conversation(thread, tuple(_message(row) for row in rows))

    # --- messages --------------------------------------------------------------------------

    def append(
        self, thread_id: str, user: str | None, message: NewMessage, *, attempts: int = 5
    ) -> Message:
        """Add one exchange at the end of the thread. Two sessions appending at once both land:
        the (thread, position) key rejects the second, which takes the next position."""
        for attempt in range(attempts):
            try:
                return self._append_once(thread_id, user, message)
            except ThreadStoreError as error:
                if not isinstance(error.__cause__, IntegrityError) or attempt == attempts - 1:
                    raise
        raise AssertionError("not reached")

    def _append_once(self, thread_id: str, user: str | None, message: NewMessage) -> Message:
        now = self._now()
        with self._begin() as connection:
            self._require(connection, thread_id, user, lock=True)
            last = connection.execute(
                select(func.max(messages.c.position)).where(messages.c.thread_id == thread_id)
            ).scalar()
            position = 0 if last is None else int(last) + 1
            values = {
                "thread_id": thread_id,
                "position": position,
                "created_at": now,
                **_message_values(message),
            }
            new_id = connection.execute(insert(messages).values(**values)).inserted_primary_key
            connection.execute(
                update(threads).where(threads.c.id == thread_id).values(updated_at=now)
            )
        assert new_id is not None
        return Message(int(new_id[0]), thread_id, position, now, message)

    def set_feedback(
        self,
        thread_id: str,
        user: str | None,
        message_id: int,
        feedback: Feedback | None,
        comment: str = "",
    ) -> None:
        """Thumbs up/down (None: cleared) with an optional comment, on one message."""
        with self._begin() as connection:
            self._require(connection, thread_id, user)
            done = connection.execute(
                update(messages)
                .where(messages.c.id == message_id, messages.c.thread_id == thread_id)
                .values(
                    feedback=feedback.value if feedback else None,
                    feedback_comment=comment.strip(),
                )
            )
            if done.rowcount != 1:
                raise ThreadNotFoundError("That answer is no longer in the conversation.")

    def close(self) -> None:
        self._engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions begin in _sqlite_begin, not implicitly
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the one writer
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Take the write lock at BEGIN: a deferred transaction that reads and then writes fails at
    once ("database is locked") when another session wrote in between; this one waits."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def open_thread_store(url: str, *, now: Callable[[], datetime] | None = None) -> ThreadStore:
    """Connect to `url`, apply the shipped migrations, return the store.

    `sqlite:///path/threads.sqlite3` (the parent folder is created) or
    `postgresql+psycopg://user:password@host/db`.
    """
    try:
        parsed = make_url(url)
    except Exception as error:  # sqlalchemy raises ArgumentError; never echo the URL back
        raise ThreadStoreError(
            "RAG_DATABASE_URL is not a database URL (e.g. sqlite:///data/threads.sqlite3)."
        ) from error
    options: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            from pathlib import Path

            Path(database).parent.mkdir(parents=True, exist_ok=True)
        options = {}
    try:
        engine = create_engine(parsed, **options)
    except Exception as error:  # missing driver, bad options
        raise ThreadStoreError(
            f"The conversation database cannot be opened ({type(error).__name__}: {error})."
        ) from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    try:
        migrate.upgrade(engine)
    except SQLAlchemyError as error:
        engine.dispose()
        raise ThreadStoreError(
            f"The conversation database cannot be reached or migrated ({type(error).__name__})."
        ) from error
    return ThreadStore(engine, now=now)
