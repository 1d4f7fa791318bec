"""Argon2 hashes of test passwords, made once per run (hashing is slow on purpose)."""

from __future__ import annotations

from functools import cache

from core.passwords import hash_password


@cache
def hashed(password: str) -> str:
    return hash_password(password)
