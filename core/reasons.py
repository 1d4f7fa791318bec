"""Why a file was skipped or failed, and what to warn about: a message id and its values.

Ingest builds a `Reason` where it decides (`Reason("pdf_wrong_password")`,
`Reason("pdf_unreadable", detail=str(exc))`); the words are chosen where the reason is shown,
in the reader's language: the UI renders it with `Messages(REASONS, language)`, the CLI and the
logs read `str(reason)`, which is English. A value is a string, a number, or another reason
("page 3: …" inside "no page could be read (…)"). Text from a library (pypdf's message, the
OS's strerror) is a value, passed on verbatim; whoever shows it escapes it.

A reason crosses process boundaries (the parsers pickle it) and is saved as JSON in the ledger
(`to_json`, `from_json`). A saved reason whose id this version does not know, or an older
ledger's free text, comes back as `Reason.verbatim(text)`: shown as it was written.

    core.i18n (mechanism)  <-  core.reasons (ingest's words)  <-  ingest, app.ledger, app.ui
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter
from typing import TypeAlias

from core.i18n import Catalogue, Messages

VERBATIM = "verbatim"  # a text kept as it came: an old ledger's reason, say

Value: TypeAlias = "str | int | Reason"


@dataclass(frozen=True, slots=True, init=False)
class Reason:
    """A message id of `REASONS` and the values its text is formatted with."""

    id: str
    values: tuple[tuple[str, Value], ...]

    def __init__(self, id: str, /, **values: Value) -> None:
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "values", tuple(sorted(values.items())))  # one order: equal

    @classmethod
    def verbatim(cls, text: str) -> Reason:
        return cls(VERBATIM, text=text)

    def text(self, messages: Messages) -> str:
        """The reason in `messages`' language (a `Messages` over `REASONS`)."""
        values = {
            name: value.text(messages) if isinstance(value, Reason) else value
            for name, value in self.values
        }
        return messages(self.id, **values)

    def __str__(self) -> str:
        """In English: for logs, the CLI and the JSON report."""
        return self.text(ENGLISH)

    def to_json(self) -> dict[str, object]:
        values = {k: v.to_json() if isinstance(v, Reason) else v for k, v in self.values}
        return {"id": self.id, "values": values}

    @classmethod
    def from_json(cls, raw: object) -> Reason | None:
        """The reason `to_json` saved; None for one this version cannot show (unknown id,
        values its text does not take)."""
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            return None
        saved = raw.get("values", {})
        if not isinstance(saved, Mapping):
            return None
        values: dict[str, Value] = {}
        for name, value in saved.items():
            if isinstance(value, Mapping):
                inner = cls.from_json(value)
                if inner is None:
                    return None
                values[str(name)] = inner
            elif isinstance(value, str | int) and not isinstance(value, bool):
                values[str(name)] = value
            else:
                return None
        template = _EN.get(raw["id"])
        if template is None or placeholders(template) != set(values):
            return None
        return cls(raw["id"], **values)


def placeholders(template: str) -> set[str]:
    """The names a message's text is formatted with: {"pages", "detail"}."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def saved_reason(text: str, raw: object = None) -> Reason | None:
    """A reason read back from storage: its id and values when known, else the English text
    it was saved with, as it is; None when there was none."""
    return Reason.from_json(raw) or (Reason.verbatim(text) if text else None)


def reason_messages(language: str) -> Messages:
    return Messages(REASONS, language)


_EN = {
    VERBATIM: "{text}",
    # the file
    "unsupported_type": "unsupported file type {suffix}",
    "unsupported_no_suffix": "unsupported file type (none)",
    "unsupported_type_given": "unsupported file type (supported: {supported})",
    "not_found": "no such file or folder",
    "no_longer_found": "no longer found",
    "busy": (
        "another run is writing a file of this name into the collection right now; "
        "try again once it is done"
    ),
    "cannot_read_file": "cannot read the file ({detail})",
    "cannot_read": "cannot read it ({detail})",
    "duplicate_name": (
        "another file has the same name ({other}); ingest the two folders into separate "
        "collections, or their common parent"
    ),
    "binary_not_text": "looks like a binary file, not text",
    "file_empty": "the file is empty",
    "no_text": "no text",
    "docx_unreadable": "not a readable .docx file ({detail})",
    "docx_no_text": "the document has no text",
    "html_no_text": "the page has no text outside navigation and scripts",
    # PDFs
    "pdf_unreadable": "unreadable PDF ({detail})",
    "pdf_aes_needs_cryptography": "encrypted with AES, which needs `cryptography` ({detail})",
    "pdf_encryption_unsupported": "unsupported encryption ({detail})",
    "pdf_wrong_password": "encrypted, and the password given for it does not open it",
    "pdf_needs_password": (
        "encrypted with a password; upload a copy without it, or give the password when "
        "ingesting: rag ingest --password 'FILE=PASSWORD'"
    ),
    "pdf_not_decrypted": "encrypted; the document could not be decrypted",
    "pdf_broken_page_tree": "broken page tree ({detail})",
    "pdf_no_pages": "the PDF has no pages",
    "pdf_no_page_readable": "no page could be read ({detail})",
    "page_problem": "page {page}: {detail}",
    "pdf_needs_ocr": "none of its {pages} pages has text; OCR needed",
    "pdf_ocr_unreadable": "none of its {pages} pages has text OCR could read",
    "pdf_blank": "none of its {pages} pages has text (blank or drawings)",
    # PDF warnings: some pages
    "pages_not_ocred": (
        "{count} of {pages} pages were not OCR'd: {limit} was reached "
        "(RAG_OCR_MAX_PAGES, RAG_INGEST_FILE_TIMEOUT)"
    ),
    "ocr_cap": "the OCR cap of {pages} pages per file",
    "ocr_time_budget": "the OCR time budget of {seconds} s per file",
    "pages_need_ocr": "{count} of {pages} pages have no text; OCR needed",
    "pages_ocr_unreadable": "{count} of {pages} pages have no text OCR could read",
    "pages_blank": "{count} of {pages} pages have no text (blank or drawings)",
    "pages_failed": "{count} of {pages} pages could not be read ({detail})",
    # a vision model reading scanned pages
    "vision_pages_read": "{count} pages read by {model}",
    "vision_unusable": "{model} read no usable text: {why}",
    "joined": "{first}; {rest}",
    "vision_blank": "no text on the page",
    "vision_refused": "the model did not transcribe the page",
    "vision_too_long": "{chars} characters, more than the page could hold (~{capacity})",
    "vision_repeats": "the same line over and over",
    "vision_disagrees": "only {share} of the words the offline engine read are in it",
    "vision_ask_failed": "the model could not be asked ({detail})",
    "vision_render_failed": "could not render the page ({detail})",
    # the parser process
    "parse_error": "could not be parsed ({kind}: {detail})",
    "parse_failed": "could not be parsed",
    "parse_out_of_memory": "ran out of memory while parsing",
    "out_of_memory": "ran out of memory",
    "nested_too_deeply": "nested too deeply to parse",
    "parse_timeout": "parsing took longer than {seconds} s; stopped",
    "parse_cpu_timeout": "parsing took more than {seconds} CPU seconds; stopped",
    "parser_killed": "the parser crashed on it (signal {signal}; likely out of memory)",
    "parser_exited": "the parser crashed on it (exit code {code}; likely out of memory)",
    # embedding and writing
    "embedding_refused": "the embedding API refused it ({detail})",
    "dry_run": "dry run: not written",
}

_DE = {
    VERBATIM: "{text}",
    "unsupported_type": "Dateityp {suffix} wird nicht unterstützt",
    "unsupported_no_suffix": "Dateityp ohne Endung wird nicht unterstützt",
    "unsupported_type_given": "Dateityp wird nicht unterstützt (unterstützt: {supported})",
    "not_found": "Datei oder Ordner nicht gefunden",
    "no_longer_found": "nicht mehr gefunden",
    "busy": (
        "Ein anderer Lauf schreibt gerade eine Datei dieses Namens in die Sammlung; versuchen "
        "Sie es erneut, wenn er fertig ist"
    ),
    "cannot_read_file": "Die Datei kann nicht gelesen werden ({detail})",
    "cannot_read": "Die Datei kann nicht gelesen werden ({detail})",
    "duplicate_name": (
        "Eine andere Datei hat denselben Namen ({other}); lesen Sie die beiden Ordner in "
        "getrennte Sammlungen ein oder ihren gemeinsamen übergeordneten Ordner"
    ),
    "binary_not_text": "Die Datei sieht nach einer Binärdatei aus, nicht nach Text",
    "file_empty": "Die Datei ist leer",
    "no_text": "kein Text",
    "docx_unreadable": "keine lesbare .docx-Datei ({detail})",
    "docx_no_text": "Das Dokument enthält keinen Text",
    "html_no_text": "Die Seite enthält außerhalb von Navigation und Skripten keinen Text",
    "pdf_unreadable": "unlesbares PDF ({detail})",
    "pdf_aes_needs_cryptography": (
        "mit AES verschlüsselt; dafür wird `cryptography` benötigt ({detail})"
    ),
    "pdf_encryption_unsupported": "nicht unterstützte Verschlüsselung ({detail})",
    "pdf_wrong_password": (
        "verschlüsselt, und das dafür angegebene Passwort öffnet die Datei nicht"
    ),
    "pdf_needs_password": (
        "mit einem Passwort verschlüsselt; laden Sie eine Kopie ohne Passwort hoch, oder nennen "
        "Sie das Passwort beim Einlesen: rag ingest --password 'DATEI=PASSWORT'"
    ),
    "pdf_not_decrypted": "verschlüsselt; das Dokument konnte nicht entschlüsselt werden",
    "pdf_broken_page_tree": "beschädigter Seitenbaum ({detail})",
    "pdf_no_pages": "Das PDF hat keine Seiten",
    "pdf_no_page_readable": "Keine Seite konnte gelesen werden ({detail})",
    "page_problem": "Seite {page}: {detail}",
    "pdf_needs_ocr": "Keine seiner {pages} Seiten enthält Text; Texterkennung (OCR) nötig",
    "pdf_ocr_unreadable": (
        "Keine seiner {pages} Seiten enthält Text, den die Texterkennung lesen konnte"
    ),
    "pdf_blank": "Keine seiner {pages} Seiten enthält Text (leer oder Zeichnungen)",
    "pages_not_ocred": (
        "{count} von {pages} Seiten wurden nicht per Texterkennung gelesen: {limit} wurde "
        "erreicht (RAG_OCR_MAX_PAGES, RAG_INGEST_FILE_TIMEOUT)"
    ),
    "ocr_cap": "die Obergrenze von {pages} Seiten Texterkennung pro Datei",
    "ocr_time_budget": "das Zeitbudget der Texterkennung von {seconds} s pro Datei",
    "pages_need_ocr": "{count} von {pages} Seiten enthalten keinen Text; Texterkennung nötig",
    "pages_ocr_unreadable": (
        "{count} von {pages} Seiten enthalten keinen Text, den die Texterkennung lesen konnte"
    ),
    "pages_blank": "{count} von {pages} Seiten enthalten keinen Text (leer oder Zeichnungen)",
    "pages_failed": "{count} von {pages} Seiten konnten nicht gelesen werden ({detail})",
    "vision_pages_read": "{count} Seiten von {model} gelesen",
    "vision_unusable": "{model} hat keinen brauchbaren Text gelesen: {why}",
    "joined": "{first}; {rest}",
    "vision_blank": "kein Text auf der Seite",
    "vision_refused": "das Modell hat die Seite nicht abgeschrieben",
    "vision_too_long": "{chars} Zeichen, mehr als auf die Seite passen (~{capacity})",
    "vision_repeats": "immer wieder dieselbe Zeile",
    "vision_disagrees": (
        "nur {share} der Wörter, die die Offline-Texterkennung gelesen hat, kommen darin vor"
    ),
    "vision_ask_failed": "das Modell konnte nicht gefragt werden ({detail})",
    "vision_render_failed": "die Seite konnte nicht gezeichnet werden ({detail})",
    "parse_error": "konnte nicht verarbeitet werden ({kind}: {detail})",
    "parse_failed": "konnte nicht verarbeitet werden",
    "parse_out_of_memory": "Beim Verarbeiten ging der Speicher aus",
    "out_of_memory": "Der Speicher ging aus",
    "nested_too_deeply": "zu tief verschachtelt, um verarbeitet zu werden",
    "parse_timeout": "Das Verarbeiten dauerte länger als {seconds} s; abgebrochen",
    "parse_cpu_timeout": "Das Verarbeiten brauchte mehr als {seconds} CPU-Sekunden; abgebrochen",
    "parser_killed": (
        "Der Parser ist daran abgestürzt (Signal {signal}; vermutlich zu wenig Speicher)"
    ),
    "parser_exited": (
        "Der Parser ist daran abgestürzt (Exit-Code {code}; vermutlich zu wenig Speicher)"
    ),
    "embedding_refused": "Die Embedding-API hat sie abgelehnt ({detail})",
    "dry_run": "Probelauf: nicht geschrieben",
}

REASONS: Catalogue = {"en": _EN, "de": _DE}

ENGLISH = Messages(REASONS)
