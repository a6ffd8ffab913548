"""Finance's section: monthly cost ranges, the tornado, break-evens, payback."""

from __future__ import annotations

from typing import Any

from llm_tco.report._blocks import Block, Bullets, Doc, Paragraph, Section, Table
from llm_tco.report._format import (
    NA,
    fmt_number,
    fmt_range,
    fmt_ratio,
    money,
    ratio_of,
)
from llm_tco.report._role_blocks import Figure, RoleBlock, role_section
from llm_tco.report.roles import fmt_break_even, short_break_even


def finance(doc: Doc) -> Section:
    fin = doc.get("finance")
    if not fin:
        return Section("finance", "Finance")
    blocks: list[RoleBlock] = [_monthly(doc, fin)]
    blocks += _tornado(doc, fin.get("tornado"))
    blocks += _break_evens(doc, fin["break_even"])
    blocks += _payback(fin.get("payback"))
    return role_section("finance", "Finance: what it costs and when it pays", blocks)


def _monthly(doc: Doc, fin: Doc) -> Table:
    api = doc["api"]["cost_per_month"]
    rows = []
    for entry in fin["monthly"]:
        tco = entry["tco_per_month"]
        versus = "1.00×" if entry["id"] == "api" else fmt_ratio(ratio_of(tco, api))
        rows.append(
            (
                entry["label"],
                money(entry["rent_per_month"]) if entry["rent_per_month"] else "—",
                money(tco),
                versus,
            )
        )
    return Table(
        ("Option", "GPU rent a month", "All-in a month (TCO)", "Against the API"),
        tuple(rows),
        (False, True, True, True),
        caption="Monthly cost of each option, low–high",
    )


def _value(value: Any, unit: str) -> str:
    cur = unit.split("/", 1)[0]
    if cur.isupper() and len(cur) == 3:
        return money({"low": value, "high": value, "unit": unit}, 2)
    places = 2 if unit.startswith("h") else 1 if unit == "months" else 0
    return f"{fmt_number(value, places, trim=True)} {unit}"


def _tornado(doc: Doc, data: Doc | None) -> list[RoleBlock]:
    if not data or not data["bars"]:
        return []
    unit = data["unit"]
    base = money(
        {
            "low": data["base_tco_per_month"],
            "high": data["base_tco_per_month"],
            "unit": unit,
        }
    )
    rows = []
    for bar in data["bars"]:
        low = _value(bar["low_value"], bar["unit"])
        span = f"{low} … {_value(bar['high_value'], bar['unit'])}"
        rows.append(
            (
                bar["label"],
                f"{span} ({bar['varied_by']})",
                _money(bar["tco_at_low"], unit),
                _money(bar["tco_at_high"], unit),
                _money(bar["swing"], unit),
            )
        )
    text = (
        f"What moves the all-in monthly cost of {data['label']}, the cheapest "
        f"self-hosted option: each input is varied over its range (or ±20 % when the "
        f"scenario states one value) while the others stay at their middle, where "
        f"the TCO is {base} a month. The API bill is "
        f"{money(data['api_cost_per_month'])}."
    )
    table = Table(
        ("Input", "Varied over", "TCO at low", "TCO at high", "Swing"),
        tuple(rows),
        (False, False, True, True, True),
        caption="What drives the TCO (largest swing first)",
    )
    return [Paragraph(text), Figure("tornado", data), table]


def _money(value: Any, unit: str) -> str:
    return money({"low": value, "high": value, "unit": unit}, 2, trim=False)


def _break_evens(doc: Doc, evens: list[Doc]) -> list[Block]:
    if not evens:
        return []
    run = doc["run_label"]
    rows = []
    for even in evens:
        rows.append(
            (
                even["label"],
                money(even["price_per_gpu_hour"]),
                short_break_even(even["jobs_per_run_rent"]),
                short_break_even(even["jobs_per_run_tco"]),
                short_break_even(even["ongoing_hours_per_month"], 2),
            )
        )
    table = Table(
        (
            "Option",
            "GPU-hour price",
            f"Jobs per {run}: rent alone",
            f"Jobs per {run}: TCO",
            "Ongoing staff hours a month",
        ),
        tuple(rows),
        (False, True, True, True, True),
        caption="Break-even points: where self-hosting costs what the API does",
    )
    notes = [_even_note(e, run) for e in evens]
    method = (
        "Both bills grow linearly with the job count, so renting can only catch up "
        "when its cost per job is below the API's; the TCO break-even exists only "
        "because the staff cost is fixed: jobs = (runs × buffer rent + staff a "
        "month) / (runs × (API per job − rent per job)). The staff-hours "
        "break-even is (API − rent) / rate − set-up hours / amortisation months. "
        "“never” means no volume (up to one card's window) or staff time makes "
        "them equal."
    )
    return [table, Paragraph(method), Bullets(tuple(notes))]


def _even_note(even: Doc, run: str) -> str:
    text = (
        f"{even['label']}: the API costs {_per_job(even['api_cost_per_job'])} per "
        f"job, rent {_per_job(even['rent_cost_per_job'])} per job plus "
        f"{money(even['buffer_rent_per_run'], 2)} of start-up/buffer per {run}; one "
        f"card processes at most {fmt_range(even['capacity_jobs_per_run'], unit='')} "
        f"jobs per {run} in the window."
    )
    named = (
        ("Rent-alone volume", even["jobs_per_run_rent"], 0),
        ("TCO volume", even["jobs_per_run_tco"], 0),
        ("Staff hours", even["ongoing_hours_per_month"], 2),
    )
    for name, value, places in named:
        if value["reason"]:
            text += f" {name}: {fmt_break_even(value, places)}."
    return text


def _per_job(quantity: Doc) -> str:
    return money(quantity, 6)


def _payback(payback: Doc | None) -> list[Block]:
    if not payback:
        return []
    life = fmt_range(payback["depreciation_months"], 0, unit="months")

    def row(label: str, part: Doc | None) -> tuple[str, str, str]:
        if part is None:
            return (label, NA, NA)
        within = {True: "yes", False: "no", None: "depends on the ranges"}
        return (label, fmt_break_even(part, 1), within[part["within_depreciation"]])

    table = Table(
        ("Use of the card", "Months to pay back against renting", f"Within {life}?"),
        (
            row("At the stated use", payback["at_stated_hours"]),
            row("At this job's hours", payback["at_job_hours"]),
        ),
        (False, True, True),
        caption="Buying: months until the purchase price is saved in rent",
    )
    text = (
        "Each month of use saves the rent for those hours minus the electricity; "
        f"payback = purchase price / that saving. The card is written off over {life}."
    )
    return [table, Paragraph(text)]
