from __future__ import annotations

import itertools
import random

import pytest

from ingest.batches import Batcher, fill


def _cut(costs: list[int], *, max_count: int, max_tokens: int) -> list[list[int]]:
    batcher: Batcher[int] = Batcher(max_count=max_count, max_tokens=max_tokens)
    batches = [batch for i, cost in enumerate(costs) for batch in batcher.add(i, cost)]
    last = batcher.flush()
    return batches + ([last] if last else [])


@pytest.mark.parametrize("seed", range(20))
def test_batcher_every_batch_full_except_the_last(seed: int) -> None:
    rng = random.Random(seed)
    costs = [rng.randint(20, 350) for _ in range(rng.randint(1, 700))]
    max_count, max_tokens = 64, 16_000

    batches = _cut(costs, max_count=max_count, max_tokens=max_tokens)

    assert [i for batch in batches for i in batch] == list(range(len(costs)))  # all, in order
    for batch, after in itertools.pairwise(batches):
        used = sum(costs[i] for i in batch)
        assert len(batch) <= max_count and used <= max_tokens
        # Full: by count, or the next input would not have fitted.
        assert len(batch) == max_count or used + costs[after[0]] > max_tokens
    assert sum(costs[i] for i in batches[-1]) <= max_tokens and len(batches[-1]) <= max_count


def test_batcher_binds_by_tokens_when_inputs_are_long() -> None:
    batches = _cut([300] * 200, max_count=64, max_tokens=16_000)

    assert [len(b) for b in batches] == [53, 53, 53, 41]  # 53 x 300 = 15,900; never 53 + 1 + ...


def test_batcher_oversized_input_travels_alone() -> None:
    batches = _cut([10, 10, 500, 10], max_count=64, max_tokens=100)

    assert batches == [[0, 1], [2], [3]]


def test_batcher_flush_of_nothing_is_empty() -> None:
    assert Batcher[int](max_count=4, max_tokens=100).flush() == []


@pytest.mark.parametrize(
    ("count", "tokens", "expected"),
    [(64, 100, 1.0), (32, 8_000, 0.5), (10, 15_900, 15_900 / 16_000), (53, 16_500, 1.0)],
)
def test_fill_is_the_binding_limits_share(count: int, tokens: int, expected: float) -> None:
    assert fill(count, tokens, max_count=64, max_tokens=16_000) == pytest.approx(expected)
