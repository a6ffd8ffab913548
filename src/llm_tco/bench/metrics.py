"""Metric definitions, one each (documented in docs/metrics.md).

Only successful requests contribute to latency statistics and token totals.
Anything that cannot be computed is ``None``, never 0.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from llm_tco.bench.records import RequestRecord
from llm_tco.errors import InputError

METRICS = ("ttft", "tpot", "itl", "e2el")
GOODPUT_METRICS = ("ttft", "tpot", "itl", "e2el")
DEFAULT_PERCENTILES = (50.0, 95.0, 99.0)


def ttft_ms(record: RequestRecord) -> float | None:
    """Send to the first event that carried text (content or reasoning)."""
    value = record.ttft_s
    return None if value is None else value * 1000.0


def e2el_ms(record: RequestRecord) -> float | None:
    """Send to the last event that carried text."""
    value = record.e2e_s
    return None if value is None else value * 1000.0


def tpot_ms(record: RequestRecord) -> float | None:
    """(E2E − TTFT) / (output tokens − 1); None for fewer than 2 tokens."""
    tokens = record.output_tokens
    ttft, e2e = record.ttft_s, record.e2e_s
    if tokens is None or tokens < 2 or ttft is None or e2e is None:
        return None
    return (e2e - ttft) * 1000.0 / (tokens - 1)


def itl_ms(record: RequestRecord) -> list[float]:
    """Gaps between consecutive text events, one per gap whatever the number
    of tokens an event carried (see ``multi_token_events``)."""
    times = record.event_times_s
    return [(b - a) * 1000.0 for a, b in itertools.pairwise(times)]


def percentile(sorted_values: Sequence[float], pct: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return None
    rank = (len(sorted_values) - 1) * pct / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(sorted_values) - 1)
    frac = rank - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * frac


def pct_key(pct: float) -> str:
    """``p99`` for 99, ``p99.9`` for 99.9 (vLLM's key style)."""
    return f"p{int(pct)}" if float(pct).is_integer() else f"p{pct}"


def stats(
    values: Iterable[float], percentiles: Sequence[float]
) -> dict[str, float | None]:
    """mean, median, std (population) and the chosen percentiles."""
    ordered = sorted(values)
    out: dict[str, float | None] = {}
    if ordered:
        mean = math.fsum(ordered) / len(ordered)
        out["mean"] = mean
        out["median"] = percentile(ordered, 50.0)
        out["std"] = math.sqrt(
            math.fsum((v - mean) ** 2 for v in ordered) / len(ordered)
        )
    else:
        out.update(mean=None, median=None, std=None)
    for pct in percentiles:
        out[pct_key(pct)] = percentile(ordered, pct)
    return out


def parse_goodput(items: Sequence[str]) -> dict[str, float]:
    """``["ttft:2000", "tpot:50"]`` → ``{"ttft": 2000.0, "tpot": 50.0}`` (ms)."""
    limits: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition(":")
        if not sep or name not in GOODPUT_METRICS:
            raise InputError(
                f"--goodput {item!r} is not NAME:MS; write e.g. ttft:2000 tpot:50 "
                f"(names: {', '.join(GOODPUT_METRICS)})"
            )
        try:
            limit_ms = float(value)
        except ValueError:
            limit_ms = -1.0
        if not math.isfinite(limit_ms) or limit_ms <= 0:
            raise InputError(
                f"--goodput {item!r}: the limit must be a positive number of ms, "
                f"e.g. {name}:2000"
            )
        limits[name] = limit_ms
    return limits


def is_good(record: RequestRecord, limits: Mapping[str, float]) -> bool:
    """Every limit met. A failed request is never good; a 1-token request has
    no TPOT and cannot break a TPOT limit (as vLLM counts it)."""
    if not record.ok:
        return False
    checks = {
        "ttft": ttft_ms(record),
        "tpot": tpot_ms(record),
        "e2el": e2el_ms(record),
    }
    for name, limit_ms in limits.items():
        if name == "itl":
            gaps = itl_ms(record)
            if gaps and max(gaps) > limit_ms:
                return False
            continue
        value = checks[name]
        if value is None:
            if name == "tpot":
                continue
            return False
        if value > limit_ms:
            return False
    return True


@dataclass
class LevelMetrics:
    """Everything one level measured."""

    duration_s: float
    completed: int
    failed: int
    failures: dict[str, int]
    total_input_tokens: int
    total_output_tokens: int
    request_throughput_per_s: float | None
    output_tokens_per_s: float | None
    total_tokens_per_s: float | None
    goodput_per_s: float | None
    latency_ms: dict[str, dict[str, float | None]]
    slot_wait_ms: dict[str, float | None]
    token_sources: dict[str, dict[str, int]]
    multi_token_events: int
    cached_prompt_tokens: int
    not_finished: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def level_metrics(
    records: Sequence[RequestRecord],
    duration_s: float,
    *,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    goodput_ms: Mapping[str, float] | None = None,
    not_finished: int = 0,
) -> LevelMetrics:
    """Aggregate one level; rates are over the level's wall time."""
    ok = [r for r in records if r.ok]
    failures = Counter(str(r.failure) for r in records if not r.ok)
    input_total = sum(r.input_tokens or 0 for r in ok)
    output_total = sum(r.output_tokens or 0 for r in ok)
    latency = {
        "ttft": stats(_present(ttft_ms(r) for r in ok), percentiles),
        "tpot": stats(_present(tpot_ms(r) for r in ok), percentiles),
        "itl": stats((g for r in ok for g in itl_ms(r)), percentiles),
        "e2el": stats(_present(e2el_ms(r) for r in ok), percentiles),
    }
    good = sum(1 for r in ok if is_good(r, goodput_ms)) if goodput_ms else None
    return LevelMetrics(
        duration_s=duration_s,
        completed=len(ok),
        failed=len(records) - len(ok),
        failures=dict(sorted(failures.items())),
        total_input_tokens=input_total,
        total_output_tokens=output_total,
        request_throughput_per_s=_rate(len(ok), duration_s, ok),
        output_tokens_per_s=_rate(output_total, duration_s, ok),
        total_tokens_per_s=_rate(input_total + output_total, duration_s, ok),
        goodput_per_s=None if good is None else _rate(good, duration_s, ok),
        latency_ms=latency,
        slot_wait_ms=stats((r.slot_wait_s * 1000.0 for r in records), percentiles),
        token_sources=_sources(ok),
        multi_token_events=sum(1 for r in ok for n in r.event_tokens if n > 1),
        cached_prompt_tokens=sum(r.cached_tokens or 0 for r in ok),
        not_finished=not_finished,
    )


def _present(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def _rate(amount: int, duration_s: float, ok: Sequence[RequestRecord]) -> float | None:
    if not ok or duration_s <= 0:
        return None
    return amount / duration_s


def _sources(ok: Sequence[RequestRecord]) -> dict[str, dict[str, int]]:
    inputs = Counter(str(r.input_source or "unknown") for r in ok)
    outputs = Counter(str(r.output_source or "unknown") for r in ok)
    return {"input": dict(inputs), "output": dict(outputs)}
