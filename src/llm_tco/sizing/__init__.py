"""Memory sizing for vLLM: will a model fit, how many jobs run at once, and the
exact commands to launch it. Pure functions; no I/O, no printing."""

from llm_tco.sizing.fit import (
    DEFAULT_GPU_MEMORY_UTILIZATION,
    DEFAULT_MAX_MODEL_LEN,
    DEFAULT_SEQ_TOKENS,
    FitResult,
    FitSpec,
    evaluate_fit,
)
from llm_tco.sizing.kv import (
    KV_CACHE_DTYPES,
    kv_bytes_per_token,
    kv_capacity,
    naive_kv_bytes_per_token,
    sequence_kv_bytes,
)
from llm_tco.sizing.memory import (
    Reserve,
    gb_to_gib,
    gib_to_gb,
    kv_budget_gib,
    reserve_for,
    visible_memory_gib,
    weight_gb,
)
from llm_tco.sizing.suggest import FitReport, Suggestion, check_fit, suggest_fixes

__all__ = [
    "DEFAULT_GPU_MEMORY_UTILIZATION",
    "DEFAULT_MAX_MODEL_LEN",
    "DEFAULT_SEQ_TOKENS",
    "KV_CACHE_DTYPES",
    "FitReport",
    "FitResult",
    "FitSpec",
    "Reserve",
    "Suggestion",
    "check_fit",
    "evaluate_fit",
    "gb_to_gib",
    "gib_to_gb",
    "kv_budget_gib",
    "kv_bytes_per_token",
    "kv_capacity",
    "naive_kv_bytes_per_token",
    "reserve_for",
    "sequence_kv_bytes",
    "suggest_fixes",
    "visible_memory_gib",
    "weight_gb",
]
