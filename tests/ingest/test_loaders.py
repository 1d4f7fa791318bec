from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import EncryptedError, IngestError, NoTextError, UnsupportedFileError
from ingest import loaders
from ingest.loaders import load, source_name
from tests.ingest.helpers import write_docx, write_encrypted_pdf, write_pdf


def test_load_pdf_pages_keep_their_numbers_and_title(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "docs" / "handbook.pdf", ["Alpha page.", "Beta page."], title="HB")

    document = load(path, root=tmp_path / "docs")

    assert document.source == "handbook.pdf"
    assert document.title == "HB"
    assert document.kind == "pdf" and document.page_count == 2
    assert [(b.page, b.text.strip()) for b in document.blocks] == [
        (1, "Alpha page."),
        (2, "Beta page."),
    ]
    assert document.warnings == ()


def test_load_pdf_textless_pages_are_reported_not_silent(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "scan.pdf", ["Text here.", "", "", "More text."])

    document = load(path, root=tmp_path)

    assert [b.page for b in document.blocks] == [1, 4]
    assert list(map(str, document.warnings)) == ["2 of 4 pages have no text; OCR needed"]


def test_load_pdf_without_any_text_raises_no_text(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "scan.pdf", ["", ""])

    with pytest.raises(NoTextError, match="none of its 2 pages has text; OCR needed"):
        load(path, root=tmp_path)


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_load_pdf_empty_user_password_opens(tmp_path: Path, algorithm: str) -> None:
    path = write_encrypted_pdf(
        tmp_path / "locked.pdf", ["Secret content."], user_password="", algorithm=algorithm
    )

    document = load(path, root=tmp_path)

    assert document.blocks[0].text.strip() == "Secret content."


def test_load_pdf_given_password_opens(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "locked.pdf", ["Hidden."], user_password="pw1")

    document = load(path, root=tmp_path, password="pw1")

    assert document.blocks[0].text.strip() == "Hidden."


def test_load_pdf_unknown_password_raises_encrypted(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "locked.pdf", ["Hidden."], user_password="pw1")

    with pytest.raises(EncryptedError, match="--password"):
        load(path, root=tmp_path)
    with pytest.raises(EncryptedError, match="password given for it does not open it"):
        load(path, root=tmp_path, password="nope")


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.4\n", b"not a pdf at all", b"%PDF-1.4\n1 0 obj << /Type /Catalog"],
)
def test_load_pdf_broken_file_raises_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)

    with pytest.raises(IngestError) as caught:
        load(path, root=tmp_path)

    assert caught.value.path == "broken.pdf"
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 240


def test_load_markdown_heading_paths(tmp_path: Path) -> None:
    path = tmp_path / "faq.md"
    path.write_text(
        "# Beacon FAQ\n\nIntro.\n\n## Billing\n\nPay monthly.\n\n### Refunds\n\nWithin 30 days.\n\n"
        "```\n# not a heading\n```\n\n## Support\n\nEmail us.\n",
        encoding="utf-8",
    )

    document = load(path, root=tmp_path)

    assert document.title == "Beacon FAQ" and document.kind == "markdown"
    paths = [(b.headings, b.text.splitlines()[-1]) for b in document.blocks]
    assert paths == [
        (("Beacon FAQ",), "Intro."),
        (("Beacon FAQ", "Billing"), "Pay monthly."),
        (("Beacon FAQ", "Billing", "Refunds"), "```"),
        (("Beacon FAQ", "Support"), "Email us."),
    ]
    assert "# not a heading" in document.blocks[2].text


def test_load_text_decodes_cp1252_and_keeps_name_as_title(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes("Caf\xe9 opens at nine.".encode("cp1252"))

    document = load(path, root=tmp_path)

    assert document.title == "notes" and document.blocks[0].text == "Café opens at nine."


def test_load_text_binary_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"\x00\x01\x02binary")

    with pytest.raises(IngestError, match="binary"):
        load(path, root=tmp_path)


def test_load_html_drops_boilerplate_keeps_headings(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Leave</title><style>p{color:red}</style></head><body>"
        "<header>Site header</header><nav><a href='/'>Home</a></nav>"
        "<div role='navigation'>Crumbs</div>"
        "<main><h1>Leave policy</h1><p>Staff get 28 days.</p><script>track()</script>"
        "<h2>Carry-over</h2><p>Up to 5 days &amp; no more.</p></main>"
        "<aside>Related links</aside><footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )

    document = load(path, root=tmp_path)

    text = "\n".join(b.text for b in document.blocks)
    assert document.title == "Leave"
    for junk in ("Site header", "Home", "Crumbs", "track()", "Related", "Copyright", "color"):
        assert junk not in text
    assert [(b.headings, b.text.splitlines()[-1]) for b in document.blocks] == [
        (("Leave policy",), "Staff get 28 days."),
        (("Leave policy", "Carry-over"), "Up to 5 days & no more."),
    ]


def test_load_html_without_main_keeps_body_text(tmp_path: Path) -> None:
    path = tmp_path / "plain.htm"
    path.write_text("<body><nav>Menu</nav><p>Just text.</p></body>", encoding="utf-8")

    document = load(path, root=tmp_path)

    assert [b.text for b in document.blocks] == ["Just text."]


def test_load_docx_headings_and_tables(tmp_path: Path) -> None:
    document = load(write_docx(tmp_path / "policy.docx"), root=tmp_path)

    assert document.title == "Travel policy" and document.kind == "docx"
    assert document.blocks[-1].headings == ("Travel policy", "Expenses")
    assert "Meal | 40 EUR per day" in document.blocks[-1].text


def test_load_unsupported_suffix_raises(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG")

    with pytest.raises(IngestError, match="unsupported file type"):
        load(path, root=tmp_path)


def test_load_unsupported_suffix_raises_its_own_class(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG")

    with pytest.raises(UnsupportedFileError):
        load(path, root=tmp_path)


def test_load_given_content_hash_is_used_without_hashing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Some notes.", "utf-8")
    hashed: list[Path] = []
    monkeypatch.setattr(loaders, "file_hash", lambda p: hashed.append(p) or "computed")

    given = load(path, root=tmp_path, content_hash="given")
    computed = load(path, root=tmp_path)

    assert given.content_hash == "given" and computed.content_hash == "computed"
    assert hashed == [path]


def test_source_name_is_relative_to_root_with_forward_slashes(tmp_path: Path) -> None:
    assert source_name(tmp_path / "a" / "b.pdf", tmp_path) == "a/b.pdf"
    assert source_name(Path("/elsewhere/c.md"), tmp_path) == "c.md"
