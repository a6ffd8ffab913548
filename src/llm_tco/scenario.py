"""A company's situation as a TOML file: workload, API, self-hosted options,
staff and the buy option. The shipped default is the article's nightly batch.

``--set KEY=VALUE`` what-ifs edit the raw TOML before validation, so an
override is checked exactly like a value written in the file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from llm_tco._strict import build
from llm_tco.catalog._load import SECTIONS as CATALOG_SECTIONS
from llm_tco.catalog._load import read_toml
from llm_tco.errors import InputError
from llm_tco.money import Span

DEFAULT_SCENARIO = "nightly-cve-batch.toml"
ZERO = Span.of(0)
ONE = Span.of(1)


@dataclass(frozen=True)
class About:
    name: str
    currency: str = "EUR"
    fx: str = ""
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class Workload:
    name: str
    jobs_per_run: Span
    input_tokens_per_job: Span
    output_tokens_per_job: Span
    runs_per_month: Span
    window_hours: Span | None = None
    run_label: str = "run"
    source: str = ""
    # "batch": the server is billed for compute (+ buffer) hours; "interactive":
    # it must be up for the whole window, whenever users send requests.
    kind: str = "batch"
    # The sweep level (parallel jobs) this workload runs at; 0 = the option's.
    concurrency: int = 0
    # e.g. "ttft:2000,tpot:50" (ms): what interactive users need.
    latency_target: str = ""
    # Workloads with the same window_group run in the same hours on a shared
    # server (e.g. office hours): its up-time is counted once for them.
    window_group: str = ""


@dataclass(frozen=True)
class Api:
    price: str


@dataclass(frozen=True)
class SelfHosted:
    """One self-hosted option: an offer priced with a measured throughput."""

    offer: str
    sweep: str = ""
    results: str = ""
    tokens_per_s: Span | None = None
    concurrency: int = 0
    startup_buffer_hours: Span = ZERO
    gpus: int = 1
    label: str = ""


@dataclass(frozen=True)
class Staff:
    rate_per_hour: Span
    setup_hours: Span
    amortise_months: int
    ongoing_hours_per_month: Span
    currency: str = "EUR"
    source: str = ""
    # How a server shared by several workloads splits the staff cost:
    # "hours" (by share of server hours) or "equal".
    share_rule: str = "hours"


@dataclass(frozen=True)
class Buy:
    gpu: str
    rent_offer: str
    price_per_kwh: Span
    hours_per_year: Span
    depreciation_per_year: Span
    pue: Span = ONE
    power_w: Span | None = None
    purchase_price: Span | None = None
    currency: str = ""
    source: str = ""


@dataclass(frozen=True)
class Scenario:
    scenario: About
    workload: Workload
    api: Api
    self_hosted: list[SelfHosted]
    staff: Staff
    buy: Buy | None = None
    catalog: list[str] = field(default_factory=list)
    # More workloads on the same server and ops team (``[[workloads]]``).
    workloads: list[Workload] = field(default_factory=list)

    @property
    def all_workloads(self) -> list[Workload]:
        """The main workload, then the others sharing its server."""
        return [self.workload, *self.workloads]


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario, where it came from, and catalog overrides."""

    scenario: Scenario
    path: str
    base_dir: Path | None
    catalog_overrides: dict[str, Any]
    overrides: tuple[str, ...] = ()


def default_scenario_text() -> str:
    return resources.files("llm_tco.scenarios").joinpath(DEFAULT_SCENARIO).read_text()


def load_scenario(
    path: Path | None = None, overrides: Iterable[str] = ()
) -> LoadedScenario:
    """The scenario at ``path`` (the shipped default if None), with what-ifs."""
    if path is None:
        raw = tomllib.loads(default_scenario_text())
        where, base_dir = f"default scenario ({DEFAULT_SCENARIO})", None
    else:
        raw = read_toml(path)
        where, base_dir = str(path), path.parent
    overrides = tuple(overrides)
    catalog_overrides: dict[str, Any] = {}
    for item in overrides:
        _apply_override(raw, catalog_overrides, item)
    _promote_first_workload(raw)
    scenario = build(Scenario, raw, where)
    _check(scenario, where)
    return LoadedScenario(
        scenario, where, base_dir, catalog_overrides, tuple(overrides)
    )


def _promote_first_workload(raw: dict[str, Any]) -> None:
    """``[[workloads]]`` without ``[workload]``: the first one is the main one."""
    many = raw.get("workloads")
    if "workload" not in raw and isinstance(many, list) and many:
        raw["workload"] = many[0]
        raw["workloads"] = many[1:]


def _apply_override(raw: dict[str, Any], catalog: dict[str, Any], item: str) -> None:
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise InputError(
            f"--set {item!r}: expected KEY=VALUE, e.g. workload.jobs_per_run=10000"
        )
    value = _parse_value(text.strip(), item)
    parts = key.strip().split(".")
    if parts[0] == "workload" and "workload" not in raw and raw.get("workloads"):
        # Scenarios that list [[workloads]] only: the first one is the main job.
        parts = ["workloads", "0", *parts[1:]]
    target = catalog if parts[0] in CATALOG_SECTIONS else raw
    _set_path(target, parts, value, item)


def _parse_value(text: str, item: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        pass
    if text and all(c.isalnum() or c in "-_." for c in text):
        return text  # a bare name such as an offer id
    raise InputError(
        f"--set {item!r}: {text!r} is not a value; write a number, "
        '[low, high], true/false or a "string"'
    )


def _set_path(target: Any, parts: list[str], value: Any, item: str) -> None:
    *parents, last = parts
    node = target
    for part in parents:
        node = _child(node, part, item, create=node is not None)
    if isinstance(node, list):
        node[_index(node, last, item)] = value
    else:
        node[last] = value


def _child(node: Any, part: str, item: str, *, create: bool) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, item)]
    if not isinstance(node, dict):
        raise InputError(f"--set {item!r}: {part!r} is not a table")
    return node.setdefault(part, {}) if create else node[part]


def _index(node: list[Any], part: str, item: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise InputError(
            f"--set {item!r}: {part!r} is not an index 0..{len(node) - 1} of the list"
        )
    return int(part)


def _check(scenario: Scenario, where: str) -> None:
    _check_workloads(scenario, where)
    if not scenario.self_hosted:
        raise InputError(f"{where}: add at least one [[self_hosted]] option")
    for i, option in enumerate(scenario.self_hosted):
        sources = [bool(option.sweep), bool(option.results), option.tokens_per_s]
        if sum(1 for s in sources if s) != 1:
            raise InputError(
                f"{where}: self_hosted[{i}] needs exactly one of sweep (a catalog "
                "id), results (a result folder) or tokens_per_s"
            )
        if option.gpus < 1 or option.concurrency < 0:
            raise InputError(
                f"{where}: self_hosted[{i}] gpus must be 1 or more and concurrency "
                "0 (peak) or more"
            )


WORKLOAD_KINDS = ("batch", "interactive")
SHARE_RULES = ("hours", "equal")


def _check_workloads(scenario: Scenario, where: str) -> None:
    for workload in scenario.all_workloads:
        name = f"{where}: workload {workload.name!r}"
        if workload.kind not in WORKLOAD_KINDS:
            raise InputError(
                f"{name}: kind {workload.kind!r} is unknown; use "
                f"{' or '.join(WORKLOAD_KINDS)}"
            )
        if workload.kind == "interactive" and workload.window_hours is None:
            raise InputError(
                f"{name}: an interactive workload needs window_hours (the hours a "
                "day users may send requests)"
            )
        if workload.concurrency < 0:
            raise InputError(f"{name}: concurrency must be 0 (peak) or more")
        window = workload.window_hours
        if window is not None and window.low <= 0:
            raise InputError(
                f"{name}: window_hours must be above 0, got {window}; leave it out "
                "when the run has no time window"
            )
    if scenario.staff.share_rule not in SHARE_RULES:
        raise InputError(
            f"{where}: staff.share_rule {scenario.staff.share_rule!r} is unknown; "
            f"use {' or '.join(SHARE_RULES)}"
        )
