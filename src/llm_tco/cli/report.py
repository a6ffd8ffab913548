"""``llm-tco report``: price a scenario on measured throughput and render it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from llm_tco.cli._inputs import (
    add_output_args,
    add_scenario_args,
    emit,
    load_inputs,
    terminal_style,
)
from llm_tco.errors import InputError
from llm_tco.money import Span
from llm_tco.report import PricingInputs, build_report
from llm_tco.report.roles import parse_roles
from llm_tco.scenario import SelfHosted

FORMATS = ("terminal", "json", "markdown", "html")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="price the scenario: API vs rented GPUs vs staff vs buying",
        description=(
            "Price a scenario (default: the article's nightly CVE batch) on the "
            "API and on each measured self-hosted option."
        ),
    )
    add_scenario_args(
        parser,
        "what-if: change one input, e.g. workload.jobs_per_run=10000, "
        "staff.rate_per_hour=[60,90], offers.runpod-mi300x.price_per_gpu_hour=1.8",
    )
    parser.add_argument("--jobs", type=int, help="what-if: jobs per run")
    _add_results_args(parser)
    add_role_args(parser)
    add_output_args(parser, FORMATS)
    parser.set_defaults(run=run)


def add_role_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("answers by role")
    group.add_argument(
        "--for",
        action="append",
        default=[],
        dest="roles",
        metavar="ROLE",
        help="show the answers for finance, compliance and/or it (repeatable or "
        "comma-separated; default: all three). JSON always carries all",
    )
    group.add_argument(
        "--latency-target",
        default="",
        metavar="METRIC:MS,...",
        help="what interactive users need, e.g. ttft:2000,tpot:50 (the default)",
    )
    group.add_argument(
        "--latency-percentile",
        default="p95",
        choices=("median", "p95", "p99"),
        help="latency statistic the target applies to (default p95)",
    )
    group.add_argument(
        "--share-staff",
        choices=("hours", "equal"),
        help="split the staff cost of a shared server by server hours or equally "
        "(default: the scenario's staff.share_rule, else hours)",
    )


def _add_results_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("price a benchmark result folder")
    group.add_argument(
        "--results",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="a result folder from llm-tco bench or vllm bench serve (repeatable)",
    )
    group.add_argument("--offer", help="rental offer id to price --results with")
    group.add_argument("--results-label", help="name for --results in the report")
    group.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="price --results at this many parallel jobs (default: the peak)",
    )


def run(args: argparse.Namespace) -> int:
    doc = build_document(args)
    emit(render(doc, args.format, *terminal_style(args.output)), args.output)
    return 0


def build_document(args: argparse.Namespace) -> dict[str, Any]:
    overrides = list(args.overrides)
    if args.jobs is not None:
        overrides.append(f"workload.jobs_per_run={args.jobs}")
    loaded, catalog = load_inputs(args, overrides)
    extra = tuple(_result_option(args, path) for path in args.results)
    if (args.offer or args.concurrency is not None) and not args.results:
        raise InputError(
            "--offer and --concurrency price a --results folder; add --results DIR"
        )
    roles = parse_roles(args.roles)
    return build_report(
        PricingInputs(
            loaded,
            catalog,
            currency=args.currency,
            fx=args.fx,
            extra_options=extra,
            roles=roles,
            latency_target=args.latency_target,
            latency_percentile=args.latency_percentile,
            share_rule=args.share_staff or "",
        )
    )


def _result_option(args: argparse.Namespace, path: Path) -> SelfHosted:
    if not path.is_dir():
        raise InputError(f"--results {path}: not a folder; give a result folder")
    if args.concurrency is not None and args.concurrency < 1:
        raise InputError(
            f"--concurrency {args.concurrency}: must be 1 or more; omit it for the peak"
        )
    return SelfHosted(
        offer=args.offer or "",
        results=str(path.resolve()),
        concurrency=args.concurrency or 0,
        startup_buffer_hours=Span.of(0),
        label=args.results_label or "",
    )


def render(
    doc: dict[str, Any], fmt: str, width: int | None = None, color: bool = False
) -> str:
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "markdown":
        from llm_tco.report.markdown import render_markdown

        return render_markdown(doc)
    if fmt == "html":
        from llm_tco.report.html import render_html

        return render_html(doc)
    from llm_tco.report.terminal import render_terminal

    return render_terminal(doc, width, color)
