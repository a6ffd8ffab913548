"""``llm-tco bench``: measure a running OpenAI-compatible server.

Modules, imported one way: records → load → client → prompts → metrics →
results → runner. Other code needs :func:`run_sweep` (measure) and
:func:`read_result_dir` (turn a result directory, ours or ``vllm bench
serve``'s, into a :class:`llm_tco.sweep.Sweep`).
"""

from llm_tco.bench.reader import read_result_dir, read_result_file
from llm_tco.bench.runner import BenchConfig, run_sweep

__all__ = ["BenchConfig", "read_result_dir", "read_result_file", "run_sweep"]
