"""The page's words, in the browser's language: one catalogue, keyed by message id.

`ui_text()` is what the rendering modules call: the catalogue in the language the browser
reports (`st.context.locale`, e.g. "de-DE") when the catalogue speaks it, else `RAG_UI_LANGUAGE`,
else English. A new language is one more mapping in `UI_MESSAGES` (ids it leaves out show in
English); `ui_messages` is the pure part, tested without a browser.
"""

from __future__ import annotations

import streamlit as st

from core.errors import RagError
from core.i18n import Catalogue, Messages, choose_language

UI_MESSAGES: Catalogue = {
    "en": {
        "title": "Ask your documents",
        "banner_offline": (
            "Offline mode: local embeddings ({model}) and extractive answers quoted from your "
            "documents; no model writes them. Set IONOS_API_TOKEN to use IONOS."
        ),
        "ask_placeholder": "Ask about the documents in {collection}…",
        "answer_failed": "Something went wrong while answering ({error}).",
        "searching": "Searching your documents…",
        "searched_for": "Searched for",
        "searched_for_rewritten": "Searched for (rewritten)",
        "reasoning": "Reasoning",
        "uncited": "This answer cites no source: check it against the documents.",
        "dropped": "Ignored {numbers}: the answer cited sources that do not exist.",
        "sources": "Sources",
        "show_page": "Show page {page}",
        "page_caption": "{source}, page {page}",
        "page_caption_around": "{source}, page {page}, around the cited passage",
        "log_in": "Log in",
        "name": "Name",
        "password": "Password",
        "sign_in": "Sign in",
        "wrong_name_or_password": "Wrong name or password.",
        "wrong_password": "Wrong password.",
        "documents": "Documents",
        "no_readable_collection": (
            "You may not read any collection. Ask an administrator for access."
        ),
        "collection": "Collection",
        "chunks_indexed_one": "1 chunk indexed",
        "chunks_indexed": "{count} chunks indexed",
        "new_collection": "New collection",
        "new_collection_placeholder": "e.g. contracts",
        "create": "Create",
        "bad_collection_name": "Use {rule}.",
        "collection_hidden": "The access lists would hide {name} from you; ask an administrator.",
        "answering": "Answering",
        "answers_offline": "Answers: extractive, offline (no chat model)",
        "models_unavailable": "Could not list the models: {error}",
        "chat_model": "Chat model",
        "embeddings": "Embeddings: {model}",
        "retrieval": "Retrieval",
        "passages": "Passages to retrieve",
        "show_query": "Show the search query",
        "new_conversation": "New conversation",
        "signed_in_as": "Signed in as **{user}**",
        "sign_out": "Sign out",
        "add_files": "Add files to **{collection}**",
        "upload_limit": "Up to {mb} MB per file.",
        "ingest": "Ingest",
        "starting": "Starting…",
        "no_documents_yet": (
            "No documents in {collection} yet: add files under “Add files to” in the sidebar "
            "(or run `rag ingest`), then ask."
        ),
        "stop": "Stop",
        "stop_help": "Stop this answer; the text so far is kept",
        "queued": "Waiting: answered when the answer above is done.",
        "stopped": "Stopped before the end: the text above is what had arrived.",
        "loading_models": "Loading the offline model… (only once, after a start)",
        "searching_for": "Searching your documents… {seconds} s",
        "waiting_retry": "Waiting for the model service: trying again in {seconds} s…",
        "locked_one": "Too many failed sign-ins. Try again in 1 minute.",
        "locked_many": "Too many failed sign-ins. Try again in {minutes} minutes.",
        "idle_signed_out": "Signed out after {minutes} minutes without activity.",
        "theme": "Appearance",
        "theme_system": "System",
        "theme_light": "Light",
        "theme_dark": "Dark",
        "conversations": "Conversations",
        "search_conversations": "Search conversations",
        "search_titles": "Search titles",
        "no_conversation_matches": "No conversation matches.",
        "no_conversations": "No conversations yet.",
        "export": "Export",
        "export_help": "Markdown with citations and sources",
        "edit": "Edit",
        "thread_title": "Title",
        "rename": "Rename",
        "delete_thread_confirm": "Delete this conversation and its answers? This cannot be undone.",
        "delete": "Delete",
        "copy": "Copy",
        "copy_help": "Copy the answer",
        "regenerate": "Regenerate",
        "regenerate_help": "Ask this question again",
        "comment": "Comment",
        "comment_help": "Add a comment to your rating",
        "not_asked": "The question could not be kept, so it was not asked: {error}",
        "n_chunk_one": "1 chunk",
        "n_chunk": "{count} chunks",
        "n_page_one": "1 page",
        "n_page": "{count} pages",
        "status_ingested": "ingested",
        "status_unchanged": "unchanged",
        "status_skipped": "skipped",
        "status_failed": "failed",
        "status_pruned": "removed",
        "status_busy": "left to another run",
        "progress_files": "{done}/{total} files",
        "progress_pages_rate": "{rate} pages/s",
        "progress_eta": "about {eta} left",
        "progress_held_back": "waiting for {what}",
        "progress_reading": "reading {name}",
        "report_summary": "Ingested into **{collection}** in {seconds}s: {chunks}",
        "report_nothing": "Nothing was ingested into **{collection}**",
        "report_file": "{source} {status} ({chunks})",
        "report_file_reason": "{source} {status}: {reason}",
        "report_ocr": "{pages} read by OCR (mean confidence {confidence})",
        "report_unreadable": "{pages} still unreadable",
        "report_stopped": "Stopped: {reason}",
        "upload_bad_type": "{name}: {suffix} is not a supported type ({allowed})",
        "upload_no_suffix": "no suffix",
        "upload_too_big": "{name}: {size} MB is over the {mb} MB limit",
        "upload_empty": "{name}: the file is empty",
        "manage_documents": "Manage documents",
        "documents_of": "Documents in {collection}",
        "documents_none": "No documents in {collection} yet.",
        "documents_summary": "{files}: {ingested} ingested, {skipped} skipped, {failed} failed",
        "n_file_one": "1 file",
        "n_file": "{count} files",
        "col_document": "Document",
        "col_status": "Status",
        "col_pages": "Pages",
        "col_chunks": "Chunks",
        "col_size": "Size",
        "col_date": "Ingested",
        "unknown": "unknown",
        "download": "Download",
        "reingest": "Re-ingest",
        "delete_confirm": "Delete {source} and its {chunks} from {collection}?",
        "delete_yes": "Yes, delete",
        "cancel": "Cancel",
        "deleted": "Deleted {source}: its chunks are gone from {collection}.",
        "original_missing": (
            "The original of {source} is not kept, so it cannot be downloaded or re-ingested."
        ),
        "document_failed": "{source}: {error}",
    },
    "de": {
        "title": "Fragen Sie Ihre Dokumente",
        "banner_offline": (
            "Offline-Modus: lokale Embeddings ({model}) und Antworten, die wörtlich aus Ihren "
            "Dokumenten zitieren; kein Sprachmodell schreibt sie. Mit IONOS_API_TOKEN nutzen "
            "Sie IONOS."
        ),
        "ask_placeholder": "Fragen Sie zu den Dokumenten in {collection}…",
        "answer_failed": "Beim Antworten ist etwas schiefgegangen ({error}).",
        "searching": "Ihre Dokumente werden durchsucht…",
        "searched_for": "Gesucht nach",
        "searched_for_rewritten": "Gesucht nach (umformuliert)",
        "reasoning": "Überlegungen",
        "uncited": "Diese Antwort nennt keine Quelle: Prüfen Sie sie anhand der Dokumente.",
        "dropped": "{numbers} ignoriert: Die Antwort nannte Quellen, die es nicht gibt.",
        "sources": "Quellen",
        "show_page": "Seite {page} zeigen",
        "page_caption": "{source}, Seite {page}",
        "page_caption_around": "{source}, Seite {page}, um die zitierte Stelle",
        "log_in": "Anmelden",
        "name": "Name",
        "password": "Passwort",
        "sign_in": "Anmelden",
        "wrong_name_or_password": "Name oder Passwort falsch.",
        "wrong_password": "Passwort falsch.",
        "documents": "Dokumente",
        "no_readable_collection": (
            "Sie dürfen keine Sammlung lesen. Bitten Sie eine Administratorin oder einen "
            "Administrator um Zugriff."
        ),
        "collection": "Sammlung",
        "chunks_indexed_one": "1 Abschnitt indexiert",
        "chunks_indexed": "{count} Abschnitte indexiert",
        "new_collection": "Neue Sammlung",
        "new_collection_placeholder": "z. B. vertraege",
        "create": "Anlegen",
        "bad_collection_name": (
            "Erlaubt sind Buchstaben, Ziffern, _ - und . (am Anfang ein Buchstabe oder eine "
            "Ziffer, bis 63 Zeichen)."
        ),
        "collection_hidden": (
            "Die Zugriffslisten würden {name} vor Ihnen verbergen; fragen Sie die Administration."
        ),
        "answering": "Antworten",
        "answers_offline": "Antworten: zitiert, offline (kein Chatmodell)",
        "models_unavailable": "Die Modelle konnten nicht abgerufen werden: {error}",
        "chat_model": "Chatmodell",
        "embeddings": "Embeddings: {model}",
        "retrieval": "Suche",
        "passages": "Abzurufende Passagen",
        "show_query": "Suchanfrage zeigen",
        "new_conversation": "Neues Gespräch",
        "signed_in_as": "Angemeldet als **{user}**",
        "sign_out": "Abmelden",
        "add_files": "Dateien zu **{collection}** hinzufügen",
        "upload_limit": "Bis zu {mb} MB pro Datei.",
        "ingest": "Einlesen",
        "starting": "Wird gestartet…",
        "no_documents_yet": (
            "Noch keine Dokumente in {collection}: Fügen Sie in der Seitenleiste unter "
            "„Dateien hinzufügen“ Dateien hinzu (oder mit `rag ingest`), dann fragen Sie."
        ),
        "stop": "Stopp",
        "stop_help": "Diese Antwort anhalten; der Text bis hierher bleibt erhalten",
        "queued": "Wartet: Wird beantwortet, sobald die Antwort darüber fertig ist.",
        "stopped": "Vor dem Ende angehalten: Oben steht, was bis dahin angekommen war.",
        "loading_models": "Das Offline-Modell wird geladen… (nur einmal nach dem Start)",
        "searching_for": "Ihre Dokumente werden durchsucht… {seconds} s",
        "waiting_retry": "Warten auf den Modelldienst: neuer Versuch in {seconds} s…",
        "locked_one": "Zu viele fehlgeschlagene Anmeldungen. Versuchen Sie es in 1 Minute erneut.",
        "locked_many": (
            "Zu viele fehlgeschlagene Anmeldungen. Versuchen Sie es in {minutes} Minuten erneut."
        ),
        "idle_signed_out": "Nach {minutes} Minuten ohne Aktivität abgemeldet.",
        "theme": "Darstellung",
        "theme_system": "System",
        "theme_light": "Hell",
        "theme_dark": "Dunkel",
        "conversations": "Gespräche",
        "search_conversations": "Gespräche durchsuchen",
        "search_titles": "Titel durchsuchen",
        "no_conversation_matches": "Kein Gespräch passt.",
        "no_conversations": "Noch keine Gespräche.",
        "export": "Exportieren",
        "export_help": "Markdown mit Zitaten und Quellen",
        "edit": "Bearbeiten",
        "thread_title": "Titel",
        "rename": "Umbenennen",
        "delete_thread_confirm": (
            "Dieses Gespräch mit seinen Antworten löschen? Das lässt sich nicht rückgängig machen."
        ),
        "delete": "Löschen",
        "copy": "Kopieren",
        "copy_help": "Die Antwort kopieren",
        "regenerate": "Neu erzeugen",
        "regenerate_help": "Diese Frage noch einmal stellen",
        "comment": "Kommentar",
        "comment_help": "Einen Kommentar zu Ihrer Bewertung hinzufügen",
        "not_asked": (
            "Die Frage konnte nicht gespeichert werden und wurde daher nicht gestellt: {error}"
        ),
        "n_chunk_one": "1 Abschnitt",
        "n_chunk": "{count} Abschnitte",
        "n_page_one": "1 Seite",
        "n_page": "{count} Seiten",
        "status_ingested": "eingelesen",
        "status_unchanged": "unverändert",
        "status_skipped": "übersprungen",
        "status_failed": "fehlgeschlagen",
        "status_pruned": "entfernt",
        "status_busy": "einem anderen Lauf überlassen",
        "progress_files": "{done}/{total} Dateien",
        "progress_pages_rate": "{rate} Seiten/s",
        "progress_eta": "noch etwa {eta}",
        "progress_held_back": "wartet auf {what}",
        "progress_reading": "liest {name}",
        "report_summary": "In **{collection}** eingelesen in {seconds} s: {chunks}",
        "report_nothing": "Nichts wurde in **{collection}** eingelesen",
        "report_file": "{source} {status} ({chunks})",
        "report_file_reason": "{source} {status}: {reason}",
        "report_ocr": "{pages} per Texterkennung gelesen (mittlere Sicherheit {confidence})",
        "report_unreadable": "{pages} weiterhin unlesbar",
        "report_stopped": "Abgebrochen: {reason}",
        "upload_bad_type": "{name}: {suffix} ist kein unterstützter Dateityp ({allowed})",
        "upload_no_suffix": "keine Endung",
        "upload_too_big": "{name}: {size} MB liegt über der Grenze von {mb} MB",
        "upload_empty": "{name}: Die Datei ist leer",
        "manage_documents": "Dokumente verwalten",
        "documents_of": "Dokumente in {collection}",
        "documents_none": "Noch keine Dokumente in {collection}.",
        "documents_summary": (
            "{files}: {ingested} eingelesen, {skipped} übersprungen, {failed} fehlgeschlagen"
        ),
        "n_file_one": "1 Datei",
        "n_file": "{count} Dateien",
        "col_document": "Dokument",
        "col_status": "Status",
        "col_pages": "Seiten",
        "col_chunks": "Abschnitte",
        "col_size": "Größe",
        "col_date": "Eingelesen",
        "unknown": "unbekannt",
        "download": "Herunterladen",
        "reingest": "Neu einlesen",
        "delete_confirm": "{source} und seine {chunks} aus {collection} löschen?",
        "delete_yes": "Ja, löschen",
        "cancel": "Abbrechen",
        "deleted": "{source} gelöscht: Seine Abschnitte sind aus {collection} entfernt.",
        "original_missing": (
            "Das Original von {source} wird nicht aufbewahrt; es kann weder heruntergeladen "
            "noch neu eingelesen werden."
        ),
        "document_failed": "{source}: {error}",
    },
}


def ui_messages(locale: str | None, configured: str | None = None) -> Messages:
    """The catalogue in the browser's language, else the configured one, else English."""
    return Messages(UI_MESSAGES, choose_language(UI_MESSAGES, locale, configured))


def ui_text() -> Messages:
    """The page's messages for this browser session (see the module docstring)."""
    from app.ui.state import get_services

    try:
        configured: str | None = get_services().settings.ui_language
    except RagError:  # settings that do not load: the page shows that error, in English
        configured = None
    return ui_messages(st.context.locale, configured)
