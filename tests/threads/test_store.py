"""ThreadStore against SQLite and a real PostgreSQL: every test runs on both."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, inspect

from core.errors import ThreadNotFoundError, ThreadStoreError
from core.records import Chunk, Citation, ScoredChunk
from threads import Feedback, NewMessage, ThreadStore, migrate, open_thread_store
from threads.schema import metadata
from threads.store import TITLE_CHARS, title_for

CHUNK = Chunk(
    id="c1", source="handbook.pdf", title="Handbook", kind="pdf", text="Leave is 30 days a year.",
    position=3, page_start=4, page_end=5, headings=("Leave", "Annual"), doc_hash="h",
    token_count=7,
)  # fmt: skip


def _message(question: str = "How much leave?", **overrides: object) -> NewMessage:
    values: dict[str, object] = {
        "question": question,
        "answer": "30 days [1].",
        "collection": "docs",
        "query": "annual leave days",
        "rewritten": True,
        "notices": ("Waiting 2 s for the rate limit",),
        "sources": (ScoredChunk(CHUNK, 0.8),),
        "citations": (Citation(1, CHUNK, 0.8, quote="Leave is 30 days a year."),),
    }
    values.update(overrides)
    return NewMessage(**values)  # type: ignore[arg-type]


def test_thread_store_message_round_trips_every_field(store: ThreadStore) -> None:
    thread = store.create("alice", "Leave")
    sent = _message(dropped=(4,), uncited=False, failed="API timeout", stopped=True)
    store.append(thread.id, "alice", sent)
    loaded = store.load(thread.id, "alice")
    assert loaded.thread.title == "Leave"
    assert [m.content for m in loaded.messages] == [sent]
    assert loaded.messages[0].content.citations[0].chunk == CHUNK


def test_thread_store_other_users_thread_is_not_found(store: ThreadStore) -> None:
    thread = store.create("alice", "Private")
    store.append(thread.id, "alice", _message())
    for call in (
        lambda: store.load(thread.id, "bob"),
        lambda: store.load(thread.id, None),
        lambda: store.rename(thread.id, "bob", "mine now"),
        lambda: store.delete(thread.id, "bob"),
        lambda: store.append(thread.id, "bob", _message()),
        lambda: store.set_feedback(thread.id, "bob", 1, Feedback.UP),
    ):
        with pytest.raises(ThreadNotFoundError):
            call()
    assert store.list("bob") == [] and store.list(None) == []
    assert len(store.load(thread.id, "alice").messages) == 1  # untouched


def test_thread_store_list_is_most_recent_first_and_searches_titles(
    database_url: str,
) -> None:
    clock = iter(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n) for n in range(100))
    store = open_thread_store(database_url, now=lambda: next(clock))
    try:
        old = store.create("alice", "Urlaub 2026")
        new = store.create("alice", "Reisekosten_100%")
        store.create("bob", "Urlaub bob")
        assert [t.id for t in store.list("alice")] == [new.id, old.id]
        store.append(old.id, "alice", _message())  # using a thread moves it up
        assert [t.id for t in store.list("alice")] == [old.id, new.id]
        assert [t.id for t in store.list("alice", search="urlaub")] == [old.id]
        assert [t.id for t in store.list("alice", search="_100%")] == [new.id]
        assert store.list("alice", search="u%b") == []  # a wildcard is a literal character
    finally:
        store.close()


def test_thread_store_rename_and_delete(store: ThreadStore) -> None:
    thread = store.create(None, "first question")
    store.append(thread.id, None, _message())
    assert store.rename(thread.id, None, "  Leave\nrules ").title == "Leave rules"
    store.delete(thread.id, None)
    assert store.list(None) == []
    with pytest.raises(ThreadNotFoundError):
        store.load(thread.id, None)


def test_thread_store_feedback_is_kept_and_cleared(store: ThreadStore) -> None:
    thread = store.create("alice", "t")
    message = store.append(thread.id, "alice", _message())
    store.set_feedback(thread.id, "alice", message.id, Feedback.DOWN, " wrong page ")
    kept = store.load(thread.id, "alice").messages[0]
    assert (kept.feedback, kept.feedback_comment) == (Feedback.DOWN, "wrong page")
    store.set_feedback(thread.id, "alice", message.id, None)
    assert store.load(thread.id, "alice").messages[0].feedback is None


def test_thread_store_feedback_on_a_message_of_another_thread_is_refused(
    store: ThreadStore,
) -> None:
    mine, other = store.create("alice", "a"), store.create("alice", "b")
    message = store.append(other.id, "alice", _message())
    with pytest.raises(ThreadNotFoundError):
        store.set_feedback(mine.id, "alice", message.id, Feedback.UP)


def test_thread_store_concurrent_appends_all_land_in_order(store: ThreadStore) -> None:
    thread = store.create("alice", "busy")
    errors: list[Exception] = []

    def ask(n: int) -> None:
        try:
            for i in range(5):
                store.append(thread.id, "alice", _message(f"q{n}-{i}"))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    loaded = store.load(thread.id, "alice").messages
    assert [m.position for m in loaded] == list(range(20))
    assert sorted(m.content.question for m in loaded) == sorted(
        f"q{n}-{i}" for n in range(4) for i in range(5)
    )


def test_thread_store_migrations_build_the_tables_the_queries_use(database_url: str) -> None:
    open_thread_store(database_url).close()
    open_thread_store(database_url).close()  # a second start finds nothing to do
    engine = create_engine(database_url)
    try:
        assert migrate.current_revision(engine) == migrate.head()
        found = inspect(engine)
        for table in metadata.sorted_tables:
            columns = {c["name"] for c in found.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name
        migrate.downgrade(engine, "base")
        assert not inspect(engine).has_table("threads")
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How much leave?", "How much leave?"),
        ("  two\n lines\t", "two lines"),
        ("", "Untitled"),
        ("x" * 200, "x" * (TITLE_CHARS - 1) + "…"),
    ],
)
def test_title_for_makes_one_short_line(text: str, expected: str) -> None:
    assert title_for(text) == expected


@pytest.mark.parametrize("url", ["not a url", "nosuchdb://x/y"])
def test_open_thread_store_bad_url_is_one_line_without_the_url(url: str) -> None:
    with pytest.raises(ThreadStoreError) as raised:
        open_thread_store(url)
    assert url not in str(raised.value)


def test_open_thread_store_unreachable_postgres_hides_the_password() -> None:
    url = "postgresql+psycopg://rag:s3cret-pw@127.0.0.1:1/rag?connect_timeout=2"
    with pytest.raises(ThreadStoreError) as raised:
        open_thread_store(url)
    assert "s3cret-pw" not in str(raised.value)
