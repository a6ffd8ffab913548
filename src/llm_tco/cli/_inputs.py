"""Arguments and loading shared by the commands that price a scenario."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

from llm_tco._files import write_atomic
from llm_tco.catalog import Catalog, load_catalog
from llm_tco.errors import InputError
from llm_tco.scenario import LoadedScenario, load_scenario


def add_scenario_args(parser: argparse.ArgumentParser, set_help: str) -> None:
    """--scenario, --catalog, --set, --fx and --currency."""
    add = parser.add_argument
    add("--scenario", type=Path, help="scenario TOML (llm-tco init)")
    add(
        "--catalog",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="TOML file adding or overriding catalog entries (repeatable)",
    )
    add(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="overrides",
        help=set_help,
    )
    add("--fx", help="currency rate id to use for conversions")
    add("--currency", help="currency of the answer, e.g. EUR or USD")


def add_output_args(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument("--format", choices=formats, default=formats[0])
    parser.add_argument("--output", "-o", type=Path, help="write to FILE")


def load_inputs(
    args: argparse.Namespace, overrides: list[str]
) -> tuple[LoadedScenario, Catalog]:
    """The scenario with its what-ifs, and the catalog with every override."""
    loaded = load_scenario(args.scenario, overrides)
    base = loaded.base_dir or Path(".")
    files = [base / name for name in loaded.scenario.catalog]
    catalog = load_catalog([*files, *args.catalog], extra=loaded.catalog_overrides)
    return loaded, catalog


def base_url(value: str) -> str:
    """A server's root URL: http(s), and no credentials in it (they would end
    up in logs and result files; the key belongs in an environment variable)."""
    if not value.startswith(("http://", "https://")):
        raise InputError(f"--base-url {value!r} must start with http:// or https://")
    parts = urlsplit(value)
    if parts.username or parts.password:
        shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        raise InputError(
            f"--base-url {shown} carries a user name or password; drop them and put "
            "the key in an environment variable named by --api-key-env"
        )
    return value.rstrip("/")


def terminal_style(output: Path | None) -> tuple[int | None, bool]:
    """Width and colour for terminal output: the real terminal's when it is
    one, else a fixed width and no colour (a pipe, a file)."""
    if output is None and sys.stdout.isatty():
        return shutil.get_terminal_size().columns, True
    columns = os.environ.get("COLUMNS", "")
    return (int(columns) if columns.isdigit() and int(columns) > 0 else None), False


def emit(text: str, output: Path | None) -> None:
    """Write to ``output`` whole, or to standard output."""
    if output is None:
        sys.stdout.write(text)
        return
    write_atomic(output, text)
    print(f"wrote {output}", file=sys.stderr)
