from __future__ import annotations

import pytest

from core.errors import ConfigError
from core.names import check_collection_name, valid_collection_name
from core.settings import load_settings


@pytest.mark.parametrize(
    ("name", "valid"),
    [("docs", True), ("hr-2024_v2", True), ("eval-scifact-0a1b2c3d4e5f", True), ("a.b", True),
     ("finance\n", False), ("finance\r\n", False), ("\nfinance", False), ("fin ance", False),
     ("../x", False), ("", False), ("-x", False), (".x", False), ("a" * 63, True),
     ("a" * 64, False), ("a b", False), ("Finanzen", True), ("für", False)],
)  # fmt: skip
def test_valid_collection_name_table(name: str, valid: bool) -> None:
    assert valid_collection_name(name) is valid


def test_check_collection_name_trailing_newline_is_one_line_error() -> None:
    """Issue 10, item 3: `finance\\n` was a second collection beside `finance`."""
    assert check_collection_name("finance") == "finance"
    with pytest.raises(ConfigError, match=r"Not a collection name: 'finance\\n'") as caught:
        check_collection_name("finance\n")
    assert "\n" not in str(caught.value)


def test_settings_refuse_a_collection_with_a_newline() -> None:
    with pytest.raises(ConfigError, match="RAG_COLLECTION: not a collection name"):
        load_settings(_env_file=None, collection="finance\n")
