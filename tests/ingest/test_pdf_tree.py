"""`PageTree`: one page from pypdf without reading the whole page tree, the same page pypdf's
own list gives; a tree whose counts do not add up is read whole, as before."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from ingest.loaders.pdf_tree import PageTree, declared_pages
from tests.pdf_factory import _page_stream, make_pdf, serialize


def _tree(node_a_count: int = 2) -> bytes:
    """Four pages A-D in a tree of three levels: the root gives a font, a box and (through a
    node) a rotation to the pages below it; C has its own box; D sits under two nodes, one
    without /Type. `node_a_count` is what the node holding A and B says it holds."""
    objects = [b""] * 14

    def content(text: str) -> bytes:
        stream = _page_stream(text)
        return b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"

    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = (
        b"<< /Type /Pages /Kids [4 0 R 11 0 R 12 0 R] /Count 4 /MediaBox [0 0 612 842]"
        b" /Resources << /Font << /F1 3 0 R >> >> >>"
    )
    objects[2] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objects[3] = b"<< /Type /Pages /Parent 2 0 R /Kids [9 0 R 10 0 R] /Count %d /Rotate 90 >>" % (
        node_a_count
    )
    for index, name in enumerate("ABCD"):
        objects[4 + index] = content(f"Page {name} text.")
    objects[8] = b"<< /Type /Page /Parent 4 0 R /Contents 5 0 R >>"
    objects[9] = b"<< /Type /Page /Parent 4 0 R /Contents 6 0 R /Rotate 0 >>"
    objects[10] = b"<< /Type /Page /Parent 2 0 R /Contents 7 0 R /MediaBox [0 0 300 300] >>"
    objects[11] = b"<< /Type /Pages /Parent 2 0 R /Kids [13 0 R] /Count 1 >>"
    objects[12] = b"<< /Parent 12 0 R /Kids [14 0 R] /Count 1 >>"
    objects[13] = b"<< /Parent 13 0 R /Contents 8 0 R >>"
    return serialize(objects)


def test_page_tree_finds_each_page_as_pypdfs_list_does_without_reading_the_tree() -> None:
    reader = PdfReader(BytesIO(_tree()))
    tree = PageTree(reader)

    walked = [tree.page(index) for index in (2, 0, 3, 1)]

    assert reader.flattened_pages is None  # pypdf's list was never read
    assert declared_pages(reader) == 4
    listed = [reader.pages[index] for index in (2, 0, 3, 1)]
    assert [dict(page) for page in walked] == [dict(page) for page in listed]
    assert [page.extract_text().strip() for page in walked] == [
        "Page C text.", "Page A text.", "Page D text.", "Page B text.",
    ]  # fmt: skip
    assert (walked[1].rotation, walked[3].rotation, walked[0].mediabox.width) == (90, 0, 300)


@pytest.mark.parametrize("lie", [1, 3])
def test_page_tree_whose_counts_do_not_add_up_is_read_whole(lie: int) -> None:
    reader = PdfReader(BytesIO(_tree(node_a_count=lie)))
    tree = PageTree(reader)

    texts = [tree.page(index).extract_text().strip() for index in range(4)]

    assert texts == ["Page A text.", "Page B text.", "Page C text.", "Page D text."]
    assert reader.flattened_pages is not None  # from pypdf's own list


def test_pdf_loader_reads_prose_pages_without_pypdfs_page_list(tmp_path: Path) -> None:
    from ingest.loaders.pdf import PdfPages

    sentence = "Der Vertrag regelt in Absatz {} die Pflichten beider Seiten."
    prose = " ".join(sentence.format(n) for n in range(40))
    path = tmp_path / "handbuch.pdf"
    path.write_bytes(make_pdf([prose, prose.replace("Vertrag", "Anhang")]))

    pages = PdfPages(path, source="handbuch.pdf", kind="pdf", content_hash="h", password=None)
    blocks = list(pages.blocks())

    assert {block.page for block in blocks} == {1, 2} and "Anhang" in blocks[-1].text
    assert pages.page_count == 2 and pages._reader.flattened_pages is None


def test_declared_page_count_is_a_plain_int() -> None:
    # pypdf's NumberObject would be pickled with the parse result and import pypdf (and its
    # cryptography) in the ingest process.
    assert type(declared_pages(PdfReader(BytesIO(_tree())))) is int


def test_a_parsed_pdf_carries_no_pypdf_object_to_the_ingest_process(tmp_path: Path) -> None:
    import pickle

    from ingest.parse import ParseTask, parse_parts

    path = tmp_path / "tree.pdf"
    path.write_bytes(_tree())
    task = ParseTask(path, tmp_path, None, 256, 20, part_chunks=1)

    results = list(parse_parts(task, "tree.pdf"))

    assert results[-1].pages == 4
    assert b"pypdf" not in pickle.dumps(results)  # unpickling would import it there
