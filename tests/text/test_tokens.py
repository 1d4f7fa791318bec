from __future__ import annotations

import hashlib
import tempfile
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
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))  # no kept ranks yet
    tokens.encoding.cache_clear()
    try:
        assert tokens.count_tokens("offline tokens") > 0
        assert any((tmp_path / "cache").iterdir())
        assert any(tmp_path.glob("ionos-rag-models-*/tiktoken-*.bin"))  # kept for the next
    finally:
        tokens.encoding.cache_clear()


def test_kept_merge_ranks_encode_as_tiktoken_does(tmp_path: Path) -> None:
    import tiktoken

    fresh = tiktoken.get_encoding(tokens.ENCODING)
    tokens._save_encoding(fresh, tmp_path)
    kept = tokens._cached_encoding(tmp_path, tokens.ENCODING)

    assert kept is not None
    for text in ("Kündigungsfrist: 3 Monate.", "Total revenue | 17,606 |", "東京 naïve\n\n  x"):
        assert kept.encode_ordinary(text) == fresh.encode_ordinary(text)
    assert kept.encode("<|endoftext|>", allowed_special="all") == [100257]


def test_damaged_merge_ranks_are_not_used(tmp_path: Path) -> None:
    import tiktoken

    tokens._save_encoding(tiktoken.get_encoding(tokens.ENCODING), tmp_path)
    (path,) = tmp_path.glob("tiktoken-*.bin")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    assert tokens._cached_encoding(tmp_path, tokens.ENCODING) is None
    assert tokens._cached_encoding(tmp_path, "o200k_base") is None  # none kept for it
