from __future__ import annotations

from html import unescape

from app.ui.highlight import snippet_html, snippet_parts


def test_snippet_html_marks_the_cited_sentence_and_escapes_text() -> None:
    text = "Intro <b>bold</b>. Employees get\n25 days. Outro & more."
    html = snippet_html(text, "Employees get 25 days.")
    assert "<mark>Employees get 25 days.</mark>" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&amp;" in html


def test_snippet_html_quote_with_markup_is_escaped_inside_mark() -> None:
    html = snippet_html("Say <script>x</script> now.", "<script>x</script>")
    assert "<mark>&lt;script&gt;x&lt;/script&gt;</mark>" in html
    assert "<script>" not in html


def test_snippet_parts_trims_long_context_at_words() -> None:
    text = "alpha " * 200 + "The cited sentence. " + "omega " * 200
    before, cited, after = snippet_parts(text, "The cited sentence.", radius=50)
    assert cited == "The cited sentence."
    assert before.startswith("… ") and len(before) <= 54
    assert after.endswith(" …") and len(after) <= 54


def test_snippet_parts_without_quote_shows_the_start() -> None:
    before, cited, after = snippet_parts("word " * 300, "", radius=20)
    assert cited == "" and after == "" and before.endswith("…") and len(before) <= 42


def test_snippet_html_drops_markdown_emphasis_markers() -> None:
    text = "Plans. **Enterprise** is priced individually. Snake_case__names stay."
    html = snippet_html(text, "**Enterprise** is priced individually.")
    assert "<mark>Enterprise is priced individually.</mark>" in html
    assert "Snake_case__names" in unescape(html)


def test_snippet_html_document_markup_stays_text() -> None:
    text = 'See ![x](http://127.0.0.1:9/p.png?leak=1) and <img src="http://h/x.png"> now.'
    html = snippet_html(text, "")
    assert "<img" not in html and "![" not in html and "](" not in html
    assert unescape(html) == text
