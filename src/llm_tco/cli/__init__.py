"""The one command, ``llm-tco``. Each sub-command lives in its own module with
``add_parser(subparsers)`` and ``run(args) -> int``; this module only wires them
up and turns the product's errors into exit codes (0 ok, 1 run failed, 2 input).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from llm_tco import __version__
from llm_tco.errors import InputError, LlmTcoError, RunError

# Module names under llm_tco.cli, in the order `--help` lists them.
COMMANDS = (
    "report",
    "whatif",
    "init",
    "bench",
    "serve_local",
    "batch",
    "fit",
    "recipe",
)

logger = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"llm-tco: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="llm-tco",
        description=(
            "Is self-hosting an LLM worth it? Price a workload on an API, on "
            "rented GPUs at a measured throughput, with staff time, and against "
            "buying; measure your own server; size it; run the nightly batch."
        ),
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--debug", action="store_true", help="tracebacks and logs")
    parser.add_argument("-v", "--verbose", action="store_true", help="info logs")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        module = _command_module(name)
        if module is not None:
            module.add_parser(subparsers)
    return parser


def _command_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"llm_tco.cli.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"llm_tco.cli.{name}":
            return None
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args)
    # SIGTERM (a scheduler, `kill`) unwinds like Ctrl-C, so every command
    # stops what it started (a local server) and keeps what it finished.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("llm-tco: interrupted", file=sys.stderr)
        return 130
    except InputError as exc:
        return _fail(args, exc, 2)
    except RunError as exc:
        return _fail(args, exc, 1)
    except LlmTcoError as exc:
        return _fail(args, exc, 1)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _fail(args: argparse.Namespace, exc: Exception, code: int) -> int:
    if args.debug:
        traceback.print_exc()
    message = " ".join(str(exc).split())
    print(f"llm-tco: error: {message}", file=sys.stderr)
    return code


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.debug else logging.INFO if args.verbose else None
    if level is None:
        logging.basicConfig(level=logging.WARNING, format="llm-tco: %(message)s")
        return
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
