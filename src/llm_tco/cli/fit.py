"""``llm-tco fit MODEL GPU``: will it fit, and how many jobs run at once?"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from llm_tco.catalog import load_catalog
from llm_tco.sizing import (
    DEFAULT_GPU_MEMORY_UTILIZATION,
    DEFAULT_SEQ_TOKENS,
    KV_CACHE_DTYPES,
    FitReport,
    FitSpec,
    check_fit,
)

FORMATS = ("terminal", "json")
MIB = 2**20


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fit",
        help="will a model fit on a GPU, and how many jobs run at once",
        description=(
            "Size vLLM's memory: weights, the runtime reserve, the KV cache and "
            "how many jobs of a given length fit at once. Names as the article "
            "writes them (RTX PRO 6000, MI300X, gpt-oss-120b) or catalog ids. "
            "Exit code 0 when it fits, 1 when it does not."
        ),
    )
    parser.add_argument("model", help="model name, alias or catalog id")
    parser.add_argument("gpu", help="GPU name, alias or catalog id")
    parser.add_argument("--gpus", type=int, default=1, help="GPUs (tensor parallel)")
    parser.add_argument(
        "--gpu-memory-utilization",
        type=float,
        default=DEFAULT_GPU_MEMORY_UTILIZATION,
        metavar="U",
        help="share of GPU memory vLLM may use, (0, 1] (default 0.90)",
    )
    parser.add_argument(
        "--max-model-len",
        type=int,
        metavar="L",
        help="longest sequence vLLM accepts (default 32768 or the model's maximum)",
    )
    parser.add_argument("--kv-cache-dtype", choices=KV_CACHE_DTYPES, default="auto")
    parser.add_argument(
        "--seq-len",
        type=int,
        default=DEFAULT_SEQ_TOKENS,
        metavar="TOKENS",
        help="tokens per job, input + output (default 4000 + 1500 = 5500)",
    )
    parser.add_argument(
        "--max-num-seqs", type=int, help="vLLM's scheduler cap (default: vLLM's)"
    )
    parser.add_argument(
        "--quantization", help="weights to size, e.g. BF16 (default: the catalog's)"
    )
    parser.add_argument("--format", choices=FORMATS, default="terminal")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    spec = FitSpec(
        model=catalog.models.get(args.model),
        gpu=catalog.gpus.get(args.gpu),
        gpus=args.gpus,
        gpu_memory_utilization=args.gpu_memory_utilization,
        max_model_len=args.max_model_len,
        kv_cache_dtype=args.kv_cache_dtype,
        seq_tokens=args.seq_len,
        max_num_seqs=args.max_num_seqs,
        quantization=args.quantization,
    )
    report = check_fit(spec, list(catalog.gpus))
    if args.format == "json":
        sys.stdout.write(json.dumps(report_json(report), indent=2) + "\n")
    else:
        print_report(report, spec, Console())
    # Like grep: 0 when it fits, 1 when it does not, so scripts can ask.
    return 0 if report.result.fits else 1


def report_json(report: FitReport) -> dict[str, Any]:
    result = report.result
    doc = dataclasses.asdict(result)
    doc["reserve"]["total_gib"] = result.reserve.total_gib
    doc.update(
        fits=result.fits,
        kv_budget_gb=result.kv_budget_gb,
        parallel_sequences=result.parallel_sequences,
        suggestions=[dataclasses.asdict(s) for s in report.suggestions],
    )
    return doc


def _bytes(value: int | None) -> str:
    if value is None:
        return "unknown"
    if value >= MIB:
        return f"{value:,} B ({value / MIB:,.1f} MiB)"
    return f"{value:,} B"


def _count(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def print_report(report: FitReport, spec: FitSpec, console: Console) -> None:
    result = report.result
    reserve = result.reserve
    table = Table(
        title=f"{spec.model.name} on {result.gpus} x {spec.gpu.name} "
        f"({result.quantization}, KV {result.kv_cache_dtype})",
        title_justify="left",
    )
    table.add_column("per GPU")
    table.add_column("value", justify="right")
    rows = [
        ("memory vLLM sees", f"{result.gpu_memory_gib:.2f} GiB"),
        ("x gpu-memory-utilization", f"{result.gpu_memory_utilization:.2f}"),
        (
            "weights",
            f"{result.weights_per_gpu_gib:.2f} GiB "
            f"({result.weights_total_gb:g} GB in total)",
        ),
        (
            "reserve",
            f"{reserve.total_gib:.2f} GiB (activations {reserve.activation_gib:.2f}"
            f" + non-torch {reserve.non_torch_gib:.2f}"
            f" + CUDA graphs {reserve.cuda_graph_gib:.2f})",
        ),
        (
            "KV cache budget",
            _budget(result.kv_budget_gib, result.kv_budget_gb),
        ),
        ("KV bytes per token", _bytes(result.kv_bytes_per_token)),
        ("  if every layer kept every token", _bytes(result.naive_kv_bytes_per_token)),
        (
            "fixed KV per sequence (windows, states)",
            _bytes(result.fixed_kv_bytes_per_sequence),
        ),
        ("KV capacity", f"{_count(result.kv_capacity_tokens)} tokens"),
        (
            f"KV per job of {result.seq_tokens:,} tokens",
            _bytes(result.sequence_kv_bytes),
        ),
        ("jobs the KV cache holds", _count(result.max_sequences_by_kv)),
        ("scheduler cap (max-num-seqs)", f"{result.max_num_seqs:,}"),
        ("parallel jobs", f"{result.parallel_sequences:,}"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)
    style = "green" if result.fits else "red"
    answer = "Fits" if result.fits else "Does not fit"
    console.print(f"[{style}]{answer}[/]: {result.reason}", highlight=False)
    if report.suggestions:
        fixes = Table(title="What would fit", title_justify="left")
        fixes.add_column("change")
        fixes.add_column("result")
        for suggestion in report.suggestions:
            fixes.add_row(suggestion.change, suggestion.summary)
        console.print(fixes)
    elif not result.fits:
        console.print("No single change from the catalog makes it fit.")
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)


def _budget(gib: float, gb: float) -> str:
    if gib < 0:
        return f"none: {-gib:.2f} GiB short before any KV cache"
    return f"{gib:.2f} GiB = {gb:.2f} GB"
