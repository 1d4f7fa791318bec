"""A thread as Markdown: each question, its answer with the [n] markers, and under it the
sources it cited (file, page, the supporting sentence); at the end every file the thread cited.

Pure: a Conversation in, a string out.
"""

from __future__ import annotations

from threads.records import Conversation, Feedback, Message

_FEEDBACK = {Feedback.UP: "👍 helpful", Feedback.DOWN: "👎 not helpful"}


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _message_markdown(index: int, message: Message) -> list[str]:
    content = message.content
    lines = [f"## {index}. {_one_line(content.question)}", ""]
    lines += [f"*Collection: {content.collection}*", ""]
    if content.query and content.query != content.question:
        lines += [f"*Searched for: {_one_line(content.query)}*", ""]
    if content.answer.strip():
        lines += [content.answer.strip(), ""]
    elif not content.failed and not content.stopped:
        lines += ["*(no answer)*", ""]
    if content.stopped:
        lines += ["*Stopped before the answer was complete.*", ""]
    if content.failed:
        lines += [f"*Failed: {_one_line(content.failed)}*", ""]
    if content.citations:
        lines += ["**Sources**", ""]
        for citation in content.citations:
            lines.append(f"{citation.number}. {citation.chunk.location}")
            if citation.quote:
                lines.append(f"   > {_one_line(citation.quote)}")
        lines.append("")
    if message.feedback is not None:
        note = f" — {_one_line(message.feedback_comment)}" if message.feedback_comment else ""
        lines += [f"*Feedback: {_FEEDBACK[message.feedback]}{note}*", ""]
    return lines


def thread_markdown(conversation: Conversation) -> str:
    thread = conversation.thread
    lines = [
        f"# {_one_line(thread.title)}",
        "",
        f"*{len(conversation.messages)} question{'s' if len(conversation.messages) != 1 else ''},"
        f" last updated {thread.updated_at:%Y-%m-%d %H:%M} UTC*",
        "",
    ]
    cited: dict[str, set[int]] = {}
    for index, message in enumerate(conversation.messages, start=1):
        lines += _message_markdown(index, message)
        for citation in message.content.citations:
            pages = cited.setdefault(citation.chunk.source, set())
            chunk = citation.chunk
            if chunk.page_start is not None:
                pages.update(range(chunk.page_start, (chunk.page_end or chunk.page_start) + 1))
    if cited:
        lines += ["## All cited documents", ""]
        for source in sorted(cited):
            numbers = ", ".join(map(str, sorted(cited[source])))
            where = f", pages {numbers}" if numbers else ""
            lines.append(f"- {source}{where}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
