"""`rag hash-password`: from a pipe or, without echo, from a terminal; the hash it prints is
what the settings accept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.cli import passwords
from app.cli.main import main
from core.passwords import verify_password
from core.settings import load_settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_hash_password_from_a_pipe_is_accepted_by_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setattr("sys.stdin", io.StringIO("Sommer 2026!\n"))
    assert main(["hash-password"]) == 0
    stored = capsys.readouterr().out.strip()
    assert verify_password(stored, "Sommer 2026!") and "Sommer" not in stored
    monkeypatch.setenv("RAG_AUTH_USERS", f'{{"alice": "{stored}"}}')
    assert "alice" in load_settings().auth_users


@pytest.mark.parametrize(
    ("typed", "code", "says"),
    # "!" never occurs in an argon2 hash ($, base64, digits), so finding "pW!" can only be a leak;
    # "pW" alone turned up inside a hash's random salt now and then.
    [
        (["pw!", "pw!"], 0, ""),
        (["pw!", "pW!"], 2, "the two passwords differ"),
        (["", ""], 2, "empty"),
    ],
)
def test_cli_hash_password_from_a_terminal_asks_twice_without_echo(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    typed: list[str],
    code: int,
    says: str,
) -> None:
    answers = iter(typed)
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr(passwords.getpass, "getpass", lambda prompt: next(answers))
    assert main(["hash-password"]) == code
    out, err = capsys.readouterr()
    assert says in err and "pW!" not in out + err
    assert (out.startswith("$argon2id$") and verify_password(out.strip(), "pw!")) == (code == 0)
