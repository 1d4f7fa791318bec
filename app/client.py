"""The client for the IONOS AI Model Hub (and any OpenAI-compatible server): the only httpx user.

    ModelHubClient(settings)          one per process, built by `app.container`
      .chat / .chat_stream / .chat_chunks / .chat_text      POST /v1/chat/completions
      .completions / .completion_stream                     POST /v1/completions
      .embeddings                                           POST /v1/embeddings (batched, parallel)
      .images                                               POST /v1/images/generations
      .models / .check_model                                GET  /v1/models (cached briefly)
      .rerank                                               POST /v1/rerank (outside the spec)

Every request takes a slot from the one `RateLimiter` (interactive before bulk), retries
408/409/429/5xx and connection errors within a budget, fails fast on 401 ("token invalid or
expired") and raises the `app.errors` tree. Streaming generators yield `RateLimitWait` before any
wait of a second or more, so a UI can say why nothing is happening. The token goes into one
request header and nowhere else: not into reprs, logs or error messages.
"""

from __future__ import annotations

import difflib
import json
import logging
import random
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from app import wire
from app.batching import plan_batches, run_batches
from app.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    ConfigError,
    status_error_class,
)
from app.ports import ChatDelta, Priority, RateLimitWait
from app.ratelimit import (
    RateLimiter,
    RetryPolicy,
    is_retryable_status,
    parse_rate_headers,
    parse_retry_after,
)
from app.settings import Settings
from app.sse import DONE, iter_events

_log = logging.getLogger(__name__)

ANNOUNCE_WAIT = 1.0  # waits at least this long are announced with RateLimitWait
MODELS_TTL = 300.0  # seconds the model list is cached
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid")

CHAT = "POST /v1/chat/completions"
COMPLETIONS = "POST /v1/completions"
EMBEDDINGS = "POST /v1/embeddings"
IMAGES = "POST /v1/images/generations"
MODELS = "GET /v1/models"
RERANK = "POST /v1/rerank"

R = TypeVar("R")
Message = dict[str, Any]


def _drive(steps: Generator[RateLimitWait, None, R]) -> R:
    """Run a request generator to its result, ignoring its wait announcements."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


class ModelHubClient:
    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        limiter: RateLimiter | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._token = settings.api_token.get_secret_value() if settings.api_token else ""
        headers = {"Accept": "application/json", "User-Agent": "ionos-rag/0.1"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        self._http = httpx.Client(
            base_url=settings.base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            transport=transport,
        )
        self.limiter = limiter or RateLimiter(
            settings.rate_limit_per_minute, settings.rate_limit_burst, clock=clock
        )
        self._policy = RetryPolicy(
            max_retries=settings.max_retries, budget_seconds=settings.retry_budget_seconds
        )
        self._models: tuple[float, list[str]] | None = None

    def __repr__(self) -> str:
        return f"ModelHubClient(base_url={self._settings.base_url!r}, limiter={self.limiter!r})"

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
        response = yield from self._send(CHAT, "POST", "chat/completions", body, priority, True)
        for payload in self._stream_payloads(CHAT, response):
            yield self._parse(CHAT, wire.ChatCompletionChunk, payload)

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
        response = yield from self._send(COMPLETIONS, "POST", "completions", body, priority, True)
        for payload in self._stream_payloads(COMPLETIONS, response):
            for choice in self._parse(COMPLETIONS, wire.Completion, payload).choices:
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
        import base64

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

    def _json(self, operation: str, method: str, path: str, body: Any, priority: Priority) -> Any:
        response = _drive(self._send(operation, method, path, body, priority, False))
        try:
            return response.json()
        except ValueError:
            raise APIError("answered something that is not JSON", operation=operation) from None

    def _send(
        self,
        operation: str,
        method: str,
        path: str,
        body: Any,
        priority: Priority,
        stream: bool,
    ) -> Generator[RateLimitWait, None, httpx.Response]:
        """Send with rate limiting and retries; yields waits, returns a 2xx response."""
        attempt, waited = 0, 0.0
        while True:
            yield from self._take_slot(priority)
            started = self._clock()
            error: APIError
            try:
                request = self._http.build_request(method, path, json=body)
                response = self._http.send(request, stream=stream)
            except httpx.TimeoutException:
                error = APITimeoutError(
                    f"no answer within {self._settings.read_timeout:g} s", operation=operation
                )
            except httpx.TransportError as exc:
                error = APIConnectionError(
                    f"cannot reach {self._settings.base_url} ({type(exc).__name__})",
                    operation=operation,
                )
            else:
                self.limiter.observe(parse_rate_headers(response.headers))
                elapsed = self._clock() - started
                _log.debug("%s -> %d in %.2fs", operation, response.status_code, elapsed)
                if response.status_code < 400:
                    return response
                error = self._status_error(operation, response)
                if not is_retryable_status(error.status):
                    raise error
            retry_after = error.retry_after if isinstance(error, APIStatusError) else None
            delay = self._policy.next_delay(
                attempt, retry_after=retry_after, waited=waited, jitter=self._jitter()
            )
            if delay is None:
                raise error
            _log.info("%s: retry %d in %.1fs after: %s", operation, attempt + 1, delay, error)
            attempt += 1
            waited += delay
            if retry_after is not None:  # the server said when: hold every caller till then
                self.limiter.pause(delay)
            else:
                yield from self._wait(delay)

    def _take_slot(self, priority: Priority) -> Iterator[RateLimitWait]:
        with self.limiter.queued(priority):
            announced = False
            while (wait := self.limiter.try_acquire(priority)) > 0:
                if not announced and wait >= ANNOUNCE_WAIT:
                    announced = True
                    yield RateLimitWait(wait)
                self._sleep(wait)

    def _wait(self, seconds: float) -> Iterator[RateLimitWait]:
        if seconds >= ANNOUNCE_WAIT:
            yield RateLimitWait(seconds)
        if seconds > 0:
            self._sleep(seconds)

    def _status_error(self, operation: str, response: httpx.Response) -> APIStatusError:
        try:
            text = response.read().decode(response.encoding or "utf-8", errors="replace")
        except httpx.HTTPError:
            text = ""
        finally:
            response.close()
        message, code = wire.parse_error_body(text, response.headers.get("content-type", ""))
        message = self._redact(message) or response.reason_phrase or "error"
        status = response.status_code
        if status == 401:
            message = f"token invalid or expired ({message}); set a fresh IONOS_API_TOKEN"
        request_id = next(
            (response.headers[h] for h in REQUEST_ID_HEADERS if h in response.headers), None
        )
        return status_error_class(status)(
            message,
            operation=operation,
            status=status,
            code=self._redact(code) if code else None,
            request_id=request_id,
            retry_after=parse_retry_after(response.headers, now=time.time()),
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _stream_payloads(self, operation: str, response: httpx.Response) -> Iterator[Any]:
        """The JSON payloads of an SSE response, up to `[DONE]`; always closes the response."""
        try:
            content_type = response.headers.get("content-type", "")
            if "json" in content_type:  # a server that ignored stream=true: one whole answer
                yield _as_chunk(json.loads(response.read()))
                return
            if "text/event-stream" not in content_type:
                raise APIStreamError(
                    f"expected text/event-stream, got {content_type or 'no content type'}",
                    operation=operation,
                )
            finished = False
            count = 0
            try:
                for event in iter_events(response.iter_bytes()):
                    data = event.data.strip()
                    if data == DONE:
                        return
                    if not data:
                        continue
                    payload = self._event_payload(operation, event.event, data)
                    count += 1
                    finished = finished or any(
                        c.get("finish_reason") for c in payload.get("choices") or []
                    )
                    yield payload
            except httpx.TimeoutException:
                raise APITimeoutError(
                    f"the stream stalled: no data for {self._settings.read_timeout:g} s",
                    operation=operation,
                ) from None
            except httpx.TransportError as exc:
                raise APIStreamError(
                    f"the stream broke after {count} events ({type(exc).__name__})",
                    operation=operation,
                ) from None
            if not finished:
                raise APIStreamError(
                    f"the stream ended after {count} events without finishing",
                    operation=operation,
                )
        finally:
            response.close()

    def _event_payload(self, operation: str, event: str, data: str) -> dict[str, Any]:
        try:
            payload = json.loads(data)
        except ValueError:
            raise APIStreamError(
                "the stream sent an event that is not JSON", operation=operation
            ) from None
        if not isinstance(payload, dict):
            raise APIStreamError("the stream sent an unexpected event", operation=operation)
        if event == "error" or "error" in payload:
            message, code = wire.parse_error_body(data)
            suffix = f" ({code})" if code else ""
            raise APIStreamError(
                f"the server reported an error mid-stream: {self._redact(message)}{suffix}",
                operation=operation,
            )
        return payload


def _as_chunk(payload: Any) -> Any:
    """A whole chat completion, reshaped as one stream chunk (`message` becomes `delta`)."""
    if isinstance(payload, dict):
        for choice in payload.get("choices") or []:
            if isinstance(choice, dict) and "message" in choice and "delta" not in choice:
                choice["delta"] = choice.pop("message")
    return payload
