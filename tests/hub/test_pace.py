"""How many embedding requests an ingest keeps in flight, and what holds them back."""

from __future__ import annotations

import httpx
import pytest

from app.build import hub_config
from core.ports import PacedEmbedder, Priority
from core.settings import Settings
from hub.adapters import RemoteEmbedder
from hub.client import ModelHubClient
from hub.pace import Congestion, LatencyWindow, requests_in_flight
from tests.fakes.fake_hub import FakeClock, FakeHub

EMBED_MODEL = "BAAI/bge-m3"


@pytest.mark.parametrize(
    ("rate", "latency", "cap", "expected"),
    [
        (5.0, 0.0, 16, 1),  # instant answers: one at a time keeps up
        (5.0, 0.05, 16, 2),
        (5.0, 0.5, 16, 4),
        (5.0, 1.0, 16, 6),
        (5.0, 2.0, 16, 11),
        (5.0, 3.0, 16, 16),
        (5.0, 3.0, 8, 8),  # the memory bound wins
        (1.0, 2.0, 16, 3),  # a smaller contract needs fewer
    ],
)
def test_requests_in_flight_is_rate_times_latency_plus_one_capped(
    rate: float, latency: float, cap: int, expected: int
) -> None:
    assert requests_in_flight(rate, latency, cap=cap) == expected


def test_latency_window_p90_of_the_recent_answers() -> None:
    window = LatencyWindow(size=10)
    assert window.p90() is None
    for seconds in [5.0] * 10 + [0.1 * i for i in range(1, 11)]:  # the old 5 s fall out
        window.observe(seconds)
    assert window.p90() == pytest.approx(0.9)


def _embedder(
    hub: FakeHub, clock: FakeClock, *, delay: float, **settings: object
) -> RemoteEmbedder:
    def slow(request: httpx.Request) -> httpx.Response:
        clock.sleep(delay)  # the server takes `delay` s to answer
        return hub.handle(request)

    client = ModelHubClient(
        hub_config(Settings(api_token="tok", base_url="http://hub.test/v1", **settings)),  # type: ignore[arg-type]
        transport=httpx.MockTransport(slow),
        sleep=clock.sleep,
        clock=clock.now,
        jitter=lambda: 0.0,
    )
    return RemoteEmbedder(client, EMBED_MODEL)


def test_remote_embedder_pace_follows_the_observed_response_time() -> None:
    clock = FakeClock()
    embedder = _embedder(FakeHub(), clock, delay=2.0)
    assert isinstance(embedder, PacedEmbedder)
    assert embedder.pace().in_flight == 6  # before any answer: 1 s assumed, 5/s allowed

    embedder.embed_batch(["one", "two"])

    assert embedder.pace().in_flight == 11  # ceil(5/s x 2 s) + 1


def test_remote_embedder_embed_batch_sends_the_batch_as_given() -> None:
    hub = FakeHub()
    embedder = _embedder(hub, FakeClock(), delay=0.0, embed_batch_size=4)

    vectors = embedder.embed_batch([f"text {i}" for i in range(10)])

    assert len(vectors) == 10
    assert [len(r.body["input"]) for r in hub.requests] == [10]  # no second cut


def test_remote_embedder_pace_says_when_the_rate_limit_holds_work_back() -> None:
    embedder = _embedder(FakeHub(), FakeClock(), delay=0.0, rate_limit_per_minute=120)
    assert embedder.pace().held_back == ""

    with embedder._client.limiter.queued(Priority.BULK):  # a bulk request waiting for a slot
        assert embedder.pace().held_back == "the rate limit (120/min)"


def test_congestion_halves_once_per_round_and_grows_back_by_one_per_window() -> None:
    clock = FakeClock()
    window = Congestion(clock=clock.now)
    assert window.limit(8) == 8 and not window.reduced

    window.throttled(sent_at=clock.now() - 1.0)  # a 429: 8 -> 4
    clock.sleep(0.5)
    window.throttled(sent_at=clock.now() - 1.0)  # sent before the cut: the same overload
    assert window.limit(8) == 4 and window.reduced

    window.throttled(sent_at=clock.now())  # sent after the cut: a new one, 4 -> 2
    assert window.limit(8) == 2

    answers = 0
    while window.limit(8) < 8:  # +1/window per answer: ~one more per window's worth
        window.succeeded()
        answers += 1
    # 2 -> 3 -> ... -> 8: from k to k + 1 takes between k and k + 1 answers (1/window each)
    assert 2 + 3 + 4 + 5 + 6 + 7 <= answers <= 3 + 4 + 5 + 6 + 7 + 8
    assert not window.reduced and window.limit(12) == 12  # recovered: the target alone again


def test_congestion_never_below_one() -> None:
    clock = FakeClock()
    window = Congestion(clock=clock.now)
    window.limit(2)
    for _ in range(4):
        clock.sleep(1.0)
        window.throttled(sent_at=clock.now())
    assert window.limit(2) == 1


def test_remote_embedder_in_flight_shrinks_after_a_429_and_grows_back() -> None:
    clock = FakeClock()
    hub = FakeHub()
    embedder = _embedder(hub, clock, delay=1.0)
    embedder.embed_batch(["warm up"])
    assert embedder.pace().in_flight == 6  # ceil(5/s x 1 s) + 1

    hub.fail_next(429, retry_after=1)  # the server lets fewer through than the contract says
    embedder.embed_batch(["one"])  # retried after the pause, answered

    assert hub.count("/v1/embeddings") == 3
    shrunk = embedder.pace().in_flight
    assert shrunk == 3  # halved
    for _ in range(30):
        embedder.embed_batch(["again"])
    assert embedder.pace().in_flight == 6  # grown back to the target
