"""Typed catalog entries. Every entry names its source and its as-of date."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    total_params_b: float
    active_params_b: float
    weight_gb: float
    quantization: str
    context_tokens: int
    license: str
    size_class: int
    source: str
    as_of: str
    aliases: list[str] = field(default_factory=list)
    hf_repo: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Gpu:
    id: str
    name: str
    vendor: str
    software_stack: str
    memory_gb: float
    bandwidth_gb_per_s: float
    power_w: float
    source: str
    as_of: str
    aliases: list[str] = field(default_factory=list)
    purchase_price: list[Decimal] = field(default_factory=list)
    purchase_currency: str = ""
    purchase_source: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Offer:
    """A rental price for one GPU-hour at one provider."""

    id: str
    provider: str
    gpu: str
    price_per_gpu_hour: Decimal
    currency: str
    region: str
    eu: bool
    kind: str
    source: str
    as_of: str
    aliases: list[str] = field(default_factory=list)
    country: str = ""
    price_note: str = ""
    converted_with: str = ""
    summary: str = ""


@dataclass(frozen=True)
class ApiPrice:
    """A pay-per-token API price per 1M input and output tokens."""

    id: str
    provider: str
    model: str
    input_per_1m: Decimal
    output_per_1m: Decimal
    currency: str
    source: str
    as_of: str
    aliases: list[str] = field(default_factory=list)
    region: str = ""
    eu: bool = False
    converted_with: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Fx:
    """One ``base`` buys ``rate`` of ``quote``."""

    id: str
    base: str
    quote: str
    rate: Decimal
    source: str
    as_of: str
    notes: str = ""


@dataclass(frozen=True)
class SweepLevelRow:
    concurrency: int
    total_tokens_per_s: float
    output_tokens_per_s: float | None = None


@dataclass(frozen=True)
class SweepEntry:
    """A measured sweep shipped as data (e.g. the article's two cards)."""

    id: str
    label: str
    gpu: str
    model: str
    input_len: int
    output_len: int
    levels: list[SweepLevelRow]
    source: str
    as_of: str
    offer: str = ""
    notes: str = ""
