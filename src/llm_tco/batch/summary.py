"""Plain-text lines describing a run, the state, and a bill (no printing)."""

from __future__ import annotations

from decimal import Decimal

from llm_tco.batch.bill import Bill, Measured
from llm_tco.batch.runner import WINDOW_CLOSED, RunSummary
from llm_tco.batch.store import Counts
from llm_tco.batch.window import percentile
from llm_tco.money import Span, round_half_up


def run_lines(summary: RunSummary) -> list[str]:
    counts = summary.counts
    lines = [
        f"run {summary.run_id}: {summary.stop_reason} after {summary.duration_s:.1f} s",
        f"  this run: {summary.done} done, {summary.failed} failed, "
        f"{summary.retries} retries, {summary.recovered} re-sent after a dead run",
        f"  all jobs: {counts.done} done, {counts.failed} failed of {counts.total}",
    ]
    if counts.left:
        why = " (the window closed)" if summary.stop_reason == WINDOW_CLOSED else ""
        lines.append(f"{counts.left} left for the next run{why}")
    else:
        lines.append("nothing left for the next run")
    return lines


def status_lines(counts: Counts, durations_s: list[float]) -> list[str]:
    lines = [
        f"jobs: {counts.total}  pending {counts.pending}  running {counts.running}  "
        f"done {counts.done}  failed {counts.failed}",
        f"attempts: {counts.attempts}  re-sent after a dead run: {counts.resends}",
    ]
    if durations_s:
        lines.append(
            f"job duration: p50 {percentile(durations_s, 50):.2f} s, "
            f"p90 {percentile(durations_s, 90):.2f} s over {len(durations_s)} done"
        )
    return lines


def _money(span: Span, currency: str) -> str:
    """Four significant digits: a test run can cost €0.0003, and rounding that
    to 0.0003 or 0.0000 would hide the basis of a 90× ratio."""
    ends = [_four_digits(v) for v in span.ends]
    text = ends[0] if ends[0] == ends[1] else f"{ends[0]}–{ends[1]}"
    return f"{text} {currency}"


def _four_digits(value: Decimal) -> str:
    places = 2 if value == 0 else max(2, 3 - value.copy_abs().adjusted())
    text = f"{round_half_up(value, places):f}"
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.rstrip('0').ljust(2, '0')}"


def bill_lines(bill: Bill) -> list[str]:
    m: Measured = bill.measured
    api_cost = bill.api.cost_per_run
    lines = [
        f"jobs: {m.jobs_done} done, {m.jobs_failed} failed, {m.jobs_left} left",
        f"tokens (server usage): {m.input_tokens} in, {m.output_tokens} out, "
        f"{m.total_tokens} total over {m.responses} responses",
        f"wall time: {m.wall_s:.1f} s; effective {m.tokens_per_s:.1f} tokens/s "
        f"({m.output_tokens_per_s:.1f} output tokens/s)",
        f"GPU: {bill.gpu_hours.rounded(4)} GPU-hours × {bill.gpu_label} = "
        f"{_money(bill.gpu_cost, bill.currency)} "
        f"({_money(bill.gpu_cost_per_1m_tokens, bill.currency)} per 1M tokens)",
        f"API: same tokens at {bill.api_label} = {_money(api_cost, bill.currency)} "
        f"({_money(bill.api.cost_per_1m_tokens_blended, bill.currency)} per 1M)",
    ]
    if api_cost.high > 0:
        ratio = bill.gpu_cost / api_cost
        lines.append(f"GPU / API: {ratio.rounded(2)}×")
    if m.resends:
        lines.append(
            f"note: {m.resends} request(s) were in flight when a run died; their "
            "tokens are not in the usage above"
        )
    return lines


def decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")
