from __future__ import annotations

import pytest

from core.access import SHARED_USER, Viewer, check_login, login_required, viewer_for
from core.errors import AccessDeniedError
from core.settings import Settings

ACL = {"hr": ["alice", "Bob"], "handbook": ["*"], "*": ["admin"]}


@pytest.mark.parametrize(
    ("user", "collection", "allowed"),
    [
        ("alice", "hr", True),
        ("bob", "hr", True),  # names compare without case
        ("carol", "hr", False),
        (None, "hr", False),
        (None, "handbook", True),
        ("carol", "unlisted", False),  # follows the "*" entry
        ("admin", "unlisted", True),
    ],
)
def test_viewer_may_read_table(user: str | None, collection: str, allowed: bool) -> None:
    assert Viewer(user, ACL).may_read(collection) is allowed


def test_viewer_without_access_lists_reads_everything() -> None:
    assert Viewer(None, {}).visible(["a", "b"]) == ["a", "b"]


def test_viewer_visible_filters_and_require_raises() -> None:
    viewer = Viewer("carol", ACL)
    assert viewer.visible(["hr", "handbook", "x"]) == ["handbook"]
    with pytest.raises(AccessDeniedError, match="carol may not read the collection 'hr'"):
        viewer.require("hr")


def test_viewer_for_reads_settings() -> None:
    settings = Settings(_env_file=None, collection_access={"hr": ["alice"]})  # type: ignore[call-arg]
    assert viewer_for(settings, "alice").may_read("hr")
    assert not viewer_for(settings, "eve").may_read("hr")


def test_check_login_named_users() -> None:
    settings = Settings(_env_file=None, auth_users={"alice": "s3cret"})  # type: ignore[call-arg]
    assert login_required(settings)
    assert check_login(settings, " Alice ", "s3cret") == "alice"
    assert check_login(settings, "alice", "wrong") is None
    assert check_login(settings, "mallory", "s3cret") is None


def test_check_login_shared_password_ignores_typed_name() -> None:
    settings = Settings(_env_file=None, auth_password="pw")  # type: ignore[call-arg]
    assert check_login(settings, "admin", "pw") == SHARED_USER
    assert check_login(settings, "admin", "nope") is None


def test_check_login_no_login_configured() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert not login_required(settings)
    assert check_login(settings, "x", "y") is None
