"""HTTP to an OpenAI-compatible server, and the only module that imports httpx: `Transport`.

    Transport(config)                     one shared httpx.Client with an explicit httpx.Timeout
      .request_json(operation, method, path, body, priority)    -> the decoded JSON answer
      .stream_json(operation, path, body, priority)              -> SSE payloads, waits announced

Every request takes a slot from the one `RateLimiter` (interactive before bulk), retries
408/409/429/5xx and connection errors with capped backoff, jitter and `Retry-After` within a
budget, fails fast on 401 ("token invalid or expired") and raises the `core.errors` tree, reading
both IONOS-native and OpenAI error bodies. Streams yield `RateLimitWait` before any wait of a
second or more, and before every retry (with its reason), so a UI can say why nothing is
happening; every retry is also a warning in the log. The token goes into one request header
and nowhere else: not into reprs, logs or error messages (it is redacted from a server's error
body before the body is shortened); the base URL is shown only through
`core.redact.redact_url`. What to send and how to read the answers is `hub.client`'s business.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeAlias, TypeVar

import httpx

from core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    status_error_class,
)
from core.ports import Priority, RateLimitWait
from core.redact import redact, redact_url
from hub import wire
from hub.config import HubConfig
from hub.pace import Congestion, LatencyWindow
from hub.ratelimit import (
    RateLimiter,
    RetryPolicy,
    is_retryable_status,
    parse_rate_headers,
    parse_retry_after,
)
from hub.sse import DONE, iter_events

_log = logging.getLogger(__name__)

ANNOUNCE_WAIT = 1.0  # waits at least this long are announced with RateLimitWait
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid")

R = TypeVar("R")

HTTPTransport: TypeAlias = httpx.BaseTransport  # what tests inject: an httpx.MockTransport


def _drive(steps: Generator[RateLimitWait, None, R]) -> R:
    """Run a request generator to its result, ignoring its wait announcements."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


class Transport:
    """Rate-limited, retried requests over one shared `httpx.Client`."""

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
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._token = config.token
        headers = {"Accept": "application/json", "User-Agent": "ionos-rag/0.1"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        self._http = httpx.Client(
            base_url=config.base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            transport=transport,
        )
        self.limiter = limiter or RateLimiter(
            config.rate_limit_per_minute, config.rate_limit_burst, clock=clock
        )
        self._policy = RetryPolicy(
            max_retries=config.max_retries, budget_seconds=config.retry_budget_seconds
        )
        self._latencies: dict[str, LatencyWindow] = {}
        self._congestion: dict[str, Congestion] = {}

    def __repr__(self) -> str:
        return (
            f"Transport(base_url={redact_url(self._config.base_url)!r}, limiter={self.limiter!r})"
        )

    def close(self) -> None:
        self._http.close()

    def latency(self, operation: str) -> LatencyWindow:
        """The recent response times of `operation` (send to answer, without limiter waits)."""
        return self._latencies.setdefault(operation, LatencyWindow())

    def congestion(self, operation: str) -> Congestion:
        """How 429s of `operation` cut the requests it keeps in flight (AIMD, `hub.pace`)."""
        return self._congestion.setdefault(operation, Congestion(clock=self._clock))

    def request_json(
        self, operation: str, method: str, path: str, body: Any, priority: Priority
    ) -> Any:
        """The JSON answer of one request (rate-limited, retried)."""
        response = _drive(self._send(operation, method, path, body, priority, False))
        try:
            return response.json()
        except ValueError:
            raise APIError("answered something that is not JSON", operation=operation) from None

    def stream_json(
        self, operation: str, path: str, body: Any, priority: Priority
    ) -> Iterator[dict[str, Any] | RateLimitWait]:
        """The JSON payloads of a streamed POST, with waits announced before they happen."""
        response = yield from self._send(operation, "POST", path, body, priority, True)
        yield from self._stream_payloads(operation, response)

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
                    f"no answer within {self._config.read_timeout:g} s", operation=operation
                )
            except httpx.TransportError as exc:
                error = APIConnectionError(
                    f"cannot reach {redact_url(self._config.base_url)} ({type(exc).__name__})",
                    operation=operation,
                )
            else:
                self.limiter.observe(parse_rate_headers(response.headers), sent_at=started)
                elapsed = self._clock() - started
                _log.debug("%s -> %d in %.2fs", operation, response.status_code, elapsed)
                if response.status_code < 400:
                    self.latency(operation).observe(elapsed)
                    self.congestion(operation).succeeded()
                    return response
                error = self._status_error(operation, response)
                if error.status == 429:
                    self.congestion(operation).throttled(sent_at=started)
                if not is_retryable_status(error.status):
                    raise error
            retry_after = error.retry_after if isinstance(error, APIStatusError) else None
            delay = self._policy.next_delay(
                attempt, retry_after=retry_after, waited=waited, jitter=self._jitter()
            )
            if delay is None:
                raise error
            # announced every time: a log line here, a notice where the caller shows waits
            _log.warning("%s; retry %d in %.1fs", error, attempt + 1, delay)
            attempt += 1
            waited += delay
            if retry_after is not None:  # the server said when: hold every caller till then
                self.limiter.pause(delay)  # the next slot announces the wait
            else:
                yield RateLimitWait(delay, retry=str(error))
                self._sleep(delay)

    def _take_slot(self, priority: Priority) -> Iterator[RateLimitWait]:
        with self.limiter.queued(priority):
            announced = False
            while (wait := self.limiter.try_acquire(priority)) > 0:
                if not announced and wait >= ANNOUNCE_WAIT:
                    announced = True
                    yield RateLimitWait(wait)
                self._sleep(wait)

    def _status_error(self, operation: str, response: httpx.Response) -> APIStatusError:
        try:
            text = response.read().decode(response.encoding or "utf-8", errors="replace")
        except httpx.HTTPError:
            text = ""
        finally:
            response.close()
        text = self._redact(text)  # before parsing shortens it: a cut token would survive
        message, code = wire.parse_error_body(text, response.headers.get("content-type", ""))
        message = message or response.reason_phrase or "error"
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
        return redact(text, [self._token])

    def _stream_payloads(
        self, operation: str, response: httpx.Response
    ) -> Iterator[dict[str, Any]]:
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
                    f"the stream stalled: no data for {self._config.read_timeout:g} s",
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
            message, code = wire.parse_error_body(self._redact(data))
            suffix = f" ({code})" if code else ""
            raise APIStreamError(
                f"the server reported an error mid-stream: {message}{suffix}",
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
