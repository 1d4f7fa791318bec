"""Secrets kept out of what a person or a log sees: one function for URLs, one for known secrets.

`redact_url` is how every URL is shown (errors, the banner, log lines, reprs): credentials in
`user:password@` become `***@`, and the values of query parameters that look like secrets
(`token`, `key`, `password`, `signature`…) become `***`. `redact` replaces known secret values
in a message; call it on the whole text before anything shortens it, so a secret cut in half
by truncation cannot survive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<user>[^/?#@\s]*@)")
_SECRET_PARAM = re.compile(
    r"(?P<key>[?&;](?:[\w.-]*(?:token|key|password|passwd|secret|signature|sig|auth)[\w.-]*)=)"
    r"(?P<value>[^&;#\s]*)",
    re.IGNORECASE,
)
MASK = "***"


def redact_url(url: str) -> str:
    """`url` as it may be shown: no `user:password@`, no secret-looking query values."""
    url = _USERINFO.sub(lambda m: f"{m['scheme'] or ''}{MASK}@", url, count=1)
    return _SECRET_PARAM.sub(lambda m: f"{m['key']}{MASK}", url)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each (non-empty) secret replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text
