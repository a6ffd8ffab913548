"""OSV advisory records (JSON or YAML) read from a folder into typed values.

YAML scalars are all read as text: an unquoted ``1.10`` in a ``versions``
list must stay the version 1.10, not become the float 1.1.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from llm_tco.errors import InputError

logger = logging.getLogger(__name__)

SUFFIXES = (".json", ".yaml", ".yml")
EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


@dataclass(frozen=True)
class Event:
    kind: str  # one of EVENT_KINDS
    version: str


@dataclass(frozen=True)
class VersionRange:
    type: str  # ECOSYSTEM, SEMVER or GIT; only ECOSYSTEM is matched for PyPI
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Affected:
    """One ``affected[]`` entry; ``name`` is canonical (PEP 503)."""

    ecosystem: str
    name: str
    ranges: tuple[VersionRange, ...]
    versions: tuple[str, ...]


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    details: str
    severity: tuple[tuple[str, str], ...]  # (type, CVSS vector or score)
    affected: tuple[Affected, ...]
    withdrawn: str | None
    source: str

    @property
    def cves(self) -> tuple[str, ...]:
        return tuple(a for a in (self.id, *self.aliases) if a.startswith("CVE-"))


def iter_record_files(folder: Path) -> Iterator[Path]:
    """Every ``.json``/``.yaml``/``.yml`` file under ``folder``, sorted."""
    if not folder.is_dir():
        raise InputError(f"advisory folder {folder} does not exist or is no folder")
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in SUFFIXES and path.is_file():
            yield path


def load_advisories(folder: Path, include_withdrawn: bool = False) -> list[Advisory]:
    """All records under ``folder``; withdrawn ones are skipped unless asked."""
    advisories = []
    for path in iter_record_files(folder):
        advisory = parse_record(_read_record(path), str(path))
        if advisory.withdrawn and not include_withdrawn:
            logger.info("skipping withdrawn %s (%s)", advisory.id, advisory.withdrawn)
            continue
        advisories.append(advisory)
    return advisories


def _read_record(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read advisory {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(
            f"advisory {path} is not UTF-8 text; OSV records are UTF-8 JSON or "
            "YAML: remove or re-download that file"
        ) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return _load_yaml(text)
    except ValueError as exc:
        raise InputError(f"advisory {path} is not valid: {exc}") from None


def _load_yaml(text: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise InputError(
            "YAML advisories need PyYAML (pip install pyyaml); or pass OSV JSON"
        ) from None
    try:
        return yaml.load(text, Loader=_text_loader())
    except yaml.YAMLError as exc:
        raise ValueError(" ".join(str(exc).split())) from None


_LOADER: Any = None


def _text_loader() -> Any:
    global _LOADER  # noqa: PLW0603 - one subclass per process
    if _LOADER is None:
        import yaml

        base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        keep = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}
        resolvers = {
            first: [(tag, rx) for tag, rx in rules if tag in keep]
            for first, rules in base.yaml_implicit_resolvers.items()
        }
        _LOADER = type("TextLoader", (base,), {"yaml_implicit_resolvers": resolvers})
    return _LOADER


def parse_record(raw: Any, source: str) -> Advisory:
    """An :class:`Advisory` from one decoded OSV record."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
        raise InputError(f"advisory {source} is not an OSV record (no string 'id')")
    try:
        return _advisory(raw, source)
    except (AttributeError, TypeError):
        # A field of the wrong shape (e.g. "package": "x", "versions": 3).
        raise InputError(
            f"advisory {source} is not a valid OSV record (a field has the wrong "
            "type); remove or re-download that file"
        ) from None


def _advisory(raw: Mapping[str, Any], source: str) -> Advisory:
    return Advisory(
        id=raw["id"],
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        summary=str(raw.get("summary") or ""),
        details=str(raw.get("details") or ""),
        severity=tuple(
            (str(s.get("type", "")), str(s.get("score", "")))
            for s in raw.get("severity") or ()
            if isinstance(s, Mapping)
        ),
        affected=tuple(_affected(a) for a in _mappings(raw.get("affected"))),
        withdrawn=str(raw["withdrawn"]) if raw.get("withdrawn") else None,
        source=source,
    )


def _mappings(value: Any) -> Iterable[Mapping[str, Any]]:
    return [v for v in value or () if isinstance(v, Mapping)]


def _affected(raw: Mapping[str, Any]) -> Affected:
    package = raw.get("package") or {}
    return Affected(
        ecosystem=str(package.get("ecosystem", "")),
        name=canonicalize_name(str(package.get("name", ""))),
        ranges=tuple(
            VersionRange(
                type=str(r.get("type", "")),
                events=tuple(
                    Event(kind, str(e[kind]))
                    for e in _mappings(r.get("events"))
                    for kind in EVENT_KINDS
                    if kind in e
                ),
            )
            for r in _mappings(raw.get("ranges"))
        ),
        versions=tuple(str(v) for v in raw.get("versions") or ()),
    )
