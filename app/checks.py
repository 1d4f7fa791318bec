"""The settings checked against what they name, so a mistake shows at start-up in one line.

`check_settings` runs before anything is built: a token for IONOS, an http(s) base URL.
Once built, `check_models` asks the server whether it offers the configured models and
`access_rule_warnings` whether the access rules name collections the store has
(`app.container.Services.check_models` and `.access_warnings` call them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from core.access import access_warnings
from core.errors import ConfigError, RagError
from core.ports import VectorStore
from core.redact import redact_url
from core.settings import Backend, Settings

if TYPE_CHECKING:
    from hub.client import ModelHubClient


def check_settings(settings: Settings) -> None:
    """Fail early, in one line, on settings that cannot work."""
    if settings.resolved_backend is Backend.REMOTE:
        if settings.is_ionos and settings.api_token is None:
            raise ConfigError(
                "The IONOS backend needs a token: set IONOS_API_TOKEN (in the environment or "
                ".env), or RAG_BACKEND=local for offline mode."
            )
        if not settings.base_url.startswith(("http://", "https://")):
            raise ConfigError(
                "IONOS_BASE_URL must start with http:// or https:// "
                f"(got {redact_url(settings.base_url)!r})."
            )


def check_models(client: ModelHubClient, names: Sequence[str], *, strict: bool) -> list[str]:
    """Check model `names` against `/v1/models` ("did you mean ...").

    `strict` (IONOS): an unknown name is an error. Other OpenAI-compatible servers often list a
    file path and accept any name (llama.cpp), so there it is returned as a warning instead.
    """
    warnings = []
    for name in names:
        try:
            client.check_model(name)
        except ConfigError as error:
            if strict:
                raise
            warnings.append(str(error))
    return warnings


def access_rule_warnings(acl: Mapping[str, Sequence[str]], store: VectorStore) -> list[str]:
    """The access rules that name no collection in `store` (`core.access.access_warnings`)."""
    if not acl:
        return []
    try:
        names = store.collections()
    except RagError as error:
        return [f"Could not check the access lists against the collections: {error}"]
    return access_warnings(acl, names)
