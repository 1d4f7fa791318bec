"""The composition root: `Settings` in, the running services out (`Services`, `build_services`).

The CLI and the Streamlit app both call `build_services`: it checks the settings (`app.checks`)
and builds each adapter with its builder (`app.build`); nothing else constructs HTTP clients,
stores or models, and the engines below (`ingest`, `rag`) receive their collaborators (store,
embedder, retriever, chat model, reranker) explicitly. `Services.answer` and `Services.ingest`
fill in what the settings say, so the shell never hands the settings down. Tests build `Services`
directly with fakes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.build import (
    build_reranker,
    hub_config,
    ingest_options,
    local_embedder,
    remote_chat,
    vision_ocr,
)
from app.checks import access_rule_warnings, check_models, check_settings
from app.document_names import DocumentNames
from app.recording import RunRecords
from core.errors import RagError
from core.ports import ChatModel, Embedder, VectorStore
from core.settings import Backend, RetrievalMode, Settings
from ingest.claims import SourceClaims
from ingest.pipeline import IngestOptions, IngestProgress, ingest_paths
from rag.answer import answer_stream
from rag.entities import preferred_sources
from rag.events import Done, Failed
from rag.fusion import floor_for
from rag.retriever import Retriever, StoreRetriever
from rag.scope import scope_filter
from text.language import guess

if TYPE_CHECKING:
    from core.access import Viewer
    from core.records import IngestReport
    from hub.client import ModelHubClient
    from ingest.vision_ocr import VisionOcr
    from rag.events import AnswerEvent
    from rag.prompt import Turn
    from rag.retrieve import Reranker
    from threads import ThreadStore

log = logging.getLogger(__name__)

CLAIMS_FILE = "ingest.claims"  # in the data folder: the lock file of `ingest.claims`


@dataclass
class Services:
    settings: Settings
    store: VectorStore
    embedder: Embedder
    chat: ChatModel | None  # None: the offline extractive answerer writes the answer
    client: ModelHubClient | None = None  # the API client, when a remote backend is in use
    reranker: Reranker | None = None
    retriever: Retriever | None = None  # None: the store's own, with the reranker
    preload: Callable[[], None] = lambda: None  # start loading a local model in the background
    threads: ThreadStore | None = None  # kept conversations; None: the UI keeps them per session
    local_batch: int | None = None  # the local model's batch: the ingest sends no more at once
    _closers: list[object] = field(default_factory=list, repr=False)
    # Set once the models a first question needs are loaded (`warm_up`); set from the start
    # for Services built without it (tests, the CLI), which load on first use.
    warmed: threading.Event = field(default_factory=threading.Event, repr=False)
    _names: DocumentNames = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.warmed.set()
        self._names = DocumentNames(self.store)
        if self.retriever is None:
            self.retriever = StoreRetriever(
                self.store, self.embedder, self.reranker,
                expand_financial_terms=self.settings.expand_financial_terms,
            )  # fmt: skip

    def warm_up(self) -> None:
        """Load, in the background, what the first question would otherwise wait for: the
        local embedding model and the language identifier (about 2 s; seconds more on a busy
        machine). `warmed` is clear until both are loaded (the page says so meanwhile)."""
        self.warmed.clear()

        def load() -> None:
            try:
                self.preload()
                guess("Wie viele Urlaubstage gibt es? How many vacation days are there?")
                if self.settings.resolved_backend is Backend.LOCAL:
                    self.embedder.embed_query("warm up")  # waits for the model to be loaded
            except Exception:  # the first question meets (and shows) the same problem
                log.exception("loading the models in the background failed")
            finally:
                self.warmed.set()

        threading.Thread(target=load, name="warm-up", daemon=True).start()

    @property
    def offline(self) -> bool:
        return self.chat is None

    def chat_for(self, model: str | None) -> ChatModel | None:
        """The chat adapter for `model` (the UI's model picker), sharing the one HTTP client;
        the configured one for None, or when there is no remote backend."""
        if model is None or self.client is None or self.chat is None or model == self.chat.model:
            return self.chat
        return remote_chat(self.client, self.settings, model)

    def answer(
        self,
        question: str,
        *,
        viewer: Viewer,
        history: Sequence[Turn] = (),
        collection: str | None = None,
        mode: RetrievalMode | None = None,
        top_k: int | None = None,
        model: str | None = None,
        sources: Sequence[str] = (),
    ) -> Iterator[AnswerEvent]:
        """`rag.answer.answer_stream` over these services; the settings fill what is not given.

        `sources` scopes the question to the documents those patterns match (`rag.scope`:
        names, globs, folders, name prefixes); a pattern matching nothing fails the answer.
        Without `sources`, and with `prefer_named_documents` set, a question that names
        documents is answered from those (`rag.entities`); with `prefer_named_periods` set, a
        question that names a year, quarter or form ("FY2022", "10-K") from the documents of
        that period among them (`rag.periods`). Preferred, not confined: a chunk elsewhere that
        is clearly more relevant still answers (`rag.prefer`).
        """
        assert self.retriever is not None  # set in __post_init__
        name = collection or self.settings.collection
        filters = None
        preferred: Sequence[str] = ()
        s = self.settings
        if sources or s.prefer_named_documents or s.prefer_named_periods:
            try:
                viewer.require(name)  # before the collection's document names are read
                documents = self.documents(name)
                filters = scope_filter(sources, documents)
                preferred = () if sources else preferred_sources(
                    question, documents,
                    names=s.prefer_named_documents, periods=s.prefer_named_periods,
                )  # fmt: skip
            except RagError as error:
                return iter((Failed(str(error)), Done()))
        return answer_stream(
            question,
            retriever=self.retriever,
            chat=self.chat_for(model),
            embedder=self.embedder,
            collection=name,
            mode=mode or self.settings.retrieval_mode,
            top_k=top_k or self.settings.top_k,
            min_score=self.min_score,
            history=history,
            viewer=viewer,
            filters=filters,
            prefer=preferred,  # preferred, not confining: a wrong guess keeps the answer
        )

    @property
    def min_score(self) -> float:
        """RAG_MIN_SCORE when set, else the floor calibrated for the embedding model."""
        if self.settings.min_score is not None:
            return self.settings.min_score
        return floor_for(self.embedder.model)

    def documents(self, collection: str | None = None) -> list[str]:
        """The source names in `collection` (default: the configured one), sorted; read again
        only when the collection changed (`app.document_names`)."""
        return self._names(collection or self.settings.collection)

    def forget_documents(self, collection: str) -> None:
        """Read `collection`'s document names afresh next time (after a change made here)."""
        self._names.forget(collection)

    @property
    def claims(self) -> SourceClaims:
        """Who writes which file right now, shared with every process using this data folder
        (`ingest.claims`): an ingest writes a file, and a delete removes it, only under its
        claim."""
        return SourceClaims(self.settings.data_dir / CLAIMS_FILE)

    def ingest_options(self) -> IngestOptions:
        return ingest_options(self.settings, self.local_batch)

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        collection: str | None = None,
        on_progress: Callable[[IngestProgress], None] | None = None,
        prune: bool = False,
        dry_run: bool = False,
        passwords: Mapping[str, str] | None = None,
        glob: str | None = None,
        refresh: Sequence[str] = (),
    ) -> IngestReport:
        """`ingest.pipeline.ingest_paths` into `collection` (default: the configured one).

        As its files finish, their paths are recorded (`app.sources`): the page preview opens
        only those, or the collection's own uploads; and every file's outcome goes into the
        collection's ledger (`app.ledger`), which the document manager lists (`app.recording`:
        in batches, so a run stopped early keeps what it finished). `refresh`: sources to redo
        even when unchanged.
        """
        name = collection or self.settings.collection
        records = None if dry_run else RunRecords(self.settings.data_dir, name)
        try:
            return ingest_paths(
                paths, store=self.store, embedder=self.embedder, collection=name,
                options=self.ingest_options(), on_progress=on_progress, prune=prune,
                dry_run=dry_run, passwords=passwords, glob=glob, vision=self.vision_ocr(),
                refresh=refresh, on_outcome=records.add if records else None,
                claims=self.claims,
            )  # fmt: skip
        finally:
            if records is not None:
                records.flush()
            self.forget_documents(name)

    def access_warnings(self) -> list[str]:
        """The access rules that name no existing collection (`app.checks`)."""
        return access_rule_warnings(self.settings.collection_access, self.store)

    def vision_ocr(self) -> VisionOcr | None:
        """The vision model that reads what offline OCR could not: opt-in by RAG_OCR_MODEL."""
        return vision_ocr(self.settings, self.client)

    def check_models(self, *, chat: bool = True) -> list[str]:
        """The configured model names checked against `/v1/models` (`app.checks.check_models`):
        an unknown one is an error on IONOS, a warning elsewhere; none to check offline."""
        if self.client is None:
            return []
        names = [self.embedder.model] + ([self.chat.model] if chat and self.chat else [])
        return check_models(self.client, names, strict=self.settings.is_ionos)

    def close(self) -> None:
        for closer in self._closers:
            close = getattr(closer, "close", None)
            if close is not None:
                close()
        self._closers.clear()


def build_services(settings: Settings, *, with_threads: bool = False) -> Services:
    """Build every service the settings ask for. Call once per process and keep the result.

    `with_threads`: also open the conversation database (the UI keeps threads; the CLI does not).
    """
    services = _build_services(settings)
    if with_threads:
        from threads import open_thread_store

        try:
            services.threads = open_thread_store(settings.resolved_database_url)
        except Exception:
            services.close()
            raise
        services._closers.append(services.threads)
    return services


def _build_services(settings: Settings) -> Services:
    from store import open_store
    from store.residency import cap_heap_arenas

    check_settings(settings)
    cap_heap_arenas()  # before this process starts its threads
    key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
    store = open_store(url=settings.qdrant_url, api_key=key, path=settings.store_path)
    if settings.resolved_backend is Backend.LOCAL:
        local = local_embedder(settings)
        return Services(
            settings=settings, store=store, embedder=local, chat=None, preload=local.preload,
            local_batch=local.batch_size, _closers=[store],
        )  # fmt: skip

    from hub.adapters import RemoteEmbedder
    from hub.client import ModelHubClient

    client = ModelHubClient(hub_config(settings))
    return Services(
        settings=settings,
        store=store,
        embedder=RemoteEmbedder(client, settings.embed_model),
        chat=remote_chat(client, settings),
        client=client,
        reranker=build_reranker(settings, client),
        _closers=[client, store],
    )
