"""The Model Hub's operations, typed: what to send and how to read the answer.

`HubOperations` builds each request body from the spec's wire models (`hub.wire`), batches
embeddings, and turns answers into typed results; `hub.transport.ModelHubClient` adds the HTTP
machinery underneath (`_json` for one answer, `_stream` for SSE payloads), with rate limiting,
retries and errors. Nothing here does IO itself.
"""

from __future__ import annotations

import base64
import difflib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

from core.errors import APIError, ConfigError
from core.ports import ChatDelta, Priority, RateLimitWait
from core.settings import Settings
from hub import wire
from hub.batching import plan_batches, run_batches

MODELS_TTL = 300.0  # seconds the model list is cached

CHAT = "POST /v1/chat/completions"
COMPLETIONS = "POST /v1/completions"
EMBEDDINGS = "POST /v1/embeddings"
IMAGES = "POST /v1/images/generations"
MODELS = "GET /v1/models"
RERANK = "POST /v1/rerank"

R = TypeVar("R")
Message = dict[str, Any]


class HubOperations(ABC):
    _settings: Settings
    _clock: Callable[[], float]
    _models: tuple[float, list[str]] | None

    @abstractmethod
    def _json(self, operation: str, method: str, path: str, body: Any, priority: Priority) -> Any:
        """The JSON answer of one request (rate-limited, retried)."""

    @abstractmethod
    def _stream(
        self, operation: str, path: str, body: Any, priority: Priority
    ) -> Iterator[dict[str, Any] | RateLimitWait]:
        """The JSON payloads of a streamed POST, with waits announced before they happen."""

    def chat(
        self,
        messages: Sequence[Message],
        *,
        model: str,
        max_tokens: int,
        temperature: float | None = None,
        priority: Priority = Priority.INTERACTIVE,
        **options: Any,
    ) -> wire.ChatCompletion:
        """One chat completion; `options` are the spec's other fields (tools, n, stop, ...)."""
        body = self._chat_body(messages, model, max_tokens, temperature, False, options)
        data = self._json(CHAT, "POST", "chat/completions", body, priority)
        return self._parse(CHAT, wire.ChatCompletion, data)

    def chat_text(
        self,
        messages: Sequence[Message],
        *,
        model: str,
        max_tokens: int,
        temperature: float = 0.0,
        priority: Priority = Priority.INTERACTIVE,
    ) -> str:
        completion = self.chat(
            messages, model=model, max_tokens=max_tokens, temperature=temperature, priority=priority
        )
        return completion.text

    def chat_chunks(
        self,
        messages: Sequence[Message],
        *,
        model: str,
        max_tokens: int,
        temperature: float | None = None,
        priority: Priority = Priority.INTERACTIVE,
        **options: Any,
    ) -> Iterator[wire.ChatCompletionChunk | RateLimitWait]:
        """The raw typed chunks of a streamed chat (tool-call deltas, refusal, usage)."""
        body = self._chat_body(messages, model, max_tokens, temperature, True, options)
        for item in self._stream(CHAT, "chat/completions", body, priority):
            if isinstance(item, RateLimitWait):
                yield item
            else:
                yield self._parse(CHAT, wire.ChatCompletionChunk, item)

    def chat_stream(
        self,
        messages: Sequence[Message],
        *,
        model: str,
        max_tokens: int,
        temperature: float | None = None,
        priority: Priority = Priority.INTERACTIVE,
        **options: Any,
    ) -> Iterator[ChatDelta | RateLimitWait]:
        """The answer as it is written: content and reasoning kept apart, waits announced."""
        chunks = self.chat_chunks(
            messages,
            model=model,
            max_tokens=max_tokens,
            temperature=temperature,
            priority=priority,
            **options,
        )
        for item in chunks:
            if isinstance(item, RateLimitWait):
                yield item
                continue
            for choice in item.choices:
                if choice.index != 0:
                    continue
                delta = choice.delta
                content = (delta.content or "") + (delta.refusal or "")
                reasoning = delta.reasoning_content or delta.reasoning or ""
                if content or reasoning or choice.finish_reason:
                    yield ChatDelta(content, reasoning, choice.finish_reason)

    def _chat_body(
        self,
        messages: Sequence[Message],
        model: str,
        max_tokens: int,
        temperature: float | None,
        stream: bool,
        options: dict[str, Any],
    ) -> dict[str, Any]:
        stop = options.pop("stop", None)
        return self._body(
            wire.ChatCompletionRequest,
            model=model,
            messages=list(messages),
            max_tokens=max_tokens,
            temperature=temperature,
            stream=True if stream else None,
            stop=[stop] if isinstance(stop, str) else stop,
            **options,
        )

    # --- Completions ---------------------------------------------------------------------------

    def completions(
        self,
        prompt: str,
        *,
        model: str,
        max_tokens: int,
        temperature: float | None = None,
        priority: Priority = Priority.INTERACTIVE,
        **options: Any,
    ) -> wire.Completion:
        body = self._completion_body(prompt, model, max_tokens, temperature, False, options)
        data = self._json(COMPLETIONS, "POST", "completions", body, priority)
        return self._parse(COMPLETIONS, wire.Completion, data)

    def completion_stream(
        self,
        prompt: str,
        *,
        model: str,
        max_tokens: int,
        temperature: float | None = None,
        priority: Priority = Priority.INTERACTIVE,
        **options: Any,
    ) -> Iterator[ChatDelta | RateLimitWait]:
        body = self._completion_body(prompt, model, max_tokens, temperature, True, options)
        for item in self._stream(COMPLETIONS, "completions", body, priority):
            if isinstance(item, RateLimitWait):
                yield item
                continue
            for choice in self._parse(COMPLETIONS, wire.Completion, item).choices:
                if choice.index == 0 and (choice.text or choice.finish_reason):
                    yield ChatDelta(content=choice.text, finish_reason=choice.finish_reason)

    def _completion_body(
        self,
        prompt: str,
        model: str,
        max_tokens: int,
        temperature: float | None,
        stream: bool,
        options: dict[str, Any],
    ) -> dict[str, Any]:
        stop = options.pop("stop", None)
        return self._body(
            wire.CompletionRequest,
            model=model,
            prompt=prompt,
            max_tokens=max_tokens,
            temperature=temperature,
            stream=True if stream else None,
            stop=[stop] if isinstance(stop, str) else stop,
            **options,
        )

    # --- Embeddings, images, models, rerank ----------------------------------------------------

    def embeddings(
        self, inputs: list[str] | str, *, model: str, priority: Priority = Priority.BULK
    ) -> list[list[float]]:
        """One vector per input, in input order; batched by count and tokens, sent in parallel."""
        if isinstance(inputs, str):
            return self._embed_batch(inputs, model, priority)
        texts = list(inputs)
        batches = plan_batches(
            texts,
            max_count=self._settings.embed_batch_size,
            max_tokens=self._settings.embed_batch_tokens,
        )
        results = run_batches(
            [texts[start:end] for start, end in batches],
            lambda batch: self._embed_batch(batch, model, priority),
            workers=self._settings.embed_concurrency,
        )
        return [vector for batch in results for vector in batch]

    def _embed_batch(
        self, inputs: list[str] | str, model: str, priority: Priority
    ) -> list[list[float]]:
        body = self._body(wire.EmbeddingRequest, model=model, input=inputs)
        data = self._json(EMBEDDINGS, "POST", "embeddings", body, priority)
        parsed = self._parse(EMBEDDINGS, wire.EmbeddingResponse, data)
        expected = 1 if isinstance(inputs, str) else len(inputs)
        items = sorted(parsed.data, key=lambda item: item.index)
        if [item.index for item in items] != list(range(expected)):
            raise APIError(
                f"answered {len(items)} vectors for {expected} inputs", operation=EMBEDDINGS
            )
        return [item.embedding for item in items]

    def images(
        self,
        prompt: str,
        *,
        model: str,
        size: str = "1024*1024",
        n: int = 1,
        user: str | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> list[bytes]:
        """Generated images as PNG/JPEG bytes (the service answers base64 only)."""
        size = size.replace("x", "*")
        if size not in wire.IMAGE_SIZES:
            raise ConfigError(
                f"Image size must be one of {', '.join(wire.IMAGE_SIZES)}; got {size!r}."
            )
        body = self._body(wire.ImageRequest, model=model, prompt=prompt, n=n, size=size, user=user)
        data = self._json(IMAGES, "POST", "images/generations", body, priority)
        parsed = self._parse(IMAGES, wire.ImageResponse, data)
        try:
            return [base64.b64decode(item.b64_json or "", validate=True) for item in parsed.data]
        except ValueError as exc:
            raise APIError("answered an image that is not valid base64", operation=IMAGES) from exc

    def models(self) -> list[str]:
        """The ids the server offers, sorted; cached for a few minutes."""
        now = self._clock()
        if self._models is not None and now - self._models[0] < MODELS_TTL:
            return list(self._models[1])
        data = self._json(MODELS, "GET", "models", None, Priority.INTERACTIVE)
        ids = sorted(item.id for item in self._parse(MODELS, wire.ModelList, data).data)
        self._models = (now, ids)
        return list(ids)

    def check_model(self, name: str) -> None:
        """Raise ConfigError, with a "did you mean", when the server does not offer `name`."""
        available = self.models()
        if name in available:
            return
        lowered = {m.lower(): m for m in available}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.4)
        hint = f" Did you mean {' or '.join(repr(lowered[c]) for c in close)}?" if close else ""
        raise ConfigError(
            f"Model {name!r} is not offered by {self._settings.base_url}.{hint} "
            f"Available: {', '.join(available) or 'none'}."
        )

    def rerank(
        self, query: str, documents: list[str], *, model: str, top_n: int | None = None
    ) -> list[tuple[int, float]]:
        """(document index, relevance score), best first."""
        if not documents:
            return []
        body = self._body(
            wire.RerankRequest, model=model, query=query, documents=documents, top_n=top_n
        )
        data = self._json(RERANK, "POST", "rerank", body, Priority.INTERACTIVE)
        results = self._parse(RERANK, wire.RerankResponse, data).results
        if any(not 0 <= r.index < len(documents) for r in results):
            raise APIError("answered a document index out of range", operation=RERANK)
        ranked = sorted(((r.index, r.relevance_score) for r in results), key=lambda p: -p[1])
        return ranked[:top_n] if top_n else ranked

    # --- The request machinery -----------------------------------------------------------------

    def _body(self, model_cls: type[wire._Request], **fields: Any) -> dict[str, Any]:
        try:
            return model_cls(**fields).body()
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise ConfigError(f"Invalid {model_cls.__name__}: {problems}") from None

    def _parse(self, operation: str, model_cls: type[R], data: Any) -> R:
        try:
            return model_cls.model_validate(data)  # type: ignore[attr-defined,no-any-return]
        except ValidationError as exc:
            raise APIError(
                f"unexpected answer shape ({exc.error_count()} problems)", operation=operation
            ) from None
