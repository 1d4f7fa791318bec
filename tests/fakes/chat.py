"""An in-memory `ChatModel` for tests of the ask path: scripted replies, failures and waits.

    FakeChat(reply="Employees get 25 days [1].")               # streamed word by word
    FakeChat(reply=lambda messages: ...)                        # computed from the messages
    FakeChat(reply="...", fail_after=3, error=RateLimitError)   # breaks mid-stream
    FakeChat(reply="...", script=[RateLimitWait(2.0)])          # items before the reply
    FakeChat(reply="...", reasoning="Let me think.")            # separate reasoning field

Every call is recorded in `.streams` / `.completions` (the messages sent), so tests can assert
what reached the model, or that nothing did.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from core.errors import APIError
from core.ports import ChatDelta, ChatStreamItem, RateLimitWait

Messages = Sequence[dict[str, object]]
Reply = str | Callable[[Messages], str]


def _pieces(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


class FakeChat:
    def __init__(
        self,
        reply: Reply = "",
        *,
        completion: Reply = "",
        reasoning: str = "",
        script: Sequence[ChatStreamItem] = (),
        fail_after: int | None = None,
        error: APIError | None = None,
        model: str = "fake-chat",
    ) -> None:
        self._reply = reply
        self._completion = completion
        self._reasoning = reasoning
        self._script = list(script)
        self._fail_after = fail_after
        self._error = error or APIError("the stream broke", operation="chat")
        self._model = model
        self.streams: list[list[dict[str, object]]] = []
        self.completions: list[list[dict[str, object]]] = []

    @property
    def model(self) -> str:
        return self._model

    @staticmethod
    def _text(reply: Reply, messages: Messages) -> str:
        return reply(messages) if callable(reply) else reply

    def stream_chat(self, messages: Messages) -> Iterator[ChatStreamItem]:
        self.streams.append([dict(m) for m in messages])
        return self._stream(messages)

    def _stream(self, messages: Messages) -> Iterator[ChatStreamItem]:
        yield from self._script
        for piece in _pieces(self._reasoning):
            yield ChatDelta(reasoning=piece)
        for sent, piece in enumerate(_pieces(self._text(self._reply, messages))):
            if self._fail_after is not None and sent >= self._fail_after:
                raise self._error
            yield ChatDelta(content=piece)
        yield ChatDelta(finish_reason="stop")

    def complete_chat(self, messages: Messages, *, max_tokens: int, bulk: bool = False) -> str:
        self.completions.append([dict(m) for m in messages])
        if self._fail_after == 0:
            raise self._error
        return self._text(self._completion, messages)


def waits(*seconds: float) -> list[ChatStreamItem]:
    return [RateLimitWait(s) for s in seconds]
