"""``llm-tco batch``: the nightly batch job. Build CVE assessment jobs from an
inventory and advisories, run them inside a window (resumable), watch the
state, export the answers, and bill the run."""

from __future__ import annotations

import argparse
import json
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from llm_tco.batch.attribution import ADVISORY_ATTRIBUTION
from llm_tco.batch.bill import (
    GpuPrice,
    TokenPrice,
    measure,
    price_run,
    write_result_dir,
)
from llm_tco.batch.cve import PromptSettings, build_jobs
from llm_tco.batch.export import write_export
from llm_tco.batch.inventory import FORMATS, dedupe, read_inventory, unparseable
from llm_tco.batch.jobs import write_jobs
from llm_tco.batch.match import find_matches
from llm_tco.batch.osv import load_advisories
from llm_tco.batch.store import STATUSES, Store
from llm_tco.batch.summary import bill_lines, status_lines
from llm_tco.catalog import load_catalog
from llm_tco.cli._batch_run import run_run
from llm_tco.errors import InputError

DEFAULT_API_PRICE = "deepinfra-gpt-oss-120b"

logger = logging.getLogger(__name__)


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
    p.set_defaults(run=_run_build_cve)


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
    p.set_defaults(run=run_run)


def _add_status(sub: Any) -> None:
    p = sub.add_parser("status", help="counts by state (works while a run is going)")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--json", action="store_true", help="machine-readable counts")
    p.set_defaults(run=_run_status)


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
    p.set_defaults(run=_run_export)


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
    p.set_defaults(run=_run_bill)


# ------------------------------------------------------------------ build-cve


def _run_build_cve(args: argparse.Namespace) -> int:
    if args.max_tokens < 1 or args.details_chars < 0:
        raise InputError("--max-tokens must be >= 1 and --details-chars >= 0")
    listed = read_inventory(args.inventory, args.inventory_format)
    packages, repeats = dedupe(listed)
    unchecked = unparseable(packages)
    advisories = load_advisories(args.advisories)
    matches = find_matches(packages, advisories)
    settings = PromptSettings(
        details_chars=args.details_chars, max_tokens=args.max_tokens
    )
    count = write_jobs(args.out, build_jobs(matches, settings))
    affected = len({(m.package.name, m.package.version) for m in matches})
    notes = []
    if repeats:
        notes.append(f"{_entries(len(repeats))} listed twice, counted once")
    if unchecked:
        # A security scan must not under-report quietly: say what was not checked.
        names = ", ".join(f"{p.name} {p.version!r}" for p in unchecked)
        notes.append(
            f"{_entries(len(unchecked))} skipped: unparseable version "
            f"(not PEP 440, no advisory range can be checked; review by hand): "
            f"{names}"
        )
        logger.warning("inventory entries with unparseable versions: %s", names)
    suffix = f" ({'; '.join(notes)})" if notes else ""
    print(
        f"{count} jobs: {affected} of {len(packages)} installed packages affected "
        f"by {len({m.advisory.id for m in matches})} of {len(advisories)} advisories "
        f"-> {args.out}{suffix}"
    )
    if count:
        print(ADVISORY_ATTRIBUTION)
    return 0


def _entries(n: int) -> str:
    return f"{n} inventory {'entry' if n == 1 else 'entries'}"


# ------------------------------------------------------- status, export, bill


def _run_status(args: argparse.Namespace) -> int:
    store = Store(args.db, create=False)
    try:
        counts = store.counts()
        durations_s = store.done_durations_s()
    finally:
        store.close()
    if args.json:
        print(
            json.dumps({**counts.__dict__, "total": counts.total, "left": counts.left})
        )
        return 0
    for line in status_lines(counts, durations_s):
        print(line)
    return 0


def _run_export(args: argparse.Namespace) -> int:
    store = Store(args.db, create=False)
    try:
        count = write_export(store, args.out, tuple(args.status))
    finally:
        store.close()
    print(f"{count} jobs exported to {args.out}")
    return 0


def _run_bill(args: argparse.Namespace) -> int:
    if args.gpus < 1:
        raise InputError(f"--gpus must be at least 1, got {args.gpus}")
    catalog = load_catalog(args.catalog)
    gpu = _gpu_price(args, catalog)
    api_entry = catalog.api_prices.get(args.api_price)
    api = TokenPrice(
        api_entry.input_per_1m,
        api_entry.output_per_1m,
        api_entry.currency,
        api_entry.id,
    )
    fx = catalog.fx_rate(args.fx) if args.fx else None
    store = Store(args.db, create=False)
    try:
        measured = measure(store)
    finally:
        store.close()
    bill = price_run(measured, gpu, api, fx)
    for line in bill_lines(bill):
        print(line)
    if args.results_dir is not None:
        path = write_result_dir(measured, args.results_dir)
        print(
            f"result written to {path} (price it: llm-tco report --results "
            f"{args.results_dir})"
        )
    return 0


def _gpu_price(args: argparse.Namespace, catalog: Any) -> GpuPrice:
    if args.offer:
        offer = catalog.offers.get(args.offer)
        return GpuPrice(offer.price_per_gpu_hour, offer.currency, offer.id, args.gpus)
    try:
        price = Decimal(args.price_per_hour)
    except InvalidOperation:
        raise InputError(
            f"--price-per-hour {args.price_per_hour!r} is not a number"
        ) from None
    if not price.is_finite() or price <= 0:
        raise InputError(f"--price-per-hour must be above 0, got {args.price_per_hour}")
    label = f"{price} {args.currency}/h"
    return GpuPrice(price, args.currency.upper(), label, args.gpus)
