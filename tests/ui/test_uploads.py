from __future__ import annotations

from pathlib import Path

import pytest

from app.ui.strings import ui_messages
from app.ui.uploads import (
    sanitize_filename,
    save_upload,
    upload_dir,
    upload_problem,
)
from core.names import valid_collection_name
from core.settings import Settings

SUFFIXES = frozenset({".pdf", ".md", ".txt"})


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("handbook.pdf", "handbook.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/abs/path/x.pdf", "x.pdf"),
        ("..", "upload"),
        ("", "upload"),
        ("rm -rf $(x);.txt", "rm -rf _x_.txt"),
        (".hidden.pdf", "hidden.pdf"),
        ("Jahresbericht für 2024.pdf", "Jahresbericht für 2024.pdf"),
        ("a\x00b.pdf", "a_b.pdf"),
    ],
)
def test_sanitize_filename_table(name: str, safe: str) -> None:
    assert sanitize_filename(name) == safe


def test_sanitize_filename_long_name_keeps_suffix() -> None:
    name = sanitize_filename("x" * 500 + ".pdf")
    assert len(name) <= 120 and name.endswith(".pdf")


def test_save_upload_never_leaves_the_directory(tmp_path: Path) -> None:
    directory = tmp_path / "uploads" / "docs"
    path = save_upload("../../../escape.txt", b"hello", directory)
    assert path == (directory / "escape.txt").resolve()
    assert path.read_bytes() == b"hello"
    assert not (tmp_path / "escape.txt").exists()
    assert [p.name for p in directory.iterdir()] == ["escape.txt"]  # no partial file left


@pytest.mark.parametrize(
    ("name", "size", "problem"),
    [
        ("a.pdf", 1000, None),
        ("a.PDF", 1000, None),
        ("a.exe", 1000, ".exe is not a supported type"),
        ("noext", 1000, "no suffix is not a supported type"),
        ("big.pdf", 3 * 1024 * 1024, "over the 2 MB limit"),
        ("empty.txt", 0, "the file is empty"),
    ],
)
def test_upload_problem_table(name: str, size: int, problem: str | None) -> None:
    found = upload_problem(name, size, max_mb=2, suffixes=SUFFIXES, t=ui_messages("en"))
    assert (found is None) if problem is None else (problem in str(found))


@pytest.mark.parametrize(
    ("name", "size", "problem"),
    [
        ("a.exe", 1000, "a.exe: .exe ist kein unterstützter Dateityp"),
        ("noext", 1000, "noext: keine Endung ist kein unterstützter Dateityp"),
        ("big.pdf", 3 * 1024 * 1024, "big.pdf: 3.0 MB liegt über der Grenze von 2 MB"),
        ("empty.txt", 0, "empty.txt: Die Datei ist leer"),
    ],
)
def test_upload_problem_in_german(name: str, size: int, problem: str) -> None:
    found = upload_problem(name, size, max_mb=2, suffixes=SUFFIXES, t=ui_messages("de-DE"))
    assert found is not None and found.startswith(problem)


@pytest.mark.parametrize(
    ("name", "valid"),
    [("docs", True), ("hr-2024_v2", True), ("../x", False), ("", False), ("-x", False),
     ("a" * 64, False), ("a b", False)],
)  # fmt: skip
def test_valid_collection_name_table(name: str, valid: bool) -> None:
    assert valid_collection_name(name) is valid


def test_upload_dir_under_data_dir_and_refuses_bad_collection(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert upload_dir(settings, "docs") == tmp_path / "uploads" / "docs"
    with pytest.raises(ValueError):
        upload_dir(settings, "../../etc")
