"""A PDF's pages from pypdf one at a time, without reading its whole page tree.

pypdf's `reader.pages` flattens the page tree the first time it is used. It reads every page
object and keeps it, and with each one every object that shares its compressed object stream
(a LaTeX manual's links and destinations), and keeps those too. The R reference manual has
2,415 pages, and pdfium reads all but 41 of them as prose: for those 41, the parser held ~140 MB.

`PageTree.page` walks down to one page by the /Count of each node, reading only the nodes on its
way and their kids, and builds the page as pypdf's list would: its own entries, plus what it
inherits (resources, boxes, rotation). The loader uses it only where pdfium agrees with the
root's /Count. Where a node's count is not the sum of its kids' (pdfium and pypdf then read
the kids, not the counts), or the tree loops or goes too deep, the page comes from pypdf's own
list, read as always. A tree that keeps all its pages in one node is read whole either way.
"""

from __future__ import annotations

from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

_INHERITED = tuple(NameObject(name) for name in ("/Resources", "/MediaBox", "/CropBox", "/Rotate"))
_MAX_DEPTH = 64


def _kind(node: DictionaryObject) -> str:
    """A tree node's kind as pypdf's flattening reads it."""
    if "/Type" in node:
        return str(node["/Type"])
    return "/Pages" if "/Kids" in node else "/Page"


def _count(node: DictionaryObject) -> int | None:
    """A node's /Count, as a plain int: pypdf's own number type would take pypdf along wherever
    the count travels (to the ingest process, which has no use for it: +15 MB)."""
    count = node.get("/Count")
    return int(count) if isinstance(count, int) and count >= 0 else None


def declared_pages(reader: PdfReader) -> int | None:
    """The page count the root of the page tree declares, or None when it declares none."""
    pages = reader.root_object.get("/Pages")
    pages = pages.get_object() if pages is not None else None
    return _count(pages) if isinstance(pages, DictionaryObject) else None


def _held(kids: ArrayObject) -> list[tuple[object, DictionaryObject, int]] | None:
    """Each kid pypdf's list would read (a dictionary, not empty), and the pages it holds: 1 for a
    page, its /Count for a node; None when a node has no count."""
    found = []
    for reference in kids:
        kid = reference.get_object()
        if not isinstance(kid, DictionaryObject) or not kid:
            continue  # pypdf's list leaves these out too
        kind = _kind(kid)
        holds = 1 if kind == "/Page" else _count(kid) if kind == "/Pages" else 0
        if holds is None:
            return None
        if holds:
            found.append((reference, kid, holds))
    return found


class PageTree:
    """Pages of `reader` found one by one; pypdf's own list once a walk fails, or if it was read."""

    def __init__(self, reader: PdfReader) -> None:
        self._reader = reader
        self._walks = True

    def page(self, index: int) -> PageObject:
        if self._walks and self._reader.flattened_pages is None:
            try:
                found = self._walk(index)
            except (RecursionError, ValueError, KeyError, TypeError, AttributeError):
                found = None
            if found is not None:
                return found
            self._walks = False
        return self._reader.pages[index]

    def _walk(self, index: int) -> PageObject | None:
        node = self._reader.root_object["/Pages"].get_object()
        inherit: dict[NameObject, PdfObject] = {}
        on_the_way: set[int] = set()
        for _ in range(_MAX_DEPTH):
            if not isinstance(node, DictionaryObject) or id(node) in on_the_way:
                return None
            on_the_way.add(id(node))
            inherit.update((attr, node[attr]) for attr in _INHERITED if attr in node)
            kids = node.get("/Kids")
            kids = kids.get_object() if kids is not None else None
            if not isinstance(kids, ArrayObject):
                return None
            held = _held(kids)
            if held is None or _count(node) != sum(holds for *_, holds in held):
                return None  # the counts do not add up: the tree is read whole instead
            for reference, kid, holds in held:
                if index < holds:
                    if _kind(kid) == "/Page":
                        return self._build(kid, reference, inherit)
                    node = kid
                    break
                index -= holds
            else:
                return None
        return None

    def _build(
        self, node: DictionaryObject, reference: object, inherit: dict[NameObject, PdfObject]
    ) -> PageObject:
        indirect = reference if isinstance(reference, IndirectObject) else None
        page = PageObject(self._reader, indirect)
        page.update(node)
        for attr, value in inherit.items():
            if attr not in page:
                page[attr] = value
        return page
