"""What the fake Model Hub answers: pure builders of replies, stream chunks and vectors."""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.fakes.fake_hub import StreamFault

NOT_FOUND = "I could not find this in your documents."
REASONING = ["Let me look ", "at the numbered ", "sources first."]
_WORD = re.compile(r"\w+")
_SOURCE_ONE = re.compile(
    r"^\[1\][^\n]*\n(?:<<<BEGIN \w+>>>\n)?(.+?)(?:\n<<<END |\n\s*\n\[\d+\]|\Z)",
    re.MULTILINE | re.DOTALL,
)
_SENTENCE = re.compile(r"(.+?[.!?])(?=\s|$)", re.DOTALL)

Reply = Callable[[list[dict[str, Any]]], str]


@dataclass
class Answer:
    text: str = ""
    finish_reason: str = "stop"
    tool_calls: list[dict[str, Any]] | None = None
    refusal: str | None = None


def _text(content: Any) -> str:
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content or "")


def default_reply(messages: list[dict[str, Any]]) -> str:
    """The first sentence of source [1] in the system message, cited; or "not found"."""
    for message in messages:
        if message.get("role") != "system":
            continue
        match = _SOURCE_ONE.search(_text(message.get("content")))
        if match:
            text = " ".join(match.group(1).split())
            sentence = _SENTENCE.match(text)
            quote = sentence.group(1) if sentence else text
            return f"{quote} [1]"
    return NOT_FOUND


def _limit(text: str, body: dict[str, Any]) -> tuple[str, str]:
    for stop in body.get("stop") or []:
        if stop and stop in text:
            return text[: text.index(stop)], "stop"
    max_tokens = body.get("max_tokens") or body.get("max_completion_tokens")
    words = re.findall(r"\S+\s*", text)
    if max_tokens and len(words) > max_tokens:
        return "".join(words[:max_tokens]).rstrip(), "length"
    return text, "stop"


def chat_answer(body: dict[str, Any], reply: Reply | None, refusal: str | None) -> Answer:
    messages = body["messages"]
    if refusal:
        return Answer(refusal=refusal)
    tools = body.get("tools") or []
    choice = body.get("tool_choice", "auto")
    if tools and choice != "none" and messages[-1].get("role") != "tool":
        named = choice["function"]["name"] if isinstance(choice, dict) else None
        name = named or tools[0]["function"]["name"]
        last_user = next(
            (_text(m["content"]) for m in reversed(messages) if m["role"] == "user"), ""
        )
        call = {
            "id": "call_1",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps({"query": last_user})},
        }
        return Answer(finish_reason="tool_calls", tool_calls=[call])
    text = (reply or default_reply)(messages)
    if (body.get("response_format") or {}).get("type") in ("json_object", "json_schema"):
        text = json.dumps({"answer": text})
    text, finish = _limit(text, body)
    return Answer(text=text, finish_reason=finish)


def _usage(body: dict[str, Any], text: str) -> dict[str, int]:
    prompt = sum(len(_text(m.get("content")).split()) for m in body.get("messages", []))
    prompt += len(str(body.get("prompt", "")).split())
    completion = len(text.split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def chat_completion(
    body: dict[str, Any], answers: list[Answer], reasoning: bool, ident: str
) -> dict[str, Any]:
    choices = []
    for i, answer in enumerate(answers):
        message: dict[str, Any] = {"role": "assistant", "content": answer.text}
        if answer.tool_calls:
            message["tool_calls"] = answer.tool_calls
        if answer.refusal:
            message["refusal"] = answer.refusal
        if reasoning:
            message["reasoning_content"] = "".join(REASONING)
        choices.append({"index": i, "message": message, "finish_reason": answer.finish_reason})
    return {
        "id": ident,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": choices,
        "usage": _usage(body, answers[0].text),
    }


def pieces(text: str, words: int = 3) -> list[str]:
    tokens = re.findall(r"\S+\s*|\s+", text)
    return ["".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]


def chat_events(
    body: dict[str, Any], answers: list[Answer], reasoning: bool, ident: str
) -> list[dict[str, Any]]:
    def chunk(index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
        }

    events = []
    for i, answer in enumerate(answers):
        events.append(chunk(i, {"role": "assistant", "content": ""}))
        if reasoning:
            events += [chunk(i, {"reasoning_content": r}) for r in REASONING]
        if answer.refusal:
            events.append(chunk(i, {"refusal": answer.refusal}))
        for n, call in enumerate(answer.tool_calls or []):
            head = {"index": n, "id": call["id"], "type": "function"}
            head["function"] = {"name": call["function"]["name"], "arguments": ""}
            events.append(chunk(i, {"tool_calls": [head]}))
            for part in pieces(call["function"]["arguments"], 2):
                events.append(
                    chunk(i, {"tool_calls": [{"index": n, "function": {"arguments": part}}]})
                )
        events += [chunk(i, {"content": p}) for p in pieces(answer.text)]
        events.append(chunk(i, {}, answer.finish_reason))
    return events


def completion_answer(body: dict[str, Any], reply: Reply | None) -> Answer:
    text = (reply or (lambda m: " and then the story goes on."))(
        [{"role": "user", "content": body["prompt"]}]
    )
    text, finish = _limit(text, body)
    return Answer(text=text, finish_reason=finish)


def completion(body: dict[str, Any], answer: Answer, ident: str) -> dict[str, Any]:
    choices = [
        {"index": i, "text": answer.text, "finish_reason": answer.finish_reason}
        for i in range(body.get("n", 1))
    ]
    return {
        "id": ident,
        "object": "text_completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": choices,
        "usage": _usage(body, answer.text),
    }


def completion_events(body: dict[str, Any], answer: Answer, ident: str) -> list[dict[str, Any]]:
    def chunk(text: str, finish: str | None = None) -> dict[str, Any]:
        return {
            "id": ident,
            "object": "text_completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "text": text, "finish_reason": finish}],
        }

    return [chunk(p) for p in pieces(answer.text)] + [chunk("", answer.finish_reason)]


def hash_vector(text: str, dim: int) -> list[float]:
    """The same vector as `tests.fakes.embedder.HashEmbedder` (hashed bag of words)."""
    vec = [0.0] * dim
    for word in _WORD.findall(text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        vec[int.from_bytes(digest[:4], "little") % dim] += 1.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


def rerank(query: str, documents: list[str], top_n: int | None) -> list[dict[str, Any]]:
    words = set(_WORD.findall(query.lower()))
    scored = []
    for i, doc in enumerate(documents):
        doc_words = set(_WORD.findall(doc.lower()))
        union = words | doc_words
        scored.append(
            {"index": i, "relevance_score": len(words & doc_words) / len(union) if union else 0.0}
        )
    scored.sort(key=lambda r: -r["relevance_score"])
    return scored[:top_n] if top_n else scored


def sse_bytes(events: list[dict[str, Any]], fault: StreamFault | None) -> Iterator[bytes]:
    yield b": keep-alive\r\n\r\n"  # a comment, as real servers send
    for n, event in enumerate(events):
        if fault is not None and n == fault.after:
            if fault.kind == "break":
                raise httpx.ReadError("the fake hub dropped the connection mid-stream")
            if fault.kind == "error":
                error = {"error": {"message": "the model crashed", "type": "server_error"}}
                yield f"data: {json.dumps(error)}\n\n".encode()
                return
            time.sleep(fault.seconds)
        yield f"data: {json.dumps(event)}\n\n".encode()
    yield b"data: [DONE]\n\n"
