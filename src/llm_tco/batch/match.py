"""Is an installed PyPI version affected by an OSV record? PEP 440, never text.

Ranges follow the OSV evaluation: events sorted by version (``introduced: "0"``
first), walked in order; ``introduced`` at or below the version turns it
affected, ``fixed`` (or ``limit``) at or below turns it unaffected, and a
``last_affected`` strictly below turns it unaffected. Each range of type
ECOSYSTEM is one such walk; the version is affected if any range or the
explicit ``versions`` list says so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from llm_tco.batch.inventory import PYPI, InstalledPackage
from llm_tco.batch.osv import Advisory, Affected, Event, VersionRange

logger = logging.getLogger(__name__)

_ZERO = Version("0")


@dataclass(frozen=True)
class Match:
    """An installed package that an advisory's ``affected`` entry covers."""

    package: InstalledPackage
    advisory: Advisory
    affected: Affected


def parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def in_versions_list(installed: str, versions: Iterable[str]) -> bool:
    """``installed`` is one of ``versions`` (1.0 == 1.0.0 under PEP 440)."""
    wanted = parse_version(installed)
    for listed in versions:
        if listed == installed:
            return True
        parsed = parse_version(listed)
        if wanted is not None and parsed is not None and parsed == wanted:
            return True
    return False


def in_range(version: Version, version_range: VersionRange) -> bool:
    """One ECOSYSTEM range's verdict for ``version``."""
    events = _sorted_events(version_range.events)
    affected = False
    for at, event in events:
        if event.kind == "introduced" and version >= at:
            affected = True
        elif _ends_at(event.kind, version, at):
            affected = False
    return affected


def _ends_at(kind: str, version: Version, at: Version) -> bool:
    if kind in ("fixed", "limit"):
        return version >= at
    return kind == "last_affected" and version > at


def _sorted_events(events: Iterable[Event]) -> list[tuple[Version, Event]]:
    parsed = []
    for event in events:
        at = _ZERO if event.version == "0" else parse_version(event.version)
        if at is None:
            logger.debug("ignoring event with a non-PEP 440 version %r", event.version)
            continue
        parsed.append((at, event))
    return sorted(parsed, key=lambda pair: pair[0])


def is_affected(installed: str, affected: Affected) -> bool:
    """The ``versions`` list or any ECOSYSTEM range covers ``installed``."""
    if in_versions_list(installed, affected.versions):
        return True
    version = parse_version(installed)
    if version is None:
        return False
    return any(in_range(version, r) for r in affected.ranges if r.type == "ECOSYSTEM")


def find_matches(
    packages: Iterable[InstalledPackage], advisories: Iterable[Advisory]
) -> list[Match]:
    """Each (package, advisory) pair where the installed version is affected."""
    by_name: dict[str, list[tuple[Advisory, Affected]]] = {}
    for advisory in advisories:
        for entry in advisory.affected:
            if entry.ecosystem == PYPI:
                by_name.setdefault(entry.name, []).append((advisory, entry))
    matches = []
    for package in packages:
        if package.ecosystem != PYPI:
            continue
        seen: set[str] = set()
        for advisory, entry in by_name.get(canonicalize_name(package.name), []):
            if advisory.id not in seen and is_affected(package.version, entry):
                seen.add(advisory.id)
                matches.append(Match(package, advisory, entry))
    return matches


def fixed_versions(affected: Affected) -> list[str]:
    """Every ``fixed`` version named by the ECOSYSTEM ranges, in order."""
    found = [
        e.version
        for r in affected.ranges
        if r.type == "ECOSYSTEM"
        for e in r.events
        if e.kind == "fixed"
    ]
    return list(dict.fromkeys(found))
