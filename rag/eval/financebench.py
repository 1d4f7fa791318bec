"""FinanceBench-format questions, and the figures in an answer, normalised for comparison.

A FinanceBench folder holds `pdfs/` (the filings) and `questions.jsonl`: one question per line
with its `doc_name` (the PDF's stem), the gold `answer`, and `evidence` whose `evidence_page_num`
is ZERO-based (gold page = it + 1, as citations count pages).

`figures` reads the numbers a text states, so "$1,577 million", "1577.00" and "1,577" compare
equal; "(56)" is -56, "36.8%" is 36.8, and "1.58 billion" also reads as 1580 (millions), since
filings state amounts in millions and answers often in billions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError

_FIGURE = re.compile(
    r"(?<![\w.])(\()?-?\$?\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\)?\s?(%|percent|billion|bn|million|mn|m\b)?",
    re.I,
)
_YEAR = re.compile(r"^(19|20)\d\d$")
TOLERANCE = 0.005  # relative: 1,577 matches 1,580 written as "1.58 billion"


@dataclass(frozen=True, slots=True)
class FinanceQuestion:
    id: str
    doc_name: str  # the filing's PDF stem
    question: str
    answer: str
    gold_pages: frozenset[int]  # 1-based


def read_financebench(folder: Path) -> list[FinanceQuestion]:
    path = folder / "questions.jsonl"
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        return [
            FinanceQuestion(
                id=str(row["financebench_id"]),
                doc_name=str(row["doc_name"]),
                question=str(row["question"]),
                answer=str(row["answer"]),
                gold_pages=frozenset(int(e["evidence_page_num"]) + 1 for e in row["evidence"]),
            )
            for row in rows
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path} is not a FinanceBench questions file: {exc}") from exc


def is_financebench(path: Path) -> bool:
    return path.is_dir() and (path / "questions.jsonl").is_file() and (path / "pdfs").is_dir()


def figures(text: str) -> list[float]:
    """Every number `text` states (years left out), each also read at the other scale when it
    says "billion" (x1000: millions) or "million" (/1000: billions)."""
    found: list[float] = []
    for match in _FIGURE.finditer(text):
        negative, whole, fraction, unit = match.groups()
        if _YEAR.match(whole) and not fraction and not unit:
            continue
        value = float(whole.replace(",", "") + (fraction or ""))
        if negative and match.group(0).rstrip().endswith(")"):
            value = -value
        found.append(value)
        scale = (unit or "").lower()
        if scale in ("billion", "bn"):
            found.append(value * 1000)
        elif scale in ("million", "mn", "m"):
            found.append(value / 1000)
    return found


def same_figure(a: float, b: float) -> bool:
    """Equal within `TOLERANCE` (relative), or 0.005 for figures near zero."""
    return abs(a - b) <= max(TOLERANCE * max(abs(a), abs(b)), 0.005)


def contains_figure(text: str, gold: str) -> bool:
    """Whether `text` states one of the gold answer's figures; for a gold answer without
    figures, whether it contains the gold text (case and spacing ignored)."""
    wanted = figures(gold)
    if not wanted:
        return " ".join(gold.casefold().split()) in " ".join(text.casefold().split())
    have = figures(text)
    return any(same_figure(w, h) for w in wanted for h in have)
