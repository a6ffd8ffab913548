"""``llm-tco whatif KEY=LOW..HIGH[:STEPS] [KEY2=...]``: how the monthly cost
of the API and each option moves with one or two inputs."""

from __future__ import annotations

import argparse
from typing import Any

from llm_tco.cli._inputs import (
    add_output_args,
    add_scenario_args,
    emit,
    load_inputs,
    terminal_style,
)
from llm_tco.errors import InputError
from llm_tco.report import PricingInputs, build_report
from llm_tco.report._whatif_render import render_whatif
from llm_tco.report.whatif import EXAMPLE, one_input, parse_axis, two_inputs

FORMATS = ("terminal", "json", "markdown", "html")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "whatif",
        help="monthly cost as one or two inputs change; crossings with the API",
        description=(
            "Vary any scenario or catalog key (the keys of report --set) over a "
            f"range, e.g. {EXAMPLE}, staff.rate_per_hour=50..150, "
            "offers.runpod-mi300x.price_per_gpu_hour=1.2..2.4. One input: a table "
            "and chart of the monthly cost with the crossings with the API; two "
            "inputs: a grid of the cheapest option."
        ),
    )
    parser.add_argument(
        "ranges",
        nargs="+",
        metavar="KEY=LOW..HIGH[:STEPS]",
        help="an input and its range; STEPS values, ends included (default 11)",
    )
    add_scenario_args(parser, "a fixed change applied at every step")
    add_output_args(parser, FORMATS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if len(args.ranges) > 2:
        raise InputError(
            f"whatif takes one or two KEY=LOW..HIGH ranges, got {len(args.ranges)}; "
            "fix the others with --set KEY=VALUE"
        )
    axes = [parse_axis(text) for text in args.ranges]

    def price(overrides: list[str]) -> dict[str, Any]:
        try:
            return _price(args, overrides)
        except InputError as exc:
            changed = ", ".join(overrides[len(args.overrides) :])
            raise InputError(
                f"what-if {changed}: {exc}; use a key that report --set accepts"
            ) from None

    base = list(args.overrides)
    if len(axes) == 1:
        doc = one_input(axes[0], price, base)
    else:
        doc = two_inputs(axes[0], axes[1], price, base)
    width, color = terminal_style(args.output)
    emit(render_whatif(doc, args.format, width, color), args.output)
    return 0


def _price(args: argparse.Namespace, overrides: list[str]) -> dict[str, Any]:
    loaded, catalog = load_inputs(args, overrides)
    return build_report(
        PricingInputs(
            loaded, catalog, currency=args.currency, fx=args.fx, with_roles=False
        )
    )
