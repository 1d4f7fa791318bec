"""Who may sign in, and which collections each person may see, query and preview. Pure.

Sign-in (for the Streamlit app) is optional: named users from `Settings.auth_users`, or one
shared password from `Settings.auth_password`, or nothing. Access lists come from
`Settings.collection_access`, a map from collection to the users allowed to read it:

    {"hr": ["alice", "bob"], "handbook": ["*"], "*": ["carol"]}

`Viewer` is the one place that decides. Every read asks it, keyed by the exact collection name:
the answer path (`Viewer.require` before retrieving), the page preview (before a file is even
looked for), the collection list (`Viewer.visible`) and the upload target. The rules:

- No access lists configured: everybody reads everything (a single-team instance).
- Access lists configured, the policy fails closed:
  - a listed collection is readable by its users ("*" in its list: by everyone);
  - a collection not listed is readable by the users of the "*" entry, and by nobody else;
  - keys are exact: "Finance" does not grant "finance" (`access_warnings` points at such keys);
- Admins (`Settings.admins`, RAG_ADMINS) read every collection, and see the start-up warnings.
- The operator (the CLI, run by whoever runs the instance) reads everything and says so.
- A name that is not a valid collection name (`core.names`) is readable by nobody.

User names compare without case (people type them); collection names never do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.errors import AccessDeniedError
from core.names import valid_collection_name
from core.passwords import burn_time, verify_password
from core.settings import Settings

ANYONE = "*"
SHARED_USER = "user"  # who everybody is after signing in with the shared password
OPERATOR = "operator"  # who the CLI runs as
OPERATOR_NOTICE = (
    "Running as the operator: every collection is readable (access lists apply to the app)."
)


@dataclass(frozen=True, slots=True)
class Viewer:
    """A person using the product: their name (None when nobody signed in) and the policy."""

    user: str | None
    acl: Mapping[str, Sequence[str]] = field(default_factory=dict)
    admins: frozenset[str] = frozenset()
    operator: bool = False

    @classmethod
    def as_operator(cls) -> Viewer:
        """The CLI's viewer: whoever runs the instance, allowed every collection."""
        return cls(user=OPERATOR, operator=True)

    @property
    def is_admin(self) -> bool:
        if self.operator:
            return True
        return self.user is not None and self.user.casefold() in {a.casefold() for a in self.admins}

    def may_read(self, collection: str) -> bool:
        if not valid_collection_name(collection):
            return False
        if self.is_admin or not self.acl:
            return True
        allowed = self.acl.get(collection)  # exact: no casefold, no strip
        if allowed is None:
            allowed = self.acl.get(ANYONE, ())
        names = {name.casefold() for name in allowed}
        return ANYONE in names or (self.user is not None and self.user.casefold() in names)

    def visible(self, collections: Iterable[str]) -> list[str]:
        return [name for name in collections if self.may_read(name)]

    def require(self, collection: str) -> None:
        """Raise `AccessDeniedError` unless this viewer may read `collection`."""
        if not self.may_read(collection):
            who = self.user or "this session"
            raise AccessDeniedError(f"{who} may not read the collection {collection!r}.")


def viewer_for(settings: Settings, user: str | None) -> Viewer:
    return Viewer(
        user=user, acl=dict(settings.collection_access), admins=frozenset(settings.admins)
    )


def access_warnings(acl: Mapping[str, Sequence[str]], collections: Iterable[str]) -> list[str]:
    """One line per access rule that names no existing collection (typos fail closed, silently
    otherwise: "Finance" grants nothing on "finance")."""
    existing = set(collections)
    folded = {name.casefold(): name for name in existing}
    lines = []
    for key in sorted(k for k in acl if k != ANYONE):
        if key in existing:
            continue
        if not valid_collection_name(key):
            lines.append(f"Access rule {key!r} is not a valid collection name; it grants nothing.")
        elif key.casefold() in folded:
            lines.append(
                f"Access rule {key!r} names no collection (names are exact: did you mean "
                f"{folded[key.casefold()]!r}?); {folded[key.casefold()]!r} is for admins only."
            )
        else:
            lines.append(f"Access rule {key!r} names no existing collection.")
    return lines


def login_required(settings: Settings) -> bool:
    return bool(settings.auth_users) or settings.auth_password is not None


def named_logins(settings: Settings) -> bool:
    """Whether sign-in asks for a user name (named users) or only the shared password."""
    return bool(settings.auth_users)


def check_login(settings: Settings, user: str, password: str) -> str | None:
    """The signed-in user's name when the credentials are right, else None.

    The settings hold Argon2 hashes (`core.passwords`). With only a shared password everybody
    signs in as `SHARED_USER` (a typed name would let anyone claim anyone's access).
    """
    if settings.auth_users:
        for name, secret in settings.auth_users.items():
            if name.casefold() == user.strip().casefold():
                ok = verify_password(secret.get_secret_value(), password)
                return name if ok else None
        burn_time(password)  # same work whether or not the name exists
        return None
    if settings.auth_password is not None:
        ok = verify_password(settings.auth_password.get_secret_value(), password)
        return SHARED_USER if ok else None
    return None
