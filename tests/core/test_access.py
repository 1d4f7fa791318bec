from __future__ import annotations

import pytest

from core.access import (
    SHARED_USER,
    Viewer,
    access_warnings,
    check_login,
    login_required,
    viewer_for,
)
from core.errors import AccessDeniedError
from core.settings import Settings
from tests.fakes.passwords import hashed

ACL = {"hr": ["alice", "Bob"], "handbook": ["*"], "*": ["carol"]}
ADMINS = frozenset({"root"})


@pytest.mark.parametrize(
    ("user", "collection", "allowed"),
    [
        ("alice", "hr", True),
        ("bob", "hr", True),  # user names compare without case
        ("carol", "hr", False),
        (None, "hr", False),
        (None, "handbook", True),
        ("alice", "unlisted", False),  # not listed: the "*" entry's users and admins only
        ("carol", "unlisted", True),
        ("root", "unlisted", True),  # an admin
        ("root", "hr", True),
        ("alice", "HR", False),  # keys are exact: "hr" does not grant "HR"
        ("alice", "hr\n", False),  # not a collection name at all
        ("root", "hr\n", False),
    ],
)
def test_viewer_may_read_table(user: str | None, collection: str, allowed: bool) -> None:
    assert Viewer(user, ACL, ADMINS).may_read(collection) is allowed


def test_viewer_configured_list_fails_closed_for_unlisted_collections() -> None:
    """Issue 10, item 7: an unlisted collection was readable by every signed-in user."""
    viewer = Viewer("alice", {"hr": ["alice"]})
    assert viewer.visible(["hr", "finance"]) == ["hr"]
    with pytest.raises(AccessDeniedError):
        viewer.require("finance")


def test_viewer_key_in_other_case_grants_nothing() -> None:
    viewer = Viewer("alice", {"Finance": ["alice"]})
    assert not viewer.may_read("finance")
    assert viewer.may_read("Finance")


def test_operator_reads_everything_but_not_invalid_names() -> None:
    operator = Viewer.as_operator()
    assert operator.is_admin and operator.may_read("anything")
    assert not operator.may_read("bad\n")


def test_access_warnings_name_rules_without_a_collection() -> None:
    acl = {"Finance": ["a"], "hr": ["b"], "old": ["c"], "bad name": ["d"], "*": ["e"]}
    lines = access_warnings(acl, ["finance", "hr"])
    assert len(lines) == 3
    assert "'Finance' names no collection" in lines[0] and "did you mean 'finance'" in lines[0]
    assert "'bad name' is not a valid collection name" in lines[1]
    assert "'old' names no existing collection" in lines[2]
    assert access_warnings(acl, ["Finance", "hr", "old"])[0].startswith("Access rule 'bad name'")


def test_viewer_without_access_lists_reads_everything_valid() -> None:
    assert Viewer(None, {}).visible(["a", "b"]) == ["a", "b"]


def test_viewer_visible_filters_and_require_raises() -> None:
    viewer = Viewer("dave", ACL)
    assert viewer.visible(["hr", "handbook", "x"]) == ["handbook"]
    with pytest.raises(AccessDeniedError, match="dave may not read the collection 'hr'"):
        viewer.require("hr")


def test_viewer_for_reads_settings() -> None:
    settings = Settings(_env_file=None, collection_access={"hr": ["alice"]}, admins=["root"])  # type: ignore[call-arg]
    assert viewer_for(settings, "alice").may_read("hr")
    assert not viewer_for(settings, "eve").may_read("hr")
    assert viewer_for(settings, "root").may_read("hr")
    assert viewer_for(settings, "root").is_admin and not viewer_for(settings, "alice").is_admin


def test_check_login_named_users() -> None:
    settings = Settings(_env_file=None, auth_users={"alice": hashed("s3cret")})  # type: ignore[call-arg]
    assert login_required(settings)
    assert check_login(settings, " Alice ", "s3cret") == "alice"
    assert check_login(settings, "alice", "wrong") is None
    assert check_login(settings, "mallory", "s3cret") is None


def test_check_login_shared_password_ignores_typed_name() -> None:
    settings = Settings(_env_file=None, auth_password=hashed("pw"))  # type: ignore[call-arg]
    assert check_login(settings, "admin", "pw") == SHARED_USER
    assert check_login(settings, "admin", "nope") is None


def test_check_login_no_login_configured() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert not login_required(settings)
    assert check_login(settings, "x", "y") is None
