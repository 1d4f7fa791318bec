"""Follow-up question -> standalone search query.

"And for contractors?" cannot be searched on its own: it needs the topic of the earlier turns.
With a chat model the model rewrites it; offline, a heuristic spots follow-ups (a leading "and",
"what about", a pronoun without its noun, too few words of its own; in English and German:
"Und wie viele für Teilzeit?") and puts the earlier query in front of the new question. The
first question of a conversation is used as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.ports import ChatModel
from rag.citations import strip_markers
from rag.prompt import Turn
from rag.sentences import content_terms, words

REWRITE_PROMPT = """\
You turn the user's last message into a standalone search query for a document search engine.
Use the conversation to fill in what the last message leaves out (the topic, names, products).
Keep the user's own key terms, names and numbers, in the language of the last message.
Do not answer the question.
If the last message already stands on its own, return it unchanged.
Return only the query, on one line, without quotes or explanations."""

REWRITE_REQUEST = """\
Conversation so far:
{conversation}

Last message: {question}

Standalone search query:"""

REWRITE_MAX_TOKENS = 96
HISTORY_TURNS = 3
ANSWER_CHARS = 400  # of each earlier answer, enough to carry its topic

_CONNECTOR = re.compile(
    r"^\s*(?:and|but|also|or|so|then|what about|how about|and what about|what of|same for|"
    r"what if|and if|and how|and why|and when|and where|and who|as for|plus|"
    # German: "Und wie viele für Teilzeit?", "Was ist mit Praktikanten?", "Gilt das auch …?"
    r"und|aber|auch|oder|sowie|dann|also|ebenso|was ist mit|wie ist es mit|"
    r"wie sieht es (?:mit|bei|für)|und was|und wie|und wenn|"
    r"(?:gilt|gelten|trifft|betrifft|zählt) (?:das|dies|es|sie)\b)\b",
    re.IGNORECASE,
)
_REFERRING = frozenset(
    """it its they them their theirs this that these those he she him her his there one ones
    same such former latter
    es ihnen ihr ihre ihren ihrem ihrer dies dort dafür davon dazu darauf damit darüber dabei
    dasselbe dieselbe derselbe dieselben solche jene""".split()  # noqa: SIM905
)
_GERMAN_THEY = re.compile(r"(?<=\w)\s+sie\b")  # lower-case "sie" mid-sentence (not "Sie": you)
_OWN_TERMS = 3  # a question with fewer meaning-bearing words of its own leans on the context
_MAX_QUERY_WORDS = 60


def looks_like_follow_up(question: str) -> bool:
    if _CONNECTOR.match(question):
        return True
    if len(content_terms(question)) < _OWN_TERMS:
        return True
    if _GERMAN_THEY.search(question):
        return True
    return any(w in _REFERRING for w in words(question))


def heuristic_rewrite(question: str, history: Sequence[Turn]) -> str:
    """Offline: the earlier query, then the follow-up; standalone questions pass unchanged."""
    question = " ".join(question.split())
    if not history or not looks_like_follow_up(question):
        return question
    previous = history[-1].query or history[-1].question
    previous_words = previous.split()
    if len(previous_words) > _MAX_QUERY_WORDS:  # chains of follow-ups must not grow forever
        previous = " ".join(previous_words[-_MAX_QUERY_WORDS:])
    separator = "" if previous.rstrip().endswith(("?", ".", "!")) else ";"
    return f"{previous.rstrip()}{separator} {question}"


def rewrite_messages(question: str, history: Sequence[Turn]) -> list[dict[str, object]]:
    lines: list[str] = []
    for turn in list(history)[-HISTORY_TURNS:]:
        answer = strip_markers(turn.answer)
        if len(answer) > ANSWER_CHARS:
            answer = answer[:ANSWER_CHARS].rsplit(" ", 1)[0] + " …"
        lines += [f"User: {turn.question}", f"Assistant: {answer}"]
    request = REWRITE_REQUEST.format(conversation="\n".join(lines), question=question)
    return [{"role": "system", "content": REWRITE_PROMPT}, {"role": "user", "content": request}]


def clean_model_query(text: str) -> str:
    """The model's reply reduced to the query: first line, no label, no quotes."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    line = re.sub(r"^(?:standalone\s+)?(?:search\s+)?query\s*:\s*", "", lines[0], flags=re.I)
    return line.strip().strip("\"'“”‘’`").strip()


def model_rewrite(question: str, history: Sequence[Turn], chat: ChatModel) -> str:
    """Ask the chat model; raises `core.errors.APIError` when it cannot answer."""
    reply = chat.complete_chat(rewrite_messages(question, history), max_tokens=REWRITE_MAX_TOKENS)
    query = clean_model_query(reply)
    if not query or len(query) > 4 * len(question) + 300:  # empty or rambling: not a query
        return heuristic_rewrite(question, history)
    return query


def standalone_query(question: str, history: Sequence[Turn], *, chat: ChatModel | None) -> str:
    if not history:
        return question
    if chat is None:
        return heuristic_rewrite(question, history)
    return model_rewrite(question, history, chat)
