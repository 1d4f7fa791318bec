"""`.env.example` documents every setting, and only real ones."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from core.settings import Settings
from tests.conftest import REPO


def test_env_example_names_every_setting_and_nothing_else() -> None:
    text = (REPO / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    expected = {Settings.env_name(field) for field in Settings.model_fields}
    assert documented == expected, (
        f"missing: {sorted(expected - documented)}; unknown: {sorted(documented - expected)}"
    )


def test_env_example_copied_to_env_loads_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith(("RAG_", "IONOS_")):
            monkeypatch.delenv(name)
    env = tmp_path / ".env"
    shutil.copy(REPO / ".env.example", env)

    loaded = Settings(_env_file=env)  # type: ignore[call-arg]

    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert loaded.model_dump() == defaults.model_dump()
