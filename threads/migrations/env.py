"""Alembic's entry for the thread database: always run from `threads.migrate.upgrade`, which
hands over an open connection (never a URL read from a file or the environment)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from threads.schema import metadata

# Two app instances starting at once against one PostgreSQL must not both migrate: the second
# waits on this lock (held until the migration's transaction ends), then finds nothing to do.
_MIGRATION_LOCK = 7_406_115_001


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE via copy on SQLite
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        context.run_migrations()


run_migrations_online()
