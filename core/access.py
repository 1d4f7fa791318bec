"""Who may sign in, and which collections each person may see and query. Pure.

Sign-in (for the Streamlit app) is optional: named users from `Settings.auth_users`, or one
shared password from `Settings.auth_password`, or nothing. Access lists come from
`Settings.collection_access`, a map from collection to the users allowed to read it:

    {"hr": ["alice", "bob"], "handbook": ["*"], "*": ["admin"]}

A listed collection is readable by its users ("*": by everyone). A collection not listed follows
the "*" entry when there is one, and is open to everyone otherwise. The answer path calls
`Viewer.require` before it retrieves, so a hidden collection cannot be queried either.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.errors import AccessDeniedError
from core.settings import Settings

ANYONE = "*"
SHARED_USER = "user"  # who everybody is after signing in with the shared password


@dataclass(frozen=True, slots=True)
class Viewer:
    """A person using the app: their name (None when nobody signed in) and the access lists."""

    user: str | None
    acl: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def may_read(self, collection: str) -> bool:
        allowed = self.acl.get(collection, self.acl.get(ANYONE))
        if allowed is None:
            return True
        names = {name.casefold() for name in allowed}
        return ANYONE in names or (self.user is not None and self.user.casefold() in names)

    def visible(self, collections: Iterable[str]) -> list[str]:
        return [name for name in collections if self.may_read(name)]

    def require(self, collection: str) -> None:
        if not self.may_read(collection):
            who = self.user or "this session"
            raise AccessDeniedError(f"{who} may not read the collection {collection!r}.")


def viewer_for(settings: Settings, user: str | None) -> Viewer:
    return Viewer(user=user, acl=dict(settings.collection_access))


def login_required(settings: Settings) -> bool:
    return bool(settings.auth_users) or settings.auth_password is not None


def named_logins(settings: Settings) -> bool:
    """Whether sign-in asks for a user name (named users) or only the shared password."""
    return bool(settings.auth_users)


def check_login(settings: Settings, user: str, password: str) -> str | None:
    """The signed-in user's name when the credentials are right, else None.

    Compares in constant time. With only a shared password everybody signs in as `SHARED_USER`
    (a typed name would let anyone claim anyone's access).
    """
    given = password.encode()
    if settings.auth_users:
        for name, secret in settings.auth_users.items():
            if name.casefold() == user.strip().casefold():
                ok = hmac.compare_digest(given, secret.get_secret_value().encode())
                return name if ok else None
        hmac.compare_digest(given, given)  # same work whether or not the name exists
        return None
    if settings.auth_password is not None:
        ok = hmac.compare_digest(given, settings.auth_password.get_secret_value().encode())
        return SHARED_USER if ok else None
    return None
