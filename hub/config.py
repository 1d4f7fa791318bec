"""What the hub client needs to know, and nothing more: `HubConfig`.

`app.build.hub_config` builds it from `core.settings.Settings` (the one place defaults
live); `hub.transport.Transport` and `hub.client.ModelHubClient` read it. The token is kept
out of the repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class HubConfig:
    base_url: str
    connect_timeout: float  # seconds to open a connection
    read_timeout: float  # seconds to wait for an answer, and the longest silence in a stream
    max_retries: int
    retry_budget_seconds: float  # the most a request may spend waiting between retries
    rate_limit_per_minute: int
    rate_limit_burst: int
    embed_batch_size: int  # inputs per embeddings request, at most
    embed_batch_tokens: int  # tokens per embeddings request, at most
    embed_concurrency: int  # embeddings requests in flight at once
    token: str = field(default="", repr=False)  # empty: no Authorization header
