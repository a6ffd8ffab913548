"""``llm-tco batch``: the nightly batch job. Build CVE assessment jobs from an
inventory and advisories, run them inside a window (resumable), watch the
state, export the answers, and bill the run."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llm_tco.batch.inventory import FORMATS
from llm_tco.batch.store import STATUSES

DEFAULT_API_PRICE = "deepinfra-gpt-oss-120b"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "batch",
        help="run a nightly batch job inside its window, resumable, billed",
        description=__doc__.replace("``", ""),
    )
    sub = parser.add_subparsers(dest="batch_command", metavar="STEP")
    sub.required = True
    _add_build_cve(sub)
    _add_run(sub)
    _add_status(sub)
    _add_export(sub)
    _add_bill(sub)


def _add_build_cve(sub: Any) -> None:
    p = sub.add_parser("build-cve", help="jobs: installed packages × OSV advisories")
    p.add_argument(
        "--inventory",
        type=Path,
        required=True,
        help="`pip list --format json` output (or a file of that shape)",
    )
    p.add_argument("--inventory-format", choices=sorted(FORMATS), default="pip-json")
    p.add_argument(
        "--advisories",
        type=Path,
        required=True,
        help="folder of OSV records (.json/.yaml), e.g. pypa advisory-db",
    )
    p.add_argument("--out", type=Path, required=True, help="jobs JSONL to write")
    p.add_argument("--max-tokens", type=int, default=400, help="answer token cap")
    p.add_argument(
        "--details-chars",
        type=int,
        default=1200,
        help="advisory details are trimmed to this many characters",
    )
    p.set_defaults(run=_lazy("_batch_steps", "run_build_cve"))


def _add_run(sub: Any) -> None:
    p = sub.add_parser("run", help="send pending jobs (resumes a killed run)")
    p.add_argument("--db", type=Path, required=True, help="state database (SQLite)")
    p.add_argument("--jobs", type=Path, help="jobs JSONL to add first (ids are kept)")
    p.add_argument(
        "--base-url",
        action="append",
        required=True,
        dest="base_urls",
        metavar="URL",
        help="server root URL; repeat for replicas",
    )
    p.add_argument("--model", default="", help="model id (jobs may set their own)")
    p.add_argument("--concurrency", type=int, default=4, help="parallel requests")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--window-hours", type=float, help="window length from now")
    when.add_argument("--deadline", help="window end: ISO time or HH:MM (local)")
    p.add_argument(
        "--window-margin",
        type=float,
        default=1.5,
        help="start a job only if time left >= p90 job duration × this",
    )
    p.add_argument("--max-attempts", type=int, default=4)
    p.add_argument("--backoff-s", type=float, default=1.0, help="first back-off")
    p.add_argument("--backoff-cap-s", type=float, default=60.0)
    p.add_argument("--timeout-s", type=float, default=120.0, help="per request")
    p.add_argument(
        "--down-for-s",
        type=float,
        default=15.0,
        help="skip an endpoint this long after a refused connection",
    )
    p.add_argument(
        "--api-key-env",
        default="OPENAI_API_KEY",
        help="environment variable holding the API key (never argv)",
    )
    p.add_argument("--redo", action="store_true", help="run done and failed jobs again")
    p.add_argument("--retry-failed", action="store_true", help="run failed jobs again")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=_lazy("_batch_run", "run_run"))


def _add_status(sub: Any) -> None:
    p = sub.add_parser("status", help="counts by state (works while a run is going)")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--json", action="store_true", help="machine-readable counts")
    p.set_defaults(run=_lazy("_batch_steps", "run_status"))


def _add_export(sub: Any) -> None:
    p = sub.add_parser("export", help="answers and failures as JSONL")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument(
        "--status",
        action="append",
        choices=STATUSES,
        default=[],
        help="only jobs in this state (repeatable)",
    )
    p.set_defaults(run=_lazy("_batch_steps", "run_export"))


def _add_bill(sub: Any) -> None:
    p = sub.add_parser(
        "bill", help="what the run cost on GPUs vs the same tokens on an API"
    )
    p.add_argument("--db", type=Path, required=True)
    price = p.add_mutually_exclusive_group(required=True)
    price.add_argument("--offer", help="rental offer id from the catalog")
    price.add_argument("--price-per-hour", help="GPU price per hour (with --currency)")
    p.add_argument("--currency", default="EUR", help="currency of --price-per-hour")
    p.add_argument("--gpus", type=int, default=1, help="GPUs the server used")
    p.add_argument("--api-price", default=DEFAULT_API_PRICE, help="API price id")
    p.add_argument("--fx", help="currency rate id, if the API price's currency differs")
    p.add_argument("--catalog", type=Path, action="append", default=[], metavar="FILE")
    p.add_argument(
        "--results-dir",
        type=Path,
        help="also write the run as a result folder for `llm-tco report`",
    )
    p.set_defaults(run=_lazy("_batch_steps", "run_bill"))


# ------------------------------------------------------------------ build-cve


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """A step's handler, imported when it runs: the runner pulls in aiohttp,
    which `llm-tco --help` and the other commands never need."""

    def run(args: argparse.Namespace) -> int:
        handler = getattr(importlib.import_module(f"llm_tco.cli.{module}"), name)
        return int(handler(args))

    return run
