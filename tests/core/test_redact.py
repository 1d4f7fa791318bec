from __future__ import annotations

import pytest

from core.redact import redact, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://openai.inference.de-txl.ionos.com/v1", "https://openai.inference.de-txl.ionos.com/v1"),
        ("http://alice:s3cret@127.0.0.1:8000/v1", "http://***@127.0.0.1:8000/v1"),
        ("http://token@host/v1", "http://***@host/v1"),
        ("alice:s3cret@host/v1", "***@host/v1"),  # no scheme: still hidden
        ("https://host/v1?api_key=abc&model=x", "https://host/v1?api_key=***&model=x"),
        ("https://host/v1?x=1&access_token=abc", "https://host/v1?x=1&access_token=***"),
        ("https://host/a@b", "https://host/a@b"),  # an @ in the path is not a login
    ],
)  # fmt: skip
def test_redact_url_table(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_redact_replaces_every_secret() -> None:
    assert redact("a TOKEN b TOKEN", ["TOKEN", ""]) == "a *** b ***"
