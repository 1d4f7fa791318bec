"""The SSE decoder against the WHATWG rules: line ends, multi-line data, comments, chunking."""

from __future__ import annotations

import pytest

from hub.sse import ServerSentEvent, iter_events, iter_lines, split_lines


def events(*chunks: bytes) -> list[ServerSentEvent]:
    return list(iter_events(chunks))


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (b"data: a\n\n", [ServerSentEvent(data="a")]),
        (b"data: a\r\n\r\n", [ServerSentEvent(data="a")]),
        (b"data: a\r\rdata: b\r\r", [ServerSentEvent(data="a"), ServerSentEvent(data="b")]),
        (b"data: line 1\ndata: line 2\n\n", [ServerSentEvent(data="line 1\nline 2")]),
        (b": keep-alive\n\ndata: x\n\n", [ServerSentEvent(data="x")]),
        (b"data:no-space\n\n", [ServerSentEvent(data="no-space")]),
        (b"data:  two spaces\n\n", [ServerSentEvent(data=" two spaces")]),
        (b"event: error\ndata: {}\n\n", [ServerSentEvent(event="error", data="{}")]),
        (
            b"id: 7\ndata: x\n\ndata: y\n\n",
            [ServerSentEvent(data="x", id="7"), ServerSentEvent(data="y", id="7")],
        ),
        (b"retry: 3000\ndata: x\n\n", [ServerSentEvent(data="x", retry=3000)]),
        (b"unknown: field\ndata: x\n\n", [ServerSentEvent(data="x")]),
        (b"data\n\n", [ServerSentEvent(data="")]),
        (b"data: [DONE]\n\n", [ServerSentEvent(data="[DONE]")]),
        (b"data: unterminated", [ServerSentEvent(data="unterminated")]),
        (b"\n\n\n", []),
    ],
)
def test_sse_decoder_table(stream: bytes, expected: list[ServerSentEvent]) -> None:
    assert events(stream) == expected


def test_sse_lines_split_across_chunks_and_crlf_between_chunks() -> None:
    stream = b"data: hel", b"lo\r", b"\ndata: wor", b"ld\r\n", b"\r\n"
    assert events(*stream) == [ServerSentEvent(data="hello\nworld")]


def test_sse_utf8_split_inside_a_character() -> None:
    encoded = "data: Grüße €\n\n".encode()
    cut = encoded.index("€".encode()) + 1
    assert events(encoded[:cut], encoded[cut:]) == [ServerSentEvent(data="Grüße €")]


def test_sse_every_split_point_gives_the_same_events() -> None:
    stream = b": c\r\ndata: a\r\ndata: b\r\n\r\nevent: x\rdata: c\r\rdata: d\n\n"
    whole = events(stream)
    assert len(whole) == 3
    for cut in range(1, len(stream)):
        assert events(stream[:cut], stream[cut:]) == whole, cut


@pytest.mark.parametrize(
    ("text", "final", "lines", "rest"),
    [
        ("a\nb", False, ["a"], "b"),
        ("a\r", False, [], "a\r"),
        ("a\r", True, ["a"], ""),
        ("a\r\nb\rc\n", False, ["a", "b", "c"], ""),
    ],
)
def test_sse_split_lines_keeps_tail(text: str, final: bool, lines: list[str], rest: str) -> None:
    assert split_lines(text, final=final) == (lines, rest)


def test_sse_iter_lines_last_line_without_end() -> None:
    assert list(iter_lines([b"one\ntwo"])) == ["one", "two"]
