"""``llm-tco init``: write the default scenario for the user to edit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from llm_tco._files import write_atomic
from llm_tco.errors import InputError
from llm_tco.scenario import default_scenario_text


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="write the default scenario (the article's nightly batch) to edit",
        description="Write the shipped default scenario to a file you can edit.",
    )
    parser.add_argument("path", nargs="?", default="scenario.toml", type=Path)
    parser.add_argument("--force", action="store_true", help="overwrite the file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.path
    if path.exists() and not args.force:
        raise InputError(f"{path} exists; pass --force to overwrite or pick a path")
    write_atomic(path, default_scenario_text())
    print(
        f"wrote {path}; price it with: llm-tco report --scenario {path}",
        file=sys.stderr,
    )
    return 0
