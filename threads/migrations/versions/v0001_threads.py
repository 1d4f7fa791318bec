"""Threads and their messages (question, answer, sources, citations, feedback).

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(255), nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_threads_owner_updated", "threads", ["owner", "updated_at"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "thread_id",
            sa.String(32),
            sa.ForeignKey("threads.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("collection", sa.String(255), nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("rewritten", sa.Boolean, nullable=False),
        sa.Column("reasoning", sa.Text, nullable=False),
        sa.Column("notices", sa.JSON, nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("found", sa.Boolean, nullable=False),
        sa.Column("citations", sa.JSON, nullable=False),
        sa.Column("dropped", sa.JSON, nullable=False),
        sa.Column("uncited", sa.Boolean, nullable=False),
        sa.Column("failed", sa.Text, nullable=True),
        sa.Column("stopped", sa.Boolean, nullable=False),
        sa.Column("feedback", sa.String(8), nullable=True),
        sa.Column("feedback_comment", sa.Text, nullable=False),
        sa.UniqueConstraint("thread_id", "position", name="uq_messages_thread_position"),
    )


def downgrade() -> None:
    op.drop_table("messages")
    op.drop_index("ix_threads_owner_updated", table_name="threads")
    op.drop_table("threads")
