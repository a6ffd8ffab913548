"""When a model does not fit: what would (more GPUs, a shorter max-model-len,
an FP8 KV cache, a bigger card from the catalog)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from llm_tco.catalog import Gpu
from llm_tco.errors import InputError
from llm_tco.sizing import kv
from llm_tco.sizing.fit import (
    GPUS_PER_NODE,
    MAX_GPUS,
    MAX_MODEL_LEN_DOES_NOT_FIT,
    FitResult,
    FitSpec,
    evaluate_fit,
    tensor_parallel_ok,
)
from llm_tco.sizing.memory import BYTES_PER_GIB

TENSOR_PARALLEL_SIZES = tuple(n for n in (2, 4, 8, 16, 32) if n <= MAX_GPUS)
MAX_MODEL_LEN_STEP_TOKENS = 1024
BIGGER_CARDS_SHOWN = 2


@dataclass(frozen=True)
class Suggestion:
    """One change that makes the model fit, as the CLI flags that make it."""

    kind: str
    change: str
    summary: str
    parallel_sequences: int


@dataclass(frozen=True)
class FitReport:
    result: FitResult
    suggestions: list[Suggestion]


def check_fit(spec: FitSpec, candidate_gpus: Iterable[Gpu] = ()) -> FitReport:
    """Evaluate ``spec``; if it does not fit, say what would."""
    result = evaluate_fit(spec)
    if result.fits:
        return FitReport(result, [])
    return FitReport(result, suggest_fixes(spec, result, candidate_gpus))


def suggest_fixes(
    spec: FitSpec, result: FitResult, candidate_gpus: Iterable[Gpu] = ()
) -> list[Suggestion]:
    found = [
        _tensor_parallel(spec),
        _shorter_max_model_len(spec, result),
        _fp8_kv_cache(spec, result),
    ]
    suggestions = [s for s in found if s is not None]
    suggestions += _bigger_cards(spec, candidate_gpus)
    return suggestions


def _try(spec: FitSpec, **changes: Any) -> FitResult | None:
    """The result with ``changes``, or None when it is invalid or still fails."""
    try:
        result = evaluate_fit(dataclasses.replace(spec, **changes))
    except InputError:
        return None
    return result if result.fits else None


def _heads_divisible(spec: FitSpec, gpus: int) -> bool:
    """vLLM's rule for attention and KV heads (see ``tensor_parallel_ok``)."""
    return tensor_parallel_ok(spec.model, gpus)


def _tensor_parallel(spec: FitSpec) -> Suggestion | None:
    for gpus in TENSOR_PARALLEL_SIZES:
        if gpus <= spec.gpus or not _heads_divisible(spec, gpus):
            continue
        result = _try(spec, gpus=gpus)
        if result is None:
            continue
        nodes = "" if gpus <= GPUS_PER_NODE else " (more than one 8-GPU node)"
        return Suggestion(
            kind="tensor_parallel",
            change=f"--gpus {gpus}",
            summary=f"{gpus} x {spec.gpu.name} with --tensor-parallel-size {gpus}"
            f"{nodes}: {_jobs(result)}",
            parallel_sequences=result.parallel_sequences,
        )
    return None


def _shorter_max_model_len(spec: FitSpec, result: FitResult) -> Suggestion | None:
    arch = spec.model.arch
    if result.verdict != MAX_MODEL_LEN_DOES_NOT_FIT or arch is None:
        return None
    dtype_bytes = kv.kv_dtype_bytes(result.kv_cache_dtype)
    budget_bytes = int(result.kv_budget_gib * BYTES_PER_GIB)
    length = result.max_model_len - MAX_MODEL_LEN_STEP_TOKENS
    while length >= spec.seq_tokens:
        need = kv.sequence_kv_bytes(
            arch, length, dtype_bytes, spec.gpus, spec.block_tokens
        )
        if need <= budget_bytes:
            shorter = _try(spec, max_model_len=length)
            if shorter is None:
                return None
            return Suggestion(
                kind="max_model_len",
                change=f"--max-model-len {length}",
                summary=f"a shorter --max-model-len {length}: {_jobs(shorter)}",
                parallel_sequences=shorter.parallel_sequences,
            )
        length -= MAX_MODEL_LEN_STEP_TOKENS
    return None


def _fp8_kv_cache(spec: FitSpec, result: FitResult) -> Suggestion | None:
    if result.kv_cache_dtype == "fp8":
        return None
    fp8 = _try(spec, kv_cache_dtype="fp8")
    if fp8 is None:
        return None
    return Suggestion(
        kind="kv_cache_dtype",
        change="--kv-cache-dtype fp8",
        summary=f"an FP8 KV cache (half the bytes per token): {_jobs(fp8)}",
        parallel_sequences=fp8.parallel_sequences,
    )


def _bigger_cards(spec: FitSpec, candidate_gpus: Iterable[Gpu]) -> list[Suggestion]:
    """The cards with more memory that fit on the fewest GPUs (up to 8)."""
    options: list[tuple[int, float, Suggestion]] = []
    sizes_seen: set[float] = set()
    for gpu in candidate_gpus:
        # One card per memory size: an H100 PCIe adds nothing to an H100 SXM.
        if gpu.memory_gb <= spec.gpu.memory_gb or gpu.memory_gb in sizes_seen:
            continue
        sizes_seen.add(gpu.memory_gb)
        for gpus in (1, *TENSOR_PARALLEL_SIZES):
            if gpus > GPUS_PER_NODE or not _heads_divisible(spec, gpus):
                continue
            result = _try(spec, gpu=gpu, gpus=gpus)
            if result is None:
                continue
            suggestion = Suggestion(
                kind="bigger_gpu",
                change=f"{gpu.id} --gpus {gpus}",
                summary=f"{gpus} x {gpu.name} ({gpu.memory_gb:g} GB): {_jobs(result)}",
                parallel_sequences=result.parallel_sequences,
            )
            options.append((gpus, gpu.memory_gb, suggestion))
            break
    options.sort(key=lambda option: (option[0], option[1]))
    return [option[2] for option in options[:BIGGER_CARDS_SHOWN]]


def _jobs(result: FitResult) -> str:
    return (
        f"{result.parallel_sequences} parallel jobs of {result.seq_tokens} tokens, "
        f"{result.kv_budget_gb:.1f} GB KV per GPU"
    )
