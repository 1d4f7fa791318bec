from __future__ import annotations

from pathlib import Path

from ingest.discover import FileList, SourceFile, discover, password_for


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

    assert list(files) == []
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


def test_discover_keeps_odd_names_and_linked_paths(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    odd = "Ärger ü\udcff.md"  # a name that is not UTF-8 on disk
    (folder / odd).write_text("x", "utf-8")
    (folder / "sub" / "b.md").write_text("xyz", "utf-8")
    (tmp_path / "outside.md").write_text("outside", "utf-8")
    (folder / "sub" / "link.md").symlink_to(tmp_path / "outside.md")  # named by its own name

    files, problems = discover([folder])

    assert problems == []
    by_source = {f.source: f for f in files}
    assert set(by_source) == {odd, "sub/b.md", "link.md"}
    assert by_source[odd].path == folder / odd and by_source[odd].size == 1
    assert by_source["sub/b.md"].path.read_text("utf-8") == "xyz"
    assert by_source["link.md"].path == folder / "sub" / "link.md"  # as walked
    assert all(f.root == folder for f in files)


def test_file_list_hands_out_the_largest_first_and_equal_ones_in_the_order_found(
    tmp_path: Path,
) -> None:
    sizes = {"a": 5, "b": 50, "c": 5, "d": 500, "e": 50}
    files = FileList(SourceFile(str(tmp_path / n), tmp_path, n, size) for n, size in sizes.items())

    order = []
    while (file := files.pop_largest()) is not None:
        order.append(file.source)

    assert order == ["d", "b", "e", "a", "c"]
    assert (len(files), files.size) == (5, 610)
    assert [f.source for f in files] == list(sizes)  # all of them still listed
