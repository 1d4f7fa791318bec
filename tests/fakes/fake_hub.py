"""A fake IONOS AI Model Hub that follows the contract, for tests and benchmarks.

Use it in-process or as a real HTTP server:

    hub = FakeHub()
    client = ModelHubClient(hub_config(settings), transport=httpx.MockTransport(hub.handle))
    with serve(hub) as base_url:          # "http://127.0.0.1:PORT/v1", stops itself on exit
        ...

What it does (stable API; other parts' tests rely on it):
- `FakeHub(*, models=DEFAULT_MODELS, embed_dim=64, chat_reply=None, token=None,
  rate_limit=None, burst=10, window=2.0, reasoning=False, latency=0.0, clock=time.monotonic)`.
- Validates every request body against the spec's request schema (400 in the OpenAI shape when
  it does not fit, also noted in `hub.invalid`), and requires an explicit `max_tokens` for chat and
  completions. Every 200 JSON body it answers is checked against the spec's response schema.
- `/v1/chat/completions` (stream or not): the reply is `chat_reply(messages) -> str`; the default
  quotes the first sentence of source [1] in the system message with a "[1]" citation, or says
  "I could not find this in your documents." Honours `n`, `stop`, `max_tokens` (in words:
  finish_reason "length"), `response_format` (answers JSON), `tools` (calls the named or first
  tool with `{"query": <last user text>}`, streams tool-call deltas), `hub.refusal = "..."`.
  `reasoning=True` sends reasoning first, as `reasoning_content` (vLLM / gpt-oss style).
- `/v1/completions` (stream or not), `/v1/embeddings` (hashed bag-of-words vectors, the same as
  `tests.fakes.embedder.HashEmbedder`, `embed_dim` dims), `/v1/images/generations` (a 1x1 PNG;
  400 on sizes the spec does not allow), `/v1/models`, `/v1/rerank` (word-overlap scores).
- `token="..."`: requests without `Authorization: Bearer <token>` get a 401 in the IONOS-native
  body `{"httpStatus": 401, "messages": [{"errorCode": "paas-auth-1", "message": ...}]}`.
- `rate_limit=N` (requests/min) with `burst` per `window` seconds: sliding windows; an excess
  request gets 429 + integer `Retry-After` (counted in `hub.limited`); every answer then carries
  `X-RateLimit-Limit/-Burst/-Remaining`. `hub.set_rate_limit(n, burst)` changes it mid-run.
- `hub.fail_next(status=500, *, native=False, times=1, retry_after=None, message=None,
  code=None, body=None, content_type=None, path=None, headers={})`: the next `times` requests
  (to `path`, if given) fail so; `native=True` uses the IONOS shape, `body`+`content_type` send
  anything (HTML), `headers` adds response headers.
- `hub.break_stream(after=1)`: the next stream drops the connection after `after` events;
  `hub.stall_stream(after=1, seconds=5.0)` goes silent for a while (use with `serve`);
  `hub.error_in_stream(after=1)` sends an in-stream error event.
- `hub.requests`: every request as `Recorded(method, path, body, headers, status, at)`;
  `hub.count(path)` counts them. Every answer has an `x-request-id` ("req-<n>").
- `FakeClock`: a clock whose sleep moves time on; share it between hub and client.
"""

from __future__ import annotations

import base64
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fakes import hub_replies as replies
from tests.fakes.hub_server import serve
from tests.fakes.hub_spec import request_errors, response_errors

DEFAULT_MODELS = (
    "BAAI/bge-m3",
    "Qwen/Qwen3-VL-Embedding-8B",
    "meta-llama/Llama-3.3-70B-Instruct",
    "meta-llama/Meta-Llama-3.1-8B-Instruct",
    "mistralai/Mistral-Small-24B-Instruct",
    "openai/gpt-oss-120b",
    "Qwen/Qwen3-VL-Reranker-8B",
    "black-forest-labs/FLUX.1-schnell",
)
IMAGE_SIZES = ("1024*1024", "1792*1024", "1024*1792")
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
__all__ = ["DEFAULT_MODELS", "PNG_1X1", "FakeClock", "FakeHub", "Recorded", "serve"]

POST_PATHS = (
    "/v1/chat/completions",
    "/v1/completions",
    "/v1/embeddings",
    "/v1/images/generations",
    "/v1/rerank",
)


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    status: int = 0
    at: float = 0.0  # the hub's clock when it arrived


@dataclass
class _Failure:
    status: int
    native: bool = False
    retry_after: float | None = None
    message: str | None = None
    code: str | None = None
    body: str | None = None
    content_type: str | None = None
    path: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class StreamFault:
    kind: str  # "break" | "stall" | "error"
    after: int
    seconds: float = 0.0


@dataclass
class FakeHub:
    models: tuple[str, ...] = DEFAULT_MODELS
    embed_dim: int = 64
    chat_reply: Callable[[list[dict[str, Any]]], str] | None = None
    token: str | None = None
    rate_limit: int | None = None
    burst: int = 10
    window: float = 2.0
    reasoning: bool = False
    latency: float = 0.0
    clock: Callable[[], float] = time.monotonic
    refusal: str | None = None
    requests: list[Recorded] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    limited: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._arrivals: deque[float] = deque()
        self._failures: list[_Failure] = []
        self._stream_faults: list[StreamFault] = []
        self._ids = 0

    # --- Configuration -------------------------------------------------------------------------

    def fail_next(self, status: int = 500, *, times: int = 1, **how: Any) -> None:
        with self._lock:
            self._failures.extend(_Failure(status, **how) for _ in range(times))

    def break_stream(self, after: int = 1) -> None:
        self._stream_faults.append(StreamFault("break", after))

    def stall_stream(self, after: int = 1, seconds: float = 5.0) -> None:
        self._stream_faults.append(StreamFault("stall", after, seconds))

    def error_in_stream(self, after: int = 1) -> None:
        self._stream_faults.append(StreamFault("error", after))

    def set_rate_limit(self, per_minute: int | None, burst: int | None = None) -> None:
        with self._lock:
            self.rate_limit = per_minute
            if burst is not None:
                self.burst = burst

    def count(self, path: str | None = None) -> int:
        return sum(1 for r in self.requests if path is None or r.path == path)

    # --- The transport -------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (an `httpx.MockTransport` handler)."""
        path = request.url.path
        raw = request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        record = Recorded(request.method, path, body, dict(request.headers), at=self.clock())
        with self._lock:
            self.requests.append(record)
            self._ids += 1
            headers = {"x-request-id": f"req-{self._ids}"}
        if self.latency:
            time.sleep(self.latency)
        response = self._answer(request, path, body, headers)
        record.status = response.status_code
        return response

    def _answer(
        self, request: httpx.Request, path: str, body: Any, headers: dict[str, str]
    ) -> httpx.Response:
        if (
            self.token is not None
            and request.headers.get("authorization") != f"Bearer {self.token}"
        ):
            return self._native(401, "paas-auth-1", "Unauthorized, wrong or expired token", headers)
        limited = self._admit(headers)
        if limited is not None:
            return limited
        failure = self._take_failure(path)
        if failure is not None:
            return self._failure(failure, headers)
        if request.method == "GET" and path == "/v1/models":
            data = [
                {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "ionos"}
                for m in self.models
            ]
            return self._ok(path, {"object": "list", "data": data}, headers, method="get")
        if request.method != "POST" or path not in POST_PATHS:
            return self._error(404, f"no route {request.method} {path}", "not_found", headers)
        problems = request_errors(path, body)
        generative = path in ("/v1/chat/completions", "/v1/completions")
        if not problems and generative and not {"max_tokens", "max_completion_tokens"} & set(body):
            problems = ["max_tokens: missing (the API's default of 16 cuts answers short)"]
        if problems:
            self.invalid.extend(problems)
            return self._error(400, "; ".join(problems), "invalid_request_error", headers)
        if body["model"] not in self.models:
            message = f"The model `{body['model']}` does not exist."
            return self._error(404, message, "model_not_found", headers)
        handler = {
            "/v1/chat/completions": self._chat,
            "/v1/completions": self._completions,
            "/v1/embeddings": self._embeddings,
            "/v1/images/generations": self._images,
            "/v1/rerank": self._rerank,
        }[path]
        return handler(body, headers)

    # --- Operations ----------------------------------------------------------------------------

    def _chat(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        answers = [
            replies.chat_answer(body, self.chat_reply, self.refusal)
            for _ in range(body.get("n", 1))
        ]
        if body.get("stream"):
            events = replies.chat_events(body, answers, self.reasoning, self._next_id("chatcmpl"))
            return self._stream(events, headers)
        payload = replies.chat_completion(body, answers, self.reasoning, self._next_id("chatcmpl"))
        return self._ok("/v1/chat/completions", payload, headers)

    def _completions(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        answer = replies.completion_answer(body, self.chat_reply)
        ident = self._next_id("cmpl")
        if body.get("stream"):
            return self._stream(replies.completion_events(body, answer, ident), headers)
        return self._ok("/v1/completions", replies.completion(body, answer, ident), headers)

    def _embeddings(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": replies.hash_vector(t, self.embed_dim)}
            for i, t in enumerate(texts)
        ]
        data.reverse()  # the spec orders by `index`, not by position: make clients honour it
        tokens = sum(len(t.split()) for t in texts)
        payload = {
            "object": "list",
            "model": body["model"],
            "data": data,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
        return self._ok("/v1/embeddings", payload, headers)

    def _images(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        size = body.get("size", "1024*1024")
        if size not in IMAGE_SIZES:
            message = f"size must be one of {', '.join(IMAGE_SIZES)}"
            return self._error(400, message, "invalid_request_error", headers)
        image = base64.b64encode(PNG_1X1).decode()
        payload = {"created": int(time.time()), "data": [{"b64_json": image}] * body.get("n", 1)}
        return self._ok("/v1/images/generations", payload, headers)

    def _rerank(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        results = replies.rerank(body["query"], body["documents"], body.get("top_n"))
        return self._ok("/v1/rerank", {"id": self._next_id("rerank"), "results": results}, headers)

    # --- Limits, failures and answers ----------------------------------------------------------

    def _admit(self, headers: dict[str, str]) -> httpx.Response | None:
        """The sliding-window limiter: None to go ahead, else the 429."""
        with self._lock:
            if self.rate_limit is None:
                return None
            now = self.clock()
            while self._arrivals and self._arrivals[0] <= now - 60.0:
                self._arrivals.popleft()
            recent = [t for t in self._arrivals if t > now - self.window]
            headers["x-ratelimit-limit"] = str(self.rate_limit)
            headers["x-ratelimit-burst"] = str(self.burst)
            if len(recent) >= self.burst or len(self._arrivals) >= self.rate_limit:
                free_at = recent[-self.burst] + self.window if len(recent) >= self.burst else 0.0
                if len(self._arrivals) >= self.rate_limit:
                    free_at = max(free_at, self._arrivals[-self.rate_limit] + 60.0)
                self.limited += 1
                headers["x-ratelimit-remaining"] = "0"
                headers["retry-after"] = str(max(1, math.ceil(free_at - now)))
                limited = True
            else:
                self._arrivals.append(now)
                headers["x-ratelimit-remaining"] = str(self.burst - len(recent) - 1)
                limited = False
        if limited:
            return self._error(429, "Rate limit exceeded", "rate_limit_exceeded", headers)
        return None

    def _take_failure(self, path: str) -> _Failure | None:
        with self._lock:
            for i, failure in enumerate(self._failures):
                if failure.path in (None, path):
                    return self._failures.pop(i)
        return None

    def _failure(self, failure: _Failure, headers: dict[str, str]) -> httpx.Response:
        headers.update(failure.headers)
        if failure.retry_after is not None:
            headers["retry-after"] = f"{failure.retry_after:g}"
        if failure.body is not None:
            headers["content-type"] = failure.content_type or "text/plain"
            return httpx.Response(failure.status, headers=headers, content=failure.body.encode())
        message = failure.message or f"fake failure {failure.status}"
        if failure.native:
            return self._native(failure.status, failure.code or "paas-gw-1", message, headers)
        return self._error(failure.status, message, failure.code or "server_error", headers)

    def _native(
        self, status: int, code: str, message: str, headers: dict[str, str]
    ) -> httpx.Response:
        body = {"httpStatus": status, "messages": [{"errorCode": code, "message": message}]}
        return httpx.Response(status, headers=headers, json=body)

    def _error(
        self, status: int, message: str, code: str, headers: dict[str, str]
    ) -> httpx.Response:
        body = {"error": {"message": message, "type": code, "code": code, "param": None}}
        return httpx.Response(status, headers=headers, json=body)

    def _ok(
        self, path: str, payload: dict[str, Any], headers: dict[str, str], method: str = "post"
    ) -> httpx.Response:
        problems = response_errors(path, payload, method)
        assert not problems, f"the fake hub answered off-spec for {path}: {problems}"
        return httpx.Response(200, headers=headers, json=payload)

    def _stream(self, events: list[dict[str, Any]], headers: dict[str, str]) -> httpx.Response:
        fault = self._stream_faults.pop(0) if self._stream_faults else None
        headers["content-type"] = "text/event-stream; charset=utf-8"
        return httpx.Response(200, headers=headers, content=replies.sse_bytes(events, fault))

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            self._ids += 1
            return f"{prefix}-{self._ids}"


class FakeClock:
    """A shared monotonic clock whose `sleep` just moves time on: rate-limit tests run instantly.

    Pass `clock=fake.now` to FakeHub and `clock=fake.now, sleep=fake.sleep` to the client.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.time = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.time += seconds
