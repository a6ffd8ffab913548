"""KV-cache bytes per token and per sequence, layer kind by layer kind.

Full-attention layers cache every token; sliding-window layers at most their
window; linear-attention (Gated DeltaNet, Mamba) layers a fixed state per
sequence; compressed layers (DeepSeek-V4) one entry per ``compress_ratio``
tokens plus a local window. All figures are per GPU under tensor parallelism:
KV heads split across GPUs (replicated when there are fewer heads than GPUs),
an MLA latent is replicated, a linear-attention state splits with its heads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from llm_tco.catalog._schema import Architecture, LayerGroup
from llm_tco.errors import InputError

KV_CACHE_DTYPES = ("auto", "fp8", "bf16")
_DTYPE_BYTES = {"bf16": 2, "fp8": 1}
# vLLM's default KV block on CUDA, in tokens.
DEFAULT_BLOCK_TOKENS = 16


def resolve_kv_dtype(arch: Architecture | None, kv_cache_dtype: str) -> str:
    """The dtype vLLM will really use: auto is the model dtype (BF16 for every
    catalogued model) unless the model forces one (DeepSeek-V4: FP8)."""
    if kv_cache_dtype not in KV_CACHE_DTYPES:
        raise InputError(
            f"--kv-cache-dtype {kv_cache_dtype!r} is unknown; "
            f"use one of {', '.join(KV_CACHE_DTYPES)}"
        )
    forced = arch.kv_cache_dtype if arch is not None else ""
    if forced:
        return forced
    return "bf16" if kv_cache_dtype == "auto" else kv_cache_dtype


def kv_dtype_bytes(kv_dtype: str) -> int:
    return _DTYPE_BYTES[kv_dtype]


def entry_bytes(arch: Architecture, dtype_bytes: int, gpus: int) -> int:
    """Bytes one layer caches per token (or compressed entry) on one GPU."""
    if arch.latent_kv_dim > 0:
        return arch.latent_kv_dim * dtype_bytes
    heads_per_gpu = max(math.ceil(arch.kv_heads / gpus), 1)
    return 2 * heads_per_gpu * arch.head_dim * dtype_bytes


def kv_bytes_per_token(arch: Architecture, dtype_bytes: int, gpus: int = 1) -> int:
    """Bytes the cache grows by per extra token of one long sequence, per GPU.

    Sliding-window and linear-attention layers do not grow with length, so
    they are left out; compressed layers add one entry per ``compress_ratio``.
    """
    per_entry = entry_bytes(arch, dtype_bytes, gpus)
    total = 0.0
    for group in arch.layers:
        if group.kind == "full_attention":
            total += group.count * per_entry
        elif group.kind == "compressed_attention":
            total += group.count * per_entry / group.compress_ratio
    return math.ceil(total)


def naive_kv_bytes_per_token(
    arch: Architecture, dtype_bytes: int, gpus: int = 1
) -> int:
    """What a calculator that treats every attention layer as full would say."""
    per_entry = entry_bytes(arch, dtype_bytes, gpus)
    attention = [g for g in arch.layers if g.kind != "linear_attention"]
    return sum(g.count for g in attention) * per_entry


def _blocks(tokens: int, block_tokens: int) -> int:
    return math.ceil(tokens / block_tokens)


def _group_tokens(group: LayerGroup, seq_tokens: int, block_tokens: int) -> int:
    """Cached token slots one layer of ``group`` holds for a sequence, rounded
    to whole blocks as vLLM allocates them."""
    full_blocks = _blocks(seq_tokens, block_tokens)
    if group.kind == "full_attention":
        return full_blocks * block_tokens
    window = min(seq_tokens, group.window_tokens)
    # A window straddles block edges, hence one block more (vLLM does the same).
    window_blocks = min(_blocks(window, block_tokens) + 1, full_blocks)
    if group.kind == "sliding_attention":
        return window_blocks * block_tokens
    if group.kind == "compressed_attention":
        entries = math.ceil(seq_tokens / group.compress_ratio)
        local = window_blocks if group.window_tokens else 0
        return (_blocks(entries, block_tokens) + local) * block_tokens
    return 0


def sequence_kv_bytes(
    arch: Architecture,
    seq_tokens: int,
    dtype_bytes: int,
    gpus: int = 1,
    block_tokens: int = DEFAULT_BLOCK_TOKENS,
) -> int:
    """KV bytes one sequence of ``seq_tokens`` occupies on each GPU."""
    per_entry = entry_bytes(arch, dtype_bytes, gpus)
    total = 0
    for group in arch.layers:
        if group.kind == "linear_attention":
            state = math.ceil(group.state_bytes_per_sequence / gpus)
            total += group.count * state
        else:
            slots = _group_tokens(group, seq_tokens, block_tokens)
            total += group.count * slots * per_entry
    return total


def fixed_bytes_per_sequence(
    arch: Architecture, dtype_bytes: int, gpus: int = 1
) -> int:
    """The part of a sequence's cache that does not grow with its length."""
    per_entry = entry_bytes(arch, dtype_bytes, gpus)
    total = 0
    for group in arch.layers:
        if group.kind == "linear_attention":
            total += group.count * math.ceil(group.state_bytes_per_sequence / gpus)
        elif group.kind in ("sliding_attention", "compressed_attention"):
            total += group.count * group.window_tokens * per_entry
    return total


@dataclass(frozen=True)
class KvCapacity:
    """What a KV budget holds, per GPU."""

    kv_bytes_per_token: int
    fixed_bytes_per_sequence: int
    sequence_bytes: int
    capacity_tokens: int
    max_sequences: int


def kv_capacity(
    arch: Architecture,
    budget_bytes: int,
    seq_tokens: int,
    dtype_bytes: int,
    *,
    gpus: int = 1,
    block_tokens: int = DEFAULT_BLOCK_TOKENS,
) -> KvCapacity:
    """Tokens of KV capacity (at the growing rate, like vLLM's "GPU KV cache
    size" line) and the most sequences of ``seq_tokens`` that fit at once."""
    per_token = kv_bytes_per_token(arch, dtype_bytes, gpus)
    per_sequence = sequence_kv_bytes(arch, seq_tokens, dtype_bytes, gpus, block_tokens)
    usable = max(budget_bytes, 0)
    return KvCapacity(
        kv_bytes_per_token=per_token,
        fixed_bytes_per_sequence=fixed_bytes_per_sequence(arch, dtype_bytes, gpus),
        sequence_bytes=per_sequence,
        capacity_tokens=usable // per_token if per_token else 0,
        max_sequences=usable // per_sequence if per_sequence else 0,
    )
