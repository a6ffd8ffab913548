"""What a run cost: its measured tokens and wall time, priced as rented GPU
hours and as the same tokens on a pay-per-token API, through
:mod:`llm_tco.cost`.

Tokens are the server's own ``usage`` of every response received, retries
and malformed answers included: the GPU processed them and an API would have
charged them. A request that was in flight when a run died sent no usage back,
so its tokens are missing from the bill (``resends`` says how many).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from llm_tco._files import write_atomic
from llm_tco.batch.store import Store
from llm_tco.cost import (
    ApiCost,
    TokenVolume,
    api_cost,
    compute_hours,
    cost_per_1m_tokens,
)
from llm_tco.errors import RunError
from llm_tco.money import FxRate, Money, Span


@dataclass(frozen=True)
class Measured:
    """The state database summed up: jobs, tokens from usage, wall time."""

    jobs_done: int
    jobs_failed: int
    jobs_left: int
    input_tokens: int
    output_tokens: int
    responses: int
    resends: int
    wall_s: float
    concurrency: int
    model: str

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def tokens_per_s(self) -> float:
        return self.total_tokens / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def output_tokens_per_s(self) -> float:
        return self.output_tokens / self.wall_s if self.wall_s > 0 else 0.0


def measure(store: Store) -> Measured:
    counts = store.counts()
    usage = store.query(
        "SELECT coalesce(sum(prompt_tokens), 0) AS i, "
        "coalesce(sum(completion_tokens), 0) AS o, "
        "count(prompt_tokens) AS n FROM attempts"
    )[0]
    runs = store.runs()
    models = [r["model"] for r in runs if r["model"]]
    return Measured(
        jobs_done=counts.done,
        jobs_failed=counts.failed,
        jobs_left=counts.left,
        input_tokens=int(usage["i"]),
        output_tokens=int(usage["o"]),
        responses=int(usage["n"]),
        resends=counts.resends,
        wall_s=sum(float(r["duration_s"]) for r in runs),
        concurrency=max((int(r["concurrency"]) for r in runs), default=0),
        model=models[-1] if models else "",
    )


@dataclass(frozen=True)
class GpuPrice:
    price_per_hour: Decimal  # per GPU
    currency: str
    label: str
    gpus: int = 1


@dataclass(frozen=True)
class TokenPrice:
    input_per_1m: Decimal
    output_per_1m: Decimal
    currency: str
    label: str


@dataclass(frozen=True)
class Bill:
    measured: Measured
    currency: str
    gpu_label: str
    api_label: str
    gpu_hours: Span
    gpu_cost: Span
    gpu_cost_per_1m_tokens: Span
    api: ApiCost

    @property
    def api_cost(self) -> Span:
        return self.api.cost_per_run


def price_run(
    measured: Measured, gpu: GpuPrice, api: TokenPrice, fx: FxRate | None = None
) -> Bill:
    """GPU hours × price against the same tokens at the API price. The API
    price is converted to the GPU price's currency with ``fx`` if they differ."""
    if measured.total_tokens <= 0 or measured.wall_s <= 0:
        raise RunError(
            "nothing to bill yet: no response with usage was recorded; run the batch"
        )
    in_price = Money.of(api.input_per_1m, api.currency).in_currency(gpu.currency, fx)
    out_price = Money.of(api.output_per_1m, api.currency).in_currency(gpu.currency, fx)
    rate = Span.of(str(measured.tokens_per_s))
    hours = compute_hours(measured.total_tokens, rate) * gpu.gpus
    server_price = Span.of(gpu.price_per_hour) * gpu.gpus
    volume = TokenVolume(
        input_tokens=Span.of(measured.input_tokens),
        output_tokens=Span.of(measured.output_tokens),
    )
    return Bill(
        measured=measured,
        currency=gpu.currency,
        gpu_label=gpu.label,
        api_label=api.label,
        gpu_hours=hours,
        gpu_cost=hours * gpu.price_per_hour,
        gpu_cost_per_1m_tokens=cost_per_1m_tokens(server_price, rate),
        api=api_cost(volume, 1, in_price.span, out_price.span),
    )


def result_document(measured: Measured, date: datetime | None = None) -> dict[str, Any]:
    """The run as one ``vllm bench serve --save-result`` level, for
    ``llm-tco report --results DIR``."""
    when = (date or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    wall_s = measured.wall_s
    completed = measured.jobs_done
    return {
        "date": when,
        "backend": "openai-chat",
        "model_id": measured.model or "unknown",
        "num_prompts": measured.jobs_done + measured.jobs_failed,
        "request_rate": "inf",
        "max_concurrency": measured.concurrency or None,
        "duration": wall_s,
        "completed": completed,
        "failed": measured.jobs_failed,
        "total_input_tokens": measured.input_tokens,
        "total_output_tokens": measured.output_tokens,
        "request_throughput": completed / wall_s if wall_s > 0 else 0.0,
        "output_throughput": measured.output_tokens_per_s,
        "total_token_throughput": measured.tokens_per_s,
        "llm_tco": {
            "source": "llm-tco batch",
            "responses_with_usage": measured.responses,
            "resends": measured.resends,
            "jobs_left": measured.jobs_left,
            "settings": {"max_concurrency": measured.concurrency or None},
        },
    }


def write_result_dir(measured: Measured, folder: Path) -> Path:
    """Write the run's level file into ``folder``; returns its path."""
    document = result_document(measured)
    model = re.sub(r"[^A-Za-z0-9._-]+", "_", document["model_id"].rsplit("/", 1)[-1])
    name = (
        f"openai-chat-infqps-concurrency{measured.concurrency}-{model}-"
        f"{document['date']}.json"
    )
    path = folder / name
    write_atomic(path, json.dumps(document, indent=2) + "\n", make_dirs=True)
    return path
