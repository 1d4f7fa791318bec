"""The client for the IONOS AI Model Hub (and any OpenAI-compatible server): the operations.

    ModelHubClient(config)            one per process, built by `app.container`
      .chat / .chat_stream / .chat_chunks / .chat_text      POST /v1/chat/completions
      .completions / .completion_stream                     POST /v1/completions
      .embeddings                                           POST /v1/embeddings (batched, parallel)
      .images                                               POST /v1/images/generations
      .models / .check_model                                GET  /v1/models (cached briefly)
      .rerank                                               POST /v1/rerank (outside the spec)

Each operation builds its body and reads its answer with `hub.bodies` (over the wire models of
`hub.wire`) and sends it through the one `hub.transport.Transport` it holds, which owns HTTP,
rate limiting, retries and errors.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from core.ports import ChatDelta, Priority, RateLimitWait
from core.redact import redact_url
from hub import bodies, wire
from hub.batching import plan_batches, run_batches
from hub.bodies import Message, parse_answer, request_body
from hub.config import HubConfig
from hub.pace import requests_in_flight
from hub.ratelimit import RateLimiter
from hub.transport import HTTPTransport, Transport

MODELS_TTL = 300.0  # seconds the model list is cached
ASSUMED_LATENCY = 1.0  # seconds an embeddings request is taken to need before one is answered

CHAT = "POST /v1/chat/completions"
COMPLETIONS = "POST /v1/completions"
EMBEDDINGS = "POST /v1/embeddings"
IMAGES = "POST /v1/images/generations"
MODELS = "GET /v1/models"
RERANK = "POST /v1/rerank"


class ModelHubClient:
    """The Model Hub's operations, typed, over one `Transport`.

    `transport`, `sleep`, `clock`, `limiter` and `jitter` go to the `Transport` (tests inject
    an `httpx.MockTransport` and a fake clock); `clock` also ages the cached model list.
    """

    def __init__(
        self,
        config: HubConfig,
        *,
        transport: HTTPTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        limiter: RateLimiter | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._config = config
        self._clock = clock
        self._http = Transport(
            config, transport=transport, sleep=sleep, clock=clock, limiter=limiter, jitter=jitter
        )
        self._models: tuple[float, list[str]] | None = None

    @property
    def limiter(self) -> RateLimiter:
        """The one rate limiter every request of this client goes through."""
        return self._http.limiter

    def __repr__(self) -> str:
        shown = redact_url(self._config.base_url)
        return f"ModelHubClient(base_url={shown!r}, limiter={self.limiter!r})"

    def __enter__(self) -> ModelHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- Chat ----------------------------------------------------------------------------------

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
        body = bodies.chat_body(messages, model, max_tokens, temperature, False, options)
        data = self._http.request_json(CHAT, "POST", "chat/completions", body, priority)
        return parse_answer(CHAT, wire.ChatCompletion, data)

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
        body = bodies.chat_body(messages, model, max_tokens, temperature, True, options)
        for item in self._http.stream_json(CHAT, "chat/completions", body, priority):
            if isinstance(item, RateLimitWait):
                yield item
            else:
                yield parse_answer(CHAT, wire.ChatCompletionChunk, item)

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
            else:
                yield from bodies.chunk_deltas(item)

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
        body = bodies.completion_body(prompt, model, max_tokens, temperature, False, options)
        data = self._http.request_json(COMPLETIONS, "POST", "completions", body, priority)
        return parse_answer(COMPLETIONS, wire.Completion, data)

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
        body = bodies.completion_body(prompt, model, max_tokens, temperature, True, options)
        for item in self._http.stream_json(COMPLETIONS, "completions", body, priority):
            if isinstance(item, RateLimitWait):
                yield item
            else:
                yield from bodies.completion_deltas(
                    parse_answer(COMPLETIONS, wire.Completion, item)
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
            max_count=self._config.embed_batch_size,
            max_tokens=self._config.embed_batch_tokens,
        )
        results = run_batches(
            [texts[start:end] for start, end in batches],
            lambda batch: self.embed_batch(batch, model=model, priority=priority),
            workers=self.embeddings_in_flight(),
        )
        return [vector for batch in results for vector in batch]

    def embeddings_in_flight(self) -> int:
        """Embedding requests to keep going at once so the contract's rate is used whatever the
        response time: ceil(allowed rate × p90 response time) + 1, at most `embed_concurrency`;
        fewer after a 429, growing back with each answer (`hub.pace.Congestion`)."""
        latency = self._http.latency(EMBEDDINGS).p90()
        target = requests_in_flight(
            self.limiter.allowed_rate,
            ASSUMED_LATENCY if latency is None else latency,
            cap=self._config.embed_concurrency,
        )
        return self._http.congestion(EMBEDDINGS).limit(target)

    def embed_batch(
        self, inputs: list[str] | str, *, model: str, priority: Priority = Priority.BULK
    ) -> list[list[float]]:
        """One request for exactly `inputs`, sent as given (the caller cut the batch)."""
        return self._embed_batch(inputs, model, priority)

    def _embed_batch(
        self, inputs: list[str] | str, model: str, priority: Priority
    ) -> list[list[float]]:
        body = request_body(wire.EmbeddingRequest, model=model, input=inputs)
        data = self._http.request_json(EMBEDDINGS, "POST", "embeddings", body, priority)
        answer = parse_answer(EMBEDDINGS, wire.EmbeddingResponse, data)
        expected = 1 if isinstance(inputs, str) else len(inputs)
        return bodies.embedding_vectors(EMBEDDINGS, answer, expected)

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
        body = request_body(
            wire.ImageRequest,
            model=model,
            prompt=prompt,
            n=n,
            size=bodies.image_size(size),
            user=user,
        )
        data = self._http.request_json(IMAGES, "POST", "images/generations", body, priority)
        return bodies.decode_images(IMAGES, parse_answer(IMAGES, wire.ImageResponse, data))

    def models(self) -> list[str]:
        """The ids the server offers, sorted; cached for a few minutes."""
        now = self._clock()
        if self._models is not None and now - self._models[0] < MODELS_TTL:
            return list(self._models[1])
        data = self._http.request_json(MODELS, "GET", "models", None, Priority.INTERACTIVE)
        ids = sorted(item.id for item in parse_answer(MODELS, wire.ModelList, data).data)
        self._models = (now, ids)
        return list(ids)

    def check_model(self, name: str) -> None:
        """Raise ConfigError, with a "did you mean", when the server does not offer `name`."""
        available = self.models()
        if name not in available:
            raise bodies.unknown_model(name, available, self._config.base_url)

    def rerank(
        self, query: str, documents: list[str], *, model: str, top_n: int | None = None
    ) -> list[tuple[int, float]]:
        """(document index, relevance score), best first."""
        if not documents:
            return []
        body = request_body(
            wire.RerankRequest, model=model, query=query, documents=documents, top_n=top_n
        )
        data = self._http.request_json(RERANK, "POST", "rerank", body, Priority.INTERACTIVE)
        answer = parse_answer(RERANK, wire.RerankResponse, data)
        return bodies.ranked_documents(RERANK, answer, len(documents), top_n)
