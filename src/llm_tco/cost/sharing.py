"""Several workloads on one self-hosted server, run by one ops team.

The server's hours are the sum of each workload's billed hours; its rent is
those hours times the price. The staff cost is fixed: one team keeps one
server running whatever it serves, so it is split between the workloads,
by default by each workload's share of the server hours (``"hours"``), or in
equal parts (``"equal"``). Shares are taken at the middle of each workload's
hours so that they add up to exactly 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from llm_tco.errors import InputError
from llm_tco.money import Span

HOURS_PER_MONTH = Decimal(8760) / 12
SHARE_RULES = ("hours", "equal")


@dataclass(frozen=True)
class WorkloadLoad:
    """One workload's demand on the shared server."""

    name: str
    compute_hours_per_run: Span
    billed_hours_per_run: Span
    runs_per_month: Span
    window_hours: Span | None
    api_cost_per_month: Span
    # Workloads with the same non-empty group run in the same hours (e.g. two
    # interactive tools used in office hours): the server is up once for them.
    group: str = ""


@dataclass(frozen=True)
class WorkloadShare:
    name: str
    compute_hours_per_month: Span
    billed_hours_per_month: Span
    window_hours_per_month: Span | None
    keeps_up: bool | None
    share: Decimal
    rent_per_month: Span
    staff_per_month: Span
    tco_per_month: Span
    api_cost_per_month: Span


@dataclass(frozen=True)
class SharedServer:
    rule: str
    compute_hours_per_month: Span
    billed_hours_per_month: Span
    hours_in_month: Decimal
    keeps_up: bool
    rent_per_month: Span
    staff_per_month: Span
    tco_per_month: Span
    api_cost_per_month: Span
    workloads: tuple[WorkloadShare, ...]


def share_server(
    loads: list[WorkloadLoad],
    *,
    price_per_hour: Span,
    staff_per_month: Span,
    rule: str = "hours",
) -> SharedServer:
    """Hours, rent and staff per workload on one shared server."""
    if rule not in SHARE_RULES:
        raise InputError(
            f"staff share rule {rule!r} is unknown; use one of {', '.join(SHARE_RULES)}"
        )
    if not loads:
        raise InputError("a shared server needs at least one workload")
    billed = _billed_per_month(loads)
    weights = (
        [hours.mid for hours in billed]
        if rule == "hours"
        else [Decimal(1)] * len(loads)
    )
    total_weight = sum(weights, Decimal(0))
    if total_weight <= 0:
        weights, total_weight = [Decimal(1)] * len(loads), Decimal(len(loads))
    shares = []
    for load, hours, weight in zip(loads, billed, weights, strict=True):
        share = weight / total_weight
        rent = hours * price_per_hour
        staff = staff_per_month * share
        window = load.window_hours * load.runs_per_month if load.window_hours else None
        keeps_up = _keeps_up(load, loads)
        shares.append(
            WorkloadShare(
                name=load.name,
                compute_hours_per_month=load.compute_hours_per_run
                * load.runs_per_month,
                billed_hours_per_month=hours,
                window_hours_per_month=window,
                keeps_up=keeps_up,
                share=share,
                rent_per_month=rent,
                staff_per_month=staff,
                tco_per_month=rent + staff,
                api_cost_per_month=load.api_cost_per_month,
            )
        )
    total_billed = _sum(s.billed_hours_per_month for s in shares)
    rent_total = _sum(s.rent_per_month for s in shares)
    return SharedServer(
        rule=rule,
        compute_hours_per_month=_sum(s.compute_hours_per_month for s in shares),
        billed_hours_per_month=total_billed,
        hours_in_month=HOURS_PER_MONTH,
        keeps_up=total_billed.high <= HOURS_PER_MONTH
        and all(s.keeps_up is not False for s in shares),
        rent_per_month=rent_total,
        staff_per_month=staff_per_month,
        tco_per_month=rent_total + staff_per_month,
        api_cost_per_month=_sum(s.api_cost_per_month for s in shares),
        workloads=tuple(shares),
    )


def _keeps_up(load: WorkloadLoad, loads: list[WorkloadLoad]) -> bool | None:
    """Compute hours per run fit the window (summed over a window group)."""
    if load.window_hours is None:
        return None
    members = [w for w in loads if load.group and w.group == load.group] or [load]
    need = _sum(w.compute_hours_per_run for w in members)
    return need.high <= load.window_hours.low


def _billed_per_month(loads: list[WorkloadLoad]) -> list[Span]:
    """Billed hours a month; a group's up-time (the longest of its members)
    is counted once and split by each member's compute hours."""
    own = [load.billed_hours_per_run * load.runs_per_month for load in loads]
    result = list(own)
    groups = {load.group for load in loads if load.group}
    for group in groups:
        members = [i for i, load in enumerate(loads) if load.group == group]
        up = max((own[i] for i in members), key=lambda span: span.high)
        compute = [
            (loads[i].compute_hours_per_run * loads[i].runs_per_month).mid
            for i in members
        ]
        total = sum(compute, Decimal(0))
        for i, hours in zip(members, compute, strict=True):
            share = hours / total if total > 0 else Decimal(1) / len(members)
            result[i] = up * share
    return result


def _sum(spans: Iterable[Span]) -> Span:
    total = Span.of(0)
    for span in spans:
        total = total + span
    return total
