"""Wire JSON of the OpenAI-compatible API: typed requests and responses, and error bodies.

Requests follow `../shared/spec/ionos-openai.openapi.json` exactly (a test validates every body
the client builds against the spec's request schemas); responses are read leniently, because
compatible servers (vLLM, llama.cpp) add and omit fields. `/v1/rerank` is outside the spec.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

IMAGE_SIZES = ("1024*1024", "1792*1024", "1024*1792")  # the spec's allowed values


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- Chat --------------------------------------------------------------------------------------


class ImageURL(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str  # https://... or data:image/png;base64,...
    detail: Literal["low", "high", "auto"] | None = None


class TextPart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["text"] = "text"
    text: str


class ImagePart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["image_url"] = "image_url"
    image_url: ImageURL


class FunctionCall(BaseModel):
    name: str
    arguments: str = ""


class ToolCall(BaseModel):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "user", "assistant", "tool"]
    content: str | list[TextPart | ImagePart] = ""  # the spec requires it, even beside tool_calls
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value  # OpenAI allows null beside tool_calls; the spec not


class FunctionDef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None


class Tool(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["function"] = "function"
    function: FunctionDef


class ChatCompletionRequest(_Request):
    model: str
    messages: list[ChatMessage]
    max_tokens: int = Field(ge=1)  # always sent: the spec's default is 16
    temperature: float | None = None
    top_p: float | None = None
    n: int | None = Field(default=None, ge=1)
    stream: bool | None = None
    stop: list[str] | None = Field(default=None, max_length=4)
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    logit_bias: dict[str, float] | None = None
    user: str | None = None
    response_format: dict[str, Any] | None = None
    tools: list[Tool] | None = None
    tool_choice: str | dict[str, Any] | None = None


class AssistantMessage(_Response):
    role: str = "assistant"
    content: str | None = None
    reasoning_content: str | None = None  # vLLM's name for a reasoning model's thoughts
    reasoning: str | None = None  # the newer name some servers use
    refusal: str | None = None
    tool_calls: list[ToolCall] | None = None


class ChatChoice(_Response):
    index: int = 0
    message: AssistantMessage = AssistantMessage()
    finish_reason: str | None = None


class Usage(_Response):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(_Response):
    id: str = ""
    model: str = ""
    choices: list[ChatChoice] = []
    usage: Usage | None = None

    @property
    def text(self) -> str:
        return self.choices[0].message.content or "" if self.choices else ""


class FunctionCallDelta(_Response):
    name: str | None = None
    arguments: str | None = None


class ToolCallDelta(_Response):
    index: int = 0
    id: str | None = None
    type: str | None = None
    function: FunctionCallDelta | None = None


class ChunkDelta(_Response):
    role: str | None = None
    content: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCallDelta] | None = None


class ChunkChoice(_Response):
    index: int = 0
    delta: ChunkDelta = ChunkDelta()
    finish_reason: str | None = None


class ChatCompletionChunk(_Response):
    """One `chat.completion.chunk` of a stream (the spec leaves its shape to OpenAI's)."""

    id: str = ""
    model: str = ""
    choices: list[ChunkChoice] = []
    usage: Usage | None = None


# --- Completions, embeddings, images, models, rerank -------------------------------------------


class CompletionRequest(_Request):
    model: str
    prompt: str
    max_tokens: int = Field(ge=1)
    temperature: float | None = None
    top_p: float | None = None
    n: int | None = Field(default=None, ge=1)
    stream: bool | None = None
    stop: list[str] | None = Field(default=None, max_length=4)
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    logit_bias: dict[str, float] | None = None
    user: str | None = None


class CompletionChoice(_Response):
    index: int = 0
    text: str = ""
    finish_reason: str | None = None


class Completion(_Response):
    id: str = ""
    model: str = ""
    choices: list[CompletionChoice] = []
    usage: Usage | None = None

    @property
    def text(self) -> str:
        return self.choices[0].text if self.choices else ""


class EmbeddingRequest(_Request):
    model: str
    input: str | list[str]


class EmbeddingItem(_Response):
    index: int = 0
    embedding: list[float]


class EmbeddingResponse(_Response):
    model: str = ""
    data: list[EmbeddingItem]
    usage: Usage | None = None


class ImageRequest(_Request):
    model: str
    prompt: str
    n: int | None = Field(default=None, ge=1)
    size: Literal["1024*1024", "1792*1024", "1024*1792"] | None = None
    response_format: Literal["b64_json"] = "b64_json"
    user: str | None = None


class ImageItem(_Response):
    b64_json: str | None = None
    url: str | None = None
    revised_prompt: str | None = None


class ImageResponse(_Response):
    created: int = 0
    data: list[ImageItem] = []


class ModelInfo(_Response):
    id: str
    owned_by: str = ""


class ModelList(_Response):
    data: list[ModelInfo]


class RerankRequest(_Request):
    model: str
    query: str
    documents: list[str]
    top_n: int | None = Field(default=None, ge=1)


class RerankResult(_Response):
    index: int
    relevance_score: float


class RerankResponse(_Response):
    results: list[RerankResult]


# --- Error bodies ------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")
MAX_MESSAGE = 300


def parse_error_body(text: str, content_type: str = "") -> tuple[str, str | None]:
    """(message, server error code) from any error body a server or proxy sends.

    Understands the OpenAI shape `{"error": {"message", "type", "code"}}`, the IONOS-native
    shape `{"httpStatus", "messages": [{"errorCode", "message"}]}`, `{"detail": ...}` /
    `{"message": ...}`, and plain-text or HTML pages from gateways.
    """
    text = text.strip()
    if not text:
        return "", None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        parsed = _from_json(data)
        if parsed is not None:
            return parsed
    if "html" in content_type.lower() or text.lstrip().startswith("<"):
        title = _TITLE.search(text)
        text = title.group(1) if title else _TAG.sub(" ", text)
        text = html.unescape(text)
    return _short(text), None


def _from_json(data: dict[str, Any]) -> tuple[str, str | None] | None:
    error = data.get("error")
    if isinstance(error, dict):
        code = error.get("code") or error.get("type")
        return _short(str(error.get("message") or "")), str(code) if code else None
    if isinstance(error, str):
        return _short(error), None
    messages = data.get("messages")
    if isinstance(messages, list) and messages:
        texts = [str(m.get("message", "")) for m in messages if isinstance(m, dict)]
        codes = [
            str(m["errorCode"]) for m in messages if isinstance(m, dict) and m.get("errorCode")
        ]
        return _short("; ".join(t for t in texts if t)), codes[0] if codes else None
    for key in ("detail", "message"):
        if key in data:
            value = data[key]
            return _short(value if isinstance(value, str) else json.dumps(value)), None
    return None


def _short(text: str) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"
