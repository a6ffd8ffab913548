"""Measured throughput: a sweep of concurrency levels.

A sweep is what a benchmark leaves behind, whoever ran it: the article's two
cards (shipped as data), a ``vllm bench serve`` result directory, or our own
``llm-tco bench``. The cost engine only needs one number from it, the total
tokens per second at the chosen concurrency; the report shows the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from llm_tco.errors import InputError


@dataclass(frozen=True)
class Level:
    """One concurrency level of a sweep. ``None`` means not measured."""

    concurrency: int
    total_tokens_per_s: float
    output_tokens_per_s: float | None = None
    request_throughput_per_s: float | None = None
    completed: int | None = None
    failed: int | None = None
    ttft_ms: dict[str, float | None] = field(default_factory=dict)
    tpot_ms: dict[str, float | None] = field(default_factory=dict)
    itl_ms: dict[str, float | None] = field(default_factory=dict)
    e2el_ms: dict[str, float | None] = field(default_factory=dict)
    goodput_per_s: float | None = None
    input_len: int | None = None
    output_len: int | None = None


@dataclass(frozen=True)
class Sweep:
    """Levels measured on one server (one GPU type, one model, one job shape)."""

    id: str
    label: str
    levels: tuple[Level, ...]
    gpu: str | None = None
    model: str | None = None
    source: str = ""
    as_of: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        usable = [
            lv
            for lv in self.levels
            if lv.total_tokens_per_s > 0 and not _mostly_failed(lv)
        ]
        if not usable:
            raise InputError(
                f"sweep {self.id!r} has no usable level (no level with total "
                "tokens/s above 0); re-run the benchmark or pick another sweep"
            )

    @property
    def usable_levels(self) -> tuple[Level, ...]:
        """Levels with throughput, and where most requests did not fail: a
        level that mostly failed measured errors, not the server's speed."""
        ordered = sorted(self.levels, key=lambda lv: lv.concurrency)
        return tuple(
            lv for lv in ordered if lv.total_tokens_per_s > 0 and not _mostly_failed(lv)
        )

    @property
    def dropped_levels(self) -> tuple[Level, ...]:
        """Levels left out of pricing because most of their requests failed."""
        return tuple(lv for lv in self.levels if _mostly_failed(lv))

    def peak(self) -> Level:
        """The level with the highest total tokens/s."""
        return max(self.usable_levels, key=lambda lv: lv.total_tokens_per_s)

    def at(self, concurrency: int) -> Level:
        """The level measured at exactly ``concurrency`` parallel jobs."""
        for level in self.usable_levels:
            if level.concurrency == concurrency:
                return level
        measured = ", ".join(str(lv.concurrency) for lv in self.usable_levels)
        raise InputError(
            f"sweep {self.id!r} has no level at concurrency {concurrency}; "
            f"measured: {measured}"
        )

    def choose(self, concurrency: int | None) -> Level:
        """The level to price: ``None`` means the peak."""
        return self.peak() if concurrency is None else self.at(concurrency)


def _mostly_failed(level: Level) -> bool:
    failed, completed = level.failed or 0, level.completed or 0
    return failed > 0 and failed >= completed
