"""Renting GPUs by the hour for a workload, priced from a measured throughput."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from llm_tco.money import Span, SpanLike, non_negative, positive

SECONDS_PER_HOUR = Decimal(3600)
MILLION = Decimal(1_000_000)


def compute_hours(total_tokens: SpanLike, tokens_per_s: SpanLike) -> Span:
    """Hours a server needs to process ``total_tokens`` at ``tokens_per_s``."""
    tokens = positive(total_tokens, "tokens per run")
    rate = positive(tokens_per_s, "throughput (total tokens/s)")
    return tokens / rate / SECONDS_PER_HOUR


def cost_per_1m_tokens(price_per_hour: SpanLike, tokens_per_s: SpanLike) -> Span:
    """What one million tokens cost on a rented server kept busy."""
    price = positive(price_per_hour, "price per hour")
    rate = positive(tokens_per_s, "throughput (total tokens/s)")
    return price / (rate * SECONDS_PER_HOUR / MILLION)


@dataclass(frozen=True)
class RentCost:
    """Renting for a workload. ``*_with_buffer`` adds start-up/buffer hours."""

    tokens_per_s: Span
    gpus: int
    price_per_hour: Span
    compute_hours_per_run: Span
    billed_hours_per_run: Span
    cost_per_run: Span
    compute_cost_per_month: Span
    cost_per_month: Span
    cost_per_1m_tokens: Span
    ratio_to_api: Span
    break_even_price_per_gpu_hour: Span
    break_even_price_per_gpu_hour_with_buffer: Span


def rent_cost(
    *,
    total_tokens_per_run: SpanLike,
    tokens_per_s: SpanLike,
    price_per_gpu_hour: SpanLike,
    runs_per_month: SpanLike,
    api_cost_per_run: SpanLike,
    startup_buffer_hours: SpanLike = 0,
    gpus: int = 1,
) -> RentCost:
    """Rent per run and per month, per 1M tokens, and the break-even price.

    ``tokens_per_s`` is what the whole server (``gpus`` cards) delivers. The
    monthly range runs from compute hours alone to compute plus start-up and
    buffer hours; the break-even is the GPU-hour price at which a run costs
    the same as on the API.
    """
    hours = compute_hours(total_tokens_per_run, tokens_per_s)
    buffer = non_negative(startup_buffer_hours, "start-up/buffer hours")
    billed = Span(hours.low, hours.high + buffer.high)
    price = positive(price_per_gpu_hour, "price per GPU-hour") * gpus
    runs = positive(runs_per_month, "runs per month")
    api_run = positive(api_cost_per_run, "API cost per run")
    per_1m = cost_per_1m_tokens(price, tokens_per_s)
    api_per_1m = api_run / Span.of(total_tokens_per_run) * MILLION
    return RentCost(
        tokens_per_s=Span.of(tokens_per_s),
        gpus=gpus,
        price_per_hour=price,
        compute_hours_per_run=hours,
        billed_hours_per_run=billed,
        cost_per_run=billed * price,
        compute_cost_per_month=hours * price * runs,
        cost_per_month=billed * price * runs,
        cost_per_1m_tokens=per_1m,
        ratio_to_api=per_1m / api_per_1m,
        break_even_price_per_gpu_hour=api_run / hours / gpus,
        break_even_price_per_gpu_hour_with_buffer=api_run / (hours + buffer) / gpus,
    )
