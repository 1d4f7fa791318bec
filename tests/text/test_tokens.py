from __future__ import annotations

import hashlib
from pathlib import Path

from text import tokens


def test_tokens_seed_cache_uses_tiktoken_cache_key() -> None:
    path = tokens.seed_tiktoken_cache("cl100k_base")
    url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
    assert path.name == hashlib.sha1(url.encode()).hexdigest()
    # tiktoken's pinned sha256 for cl100k_base: the shipped file is the real one
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    assert digest == "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


def test_tokens_count_matches_known_cl100k_encoding() -> None:
    assert tokens.encode("hello world") == [15339, 1917]
    assert tokens.count_tokens("hello world") == 2
    assert tokens.decode(tokens.encode("Grüße aus Berlin")) == "Grüße aus Berlin"


def test_tokens_fresh_cache_never_touches_network(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import tiktoken.load
    import tiktoken.registry

    def no_network(blobpath: str) -> bytes:
        raise AssertionError(f"tiktoken tried to download {blobpath}")

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    tokens.encoding.cache_clear()
    try:
        assert tokens.count_tokens("offline tokens") > 0
        assert any((tmp_path / "cache").iterdir())
    finally:
        tokens.encoding.cache_clear()
