"""When to try a request again, and how long to wait first.

Exponential back-off with jitter: the n-th retry waits a random time between
half and all of ``base_s × factor^(n-1)`` (capped), so replicas that failed
together do not come back together. A ``Retry-After`` from the server (seconds
or an HTTP date) is a floor on that wait.
"""

from __future__ import annotations

import email.utils
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime

from llm_tco.errors import InputError

RETRYABLE_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 60.0
    max_retry_after_s: float = 600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InputError(f"attempts must be at least 1, got {self.max_attempts}")
        for name, value, low in (
            ("back-off base", self.base_s, 0.0),
            ("back-off cap", self.cap_s, 0.0),
            ("back-off factor", self.factor, 1.0),
            ("Retry-After cap", self.max_retry_after_s, 0.0),
        ):
            if not (math.isfinite(value) and value >= low):
                raise InputError(f"{name} must be at least {low:g}, got {value:g}")

    def backoff_s(self, retry: int, rng: random.Random) -> float:
        """The jittered wait before retry number ``retry`` (1 = first retry)."""
        ceiling = min(self.cap_s, self.base_s * self.factor ** (retry - 1))
        return rng.uniform(ceiling / 2, ceiling)

    def wait_s(
        self, retry: int, retry_after_s: float | None, rng: random.Random
    ) -> float:
        """Back-off, but never less than what the server asked for."""
        wait = self.backoff_s(retry, rng)
        if retry_after_s is not None:
            wait = max(wait, min(retry_after_s, self.max_retry_after_s))
        return wait


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP
    date; None if absent or unreadable. A date in the past means 0."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until(text, now or datetime.now(UTC))
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _seconds_until(http_date: str, now: datetime) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)
