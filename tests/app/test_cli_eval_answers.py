"""`rag eval --answers` on a tiny FinanceBench-format set: offline and against the fake hub."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.build import hub_config, remote_chat
from app.cli.eval import register
from app.container import Services
from core.settings import Backend, Settings
from hub.client import ModelHubClient
from store.qdrant import QdrantStore
from tests.conftest import NO_FLOOR
from tests.fakes.embedder import HashEmbedder
from tests.fakes.fake_hub import FakeHub
from tests.pdf_factory import make_pdf

ACME = [
    "ACME Corp annual report 2022. Item 1. Business. ACME makes anvils for coyotes.",
    "CONSOLIDATED STATEMENTS OF INCOME\n"
    "                          2022        2021\n"
    "Total revenue           1,577       1,400\n"
    "Cost of revenue           900         850\n"
    "Gross profit              677         550",
]
BETA = [
    "Beta Inc annual report 2022. Beta sells roadrunner seed.",
    "CONSOLIDATED STATEMENTS OF INCOME\n"
    "                          2022        2021\n"
    "Total revenue           9,999       8,888\n"
    "Cost of revenue         5,000       4,000\n"
    "Gross profit            4,999       4,888",
]
QUESTIONS = [
    ("q1", "ACME_2022_10K", "What was ACME's total revenue in FY2022?", "$1,577 million", 1),
    ("q2", "BETA_2022_10K", "What was Beta's total revenue in FY2022?", "9999.00", 1),
]


def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "fb-tiny"
    (root / "pdfs").mkdir(parents=True, exist_ok=True)
    (root / "pdfs" / "ACME_2022_10K.pdf").write_bytes(make_pdf(ACME))
    (root / "pdfs" / "BETA_2022_10K.pdf").write_bytes(make_pdf(BETA))
    rows = [
        {"financebench_id": i, "doc_name": d, "question": q, "answer": a,
         "evidence": [{"evidence_page_num": page}]}
        for i, d, q, a, page in QUESTIONS
    ]  # fmt: skip
    (root / "questions.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return root


def run(
    services: Services, root: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[list[Any], str]:
    parser = argparse.ArgumentParser(prog="rag")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["eval", "--answers", "--dataset", str(root), "--json"])
    assert args.handler(args, services) == 0
    out, err = capsys.readouterr()
    reports: list[Any] = json.loads(out)
    return reports, err


def settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, store_path=tmp_path / "qdrant", data_dir=tmp_path,
        **{"backend": Backend.LOCAL, "min_score": NO_FLOOR, "top_k": 3, **values},
    )  # fmt: skip


def test_eval_answers_offline_scoped_and_unscoped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services = Services(settings(tmp_path), QdrantStore.local(), HashEmbedder(), None)
    (scoped, unscoped), _ = run(services, dataset(tmp_path), capsys)
    assert (scoped["scope"], unscoped["scope"]) == ("scoped", "unscoped")
    assert scoped["summary"]["questions"] == 2
    assert scoped["summary"]["evidence_hit@3"] == 1.0
    assert scoped["summary"]["wrong_document_answers"] == 0
    assert scoped["summary"]["refusals"] == 0
    acme = next(r for r in scoped["results"] if r["id"] == "q1")
    assert acme["citations"] and all(c.startswith("ACME_2022_10K.pdf") for c in acme["citations"])
    assert acme["contains_answer"] == ("1,577" in acme["answer"])
    # the second run reuses the collection: nothing is ingested or embedded again
    again, err = run(services, dataset(tmp_path), capsys)
    assert "ingested 0, unchanged 2" in err and "embedded 0 new texts" in err
    assert again[0]["summary"] == scoped["summary"]


def test_eval_answers_remote_chat_through_fake_hub(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = FakeHub(token="tok", chat_reply=lambda messages: "Total revenue was $1,577 million [1].")
    config = settings(tmp_path, backend=Backend.REMOTE, api_token=SecretStr("tok"))
    client = ModelHubClient(
        hub_config(config), transport=httpx.MockTransport(hub.handle), sleep=lambda s: None
    )
    services = Services(
        config, QdrantStore.local(), HashEmbedder(), remote_chat(client, config), client=client
    )
    (scoped, unscoped), _ = run(services, dataset(tmp_path), capsys)
    assert hub.count("/v1/chat/completions") == 4  # 2 questions x 2 scopes
    assert unscoped["summary"]["questions"] == 2
    acme = next(r for r in scoped["results"] if r["id"] == "q1")
    beta = next(r for r in scoped["results"] if r["id"] == "q2")
    assert acme["contains_answer"] and not beta["contains_answer"]
    assert acme["cited"] == 1 and acme["citations"][0].startswith("ACME_2022_10K.pdf")
    assert scoped["summary"]["contains_answer"] == 0.5
    assert scoped["summary"]["wrong_document_answers"] == 0
