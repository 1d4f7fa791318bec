"""Collection names: one rule, checked with a full match everywhere a name comes in.

A name is letters, digits, `_`, `-` and `.`, starts with a letter or digit, and is at most 63
characters. It becomes a folder name (uploads, the embedded store) and an access-list key, so
the whole string must match: `re.fullmatch`, never `match` with `$`, which admits a trailing
newline ("finance\\n" would otherwise be a second, unlisted "finance"). The UI, the CLI
(`--collection`) and the store adapters all call `check_collection_name`.
"""

from __future__ import annotations

import re

from core.errors import ConfigError

COLLECTION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
RULE = "letters, digits, _ - and . (starting with a letter or digit, up to 63 characters)"


def valid_collection_name(name: str) -> bool:
    return isinstance(name, str) and COLLECTION_NAME.fullmatch(name) is not None


def check_collection_name(name: str) -> str:
    """`name` itself when it is a valid collection name; `ConfigError` in one line otherwise."""
    if not valid_collection_name(name):
        raise ConfigError(f"Not a collection name: {name!r}. Use {RULE}.")
    return name
