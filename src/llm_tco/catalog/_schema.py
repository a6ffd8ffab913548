"""Typed catalog entries. Every entry names its source and its as-of date."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from llm_tco.errors import InputError

LAYER_KINDS = (
    "full_attention",
    "sliding_attention",
    "linear_attention",
    "compressed_attention",
)


@dataclass(frozen=True)
class LayerGroup:
    """``count`` decoder layers of one kind, as far as the KV cache cares.

    full_attention caches every token; sliding_attention at most
    ``window_tokens``; linear_attention (Gated DeltaNet, Mamba) a fixed
    ``state_bytes_per_sequence`` (BF16/FP32 as the model runs it);
    compressed_attention one entry per ``compress_ratio`` tokens plus a
    ``window_tokens`` local window (DeepSeek-V4).
    """

    kind: str
    count: int
    window_tokens: int = 0
    compress_ratio: int = 0
    state_bytes_per_sequence: int = 0

    def __post_init__(self) -> None:
        if self.kind not in LAYER_KINDS:
            raise InputError(
                f"layer kind {self.kind!r} is unknown; use one of "
                f"{', '.join(LAYER_KINDS)}"
            )
        if self.count < 1:
            raise InputError(f"layer count {self.count} must be 1 or more")


@dataclass(frozen=True)
class WeightFile:
    """The checkpoint's size in one quantisation, in GB (10^9 bytes)."""

    quantization: str
    weight_gb: float
    source: str
    notes: str = ""


@dataclass(frozen=True)
class Architecture:
    """What memory sizing needs from a model's config.json.

    ``latent_kv_dim`` > 0 marks MLA-style attention: one latent vector of that
    width per token and layer serves as K and V (no factor 2, not split by
    tensor parallelism). ``kv_cache_dtype`` is set when the model forces one.
    """

    layers: list[LayerGroup]
    attention_heads: int
    kv_heads: int
    head_dim: int
    hidden_size: int
    vocab_size: int
    experts_total: int
    experts_active: int
    max_context_tokens: int
    weights: list[WeightFile]
    source: str
    as_of: str
    latent_kv_dim: int = 0
    kv_cache_dtype: str = ""
    trust_remote_code: bool = False
    download_ignore: list[str] = field(default_factory=list)
    estimate: bool = False
    notes: str = ""


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
    arch: Architecture | None = None


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
    fp4_native: bool = False
    min_cuda: str = ""


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
