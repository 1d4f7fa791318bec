"""Pure helpers between `hub.client`'s operations and the wire: bodies out, answers in.

Request bodies are built through the spec's models in `hub.wire` (an invalid one is a
`ConfigError` naming the field); answers are validated into typed results (an unexpected shape is
an `APIError` of the operation) and read: stream deltas, embedding vectors in input order,
decoded images, ranked documents, and the "did you mean" for an unknown model. No IO here.
"""

from __future__ import annotations

import base64
import difflib
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

from core.errors import APIError, ConfigError
from core.ports import ChatDelta
from core.redact import redact_url
from hub import wire

R = TypeVar("R")
Message = dict[str, Any]


def request_body(model_cls: type[wire._Request], **fields: Any) -> dict[str, Any]:
    """The JSON body `model_cls` makes of `fields`; `ConfigError` when the spec forbids it."""
    try:
        return model_cls(**fields).body()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"Invalid {model_cls.__name__}: {problems}") from None


def parse_answer(operation: str, model_cls: type[R], data: Any) -> R:
    """`data` validated as `model_cls`; `APIError` of `operation` when it does not fit."""
    try:
        return model_cls.model_validate(data)  # type: ignore[attr-defined,no-any-return]
    except ValidationError as exc:
        raise APIError(
            f"unexpected answer shape ({exc.error_count()} problems)", operation=operation
        ) from None


def chat_body(
    messages: Sequence[Message],
    model: str,
    max_tokens: int,
    temperature: float | None,
    stream: bool,
    options: dict[str, Any],
) -> dict[str, Any]:
    stop = options.pop("stop", None)
    return request_body(
        wire.ChatCompletionRequest,
        model=model,
        messages=list(messages),
        max_tokens=max_tokens,
        temperature=temperature,
        stream=True if stream else None,
        stop=[stop] if isinstance(stop, str) else stop,
        **options,
    )


def completion_body(
    prompt: str,
    model: str,
    max_tokens: int,
    temperature: float | None,
    stream: bool,
    options: dict[str, Any],
) -> dict[str, Any]:
    stop = options.pop("stop", None)
    return request_body(
        wire.CompletionRequest,
        model=model,
        prompt=prompt,
        max_tokens=max_tokens,
        temperature=temperature,
        stream=True if stream else None,
        stop=[stop] if isinstance(stop, str) else stop,
        **options,
    )


def chunk_deltas(chunk: wire.ChatCompletionChunk) -> Iterator[ChatDelta]:
    """The first choice's delta: content and reasoning kept apart; empty deltas dropped."""
    for choice in chunk.choices:
        if choice.index != 0:
            continue
        delta = choice.delta
        content = (delta.content or "") + (delta.refusal or "")
        reasoning = delta.reasoning_content or delta.reasoning or ""
        if content or reasoning or choice.finish_reason:
            yield ChatDelta(content, reasoning, choice.finish_reason)


def completion_deltas(completion: wire.Completion) -> Iterator[ChatDelta]:
    for choice in completion.choices:
        if choice.index == 0 and (choice.text or choice.finish_reason):
            yield ChatDelta(content=choice.text, finish_reason=choice.finish_reason)


def embedding_vectors(
    operation: str, answer: wire.EmbeddingResponse, expected: int
) -> list[list[float]]:
    """The vectors in input order; `APIError` unless there is exactly one per input."""
    items = sorted(answer.data, key=lambda item: item.index)
    if [item.index for item in items] != list(range(expected)):
        raise APIError(f"answered {len(items)} vectors for {expected} inputs", operation=operation)
    return [item.embedding for item in items]


def image_size(size: str) -> str:
    """`size` in the spec's spelling ("1024*1024"); `ConfigError` when the spec has no such size."""
    size = size.replace("x", "*")
    if size not in wire.IMAGE_SIZES:
        raise ConfigError(f"Image size must be one of {', '.join(wire.IMAGE_SIZES)}; got {size!r}.")
    return size


def decode_images(operation: str, answer: wire.ImageResponse) -> list[bytes]:
    try:
        return [base64.b64decode(item.b64_json or "", validate=True) for item in answer.data]
    except ValueError as exc:
        raise APIError("answered an image that is not valid base64", operation=operation) from exc


def ranked_documents(
    operation: str, answer: wire.RerankResponse, count: int, top_n: int | None
) -> list[tuple[int, float]]:
    """(document index, relevance score), best first; `APIError` on an index out of range."""
    results = answer.results
    if any(not 0 <= r.index < count for r in results):
        raise APIError("answered a document index out of range", operation=operation)
    ranked = sorted(((r.index, r.relevance_score) for r in results), key=lambda p: -p[1])
    return ranked[:top_n] if top_n else ranked


def unknown_model(name: str, available: list[str], base_url: str) -> ConfigError:
    """The error for a model the server does not offer, with a "did you mean"."""
    lowered = {m.lower(): m for m in available}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.4)
    hint = f" Did you mean {' or '.join(repr(lowered[c]) for c in close)}?" if close else ""
    return ConfigError(
        f"Model {name!r} is not offered by {redact_url(base_url)}.{hint} "
        f"Available: {', '.join(available) or 'none'}."
    )
