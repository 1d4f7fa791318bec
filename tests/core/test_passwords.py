from __future__ import annotations

import pytest

from core.passwords import hash_password, is_password_hash, verify_password
from tests.fakes.passwords import hashed


def test_passwords_hash_verifies_only_the_same_password() -> None:
    stored = hashed("Grüße, 2026!")
    assert is_password_hash(stored) and "Grüße" not in stored
    assert verify_password(stored, "Grüße, 2026!")
    assert not verify_password(stored, "grüße, 2026!")
    assert hash_password("Grüße, 2026!") != stored  # salted


@pytest.mark.parametrize(
    "value", ["letmein", "", "$argon2id$", "$2b$12$abcdefghijklmnopqrstuv", "argon2id$v=19$m$x$y"]
)
def test_passwords_plain_or_foreign_values_are_not_hashes(value: str) -> None:
    assert not is_password_hash(value)
    assert not verify_password(value, value)


def test_passwords_empty_password_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        hash_password("")
