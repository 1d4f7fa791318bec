"""Batching for the embeddings endpoint: pure planning, and a small parallel runner.

`plan_batches` cuts inputs into consecutive batches no larger than a count and a token budget
(one oversized input travels alone; the server decides about it). `run_batches` sends batches
on a few threads, keeps the results in input order, and on the first failure cancels what has
not started and raises that failure, so a caller never gets a partial answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from text.tokens import count_tokens

T = TypeVar("T")
R = TypeVar("R")


def plan_batches(
    texts: Sequence[str],
    *,
    max_count: int,
    max_tokens: int,
    count: Callable[[str], int] = count_tokens,
) -> list[tuple[int, int]]:
    """[start, end) ranges covering `texts` in order, each within both limits."""
    batches: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, text in enumerate(texts):
        cost = count(text)
        if i > start and (i - start >= max_count or used + cost > max_tokens):
            batches.append((start, i))
            start, used = i, 0
        used += cost
    if start < len(texts):
        batches.append((start, len(texts)))
    return batches


def run_batches(batches: Sequence[T], send: Callable[[T], R], *, workers: int) -> list[R]:
    """`send` applied to every batch, `workers` at a time; results in batch order."""
    if len(batches) <= 1 or workers <= 1:
        return [send(batch) for batch in batches]
    pool = ThreadPoolExecutor(max_workers=min(workers, len(batches)))
    try:
        futures: list[Future[R]] = [pool.submit(send, batch) for batch in batches]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in futures if f in done and f.exception() is not None), None)
        if failed is not None:
            raise failed.exception()  # type: ignore[misc]
        return [future.result() for future in futures]
    finally:
        # On failure, don't wait for batches still queued or sleeping in a retry.
        pool.shutdown(wait=False, cancel_futures=True)
