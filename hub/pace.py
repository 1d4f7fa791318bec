"""How many requests to keep in flight: enough for the contract's rate, fewer after a 429.

- `requests_in_flight`: Little's law. At `rate` requests per second and `latency` seconds per
  answer, `rate × latency` requests are out at any moment; one more covers the batch being cut.
  `LatencyWindow` gives the latency (p90 of the last answers).
- `Congestion`: AIMD, as TCP does it. A 429 means the target was too high for what the server
  lets through right now (someone else on the contract, a limit lowered mid-run): the window
  halves, once per round trip (answers to requests sent before the cut are the same overload,
  not a new one). Every success adds 1/window, so a window's worth of answers adds one request;
  once the window reaches the target again it follows the target alone.

Pure and thread-safe, the clock injected, so tests run instantly.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable


class LatencyWindow:
    """The response times of the last `size` successful requests; thread-safe."""

    def __init__(self, size: int = 20) -> None:
        self._seen: deque[float] = deque(maxlen=size)
        self._lock = threading.Lock()

    def observe(self, seconds: float) -> None:
        with self._lock:
            self._seen.append(max(0.0, seconds))

    def p90(self) -> float | None:
        """The 90th percentile (nearest rank), or None before the first answer."""
        with self._lock:
            seen = sorted(self._seen)
        if not seen:
            return None
        return seen[min(len(seen) - 1, math.ceil(0.9 * len(seen)) - 1)]


def requests_in_flight(rate: float, latency: float, *, cap: int) -> int:
    """Requests to keep going so `rate` per second is reached at `latency` seconds each.

    Little's law: L = rate × latency requests are answered while the next one goes out; one
    more covers the batch being assembled. Never below 1, never above `cap` (the memory bound).
    """
    needed = math.ceil(max(0.0, rate) * max(0.0, latency)) + 1
    return max(1, min(cap, needed))


class Congestion:
    """An AIMD cap on requests in flight, beside Little's law's target; thread-safe."""

    def __init__(self, *, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._window: float | None = None  # None: no 429 since the target was last reached
        self._cut_at = -math.inf  # when the window was last halved
        self._target = 1
        self._lock = threading.Lock()

    def limit(self, target: int) -> int:
        """Requests to keep in flight: `target`, or less while recovering from a 429."""
        with self._lock:
            self._target = max(1, target)
            if self._window is None:
                return self._target
            if self._window >= self._target:
                self._window = None  # recovered: the target alone again
                return self._target
            return max(1, int(self._window))

    def throttled(self, *, sent_at: float) -> None:
        """A request sent at `sent_at` was answered 429: halve the window, once per round."""
        with self._lock:
            if sent_at < self._cut_at:
                return  # sent before the last cut: the same overload
            current = self._target if self._window is None else min(self._window, self._target)
            self._window = max(1.0, math.floor(current) / 2)
            self._cut_at = self._clock()

    def succeeded(self) -> None:
        """A request was answered: one more in flight per window's worth of answers."""
        with self._lock:
            if self._window is not None:
                self._window += 1.0 / max(1.0, self._window)

    @property
    def reduced(self) -> bool:
        """Whether 429s hold the number in flight below the target right now."""
        with self._lock:
            return self._window is not None and self._window < self._target
