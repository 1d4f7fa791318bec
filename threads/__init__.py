"""Conversation threads kept in a database: SQLite under RAG_DATA_DIR, or PostgreSQL by URL.

    records.py     Thread, Message, NewMessage, Feedback: what the store takes and gives back
    schema.py      the tables (SQLAlchemy Core), the one description the migrations start from
    migrate.py     applies the shipped Alembic migrations (migrations/versions/) on open
    store.py       ThreadStore: create, rename, delete, list/search, load, append, feedback
    export.py      a thread as Markdown with its citations and sources (pure)

SQLAlchemy and Alembic are imported here and nowhere else.
"""

from threads.records import Conversation, Feedback, Message, NewMessage, Thread
from threads.store import ThreadStore, open_thread_store

__all__ = [
    "Conversation",
    "Feedback",
    "Message",
    "NewMessage",
    "Thread",
    "ThreadStore",
    "open_thread_store",
]
