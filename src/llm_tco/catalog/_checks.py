"""Value checks on a loaded catalog: what types alone cannot say."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from llm_tco.catalog._schema import ApiPrice, Fx, Gpu, Model, Offer, SweepEntry
from llm_tco.errors import InputError

CURRENCY = re.compile(r"^[A-Z]{3}$")


def check_values(
    *,
    models: Iterable[Model],
    gpus: Iterable[Gpu],
    offers: Iterable[Offer],
    api_prices: Iterable[ApiPrice],
    fx: Iterable[Fx],
    sweeps: Iterable[SweepEntry],
) -> None:
    """Raise an InputError naming ``section.id.key`` for the first bad value."""
    for model in models:
        _model(model)
    for gpu in gpus:
        _above_zero(f"gpus.{gpu.id}", memory_gb=gpu.memory_gb, power_w=gpu.power_w)
        _above_zero(f"gpus.{gpu.id}", bandwidth_gb_per_s=gpu.bandwidth_gb_per_s)
        _purchase(gpu)
    for offer in offers:
        _above_zero(f"offers.{offer.id}", price_per_gpu_hour=offer.price_per_gpu_hour)
        _currency(f"offers.{offer.id}", offer.currency)
    for price in api_prices:
        where = f"api_prices.{price.id}"
        _above_zero(where, input_per_1m=price.input_per_1m)
        _above_zero(where, output_per_1m=price.output_per_1m)
        _currency(where, price.currency)
    for rate in fx:
        _above_zero(f"fx.{rate.id}", rate=rate.rate)
        _currency(f"fx.{rate.id}", rate.base, "base")
        _currency(f"fx.{rate.id}", rate.quote, "quote")
    for sweep in sweeps:
        _sweep(sweep)


def _model(model: Model) -> None:
    where = f"models.{model.id}"
    _above_zero(where, total_params_b=model.total_params_b, weight_gb=model.weight_gb)
    _above_zero(where, active_params_b=model.active_params_b)
    _above_zero(where, context_tokens=model.context_tokens)
    if model.active_params_b > model.total_params_b:
        raise InputError(
            f"{where}.active_params_b {model.active_params_b} is above "
            f"total_params_b {model.total_params_b}; active parameters are a part"
        )
    if model.size_class not in (1, 2, 3, 4):
        raise InputError(f"{where}.size_class {model.size_class} must be 1, 2, 3 or 4")


def _purchase(gpu: Gpu) -> None:
    where = f"gpus.{gpu.id}.purchase_price"
    prices = gpu.purchase_price
    if not prices:
        return
    if len(prices) != 2 or not 0 < prices[0] <= prices[1]:
        raise InputError(
            f"{where} {[str(p) for p in prices]} must be [low, high] with "
            "0 < low <= high"
        )
    _currency(f"gpus.{gpu.id}", gpu.purchase_currency, "purchase_currency")


def _sweep(sweep: SweepEntry) -> None:
    where = f"sweeps.{sweep.id}.levels"
    if not sweep.levels:
        raise InputError(f"{where} is empty; add at least one measured level")
    seen: set[int] = set()
    for row in sweep.levels:
        if row.concurrency < 1 or row.concurrency in seen:
            raise InputError(
                f"{where}: concurrency {row.concurrency} must be 1 or more and "
                "appear once"
            )
        seen.add(row.concurrency)
        _above_zero(where, total_tokens_per_s=row.total_tokens_per_s)


def _above_zero(where: str, **values: float | int | Decimal) -> None:
    for key, value in values.items():
        if not value > 0:
            raise InputError(f"{where}.{key} must be above 0, got {value}")


def _currency(where: str, code: str, key: str = "currency") -> None:
    if not CURRENCY.match(code):
        raise InputError(
            f"{where}.{key} {code!r} is not a currency code; write three capital "
            "letters such as EUR or USD"
        )
