from __future__ import annotations

import ast
import json
import pickle
from pathlib import Path

import pytest

from core.errors import EncryptedError
from core.i18n import missing_ids
from core.reasons import REASONS, VERBATIM, Reason, placeholders, reason_messages, saved_reason

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "ingest", "app", "rag", "hub", "store", "text", "local", "threads")


def _reason_calls() -> list[tuple[str, str, set[str], bool]]:
    """Every `Reason("id", name=...)` in the product's code: (where, id, names, **values?)."""
    calls = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                if node.func.id != "Reason" or not node.args:
                    continue
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{path.relative_to(ROOT)}:{node.lineno}: a reason's id must be a literal"
                )
                names = {k.arg for k in node.keywords if k.arg is not None}
                spread = any(k.arg is None for k in node.keywords)
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                calls.append((where, first.value, names, spread))
    return calls


def test_reasons_german_has_every_id_with_the_same_placeholders() -> None:
    assert missing_ids(REASONS) == {}
    assert set(REASONS["de"]) == set(REASONS["en"])
    for message_id, english in REASONS["en"].items():
        assert placeholders(REASONS["de"][message_id]) == placeholders(english), message_id


def test_reasons_every_id_ingest_uses_is_in_both_catalogues_with_its_values() -> None:
    calls = _reason_calls()
    assert len({message_id for _, message_id, _, _ in calls}) >= 40  # the scan finds them
    assert any(where.startswith("ingest/loaders/pdf.py") for where, *_ in calls)
    for where, message_id, names, spread in calls:
        assert message_id in REASONS["en"] and message_id in REASONS["de"], where
        if not spread:
            assert names == placeholders(REASONS["en"][message_id]), where


def test_reasons_catalogue_holds_no_id_that_nothing_uses() -> None:
    used = {message_id for _, message_id, _, _ in _reason_calls()}
    assert set(REASONS["en"]) - used - {VERBATIM} == set()


def test_reason_reads_english_by_default_and_german_when_asked() -> None:
    reason = Reason("pdf_no_page_readable", detail=Reason("page_problem", page=3, detail="EOF"))

    assert str(reason) == "no page could be read (page 3: EOF)"
    assert reason.text(reason_messages("de")) == (
        "Keine Seite konnte gelesen werden (Seite 3: EOF)"
    )
    assert reason.text(reason_messages("fr")) == str(reason)  # no French: English


def test_reason_library_text_is_a_value_kept_verbatim() -> None:
    detail = "Stream has ended unexpectedly {0} {detail}"  # braces are not a template here
    reason = Reason("pdf_unreadable", detail=detail)
    assert str(reason) == f"unreadable PDF ({detail})"
    assert reason.text(reason_messages("de")) == f"unlesbares PDF ({detail})"


def test_ingest_error_str_is_readable_english_for_logs() -> None:
    error = EncryptedError("hr/salaries.pdf", Reason("pdf_wrong_password"))
    assert str(error) == (
        "hr/salaries.pdf: encrypted, and the password given for it does not open it"
    )
    assert error.reason == Reason("pdf_wrong_password")


def test_reason_crosses_a_process_boundary_and_json_unchanged() -> None:
    reason = Reason("vision_unusable", model="m", why=Reason("page_problem", page=2, detail="x"))
    assert pickle.loads(pickle.dumps(reason)) == reason
    assert Reason.from_json(json.loads(json.dumps(reason.to_json()))) == reason
    assert Reason("pages_blank", count=1, pages=2) == Reason("pages_blank", pages=2, count=1)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "pdf_unreadable",
        {"id": "not_a_reason_we_know"},
        {"id": "pdf_unreadable", "values": {}},
        {"id": "pdf_unreadable", "values": {"detail": "x", "extra": 1}},
        {"id": "pdf_unreadable", "values": {"detail": True}},
        {"id": "pdf_no_page_readable", "values": {"detail": {"id": "nope"}}},
    ],
)
def test_saved_reason_falls_back_to_its_text(raw: object) -> None:
    assert saved_reason("as it was written", raw) == Reason.verbatim("as it was written")
    assert str(saved_reason("as it was written", raw)) == "as it was written"
    assert saved_reason("", raw) is None
