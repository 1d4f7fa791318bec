from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from app.checks import check_settings
from core.errors import ConfigError
from core.settings import IONOS_BASE_URL, Backend, Settings, load_settings
from tests.conftest import make_settings

TOKEN = "eyJhbGciOiJIUzI1NiJ9.secret-payload.signature"


def test_settings_without_token_resolve_to_local(tmp_path: Path) -> None:
    assert make_settings(tmp_path, backend=Backend.AUTO).resolved_backend is Backend.LOCAL


def test_settings_with_token_resolve_to_remote(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, backend=Backend.AUTO, api_token=SecretStr(TOKEN))
    assert settings.resolved_backend is Backend.REMOTE
    assert "IONOS AI Model Hub" in settings.describe_backend()


def test_settings_with_local_server_url_need_no_token(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, backend=Backend.AUTO, base_url="http://127.0.0.1:8000/v1/")
    assert settings.resolved_backend is Backend.REMOTE
    assert settings.base_url == "http://127.0.0.1:8000/v1"
    check_settings(settings)  # no token needed for a non-IONOS server


def test_settings_remote_ionos_without_token_fails_with_one_line(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, backend=Backend.REMOTE, base_url=IONOS_BASE_URL)
    with pytest.raises(ConfigError, match="IONOS_API_TOKEN") as info:
        check_settings(settings)
    assert "\n" not in str(info.value)


def test_settings_bad_url_scheme_is_rejected(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, backend=Backend.REMOTE, base_url="127.0.0.1:8000/v1")
    with pytest.raises(ConfigError, match="http://"):
        check_settings(settings)


def test_settings_token_never_in_repr_or_dump(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, api_token=SecretStr(TOKEN))
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings.model_dump())
    assert TOKEN not in settings.describe_backend()


def test_settings_read_env_file_and_treat_empty_as_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("IONOS_API_TOKEN", "RAG_QDRANT_URL", "RAG_TOP_K", "IONOS_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    env = tmp_path / ".env"
    env.write_text(f"IONOS_API_TOKEN={TOKEN}\nRAG_QDRANT_URL=\nRAG_TOP_K=9\n", encoding="utf-8")
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.api_token is not None and settings.api_token.get_secret_value() == TOKEN
    assert settings.qdrant_url is None
    assert settings.top_k == 9


def test_load_settings_invalid_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_TOP_K", "many")
    with pytest.raises(ConfigError, match="RAG_TOP_K"):
        load_settings()


def test_load_settings_invalid_aliased_value_names_its_ionos_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAG_CONNECT_TIMEOUT", "-1")
    monkeypatch.setenv("IONOS_API_TOKEN", "x")
    with pytest.raises(ConfigError, match="RAG_CONNECT_TIMEOUT"):
        load_settings()
    assert Settings.env_name("base_url") == "IONOS_BASE_URL"
    assert Settings.env_name("IONOS_BASE_URL") == "IONOS_BASE_URL"
    assert Settings.env_name("top_k") == "RAG_TOP_K"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("RAG_TOP_K", "abc", "valid integer"),
        ("RAG_AUTH_USERS", "{alice: pw}", "not valid JSON"),
        ("RAG_AUTH_USERS", '{"alice": "her secret"}', "plain-text password; store its hash"),
        ("RAG_AUTH_PASSWORD", "secret123", "(make one with `rag hash-password`)"),
        ("RAG_COLLECTION_ACCESS", "[", "not valid JSON"),
        ("IONOS_API_TOKEN", "tök-secret", "non-ASCII"),
        ("IONOS_API_TOKEN", "tok-secret\x07", "control characters"),
        ("IONOS_API_TOKEN", "tok secret", "spaces"),
    ],
)
def test_load_settings_bad_value_is_one_line_naming_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert str(caught.value).splitlines() == [str(caught.value)]
    assert str(caught.value).startswith(f"{variable}: ") and says in str(caught.value)
    assert "secret" not in str(caught.value)


def test_load_settings_lists_each_problem_on_its_own_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAG_TOP_K", "abc")
    monkeypatch.setenv("RAG_MAX_TOKENS", "0")

    with pytest.raises(ConfigError) as caught:
        load_settings()

    lines = str(caught.value).splitlines()
    assert sorted(line.split(":")[0] for line in lines) == ["RAG_MAX_TOKENS", "RAG_TOP_K"]


def test_load_settings_overrides_by_field_name(tmp_path: Path) -> None:
    assert load_settings(_env_file=None, top_k=9, data_dir=tmp_path).top_k == 9
