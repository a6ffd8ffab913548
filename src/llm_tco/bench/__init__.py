"""``llm-tco bench``: measure a running OpenAI-compatible server.

Modules, imported one way: records → load → client → prompts → metrics →
results → runner. Other code needs :func:`run_sweep` (measure) and
:func:`read_result_dir` (turn a result directory, ours or ``vllm bench
serve``'s, into a :class:`llm_tco.sweep.Sweep`).
"""

from typing import Any

__all__ = ["BenchConfig", "read_result_dir", "read_result_file", "run_sweep"]

_HOMES = {
    "BenchConfig": "llm_tco.bench.runner",
    "run_sweep": "llm_tco.bench.runner",
    "read_result_dir": "llm_tco.bench.reader",
    "read_result_file": "llm_tco.bench.reader",
}


def __getattr__(name: str) -> Any:
    # Lazy: the runner pulls in aiohttp, which the report and --help never need.
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
