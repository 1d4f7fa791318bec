"""The thread-store tests run once per database: SQLite in a temp dir, and a real PostgreSQL
server started for the session (skipped, with the reason, where it cannot start)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.threads.postgres import Unavailable, throwaway_postgres
from threads import ThreadStore, open_thread_store


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with ExitStack() as stack:
        try:
            url = stack.enter_context(throwaway_postgres())
        except Unavailable as reason:
            pytest.skip(f"no PostgreSQL server for the tests: {reason}")
        yield url


def _fresh_postgres_database(server_url: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'threads.sqlite3'}"
    server: str = request.getfixturevalue("postgres_server")
    return _fresh_postgres_database(server)


@pytest.fixture
def store(database_url: str) -> Iterator[ThreadStore]:
    opened = open_thread_store(database_url)
    yield opened
    opened.close()
