"""Load the shipped catalogs and merge a user's overrides on top.

Each shipped file holds one section of tables keyed by id, e.g.
``[offers.runpod-h100]``. A user file may hold any sections; a table whose id
exists replaces the keys it names, a new id adds an entry. Everything is
validated after the merge, so an override cannot leave an entry half-valid.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from llm_tco._strict import build
from llm_tco.catalog._checks import check_values
from llm_tco.catalog._schema import ApiPrice, Fx, Gpu, Model, Offer, SweepEntry
from llm_tco.errors import InputError, unknown_name
from llm_tco.money import FxRate
from llm_tco.sweep import Level, Sweep

logger = logging.getLogger(__name__)

SECTIONS: dict[str, type[Any]] = {
    "models": Model,
    "gpus": Gpu,
    "offers": Offer,
    "api_prices": ApiPrice,
    "fx": Fx,
    "sweeps": SweepEntry,
}


PRICE_KEYS = {"price_per_gpu_hour", "input_per_1m", "output_per_1m", "currency"}


class _Named(Protocol):
    @property
    def id(self) -> str: ...


E = TypeVar("E", bound=_Named)


class Entries(Generic[E]):
    """Entries of one kind, found by id, name or alias, case-insensitively."""

    def __init__(self, kind: str, entries: Iterable[E]) -> None:
        self.kind = kind
        self._by_id = {e.id: e for e in entries}
        self._by_key: dict[str, E] = {}
        for entry in self._by_id.values():
            for key in _names_of(entry):
                self._by_key.setdefault(key.lower(), entry)

    def __iter__(self) -> Any:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_key

    def get(self, name: str) -> E:
        """The entry called ``name``; an InputError with suggestions if none."""
        try:
            return self._by_key[name.lower()]
        except KeyError:
            raise unknown_name(self.kind, name, self._by_id) from None

    @property
    def ids(self) -> list[str]:
        return sorted(self._by_id)


def _names_of(entry: object) -> list[str]:
    names = [getattr(entry, "id")]  # noqa: B009
    for attr in ("name", "label"):
        value = getattr(entry, attr, "")
        if value:
            names.append(value)
    names.extend(getattr(entry, "aliases", []))
    return names


@dataclass(frozen=True)
class Catalog:
    models: Entries[Model]
    gpus: Entries[Gpu]
    offers: Entries[Offer]
    api_prices: Entries[ApiPrice]
    fx: Entries[Fx]
    sweeps: Entries[SweepEntry]

    def fx_rate(self, name: str) -> FxRate:
        entry = self.fx.get(name)
        return FxRate(
            entry.id, entry.base, entry.quote, entry.rate, entry.as_of, entry.source
        )

    def sweep(self, name: str) -> Sweep:
        """A shipped sweep as the engine's :class:`Sweep` type."""
        entry = self.sweeps.get(name)
        levels = tuple(
            Level(
                concurrency=row.concurrency,
                total_tokens_per_s=row.total_tokens_per_s,
                output_tokens_per_s=row.output_tokens_per_s,
                input_len=entry.input_len,
                output_len=entry.output_len,
            )
            for row in entry.levels
        )
        return Sweep(
            id=entry.id,
            label=entry.label,
            levels=levels,
            gpu=entry.gpu,
            model=entry.model,
            source=entry.source,
            as_of=entry.as_of,
            notes=entry.notes,
        )


def load_catalog(
    user_files: Iterable[Path] = (), extra: Mapping[str, Any] | None = None
) -> Catalog:
    """The shipped catalogs, with each user file merged on top in order, then
    ``extra`` (what-if overrides already parsed into catalog sections)."""
    raw: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in SECTIONS}
    for section in SECTIONS:
        _merge(raw, {section: _shipped(section)}, f"catalog/{section}.toml")
    for path in user_files:
        _merge(raw, read_toml(path), str(path))
        logger.info("catalog overrides merged from %s", path)
    if extra:
        _require_known_ids(raw, extra)
        _merge(raw, extra, "--set")
    built = {s: _build_section(s, tables) for s, tables in raw.items()}
    catalog = Catalog(**built)
    check_values(**{s: list(entries) for s, entries in built.items()})
    _check_references(catalog)
    return catalog


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; a missing or malformed file is an InputError."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"file not found: {path}; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; give a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; give a TOML file") from None


def _shipped(section: str) -> dict[str, Any]:
    text = resources.files("llm_tco.catalog").joinpath(f"{section}.toml").read_text()
    data = tomllib.loads(text)
    return dict(data.get(section, {}))


def _merge(
    raw: dict[str, dict[str, dict[str, Any]]], data: Mapping[str, Any], where: str
) -> None:
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise InputError(
            f"{where}: unknown section(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(SECTIONS)}"
        )
    for section, tables in data.items():
        if not isinstance(tables, dict):
            raise InputError(f"{where}: [{section}] must hold tables keyed by id")
        for entry_id, table in tables.items():
            if not isinstance(table, dict):
                raise InputError(f"{where}: {section}.{entry_id} must be a table")
            merged = raw[section].setdefault(entry_id, {})
            merged.update(_restated(table, merged, where))


def _restated(
    table: dict[str, Any], shipped: dict[str, Any], where: str
) -> dict[str, Any]:
    """A restated price is the user's own: the shipped entry's source and its
    note of how that source converted currencies no longer apply to it."""
    if not PRICE_KEYS & set(table) or not shipped:
        return table
    restated = dict(table)
    if "converted_with" not in table:
        shipped.pop("converted_with", None)
    restated.setdefault("source", f"override in {where}")
    return restated


def _require_known_ids(
    raw: dict[str, dict[str, dict[str, Any]]], extra: Mapping[str, Any]
) -> None:
    """A what-if changes an entry; it cannot half-create one by a typo."""
    for section, tables in extra.items():
        for entry_id in tables if isinstance(tables, dict) else ():
            if section in raw and entry_id not in raw[section]:
                kind = section.rstrip("s").replace("_", " ")
                raise InputError(
                    f"--set {section}.{entry_id}: "
                    f"{unknown_name(kind, entry_id, raw[section])}"
                )


def _build_section(section: str, tables: dict[str, dict[str, Any]]) -> Entries[Any]:
    cls = SECTIONS[section]
    entries = [
        build(cls, {"id": entry_id, **table}, f"{section}.{entry_id}")
        for entry_id, table in tables.items()
    ]
    return Entries(section.rstrip("s").replace("_", " "), entries)


def _check_references(catalog: Catalog) -> None:
    """Names that point into another catalog must exist there."""
    for offer in catalog.offers:
        _must_exist(catalog.gpus, offer.gpu, f"offers.{offer.id}.gpu")
    for price in catalog.api_prices:
        _must_exist(catalog.models, price.model, f"api_prices.{price.id}.model")
    for sweep in catalog.sweeps:
        _must_exist(catalog.gpus, sweep.gpu, f"sweeps.{sweep.id}.gpu")
        _must_exist(catalog.models, sweep.model, f"sweeps.{sweep.id}.model")
    for entry in [*catalog.offers, *catalog.api_prices]:
        if entry.converted_with:
            _must_exist(catalog.fx, entry.converted_with, f"{entry.id}.converted_with")


def _must_exist(entries: Entries[Any], name: str, where: str) -> None:
    if name not in entries:
        raise InputError(f"{where}: {unknown_name(entries.kind, name, entries.ids)}")
