"""``llm-tco batch run``: check the flags, then run the jobs inside the window
with a progress bar."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import urllib.request
from datetime import datetime, timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from llm_tco.batch.jobs import read_jobs
from llm_tco.batch.retry import RetryPolicy
from llm_tco.batch.runner import RunSettings, RunSummary, run_batch
from llm_tco.batch.store import Store
from llm_tco.batch.summary import run_lines
from llm_tco.cli._inputs import base_url
from llm_tco.errors import InputError

logger = logging.getLogger(__name__)


def run_run(args: argparse.Namespace) -> int:
    _check_run_values(args)
    urls = [base_url(u) for u in args.base_urls]
    settings = RunSettings(
        base_urls=urls,
        model=args.model or _server_model(urls[0], args.api_key_env),
        concurrency=args.concurrency,
        timeout_s=args.timeout_s,
        api_key_env=args.api_key_env,
        policy=RetryPolicy(
            max_attempts=args.max_attempts,
            base_s=args.backoff_s,
            cap_s=args.backoff_cap_s,
        ),
        window_s=_window_s(args.window_hours, args.deadline),
        window_margin=args.window_margin,
        down_for_s=args.down_for_s,
    )
    jobs = read_jobs(args.jobs) if args.jobs is not None else []
    store = Store(args.db)
    try:
        # Before anything is written: a second run on this database stops here.
        store.lock_for_run()
        if jobs:
            added, known = store.add_jobs(jobs)
            print(f"{added} new jobs added, {known} already known")
        if args.redo or args.retry_failed:
            redone = store.reset(("done", "failed") if args.redo else ("failed",))
            print(f"{redone} finished jobs set to run again")
        summary = _run_with_progress(store, settings, show=not args.no_progress)
    finally:
        store.close()
    for line in run_lines(summary):
        print(line)
    return 0


MAX_WINDOW_HOURS = 168.0


def _check_run_values(args: argparse.Namespace) -> None:
    """Every numeric flag of ``batch run``, named with its value if wrong."""
    _at_least("--concurrency", args.concurrency, 1)
    _at_least("--max-attempts", args.max_attempts, 1)
    _finite("--timeout-s", args.timeout_s, above=0.0)
    _finite("--down-for-s", args.down_for_s, minimum=0.0)
    _finite("--backoff-s", args.backoff_s, minimum=0.0)
    _finite("--backoff-cap-s", args.backoff_cap_s, minimum=0.0)
    _finite("--window-margin", args.window_margin, minimum=1.0)


def _at_least(flag: str, value: int, minimum: int) -> None:
    if value < minimum:
        raise InputError(f"{flag} must be at least {minimum}, got {value}")


def _finite(
    flag: str,
    value: float,
    *,
    minimum: float | None = None,
    above: float | None = None,
) -> None:
    if not math.isfinite(value):
        raise InputError(f"{flag} must be a finite number, got {value}")
    if minimum is not None and value < minimum:
        raise InputError(f"{flag} must be at least {minimum:g}, got {value:g}")
    if above is not None and value <= above:
        raise InputError(f"{flag} must be above {above:g}, got {value:g}")


def _window_s(hours: float | None, deadline: str | None) -> float | None:
    if hours is not None:
        _finite("--window-hours", hours, above=0.0)
        if hours > MAX_WINDOW_HOURS:
            raise InputError(
                f"--window-hours {hours:g} is over {MAX_WINDOW_HOURS:g} h (a week); "
                "a nightly window that long is a unit mistake (hours, not seconds?)"
                " - run without a window instead"
            )
        return hours * 3600
    if deadline is None:
        return None
    end = _parse_deadline(deadline, datetime.now().astimezone())
    left_s = (end - datetime.now().astimezone()).total_seconds()
    if left_s > MAX_WINDOW_HOURS * 3600:
        raise InputError(
            f"--deadline {deadline} is more than {MAX_WINDOW_HOURS:g} h (a week) "
            "away; give a nearer one, or run without a window"
        )
    return left_s


def _parse_deadline(text: str, now: datetime) -> datetime:
    """An ISO time (local if no zone) or HH:MM, the next such time from now."""
    try:
        clock = datetime.strptime(text, "%H:%M")
    except ValueError:
        return _parse_iso_deadline(text, now)
    end = now.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
    return end if end > now else end + timedelta(days=1)


def _parse_iso_deadline(text: str, now: datetime) -> datetime:
    try:
        end = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"--deadline {text!r} is neither HH:MM nor an ISO date-time"
        ) from None
    end = end if end.tzinfo else end.replace(tzinfo=now.tzinfo)
    if end <= now:
        raise InputError(f"--deadline {text} has already passed")
    return end


def _run_with_progress(
    store: Store, settings: RunSettings, *, show: bool
) -> RunSummary:
    counts = store.counts()
    console = Console(stderr=True)
    if not show or not console.is_terminal:
        return asyncio.run(run_batch(store, settings))
    progress = Progress(
        TextColumn("batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        console=console,
        transient=True,
    )
    task = progress.add_task("jobs", total=counts.left, failed=0)
    failed = 0

    def on_finish(job_id: str, status: str) -> None:
        nonlocal failed
        failed += status == "failed"
        progress.update(task, advance=1, failed=failed)

    with progress:
        return asyncio.run(run_batch(store, settings, on_finish))


def _server_model(url: str, key_env: str) -> str:
    """The first model the server lists, so that requests and the bill name it;
    "" when the server cannot say (it then uses its default)."""
    headers = {"Connection": "close"}
    key = os.environ.get(key_env, "")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(f"{url.rstrip('/')}/v1/models", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            listed = json.load(response).get("data", [])
    except (OSError, ValueError, AttributeError):
        return ""
    ids = [m.get("id") for m in listed if isinstance(m, dict)]
    model = ids[0] if ids and isinstance(ids[0], str) else ""
    if model:
        logger.info(
            "no --model given; using %s, the first %s/v1/models lists", model, url
        )
    return model
