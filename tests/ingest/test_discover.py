from __future__ import annotations

from pathlib import Path

from ingest.discover import SourceFile, discover, password_for


def test_discover_folder_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    for name in ("a.md", "sub/b.pdf", ".hidden.md", ".git/c.md", "image.png", "~$lock.docx"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", "utf-8")

    files, problems = discover([tmp_path])

    assert [f.source for f in files] == ["a.md", "sub/b.pdf"] and problems == []


def test_discover_explicit_unsupported_file_is_skipped_with_reason(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")

    files, problems = discover([tmp_path / "photo.jpg"])

    assert files == []
    assert [(p.source, p.status) for p in problems] == [("photo.jpg", "skipped")]
    assert str(problems[0].reason).startswith("unsupported file type")


def test_discover_same_file_twice_counts_once(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x", "utf-8")

    files, problems = discover([tmp_path, tmp_path / "a.md"])

    assert [f.source for f in files] == ["a.md"] and problems == []


def test_password_for_matches_source_name_or_path(tmp_path: Path) -> None:
    file = SourceFile(str(tmp_path / "dir" / "x.pdf"), tmp_path, "dir/x.pdf", 1)

    assert password_for(file, {"dir/x.pdf": "a"}) == "a"
    assert password_for(file, {"x.pdf": "b"}) == "b"
    assert password_for(file, {str(tmp_path / "dir" / "x.pdf"): "c"}) == "c"
    assert password_for(file, {"other.pdf": "d"}) is None
