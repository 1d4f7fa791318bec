"""The one error tree of the product.

    RagError                      anything the product reports to a person as one line
    ├── ConfigError               settings that cannot work (missing token, bad URL, model mismatch)
    ├── IngestError               one file could not be read; the batch goes on
    │   ├── EncryptedError        needs a password we do not have
    │   ├── NoTextError           nothing extractable (scans without OCR)
    │   └── UnsupportedFileError  no loader for its file type
    ├── StoreError                the vector store refused or is unreachable
    ├── ThreadStoreError          the conversation database refused or is unreachable
    │   └── ThreadNotFoundError   no such thread for this user (or not theirs: the same answer)
    ├── AccessDeniedError         this user may not read that collection
    ├── ScopeError                a --source pattern matches no document of the collection
    └── APIError                  the OpenAI-compatible API failed
        ├── APIConnectionError    no answer: DNS, refused, TLS
        │   └── APITimeoutError   connect/read timeout, or a stream that stalled
        ├── APIStreamError        the stream broke or carried an error event
        └── APIStatusError        an HTTP error status
            ├── BadRequestError         400, 422
            ├── AuthenticationError     401: token invalid or expired
            ├── PermissionDeniedError   403
            ├── NotFoundError           404 (wrong base URL or model)
            ├── RateLimitError          429
            └── ServerError             5xx

The three `IngestError` subclasses mark a file as skipped, any other `IngestError` as failed
(`ingest.parse.parse` maps the classes to `Parsed.status`). An `IngestError` carries its
`core.reasons.Reason` (a message id and values, shown in the reader's language); `str(error)`
is the path and the reason in English, for logs.

Catch broadly only at the top (CLI `main`, Streamlit callbacks) and show `str(error)`.
"""

from __future__ import annotations

from core.reasons import Reason


class RagError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigError(RagError):
    pass


class IngestError(RagError):
    def __init__(self, path: str, reason: Reason) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class EncryptedError(IngestError):
    pass


class NoTextError(IngestError):
    pass


class UnsupportedFileError(IngestError):
    pass


class StoreError(RagError):
    pass


class ThreadStoreError(RagError):
    pass


class ThreadNotFoundError(ThreadStoreError):
    pass


class AccessDeniedError(RagError):
    pass


class ScopeError(RagError):
    pass


class APIError(RagError):
    def __init__(self, message: str, *, operation: str = "") -> None:
        super().__init__(f"{operation}: {message}" if operation else message)
        self.operation = operation


class APIConnectionError(APIError):
    pass


class APITimeoutError(APIConnectionError):
    pass


class APIStreamError(APIError):
    pass


class APIStatusError(APIError):
    """An HTTP error answer, with what the server said about it (never the request's token)."""

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        status: int,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        parts = [f"HTTP {status}"]
        if code:
            parts.append(code)
        if request_id:
            parts.append(f"request {request_id}")
        super().__init__(f"{message} ({', '.join(parts)})", operation=operation)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class ServerError(APIStatusError):
    pass


def status_error_class(status: int) -> type[APIStatusError]:
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    return BadRequestError
