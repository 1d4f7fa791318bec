"""The tables, in SQLAlchemy Core. Migrations (migrations/versions/) create and change them;
this module is what the store's queries are written against, so the two must agree (a test
compares the migrated database with these tables)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

threads = Table(
    "threads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(255), nullable=True),  # NULL: logins off
    Column("title", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_threads_owner_updated", "owner", "updated_at"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "thread_id",
        String(32),
        ForeignKey("threads.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("collection", String(255), nullable=False),
    Column("query", Text, nullable=False),
    Column("rewritten", Boolean, nullable=False),
    Column("reasoning", Text, nullable=False),
    Column("notices", JSON, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("found", Boolean, nullable=False),
    Column("citations", JSON, nullable=False),
    Column("dropped", JSON, nullable=False),
    Column("uncited", Boolean, nullable=False),
    Column("failed", Text, nullable=True),
    Column("stopped", Boolean, nullable=False),
    Column("feedback", String(8), nullable=True),
    Column("feedback_comment", Text, nullable=False),
    UniqueConstraint("thread_id", "position", name="uq_messages_thread_position"),
)
