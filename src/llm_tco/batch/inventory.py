"""What is installed: packages with versions, read from a tool's output.

A format is a parser from text to :class:`InstalledPackage` rows, registered
in :data:`FORMATS`. Only ``pip list --format json`` exists today; another
ecosystem (e.g. ``dpkg-query -W`` → ``Debian``) adds a parser here and a
version scheme in :mod:`llm_tco.batch.osv`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llm_tco.errors import InputError

PYPI = "PyPI"


@dataclass(frozen=True)
class InstalledPackage:
    """One installed package; ``ecosystem`` uses OSV's names (``PyPI``)."""

    name: str
    version: str
    ecosystem: str


Parser = Callable[[str, str], list[InstalledPackage]]


def parse_pip_json(text: str, source: str) -> list[InstalledPackage]:
    """Rows of ``pip list --format json``: ``[{"name": .., "version": ..}, ..]``."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise InputError(
            f"{source} is not JSON ({exc}); pass `pip list --format json`"
        ) from None
    if not isinstance(raw, list):
        raise InputError(f"{source} must hold a JSON list of {{name, version}}")
    packages = []
    for index, row in enumerate(raw):
        if not (
            isinstance(row, dict)
            and isinstance(row.get("name"), str)
            and isinstance(row.get("version"), str)
        ):
            raise InputError(f"{source}: entry {index} has no string name and version")
        packages.append(InstalledPackage(row["name"], row["version"], PYPI))
    return packages


FORMATS: dict[str, Parser] = {"pip-json": parse_pip_json}


def read_inventory(path: Path, fmt: str = "pip-json") -> list[InstalledPackage]:
    """The packages listed in ``path``, in format ``fmt``."""
    parser = FORMATS.get(fmt)
    if parser is None:
        raise InputError(f"unknown inventory format {fmt!r}; known: {sorted(FORMATS)}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read inventory {path}: {exc.strerror}") from None
    return parser(text, str(path))
