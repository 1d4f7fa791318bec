"""Password hashes for the app's sign-in: Argon2id from argon2-cffi (the only module that
imports it). RAG_AUTH_PASSWORD and RAG_AUTH_USERS hold hashes made by `rag hash-password`,
never the passwords themselves."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASH_PREFIX = "$argon2id$"
HASH_COMMAND = "rag hash-password"


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2-cffi's defaults: RFC 9106's low-memory profile


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("the password is empty")
    return _hasher().hash(password)


def is_password_hash(value: str) -> bool:
    """Whether `value` looks like a hash `hash_password` made (not a plain-text password)."""
    return value.startswith(HASH_PREFIX) and value.count("$") == 5


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _decoy() -> str:
    return hash_password("a name nobody has")


def burn_time(password: str) -> None:
    """Verify against a decoy hash: a name that does not exist costs what a real one does."""
    verify_password(_decoy(), password)
