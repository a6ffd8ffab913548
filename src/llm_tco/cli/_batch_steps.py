"""The `llm-tco batch` steps other than `run`: build jobs, status, export,
bill. Loaded only when one of them runs."""

from __future__ import annotations

import argparse
import json
import logging
from decimal import Decimal, InvalidOperation
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
from llm_tco.batch.inventory import dedupe, read_inventory, unparseable
from llm_tco.batch.jobs import write_jobs
from llm_tco.batch.match import find_matches
from llm_tco.batch.osv import load_advisories
from llm_tco.batch.store import Store
from llm_tco.batch.summary import bill_lines, status_lines
from llm_tco.catalog import load_catalog
from llm_tco.errors import InputError

DEFAULT_API_PRICE = "deepinfra-gpt-oss-120b"

logger = logging.getLogger(__name__)


def run_build_cve(args: argparse.Namespace) -> int:
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


def run_status(args: argparse.Namespace) -> int:
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


def run_export(args: argparse.Namespace) -> int:
    store = Store(args.db, create=False)
    try:
        count = write_export(store, args.out, tuple(args.status))
    finally:
        store.close()
    print(f"{count} jobs exported to {args.out}")
    return 0


def run_bill(args: argparse.Namespace) -> int:
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
