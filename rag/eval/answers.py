"""The answer eval: every question through the real answer path, scored against its gold answer.

`run_answers` asks each `AnswerCase` through `ask` (the CLI passes `Services.answer`: offline
extractive, or whatever chat model is configured), scoped to the case's own document or not, and
reports per question and in total:

- evidence hit@k: a retrieved source is the gold document, on a gold page when pages are known;
- contains answer: the answer states a figure of the gold answer (`financebench.contains_figure`:
  "$1,577 million" = "1577.00"), or its text when it has none;
- citation precision: cited chunks on a gold page of the gold document, or containing a gold
  figure, over all cited chunks;
- refusals: "not found" (nothing retrieved, or the answer says so) or a failed answer;
- wrong-document answers: answers citing a document other than the question's own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ConfigError
from rag.eval.financebench import contains_figure, read_financebench
from rag.events import AnswerEvent, AnswerState, fold
from rag.prompt import NOT_FOUND_ANSWER

Ask = Callable[[str, Sequence[str]], Iterable[AnswerEvent]]  # (question, source scope) -> events


@dataclass(frozen=True, slots=True)
class AnswerCase:
    id: str
    question: str
    answer: str  # the gold answer
    source: str  # the gold document's source name in the collection
    pages: frozenset[int] = frozenset()  # 1-based gold pages; empty: the whole document


@dataclass(frozen=True, slots=True)
class CaseResult:
    id: str
    evidence_hit: bool
    contains_answer: bool
    refused: bool
    cited: int
    cited_correct: int
    wrong_document: bool
    answer: str
    citations: tuple[str, ...]  # "file, page N" of each cited chunk


@dataclass(slots=True)
class AnswerReport:
    dataset: str
    scope: str  # "scoped" (each question asks its own document) or "unscoped"
    k: int
    results: list[CaseResult] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        n = len(self.results) or 1
        cited = sum(r.cited for r in self.results)
        return {
            "questions": len(self.results),
            f"evidence_hit@{self.k}": sum(r.evidence_hit for r in self.results) / n,
            "contains_answer": sum(r.contains_answer for r in self.results) / n,
            "citation_precision": sum(r.cited_correct for r in self.results) / cited
            if cited
            else 0.0,
            "refusals": sum(r.refused for r in self.results),
            "wrong_document_answers": sum(r.wrong_document for r in self.results),
        }


def financebench_cases(folder: Path) -> list[AnswerCase]:
    """FinanceBench questions; each filing is ingested from `pdfs/` as `<doc_name>.pdf`."""
    return [
        AnswerCase(q.id, q.question, q.answer, f"{q.doc_name}.pdf", q.gold_pages)
        for q in read_financebench(folder)
    ]


def squad_cases(path: Path) -> list[AnswerCase]:
    """SQuAD questions; the gold document is the paragraph's id as `rag.eval.datasets` names it."""
    try:
        articles = json.loads(path.read_text(encoding="utf-8"))["data"]
        return [
            AnswerCase(
                str(qa["id"]), str(qa["question"]), str(qa["answers"][0]["text"]), f"{a}-{p}"
            )
            for a, article in enumerate(articles)
            for p, paragraph in enumerate(article["paragraphs"])
            for qa in paragraph.get("qas", [])
            if qa.get("answers")
        ]
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ConfigError(f"{path} is not a SQuAD-format file: {exc}") from exc


def _on_gold_page(case: AnswerCase, source: str, start: int | None, end: int | None) -> bool:
    if source != case.source:
        return False
    if not case.pages:
        return True
    if start is None:
        return False
    return any(page in case.pages for page in range(start, (end or start) + 1))


def score(case: AnswerCase, state: AnswerState) -> CaseResult:
    evidence = any(
        _on_gold_page(case, h.chunk.source, h.chunk.page_start, h.chunk.page_end)
        for h in state.sources
    )
    cited = state.citations.citations if state.citations is not None else ()
    correct = sum(
        _on_gold_page(case, c.chunk.source, c.chunk.page_start, c.chunk.page_end)
        or contains_figure(c.chunk.text, case.answer)
        for c in cited
    )
    said_not_found = not cited and state.text.lstrip().startswith(NOT_FOUND_ANSWER)
    refused = state.failed is not None or not state.found or not state.sources or said_not_found
    return CaseResult(
        id=case.id,
        evidence_hit=evidence,
        contains_answer=not refused and contains_figure(state.text, case.answer),
        refused=refused,
        cited=len(cited),
        cited_correct=correct,
        wrong_document=any(c.chunk.source != case.source for c in cited),
        answer=state.text,
        citations=tuple(c.chunk.location for c in cited),
    )


def run_answers(
    cases: Sequence[AnswerCase],
    ask: Ask,
    *,
    dataset: str,
    scoped: bool,
    k: int,
    progress: Callable[[str], None] | None = None,
) -> AnswerReport:
    report = AnswerReport(dataset, "scoped" if scoped else "unscoped", k)
    for number, case in enumerate(cases, 1):
        state = fold(ask(case.question, [case.source] if scoped else []))
        report.results.append(score(case, state))
        if progress is not None:
            progress(f"{report.scope}: {number}/{len(cases)} questions answered")
    return report


def format_answers(report: AnswerReport) -> str:
    s = report.summary()
    n = int(s["questions"])
    k = report.k
    return (
        f"{report.dataset}, {report.scope}, {n} questions: "
        f"evidence hit@{k} {s[f'evidence_hit@{k}']:.3f}, "
        f"contains answer {s['contains_answer']:.3f}, "
        f"citation precision {s['citation_precision']:.3f}, "
        f"refusals {int(s['refusals'])}, wrong-document answers {int(s['wrong_document_answers'])}"
    )
