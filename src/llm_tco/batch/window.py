"""The scheduled window: may another job start in the time left?

A job may start while the time left holds a typical slow job: the p90 of the
measured durations of finished jobs, times a safety margin. Before anything
has been measured, jobs start.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from llm_tco.errors import InputError


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile by linear interpolation (values need not be sorted)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Window:
    """Ends ``length_s`` after ``start_s`` (``time.perf_counter()`` values);
    ``length_s`` None means no window."""

    start_s: float
    length_s: float | None
    margin: float = 1.5
    pct: float = 90.0

    def __post_init__(self) -> None:
        if self.length_s is not None and not (
            math.isfinite(self.length_s) and self.length_s > 0
        ):
            raise InputError(
                f"the window must be longer than 0 s, got {self.length_s:g} s"
            )
        if not (math.isfinite(self.margin) and self.margin >= 1):
            raise InputError(f"the window margin must be at least 1, got {self.margin}")

    def left_s(self, now_s: float | None = None) -> float:
        if self.length_s is None:
            return math.inf
        now = time.perf_counter() if now_s is None else now_s
        return self.start_s + self.length_s - now

    def needed_s(self, durations_s: Sequence[float]) -> float:
        """Time a new job should have left: p90 of durations × margin."""
        return percentile(durations_s, self.pct) * self.margin if durations_s else 0.0

    def may_start(
        self, durations_s: Sequence[float], now_s: float | None = None
    ) -> bool:
        left = self.left_s(now_s)
        return left > 0 and left >= self.needed_s(durations_s)
