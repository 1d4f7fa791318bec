"""ModelHubClient operations against the fake hub; every request body checked against the spec."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from app.build import hub_config
from core.errors import BadRequestError, ConfigError
from core.ports import ChatDelta, Priority, RateLimitWait
from core.settings import Settings
from hub.client import ModelHubClient
from hub.wire import ChatCompletionChunk
from tests.fakes.fake_hub import PNG_1X1, FakeClock, FakeHub
from tests.fakes.hub_replies import hash_vector
from tests.fakes.hub_spec import request_errors

CHAT_MODEL = "meta-llama/Llama-3.3-70B-Instruct"
EMBED_MODEL = "BAAI/bge-m3"
SOURCES = (
    "Answer from the sources.\n\nSources:\n"
    "[1] handbook.pdf, page 2\nStaff get 25 vacation days. Carry-over is capped.\n\n"
    "[2] faq.md\nThe office opens at nine."
)
MESSAGES = [{"role": "system", "content": SOURCES}, {"role": "user", "content": "Vacation?"}]


def make_client(hub: FakeHub, clock: FakeClock | None = None, **settings: Any) -> ModelHubClient:
    clock = clock or FakeClock()
    return ModelHubClient(
        hub_config(Settings(api_token="tok-123", base_url="http://hub.test/v1", **settings)),
        transport=httpx.MockTransport(hub.handle),
        sleep=clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.0,
    )


def sent_bodies(hub: FakeHub, path: str) -> list[Any]:
    return [r.body for r in hub.requests if r.path == path]


def assert_spec_valid(hub: FakeHub) -> None:
    assert hub.requests, "no request was sent"
    for record in hub.requests:
        if record.method == "POST":
            assert request_errors(record.path, record.body) == [], record.body
    assert hub.invalid == []


CHAT_OPTIONS = [
    {},
    {"n": 2},
    {"stop": "\n\n"},
    {"stop": ["END", "STOP"]},
    {"presence_penalty": 0.5, "frequency_penalty": 0.3},
    {"logit_bias": {"1234": -100}},
    {"user": "user-42"},
    {"top_p": 0.9},
    {"response_format": {"type": "text"}},
    {"response_format": {"type": "json_object"}},
    {
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": "answer",
                "schema": {"type": "object", "additionalProperties": False},
                "strict": True,
            },
        }
    },
    {
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "search",
                    "description": "Search the documents",
                    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
                },
            }
        ],
        "tool_choice": "auto",
    },
    {
        "tools": [{"type": "function", "function": {"name": "search"}}],
        "tool_choice": {"type": "function", "function": {"name": "search"}},
    },
]


@pytest.mark.parametrize("options", CHAT_OPTIONS, ids=lambda o: ",".join(o) or "plain")
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_client_chat_options_bodies_follow_spec(options: dict[str, Any], stream: bool) -> None:
    hub = FakeHub()
    client = make_client(hub)
    if stream:
        items = list(client.chat_chunks(MESSAGES, model=CHAT_MODEL, max_tokens=64, **options))
        assert items and all(isinstance(i, ChatCompletionChunk) for i in items)
    else:
        assert client.chat(MESSAGES, model=CHAT_MODEL, max_tokens=64, temperature=0.1, **options)
    assert_spec_valid(hub)
    body = sent_bodies(hub, "/v1/chat/completions")[0]
    assert body["max_tokens"] == 64
    assert body.get("stream") is (True if stream else None)
    for key, value in options.items():
        assert body[key] == ([value] if key == "stop" and isinstance(value, str) else value)


def test_client_chat_multimodal_parts_follow_spec() -> None:
    hub = FakeHub()
    data_url = "data:image/png;base64," + base64.b64encode(PNG_1X1).decode()
    content = [
        {"type": "text", "text": "What is in these images?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
        {"type": "image_url", "image_url": {"url": data_url, "detail": "low"}},
    ]
    make_client(hub).chat([{"role": "user", "content": content}], model=CHAT_MODEL, max_tokens=32)
    assert_spec_valid(hub)
    assert sent_bodies(hub, "/v1/chat/completions")[0]["messages"][0]["content"] == content


def test_client_chat_tool_round_trip_returns_tool_calls_and_sends_tool_message() -> None:
    hub = FakeHub()
    client = make_client(hub)
    tools = [{"type": "function", "function": {"name": "search"}}]
    first = client.chat(MESSAGES, model=CHAT_MODEL, max_tokens=64, tools=tools)
    call = first.choices[0].message.tool_calls[0]
    assert (call.function.name, first.choices[0].finish_reason) == ("search", "tool_calls")
    follow_up = [
        *MESSAGES,
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": "25 days"},
    ]
    second = client.chat(follow_up, model=CHAT_MODEL, max_tokens=64, tools=tools)
    assert second.choices[0].message.tool_calls is None
    assert_spec_valid(hub)


def test_client_chat_stream_tool_call_deltas_merge_to_arguments() -> None:
    hub = FakeHub()
    tools = [{"type": "function", "function": {"name": "search"}}]
    chunks = list(
        make_client(hub).chat_chunks(MESSAGES, model=CHAT_MODEL, max_tokens=64, tools=tools)
    )
    deltas = [
        call
        for c in chunks
        if isinstance(c, ChatCompletionChunk)
        for choice in c.choices
        for call in choice.delta.tool_calls or []
    ]
    assert deltas[0].id == "call_1" and deltas[0].function.name == "search"
    arguments = "".join(d.function.arguments or "" for d in deltas if d.function)
    assert arguments == '{"query": "Vacation?"}'


def test_client_chat_stream_yields_cited_answer_then_finish() -> None:
    hub = FakeHub()
    items = list(make_client(hub).chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=64))
    assert all(isinstance(i, ChatDelta) for i in items)
    assert "".join(i.content for i in items) == "Staff get 25 vacation days. [1]"
    assert items[-1].finish_reason == "stop"


def test_client_chat_stream_reasoning_kept_apart_from_content() -> None:
    hub = FakeHub(reasoning=True)
    items = list(make_client(hub).chat_stream(MESSAGES, model="openai/gpt-oss-120b", max_tokens=64))
    reasoning = "".join(i.reasoning for i in items if isinstance(i, ChatDelta))
    content = "".join(i.content for i in items if isinstance(i, ChatDelta))
    assert reasoning == "Let me look at the numbered sources first."
    assert content == "Staff get 25 vacation days. [1]"


def test_client_chat_refusal_is_returned() -> None:
    hub = FakeHub()
    hub.refusal = "I can't help with that."
    client = make_client(hub)
    whole = client.chat(MESSAGES, model=CHAT_MODEL, max_tokens=64)
    assert whole.choices[0].message.refusal == "I can't help with that."
    streamed = "".join(
        d.content
        for d in client.chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=64)
        if isinstance(d, ChatDelta)
    )
    assert streamed == "I can't help with that."


def test_client_chat_text_and_usage() -> None:
    hub = FakeHub()
    client = make_client(hub)
    assert client.chat_text(MESSAGES, model=CHAT_MODEL, max_tokens=64) == (
        "Staff get 25 vacation days. [1]"
    )
    usage = client.chat(MESSAGES, model=CHAT_MODEL, max_tokens=64).usage
    assert usage is not None and usage.completion_tokens == 6
    assert sent_bodies(hub, "/v1/chat/completions")[0]["temperature"] == 0.0


def test_client_chat_max_tokens_cuts_with_length_reason() -> None:
    hub = FakeHub()
    result = make_client(hub).chat(MESSAGES, model=CHAT_MODEL, max_tokens=2)
    assert result.choices[0].finish_reason == "length"
    assert result.text == "Staff get"


def test_client_chat_unknown_option_is_config_error() -> None:
    with pytest.raises(ConfigError, match="seedling"):
        make_client(FakeHub()).chat(MESSAGES, model=CHAT_MODEL, max_tokens=8, seedling=1)


@pytest.mark.parametrize("options", [{}, {"stop": "."}, {"n": 2, "user": "u", "top_p": 0.5}])
def test_client_completions_whole_and_streamed_follow_spec(options: dict[str, Any]) -> None:
    hub = FakeHub(chat_reply=lambda messages: "the end. Really.")
    client = make_client(hub)
    whole = client.completions("Once upon a time", model=CHAT_MODEL, max_tokens=16, **options)
    streamed = "".join(
        d.content
        for d in client.completion_stream("Once", model=CHAT_MODEL, max_tokens=16, **options)
        if isinstance(d, ChatDelta)
    )
    assert whole.text == streamed == ("the end" if options.get("stop") else "the end. Really.")
    assert_spec_valid(hub)


@pytest.mark.parametrize("inputs", ["one string", ["a list", "of", "three"]])
def test_client_embeddings_string_or_list_in_input_order(inputs: str | list[str]) -> None:
    hub = FakeHub()
    vectors = make_client(hub).embeddings(inputs, model=EMBED_MODEL)
    texts = [inputs] if isinstance(inputs, str) else inputs
    assert vectors == [hash_vector(t, 64) for t in texts]  # the fake answers in reverse order
    assert sent_bodies(hub, "/v1/embeddings")[0]["input"] == inputs
    assert_spec_valid(hub)


def test_client_embeddings_batched_by_count_and_tokens() -> None:
    hub = FakeHub()
    client = make_client(hub, embed_batch_size=4, embed_batch_tokens=256, embed_concurrency=1)
    texts = [f"chunk number {i}" for i in range(10)] + ["word " * 300, "tail"]
    vectors = client.embeddings(texts, model=EMBED_MODEL)
    assert vectors == [hash_vector(t, 64) for t in texts]
    sizes = [len(b["input"]) for b in sent_bodies(hub, "/v1/embeddings")]
    assert sizes == [4, 4, 2, 1, 1]


def test_client_embeddings_parallel_batches_keep_order() -> None:
    hub = FakeHub()
    client = make_client(hub, embed_batch_size=3, embed_concurrency=4)
    texts = [f"text {i} about {i * 7}" for i in range(40)]
    assert client.embeddings(texts, model=EMBED_MODEL) == [hash_vector(t, 64) for t in texts]
    assert hub.count("/v1/embeddings") == 14


def test_client_embeddings_empty_list_sends_nothing() -> None:
    hub = FakeHub()
    assert make_client(hub).embeddings([], model=EMBED_MODEL) == []
    assert hub.requests == []


@pytest.mark.parametrize("size", ["1024*1024", "1792*1024", "1024x1792"])
def test_client_images_decodes_base64(size: str) -> None:
    hub = FakeHub()
    images = make_client(hub).images(
        "a cat", model="black-forest-labs/FLUX.1-schnell", size=size, n=2
    )
    assert images == [PNG_1X1, PNG_1X1]
    assert sent_bodies(hub, "/v1/images/generations")[0]["size"] == size.replace("x", "*")
    assert_spec_valid(hub)


def test_client_images_bad_size_refused_before_sending() -> None:
    hub = FakeHub()
    with pytest.raises(ConfigError, match="1792\\*1024"):
        make_client(hub).images("a cat", model="black-forest-labs/FLUX.1-schnell", size="512*512")
    assert hub.requests == []


def test_client_models_cached_then_refreshed() -> None:
    hub = FakeHub()
    clock = FakeClock()
    client = make_client(hub, clock)
    assert "BAAI/bge-m3" in client.models()
    client.models()
    assert hub.count("/v1/models") == 1
    clock.time += 301
    client.models()
    assert hub.count("/v1/models") == 2


def test_client_check_model_unknown_suggests_close_name() -> None:
    client = make_client(FakeHub())
    client.check_model(CHAT_MODEL)
    with pytest.raises(ConfigError, match=r"Did you mean 'meta-llama/Llama-3\.3-70B-Instruct'"):
        client.check_model("meta-llama/Llama-3.3-70B-instruct-v2")


def test_client_rerank_best_first_and_top_n() -> None:
    hub = FakeHub()
    docs = ["the office opens at nine", "vacation days are 25", "vacation days carry over"]
    ranked = make_client(hub).rerank(
        "vacation days", docs, model="Qwen/Qwen3-VL-Reranker-8B", top_n=2
    )
    assert [index for index, _ in ranked] == [1, 2]
    assert ranked[0][1] >= ranked[1][1]
    assert sent_bodies(hub, "/v1/rerank")[0]["top_n"] == 2
    assert_spec_valid(hub)


def test_client_chat_stream_interactive_priority_by_default() -> None:
    hub = FakeHub()
    client = make_client(hub)
    items = list(
        client.chat_stream(MESSAGES, model=CHAT_MODEL, max_tokens=8, priority=Priority.BULK)
    )
    assert not any(isinstance(i, RateLimitWait) for i in items)
    assert hub.requests[0].headers["authorization"] == "Bearer tok-123"


def test_client_behind_the_remote_adapters() -> None:
    from hub.adapters import RemoteChat, RemoteEmbedder

    hub = FakeHub(embed_dim=32)
    client = make_client(hub)
    embedder = RemoteEmbedder(client, EMBED_MODEL)
    assert embedder.dim == 32
    assert embedder.embed_documents(["a b", "c"]) == [hash_vector("a b", 32), hash_vector("c", 32)]
    chat = RemoteChat(client, model=CHAT_MODEL, max_tokens=77, temperature=0.2)
    answer = "".join(d.content for d in chat.stream_chat(MESSAGES) if isinstance(d, ChatDelta))
    assert answer == "Staff get 25 vacation days. [1]"
    assert chat.complete_chat(MESSAGES, max_tokens=5) == "Staff get 25 vacation days."
    bodies = sent_bodies(hub, "/v1/chat/completions")
    assert [b["max_tokens"] for b in bodies] == [77, 5]


def test_client_embeddings_failure_stops_the_remaining_batches() -> None:
    hub = FakeHub()
    hub.fail_next(400, message="input too long", path="/v1/embeddings")
    client = make_client(hub, embed_batch_size=1, embed_concurrency=2)
    with pytest.raises(BadRequestError, match="input too long"):
        client.embeddings([f"text {i}" for i in range(50)], model=EMBED_MODEL)
    assert hub.count("/v1/embeddings") < 50


def test_hub_config_repr_leaves_the_token_out() -> None:
    config = hub_config(Settings(api_token="tok-123", base_url="http://hub.test/v1"))
    assert config.token == "tok-123"
    assert "tok-123" not in repr(config)
