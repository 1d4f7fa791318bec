"""ModelHubClient failure paths: retries, both error shapes, rate-limit waits, broken streams."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from app.build import hub_config
from core.errors import (
    APIConnectionError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from core.ports import ChatDelta, RateLimitWait
from core.settings import Settings
from hub.client import ModelHubClient
from tests.fakes.fake_hub import FakeClock, FakeHub, serve

TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig"
CHAT_MODEL = "meta-llama/Llama-3.3-70B-Instruct"
EMBED_MODEL = "BAAI/bge-m3"
MESSAGES = [{"role": "user", "content": "hello"}]


def make_client(
    hub: FakeHub, clock: FakeClock | None = None, sleep: Any = None, **settings: Any
) -> ModelHubClient:
    clock = clock or FakeClock()
    return ModelHubClient(
        hub_config(Settings(api_token=TOKEN, base_url="http://hub.test/v1", **settings)),
        transport=httpx.MockTransport(hub.handle),
        sleep=sleep or clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.0,
    )


def test_client_401_native_fails_fast_with_token_hint() -> None:
    hub = FakeHub(token="another-token")
    with pytest.raises(AuthenticationError) as caught:
        make_client(hub).embeddings(["x"], model=EMBED_MODEL)
    message = str(caught.value)
    assert "token invalid or expired" in message
    assert "POST /v1/embeddings" in message and "HTTP 401" in message
    assert "paas-auth-1" in message and "request req-1" in message
    assert hub.count() == 1
    assert TOKEN not in message


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, BadRequestError),
    ],
)
def test_client_client_errors_not_retried(status: int, error: type[APIStatusError]) -> None:
    hub = FakeHub()
    hub.fail_next(status, message="nope", code="bad_thing")
    with pytest.raises(error) as caught:
        make_client(hub).chat(MESSAGES, model=CHAT_MODEL, max_tokens=8)
    assert caught.value.status == status and caught.value.code == "bad_thing"
    assert "nope" in str(caught.value)
    assert hub.count() == 1


def test_client_unknown_model_is_not_found_with_server_message() -> None:
    with pytest.raises(NotFoundError, match=r"does not exist.*model_not_found"):
        make_client(FakeHub()).chat(MESSAGES, model="no/such-model", max_tokens=8)


@pytest.mark.parametrize("status", [408, 409, 500, 502, 503, 504])
def test_client_transient_status_retried_with_backoff(status: int) -> None:
    hub = FakeHub()
    clock = FakeClock()
    hub.fail_next(status, times=2)
    assert make_client(hub, clock).chat_text(MESSAGES, model=CHAT_MODEL, max_tokens=8)
    assert hub.count() == 3
    assert clock.sleeps == [0.5, 1.0]


def test_client_retries_exhausted_raise_last_error() -> None:
    hub = FakeHub()
    hub.fail_next(503, times=10, native=True, code="paas-gw-3", message="upstream down")
    with pytest.raises(ServerError, match=r"upstream down.*HTTP 503, paas-gw-3"):
        make_client(hub, max_retries=3).models()
    assert hub.count() == 4


def test_client_429_waits_retry_after_seconds_then_succeeds() -> None:
    hub = FakeHub()
    clock = FakeClock()
    hub.fail_next(429, retry_after=3, code="rate_limit_exceeded")
    assert make_client(hub, clock).embeddings(["a"], model=EMBED_MODEL)
    assert hub.count() == 2
    assert sum(clock.sleeps) == pytest.approx(3.0)


def test_client_429_http_date_retry_after() -> None:
    hub = FakeHub()
    clock = FakeClock()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    hub.fail_next(429, body="slow down", content_type="text/plain", headers={"Retry-After": when})
    make_client(hub, clock).models()
    assert 25 <= sum(clock.sleeps) <= 31


def test_client_retry_after_beyond_budget_raises_rate_limit_error() -> None:
    hub = FakeHub()
    hub.fail_next(429, retry_after=600)
    with pytest.raises(RateLimitError) as caught:
        make_client(hub, retry_budget_seconds=60).models()
    assert caught.value.retry_after == 600
    assert hub.count() == 1


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            "text/html",
            "502 Bad Gateway",
        ),
        ("upstream connect error or disconnect/reset", "text/plain", "upstream connect error"),
        ('{"detail": "Not authenticated"}', "application/json", "Not authenticated"),
        ("", "text/plain", "Bad Request"),
    ],
)
def test_client_proxy_bodies_become_one_line(body: str, content_type: str, expected: str) -> None:
    hub = FakeHub()
    hub.fail_next(400, body=body, content_type=content_type)
    with pytest.raises(BadRequestError) as caught:
        make_client(hub).models()
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_client_connection_errors_retried_then_raised() -> None:
    calls = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("connection refused")

    clock = FakeClock()
    client = ModelHubClient(
        hub_config(Settings(api_token=TOKEN, base_url="http://hub.test/v1", max_retries=2)),
        transport=httpx.MockTransport(refuse),
        sleep=clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.0,
    )
    with pytest.raises(APIConnectionError, match=r"cannot reach http://hub\.test/v1"):
        client.models()
    assert len(calls) == 3


def test_client_read_timeout_is_timeout_error() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    clock = FakeClock()
    client = ModelHubClient(
        hub_config(Settings(api_token=TOKEN, base_url="http://hub.test/v1", max_retries=0)),
        transport=httpx.MockTransport(slow),
        sleep=clock.sleep,
        clock=clock.now,
    )
    with pytest.raises(APITimeoutError, match="no answer within"):
        client.models()


def test_client_401_mid_ingest_raises_and_returns_nothing_partial() -> None:
    hub = FakeHub()
    client = make_client(hub, embed_batch_size=2, embed_concurrency=1)
    hub.fail_next(401, native=True, code="paas-auth-1", message="token expired")
    with pytest.raises(AuthenticationError):
        client.embeddings([f"t{i}" for i in range(6)], model=EMBED_MODEL)
    assert hub.count("/v1/embeddings") == 1
    assert len(client.embeddings([f"t{i}" for i in range(6)], model=EMBED_MODEL)) == 6


def test_client_token_never_in_reprs_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    hub = FakeHub()
    settings = Settings(api_token=TOKEN, base_url="http://hub.test/v1", max_retries=1)
    client = ModelHubClient(
        hub_config(settings), transport=httpx.MockTransport(hub.handle), sleep=lambda s: None
    )
    hub.fail_next(500, message=f"bad token {TOKEN} echoed", times=2)
    with pytest.raises(ServerError) as caught:
        client.models()
    hub.fail_next(400, native=True, message=f"Bearer {TOKEN} rejected", code=f"x-{TOKEN}")
    with pytest.raises(BadRequestError) as caught_native:
        client.models()
    texts = [
        str(caught.value),
        repr(caught.value),
        str(caught_native.value),
        repr(caught_native.value),
        str(caught_native.value.code),
        repr(client),
        repr(settings),
        str(settings),
        caplog.text,
    ]
    assert caplog.records, "the client logged nothing to check"
    for text in texts:
        assert TOKEN not in text
    assert hub.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


# --- Streams -------------------------------------------------------------------------------------


def test_client_stream_broken_midway_raises_stream_error() -> None:
    hub = FakeHub()
    hub.break_stream(after=2)
    stream = make_client(hub).chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=64)
    with pytest.raises(APIStreamError, match="stream broke after 2 events"):
        list(stream)


def test_client_stream_error_event_raised_with_server_message() -> None:
    hub = FakeHub()
    hub.error_in_stream(after=1)
    with pytest.raises(APIStreamError, match="mid-stream: the model crashed"):
        list(make_client(hub).chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=64))


def test_client_stream_status_error_before_first_delta_is_retried() -> None:
    hub = FakeHub()
    hub.fail_next(503)
    items = list(make_client(hub).chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=64))
    assert items[-1] == ChatDelta(finish_reason="stop")
    assert hub.count() == 2


def test_client_stream_wrong_content_type_is_stream_error() -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<html/>")

    client = ModelHubClient(
        hub_config(Settings(base_url="http://hub.test/v1")), transport=httpx.MockTransport(html)
    )
    with pytest.raises(APIStreamError, match="expected text/event-stream, got text/html"):
        list(client.chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=8))


def test_client_stream_without_finish_or_done_is_stream_error() -> None:
    def cut(request: httpx.Request) -> httpx.Response:
        chunk = b'data: {"choices": [{"index": 0, "delta": {"content": "Hal"}}]}\n\n'
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=chunk)

    client = ModelHubClient(
        hub_config(Settings(base_url="http://hub.test/v1")), transport=httpx.MockTransport(cut)
    )
    with pytest.raises(APIStreamError, match="ended after 1 events without finishing"):
        list(client.chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=8))


def test_client_stream_closed_when_consumer_stops_early() -> None:
    closed = []

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Any:
            for word in ["a", "b", "c"]:
                event = {"choices": [{"index": 0, "delta": {"content": word}}]}
                yield f"data: {json.dumps(event)}\n\n".encode()

        def close(self) -> None:
            closed.append(True)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Body())

    client = ModelHubClient(
        hub_config(Settings(base_url="http://hub.test/v1")), transport=httpx.MockTransport(handler)
    )
    stream = client.chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=8)
    assert next(stream) == ChatDelta(content="a")
    stream.close()
    assert closed == [True]


def test_client_stream_stalled_raises_timeout_over_real_http() -> None:
    hub = FakeHub()
    hub.stall_stream(after=2, seconds=2.0)
    with serve(hub) as base_url:
        client = ModelHubClient(
            hub_config(Settings(base_url=base_url, read_timeout=0.3, max_retries=0))
        )
        stream = client.chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=64)
        with pytest.raises(APITimeoutError, match=r"stream stalled: no data for 0\.3 s"):
            list(stream)
        client.close()


def test_client_stream_broken_over_real_http_is_stream_error() -> None:
    hub = FakeHub()
    hub.break_stream(after=3)
    with (
        serve(hub) as base_url,
        ModelHubClient(hub_config(Settings(base_url=base_url))) as client,
        pytest.raises(APIStreamError, match="stream broke after 3 events"),
    ):
        list(client.chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=64))


# --- Waiting for the rate limit ------------------------------------------------------------------


def test_client_chat_stream_announces_wait_before_sleeping() -> None:
    clock = FakeClock()
    order: list[Any] = []

    def sleep(seconds: float) -> None:
        order.append(("sleep", seconds))
        clock.sleep(seconds)

    hub = FakeHub(clock=clock.now)
    client = make_client(hub, clock, sleep=sleep, rate_limit_burst=2)
    for _ in range(2):
        client.embeddings(["fill"], model=EMBED_MODEL)
    for item in client.chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=8):
        order.append(item)
    waits = [i for i, item in enumerate(order) if isinstance(item, RateLimitWait)]
    assert len(waits) == 1 and order[waits[0]].seconds >= 1.0
    assert order[waits[0] + 1] == ("sleep", order[waits[0]].seconds)  # announced, then slept
    assert all(s < 1.0 for kind, s in order[: waits[0]] if kind == "sleep")
    assert isinstance(order[-1], ChatDelta)


def test_client_chat_stream_announces_retry_after_of_429() -> None:
    clock = FakeClock()
    hub = FakeHub()
    hub.fail_next(429, retry_after=4)
    items = list(make_client(hub, clock).chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=8))
    assert items[0] == RateLimitWait(pytest.approx(4.0))
    assert sum(clock.sleeps) == pytest.approx(4.0)


def test_client_learns_limits_from_headers_and_stays_under_them() -> None:
    clock = FakeClock()
    hub = FakeHub(clock=clock.now, rate_limit=60, burst=3)
    client = make_client(hub, clock, embed_batch_size=1, embed_concurrency=1)
    client.embeddings([f"text {i}" for i in range(30)], model=EMBED_MODEL)
    assert (client.limiter.per_minute, client.limiter.burst) == (60, 3)
    assert hub.limited == 0
    assert clock.time - 1000.0 >= 9 * 2.0  # 3 per 2 s: ten windows for 30 requests


# --- Issue 10, item 10: what messages may show ------------------------------------------------


@pytest.mark.parametrize("at", [250, 290, 298, 299])
def test_client_token_near_the_cut_is_redacted_before_truncation(at: int) -> None:
    """The message was cut to 300 characters first: a token starting near the cut survived."""
    hub = FakeHub()
    hub.fail_next(400, message="x" * at + TOKEN + " trailing words")
    with pytest.raises(BadRequestError) as caught:
        make_client(hub).models()
    message = str(caught.value)
    for size in range(12, len(TOKEN) + 1):  # no piece of the token long enough to matter
        assert TOKEN[:size] not in message


def test_client_credentials_in_the_base_url_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    url = "http://alice:s3cret-pw@hub.test/v1"
    client = ModelHubClient(
        hub_config(Settings(api_token=TOKEN, base_url=url, max_retries=1)),
        transport=httpx.MockTransport(refuse),
        sleep=lambda s: None,
        jitter=lambda: 0.0,
    )
    with pytest.raises(APIConnectionError) as caught:
        client.models()
    shown = [str(caught.value), repr(client), caplog.text]
    assert "cannot reach http://***@hub.test/v1" in shown[0]
    assert all("s3cret-pw" not in text and "alice" not in text for text in shown)
    remote = Settings(_env_file=None, base_url=url)  # type: ignore[call-arg]
    assert "s3cret-pw" not in remote.describe_backend()


def test_client_connection_retries_are_announced_with_the_wait(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Retries to an unreachable server were silent (20 s of nothing)."""
    caplog.set_level(logging.WARNING)
    calls = []

    def refuse_twice(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) <= 2:
            raise httpx.ConnectError("connection refused")
        return FakeHub().handle(request)

    clock = FakeClock()
    client = ModelHubClient(
        hub_config(Settings(api_token=TOKEN, base_url="http://hub.test/v1", max_retries=3)),
        transport=httpx.MockTransport(refuse_twice),
        sleep=clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.0,
    )
    items = list(client.chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=8))
    waits = [item for item in items if isinstance(item, RateLimitWait)]
    assert len(waits) == 2
    assert all("cannot reach http://hub.test/v1 (ConnectError)" in w.retry for w in waits)
    assert [w.seconds for w in waits] == clock.sleeps[: len(waits)]
    retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert len(retries) == 2 and "retry 1 in" in retries[0] and "retry 2 in" in retries[1]
    assert isinstance(items[-1], ChatDelta)
