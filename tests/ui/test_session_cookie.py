"""The sign-in cookie: set (a signed token, never the password) on the run after a sign-in,
cleared and revoked on sign-out; the secret is the owner's alone; a revoked id stays revoked."""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path

from app.container import Services
from app.ui import session
from core.settings import Settings
from tests.fakes.passwords import hashed
from tests.ui.conftest import start_app

ServicesFactory = Callable[..., Services]
TOKEN = re.compile(r'"rag_session=([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+); path=/; max-age=(\d+)')


def _scripts(at: object) -> list[str]:
    return [h.proto.body for h in at.get("html")]  # type: ignore[attr-defined]


def test_session_cookie_set_after_sign_in_and_cleared_and_revoked_on_sign_out(
    services_factory: ServicesFactory,
) -> None:
    services = services_factory(auth_users={"alice": hashed("a-pass")})
    settings = services.settings
    at = start_app(services)
    at.text_input[0].set_value("alice")
    at.text_input[1].set_value("a-pass")
    at = at.button[0].click().run()
    assert at.chat_input and not at.error
    [script] = _scripts(at)
    found = TOKEN.search(script)
    assert found and int(found.group(2)) > 0
    assert "a-pass" not in script
    signed = session.signer(settings).verify(
        found.group(1), idle_seconds=60, binding=lambda u: session.binding(settings, u)
    )
    assert signed is not None and signed.user == "alice"
    at.run()
    assert not _scripts(at)  # set once, not on every run

    at.sidebar.button(key="rag_sign_out").click().run()
    assert not at.chat_input
    assert any('"rag_session=; path=/; max-age=0' in s for s in _scripts(at))
    assert session.revoked(settings, signed.sid)
    secret = settings.data_dir / session.SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_session_binding_follows_users_and_passwords(tmp_path: Path) -> None:
    named = Settings(_env_file=None, data_dir=tmp_path, auth_users={"alice": hashed("a")})  # type: ignore[call-arg]
    assert session.binding(named, "alice") is not None
    assert session.binding(named, "mallory") is None
    shared = Settings(_env_file=None, data_dir=tmp_path, auth_password=hashed("p"))  # type: ignore[call-arg]
    assert session.binding(shared, "user") is not None
    assert session.binding(shared, "alice") is None


def test_session_revocations_kept_across_calls_and_secret_stable(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")  # type: ignore[call-arg]
    assert not session.revoked(settings, "sid-1")
    session.revoke(settings, "sid-1")
    session.revoke(settings, "sid-2")
    assert session.revoked(settings, "sid-1") and session.revoked(settings, "sid-2")
    assert not session.revoked(settings, "sid-3")
    first = session.signer(settings).issue("alice", "fp")
    again = session.signer(settings)
    assert again.verify(first, idle_seconds=60, binding=lambda u: "fp") is not None


def test_session_cookie_script_takes_only_tokens() -> None:
    import pytest

    with pytest.raises(ValueError):
        session.cookie_script('x"; alert(1); "', max_age=10)
    assert "max-age=0" in session.cookie_script(None, max_age=10)
