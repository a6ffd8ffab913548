"""What ``llm-tco bench`` shows: a progress bar per level, then the table."""

from __future__ import annotations

from decimal import Decimal
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from llm_tco.bench.records import RequestRecord
from llm_tco.bench.runner import BenchConfig, LevelOutcome, SweepOutcome
from llm_tco.cost.rent import cost_per_1m_tokens

NA = "n/a"


class RichProgress:
    """One progress bar per level, on stderr.

    Use as a context manager. The live display starts with the first level,
    not before: an error before any level (no server, a bad dataset) leaves
    stderr with the error line only. On an error the bars are cleared, so
    the error is the last and only thing said.
    """

    def __init__(self, console: Console) -> None:
        self.bar = Progress(
            TextColumn("concurrency {task.fields[conc]:>4}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("failed {task.fields[failed]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task: Any = None
        self._failed = 0
        self._started = False

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._started:
            return
        self._started = False
        if exc_type is None:
            self.bar.stop()
            return
        # Progress.stop() would add a blank line off a terminal: stop the
        # live display itself, and clear it.
        self.bar.live.transient = True
        self.bar.live.stop()

    def level_started(self, concurrency: int, requests: int) -> None:
        if not self._started:
            self.bar.start()
            self._started = True
        self._failed = 0
        self._task = self.bar.add_task("", total=requests, conc=concurrency, failed=0)

    def request_done(self, record: RequestRecord) -> None:
        if not record.ok:
            self._failed += 1
        self.bar.update(self._task, advance=1, failed=self._failed)

    def level_finished(self, outcome: LevelOutcome) -> None:
        return None


def print_table(
    outcome: SweepOutcome, config: BenchConfig, price: tuple[Decimal, str] | None
) -> None:
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # a pipe or a file: do not wrap the header
    table = Table(
        title=f"{outcome.model}: {config.input_len} in / {config.output_len} out"
    )
    for name in (
        "Parallel jobs",
        "Total tok/s",
        "Output tok/s",
        "TTFT p50/p95 ms",
        "TPOT p50/p95 ms",
        "Failed",
    ):
        table.add_column(name, justify="right")
    if config.goodput_ms:
        table.add_column("Goodput req/s", justify="right")
    if price is not None:
        table.add_column(f"{price[1]} / 1M tok", justify="right")
        table.add_column(f"{price[1]} for the level", justify="right")
    for level in outcome.levels:
        table.add_row(*_row(level, config, price))
    console.print(table)
    if price is not None:
        console.print(
            f"{price[1]} / 1M tok: the server's hourly price over the total tokens "
            f"it delivers in an hour at that level; {price[1]} for the level: the "
            "price of the level's wall time."
        )
    if outcome.stop_reason:
        console.print(f"stopped early: {outcome.stop_reason}")
    for path in outcome.summary_paths:
        console.print(f"written: {path}")


def _row(
    level: LevelOutcome, config: BenchConfig, price: tuple[Decimal, str] | None
) -> list[str]:
    m = level.metrics
    ttft, tpot = m.latency_ms["ttft"], m.latency_ms["tpot"]
    failures = ", ".join(f"{k} {v}" for k, v in m.failures.items())
    row = [
        str(level.concurrency),
        _num(m.total_tokens_per_s),
        _num(m.output_tokens_per_s),
        f"{_num(ttft.get('p50'))} / {_num(ttft.get('p95'))}",
        f"{_num(tpot.get('p50'), 1)} / {_num(tpot.get('p95'), 1)}",
        f"{m.failed} ({failures})" if m.failed else "0",
    ]
    if config.goodput_ms:
        row.append(_num(m.goodput_per_s, 2))
    if price is not None:
        row.extend(_cost_cells(price[0], m.total_tokens_per_s, m.duration_s))
    return row


def _cost_cells(
    price_per_hour: Decimal, tokens_per_s: float | None, duration_s: float
) -> list[str]:
    if not tokens_per_s:
        return [NA, NA]
    per_1m = _cost_per_1m(price_per_hour, tokens_per_s)
    per_run = price_per_hour * Decimal(str(duration_s)) / 3600
    return [f"{per_1m:.4f}", f"{per_run:.4f}"]


def _cost_per_1m(price_per_hour: Decimal, tokens_per_s: float) -> Decimal:
    return cost_per_1m_tokens(price_per_hour, tokens_per_s).low


def _num(value: float | None, places: int = 0) -> str:
    return NA if value is None else f"{value:,.{places}f}"
