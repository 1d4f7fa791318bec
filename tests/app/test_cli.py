"""`rag` as a person meets it: the remote backend end to end, and every failure in one line."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.build import hub_config, remote_chat
from app.cli.main import main
from app.container import Services
from core.errors import ConfigError
from core.settings import IONOS_BASE_URL, Backend
from hub.adapters import RemoteEmbedder
from hub.client import ModelHubClient
from store.qdrant import QdrantStore
from tests.conftest import SAMPLE_DATA, make_settings
from tests.fakes.fake_hub import DEFAULT_MODELS, FakeHub, serve

TOKEN = "eyJhbGciOiJIUzI1NiJ9.cli-test-payload.signature"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory without .env and an environment without the developer's settings."""
    monkeypatch.chdir(tmp_path)
    for name in ("IONOS_API_TOKEN", "IONOS_BASE_URL", "RAG_BACKEND", "RAG_COLLECTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RAG_STORE_PATH", str(tmp_path / "qdrant"))
    monkeypatch.setenv("RAG_EMBED_MODEL", "BAAI/bge-m3")
    monkeypatch.setenv("RAG_CHAT_MODEL", "meta-llama/Llama-3.3-70B-Instruct")
    return tmp_path


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if line.startswith("error:")]
    assert len(errors) == 1, err
    assert "Traceback" not in "\n".join(err)
    return errors[0]


def test_cli_remote_ionos_without_token_explains_in_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_BACKEND", "remote")
    assert main(["ask", "anything"]) == 2
    assert "IONOS_API_TOKEN" in _one_line_error(capsys)


def test_cli_ingest_then_ask_against_a_remote_server(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = FakeHub(token=TOKEN)
    with serve(hub) as base_url:
        monkeypatch.setenv("IONOS_BASE_URL", base_url)
        monkeypatch.setenv("IONOS_API_TOKEN", TOKEN)
        assert main(["ingest", str(SAMPLE_DATA)]) == 0
        assert main(["ask", "How many vacation days do full-time employees get?"]) == 0

    out = capsys.readouterr().out
    assert "[1]" in out and "employee-handbook.pdf" in out
    chats = [r for r in hub.requests if r.path.endswith("/chat/completions")]
    assert chats and chats[-1].body["stream"] is True
    assert chats[-1].body["max_tokens"] == 1024  # never the API's default of 16


def test_cli_caps_the_heap_arenas_once_as_it_builds_its_services(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    capped: list[int] = []
    monkeypatch.setattr("store.residency.cap_heap_arenas", lambda: capped.append(1) or True)
    hub = FakeHub(token=TOKEN)
    with serve(hub) as base_url:
        monkeypatch.setenv("IONOS_BASE_URL", base_url)
        monkeypatch.setenv("IONOS_API_TOKEN", TOKEN)
        assert main(["ingest", str(SAMPLE_DATA)]) == 0

    assert capped == [1]  # before the ingest's threads: glibc's arenas per thread, capped


def test_cli_expired_token_fails_fast_in_one_line_without_the_token(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = FakeHub(token="the-real-token")
    with serve(hub) as base_url:
        monkeypatch.setenv("IONOS_BASE_URL", base_url)
        monkeypatch.setenv("IONOS_API_TOKEN", TOKEN)
        assert main(["ingest", str(SAMPLE_DATA)]) != 0

    captured = capsys.readouterr()
    assert "token invalid or expired" in (captured.err + captured.out)
    assert TOKEN not in captured.err + captured.out
    assert hub.count("/v1/models") + hub.count("/v1/embeddings") <= 2  # 401 is never retried


def test_cli_wrong_base_url_explains_in_one_line(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IONOS_BASE_URL", "http://127.0.0.1:9/v1")  # discard port: refused
    monkeypatch.setenv("RAG_MAX_RETRIES", "0")
    assert main(["ask", "anything"]) == 2
    assert "127.0.0.1:9" in _one_line_error(capsys)


def test_services_check_models_on_ionos_suggests_the_close_name(tmp_path: Path) -> None:
    hub = FakeHub()
    settings = make_settings(
        tmp_path, backend=Backend.REMOTE, base_url=IONOS_BASE_URL, api_token=SecretStr(TOKEN),
        chat_model="meta-llama/Llama-3.2-70B-Instruct", embed_model="BAAI/bge-m3",
    )  # fmt: skip
    client = ModelHubClient(hub_config(settings), transport=httpx.MockTransport(hub.handle))
    services = Services(
        settings=settings,
        store=QdrantStore.local(),
        embedder=RemoteEmbedder(client, settings.embed_model),
        chat=remote_chat(client, settings),
        client=client,
        _closers=[client],
    )
    try:
        assert "meta-llama/Llama-3.3-70B-Instruct" in DEFAULT_MODELS
        with pytest.raises(
            ConfigError, match=re.escape("Did you mean 'meta-llama/Llama-3.3-70B-Instruct'")
        ):
            services.check_models()
    finally:
        services.close()


BAD_SETTINGS = [
    ("RAG_TOP_K", "abc"),
    ("RAG_AUTH_USERS", '{"alice": "her password"'),  # malformed JSON
    ("RAG_COLLECTION_ACCESS", '{"hr": ["alice"]]'),
    ("IONOS_API_TOKEN", "eyJhbGciOi“secret”.payload"),  # typographic quotes from copying
    ("IONOS_API_TOKEN", "eyJhbGciOi secret.payload"),
]


@pytest.mark.parametrize(("variable", "value"), BAD_SETTINGS)
def test_cli_bad_setting_is_one_line_naming_its_variable(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv(variable, value)

    assert main(["ask", "anything"]) == 2
    line = _one_line_error(capsys)

    assert line.startswith(f"error: {variable}: ")
    assert "secret" not in line


def test_cli_unreachable_server_retries_announced_without_credentials(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10, item 10: retries were silent, and `user:pass@` in the URL was printed back."""
    monkeypatch.setenv("IONOS_BASE_URL", "http://alice:s3cret-pw@127.0.0.1:9/v1")  # refused
    monkeypatch.setenv("RAG_MAX_RETRIES", "2")
    (env / "a.md").write_text("# A\n\nAlpha.", "utf-8")
    assert main(["ingest", "--quiet", str(env / "a.md")]) == 2
    err = capsys.readouterr().err
    retries = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(retries) == 2, err
    assert "cannot reach http://***@127.0.0.1:9/v1 (ConnectError); retry 1 in" in retries[0]
    assert "s3cret-pw" not in err and "alice" not in err
    assert "cannot reach http://***@127.0.0.1:9/v1" in _one_line_error_of(err)


def _one_line_error_of(err: str) -> str:
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    return errors[0]
