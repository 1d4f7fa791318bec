"""The document manager's body under AppTest, on the UI tests' small corpus."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from app.container import Services
from app.ledger import ledger, record_outcomes
from app.ui.documents import _key, human_size, short_date
from app.ui.strings import ui_messages
from core.reasons import Reason
from core.records import FileOutcome, FileStatus, IngestReport


def _manager_page(services, user, acl):  # type: ignore[no-untyped-def]  # runs as a script
    from app.ui.documents import document_manager
    from core.access import Viewer

    document_manager(services, Viewer(user, acl), "docs")


def _app(services: Services, user: str | None = None, acl: dict | None = None) -> AppTest:  # type: ignore[type-arg]
    at = AppTest.from_function(_manager_page, args=(services, user, acl or {}), default_timeout=60)
    return at.run()


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_manager_lists_files_with_status_pages_chunks_and_failures_with_reason(
    services_factory: Callable[..., Services],
) -> None:
    services = services_factory()
    reason = Reason("pdf_unreadable", detail="EOF marker not found")
    failed = IngestReport("docs", files=[FileOutcome("bad.pdf", FileStatus.FAILED, reason)])
    record_outcomes(services.settings.data_dir, failed, {"bad.pdf": 2048})

    at = _app(services)

    text = _markdown(at)
    assert not at.exception
    assert "handbook\\.pdf" in text and "bad\\.pdf" in text
    assert "2.0 KB" in text  # the failed file's size, from the ledger
    assert [e.value for e in at.error] == ["bad\\.pdf: unreadable PDF \\(EOF marker not found\\)"]
    assert "2 files: 1 ingested, 0 skipped, 1 failed" in at.caption[0].value


def test_manager_in_german_words_reasons_in_german_and_old_free_text_as_saved(
    services_factory: Callable[..., Services],
) -> None:
    services = services_factory()
    data_dir = services.settings.data_dir
    path = ledger(data_dir, "docs").legacy_path  # as saved before reasons had ids (and rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = {"status": "failed", "reason": "unreadable PDF (EOF)", "size": 10}
    path.write_text(json.dumps({"old.pdf": old}), "utf-8")
    skipped = FileOutcome("locked.pdf", FileStatus.SKIPPED, Reason("pdf_wrong_password"))
    record_outcomes(data_dir, IngestReport("docs", files=[skipped]), {})

    at = AppTest.from_function(_manager_page, args=(services, None, {}), default_timeout=60)
    at.context = {"locale": "de-DE"}  # the reader's browser speaks German
    at.run()

    assert not at.exception
    assert [w.value for w in at.warning] == [
        "locked\\.pdf: verschlüsselt, und das dafür angegebene Passwort öffnet die Datei nicht"
    ]
    assert [e.value for e in at.error] == ["old\\.pdf: unreadable PDF \\(EOF\\)"]


def test_manager_without_access_shows_one_error_and_no_file(
    services_factory: Callable[..., Services],
) -> None:
    services = services_factory()

    at = _app(services, "bob", {"docs": ["alice"]})

    assert [e.value for e in at.error] == ["bob may not read the collection 'docs'\\."]
    assert "handbook" not in _markdown(at) and not at.button


def test_manager_delete_asks_first_then_removes_the_chunks(
    services_factory: Callable[..., Services],
) -> None:
    services = services_factory()
    at = _app(services)
    assert services.store.source_stats("docs")["handbook.pdf"].chunks == 2

    at.button(key=_key("del", "handbook.pdf")).click().run()
    assert services.store.source_stats("docs")["handbook.pdf"].chunks == 2  # not yet
    assert "Delete handbook\\.pdf and its 2 chunks from docs?" in at.warning[0].value
    at.button(key=_key("yes", "handbook.pdf")).click().run()

    assert "handbook.pdf" not in services.store.source_stats("docs")
    assert at.success[0].value.startswith("Deleted handbook\\.pdf")
    assert at.info[0].value == "No documents in docs yet."


@pytest.mark.parametrize(
    ("size", "shown"), [(None, "unknown"), (512, "512 B"), (2048, "2.0 KB"), (5 << 20, "5.0 MB")]
)
def test_human_size(size: int | None, shown: str) -> None:
    assert human_size(size, ui_messages("en")) == shown


def test_short_date_in_utc_or_unknown() -> None:
    t = ui_messages("de")
    assert short_date("2026-12-01T21:04:05+00:00", t) == "2026-12-01 21:04 UTC"
    assert short_date("", t) == "unbekannt"
