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

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

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
        # utf-8-sig: a byte-order mark (Windows editors add one) is not data.
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read inventory {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(
            f"inventory {path} is not UTF-8 text; write it with "
            "`pip list --format json > pip.json` (PowerShell: add "
            "`| Out-File -Encoding utf8`) and pass that file"
        ) from None
    return parser(text, str(path))


def dedupe(
    packages: list[InstalledPackage],
) -> tuple[list[InstalledPackage], list[InstalledPackage]]:
    """(unique, repeats): an entry listing the same package (PEP 503 name) at
    the same version (PEP 440 equality, else the same text) as an earlier one
    is the same install and is dropped; the same name at another version is
    another install and is kept."""
    unique: list[InstalledPackage] = []
    repeats: list[InstalledPackage] = []
    seen: set[tuple[str, str, Version | str]] = set()
    for package in packages:
        key = (
            package.ecosystem,
            canonicalize_name(package.name),
            _version_key(package),
        )
        if key in seen:
            repeats.append(package)
        else:
            seen.add(key)
            unique.append(package)
    return unique, repeats


def _version_key(package: InstalledPackage) -> Version | str:
    """Equal keys for equal PEP 440 versions (``2.10`` == ``2.10.0``)."""
    if package.ecosystem != PYPI:
        return package.version
    try:
        return Version(package.version)
    except InvalidVersion:
        return package.version.strip()


def unparseable(packages: list[InstalledPackage]) -> list[InstalledPackage]:
    """PyPI entries whose version is not PEP 440: no advisory range can be
    checked against them (only an exact ``versions`` listing can match)."""
    bad = []
    for package in packages:
        if package.ecosystem != PYPI:
            continue
        try:
            Version(package.version)
        except InvalidVersion:
            bad.append(package)
    return bad
