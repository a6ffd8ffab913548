"""Tokens of a workload and what a pay-per-token API charges for them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from llm_tco.money import Span, SpanLike, non_negative, positive

MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class TokenVolume:
    """Tokens of one run (e.g. one night)."""

    input_tokens: Span
    output_tokens: Span

    @property
    def total_tokens(self) -> Span:
        return self.input_tokens + self.output_tokens


def token_volume(
    jobs: SpanLike, input_tokens_per_job: SpanLike, output_tokens_per_job: SpanLike
) -> TokenVolume:
    """Tokens per run: jobs × tokens per job, input and output apart."""
    jobs_span = positive(jobs, "jobs per run")
    return TokenVolume(
        input_tokens=jobs_span * non_negative(input_tokens_per_job, "input tokens"),
        output_tokens=jobs_span * positive(output_tokens_per_job, "output tokens"),
    )


@dataclass(frozen=True)
class ApiCost:
    cost_per_run: Span
    input_cost_per_run: Span
    output_cost_per_run: Span
    cost_per_month: Span
    cost_per_1m_tokens_blended: Span


def api_cost(
    volume: TokenVolume,
    runs_per_month: SpanLike,
    input_price_per_1m: SpanLike,
    output_price_per_1m: SpanLike,
) -> ApiCost:
    """The API bill: per run, per month, and blended per 1M tokens."""
    input_cost = (
        volume.input_tokens
        / MILLION
        * positive(input_price_per_1m, "API input price per 1M tokens")
    )
    output_cost = (
        volume.output_tokens
        / MILLION
        * positive(output_price_per_1m, "API output price per 1M tokens")
    )
    per_run = input_cost + output_cost
    return ApiCost(
        cost_per_run=per_run,
        input_cost_per_run=input_cost,
        output_cost_per_run=output_cost,
        cost_per_month=per_run * positive(runs_per_month, "runs per month"),
        cost_per_1m_tokens_blended=_blended(volume, input_cost, output_cost),
    )


def _blended(volume: TokenVolume, input_cost: Span, output_cost: Span) -> Span:
    # Ends pair up: the low bill belongs to the low volume. Dividing the ranges
    # independently would widen the answer past what any one workload pays.
    ends = [
        (ic + oc) / (it + ot) * MILLION
        for ic, oc, it, ot in zip(
            input_cost.ends,
            output_cost.ends,
            volume.input_tokens.ends,
            volume.output_tokens.ends,
            strict=True,
        )
    ]
    return Span(min(ends), max(ends))
