"""The fake Model Hub keeps the contract it stands in for (other tests rely on it)."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from tests.fakes.fake_hub import FakeClock, FakeHub, serve
from tests.fakes.hub_spec import error_validator, response_errors

CHAT = {
    "model": "meta-llama/Llama-3.3-70B-Instruct",
    "max_tokens": 32,
    "messages": [{"role": "user", "content": "hi"}],
}
BODIES: list[tuple[str, dict[str, Any]]] = [
    ("/v1/chat/completions", CHAT),
    (
        "/v1/chat/completions",
        {**CHAT, "n": 2, "tools": [{"type": "function", "function": {"name": "f"}}]},
    ),
    ("/v1/completions", {"model": "openai/gpt-oss-120b", "prompt": "Once", "max_tokens": 8}),
    ("/v1/embeddings", {"model": "BAAI/bge-m3", "input": ["a", "b"]}),
    ("/v1/images/generations", {"model": "black-forest-labs/FLUX.1-schnell", "prompt": "cat"}),
]


def call(hub: FakeHub, method: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
    with httpx.Client(transport=httpx.MockTransport(hub.handle), base_url="http://hub") as client:
        return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("path", "body"), BODIES, ids=[p for p, _ in BODIES])
def test_fake_hub_answers_validate_against_response_schema(path: str, body: dict[str, Any]) -> None:
    response = call(FakeHub(), "POST", path, body)
    assert response.status_code == 200
    assert response_errors(path, response.json()) == []


def test_fake_hub_models_answer_validates() -> None:
    response = call(FakeHub(), "GET", "/v1/models")
    assert response_errors("/v1/models", response.json(), method="get") == []


@pytest.mark.parametrize(
    "body",
    [
        {"model": "meta-llama/Llama-3.3-70B-Instruct", "messages": "hi", "max_tokens": 8},
        {
            "model": "meta-llama/Llama-3.3-70B-Instruct",
            "max_tokens": 8,
            "messages": [{"role": "robot", "content": "hi"}],
        },
        {
            "model": "meta-llama/Llama-3.3-70B-Instruct",
            "messages": [{"role": "user", "content": "hi"}],
        },
        {**CHAT, "stop": "single string"},
    ],
    ids=["messages-not-list", "bad-role", "no-max-tokens", "stop-not-list"],
)
def test_fake_hub_off_spec_request_is_400(body: dict[str, Any]) -> None:
    hub = FakeHub()
    response = call(hub, "POST", "/v1/chat/completions", body)
    assert response.status_code == 400
    assert list(error_validator().iter_errors(response.json())) == []
    assert hub.invalid


def test_fake_hub_token_required_answers_ionos_native_401() -> None:
    hub = FakeHub(token="good")
    response = call(hub, "GET", "/v1/models", authorization="Bearer bad")
    assert response.status_code == 401
    assert response.json() == {
        "httpStatus": 401,
        "messages": [
            {"errorCode": "paas-auth-1", "message": "Unauthorized, wrong or expired token"}
        ],
    }
    assert call(hub, "GET", "/v1/models", authorization="Bearer good").status_code == 200


def test_fake_hub_rate_limit_429_with_retry_after_and_headers() -> None:
    clock = FakeClock()
    hub = FakeHub(rate_limit=300, burst=3, clock=clock.now)
    answers = [call(hub, "GET", "/v1/models") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[3].headers["retry-after"] == "2"
    assert answers[0].headers["x-ratelimit-limit"] == "300"
    assert answers[0].headers["x-ratelimit-burst"] == "3"
    assert list(error_validator().iter_errors(answers[3].json())) == []
    assert hub.limited == 1
    clock.time += 2.0
    assert call(hub, "GET", "/v1/models").status_code == 200


def test_fake_hub_fail_next_shapes_and_path() -> None:
    hub = FakeHub()
    hub.fail_next(503, native=True, code="paas-gw-9", message="down", path="/v1/embeddings")
    assert call(hub, "GET", "/v1/models").status_code == 200
    failed = call(hub, "POST", "/v1/embeddings", {"model": "BAAI/bge-m3", "input": "x"})
    assert failed.status_code == 503
    assert failed.json()["messages"][0]["errorCode"] == "paas-gw-9"
    hub.fail_next(502, body="<html><title>Bad Gateway</title></html>", content_type="text/html")
    page = call(hub, "GET", "/v1/models")
    assert page.status_code == 502 and page.headers["content-type"] == "text/html"


def test_fake_hub_records_requests() -> None:
    hub = FakeHub()
    call(hub, "POST", "/v1/embeddings", {"model": "BAAI/bge-m3", "input": "x"})
    assert hub.count("/v1/embeddings") == 1
    assert hub.requests[0].body == {"model": "BAAI/bge-m3", "input": "x"}
    assert hub.requests[0].status == 200


def test_fake_hub_default_reply_quotes_source_one() -> None:
    system = (
        "Rules [2] here.\n\nSources:\n[1] a.pdf, page 3\nFirst claim here. Second.\n\n[2] b.md\nNo."
    )
    body = {**CHAT, "messages": [{"role": "system", "content": system}, CHAT["messages"][0]]}
    answer = call(FakeHub(), "POST", "/v1/chat/completions", body).json()
    assert answer["choices"][0]["message"]["content"] == "First claim here. [1]"


def test_fake_hub_serve_stops_and_frees_port() -> None:
    hub = FakeHub()
    with serve(hub) as base_url:
        assert base_url.endswith("/v1")
        assert httpx.get(f"{base_url}/models").status_code == 200
    port = urlparse(base_url).port
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_fake_hub_default_reply_cites_the_real_prompt() -> None:
    from core.records import Chunk, ScoredChunk
    from rag.prompt import build_messages

    chunk = Chunk(
        id="c1",
        source="handbook.pdf",
        title="Handbook",
        kind="pdf",
        position=0,
        page_start=2,
        page_end=2,
        text="Staff get 25 vacation days. Carry-over is capped at five days.",
    )
    other = Chunk(id="c2", source="faq.md", title="FAQ", kind="md", position=0, text="Office at 9.")
    messages = build_messages(
        "How many vacation days?", [ScoredChunk(chunk, 0.9), ScoredChunk(other, 0.5)]
    )
    body = {**CHAT, "messages": messages}
    answer = call(FakeHub(), "POST", "/v1/chat/completions", body).json()
    assert answer["choices"][0]["message"]["content"] == "Staff get 25 vacation days. [1]"
