"""The report's content as neutral blocks, shared by Markdown and HTML.

Both renderers walk the same sections, so they cannot disagree about what a
report says; they only differ in markup. All text here is plain (unescaped);
each renderer escapes for its own format.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from llm_tco.report import _sections_extra as extra
from llm_tco.report._blocks import (
    NOT_APPLICABLE,
    Block,
    Bullets,
    Chart,
    Doc,
    Paragraph,
    Section,
    Table,
    kv_table,
)
from llm_tco.report._format import (
    NA,
    fmt_bool,
    fmt_hours,
    fmt_number,
    fmt_range,
    fmt_ratio,
    money,
    na,
    ratio_of,
)
from llm_tco.report._sections_extra import sweeps
from llm_tco.report._verdict import verdict

__all__ = [
    "Block",
    "Bullets",
    "Chart",
    "Paragraph",
    "Section",
    "Table",
    "byline",
    "sections",
    "sweeps",
    "title",
]


def title(doc: Doc) -> str:
    return f"Self-hosting vs API: {doc['scenario']['name']}"


def byline(doc: Doc) -> str:
    scenario = doc["scenario"]
    parts = [
        f"Scenario: {scenario['path']}",
        f"currency {doc['currency']}",
        f"{doc['tool']}",
        f"generated {doc['generated_at']}",
        f"report schema v{doc['schema_version']}",
    ]
    if scenario.get("overrides"):
        parts.append("overrides: " + ", ".join(scenario["overrides"]))
    return " · ".join(parts)


# Which role reads each detail section ("all": every role).
_SECTION_ROLES = {
    "workload": ("all",),
    "api": ("finance",),
    "throughput": ("it",),
    "rent": ("finance",),
    "staff": ("finance",),
    "tco": ("finance",),
    "buy": ("finance", "it"),
    "currency": ("finance",),
    "workloads": ("finance", "it"),
    "sources": ("all",),
}


def sections(doc: Doc) -> list[Section]:
    """Every section of the report for the chosen roles, in reading order:
    the answer, one line per role, each role's section, then the details."""
    from llm_tco.report import _sections_roles as roles

    chosen = roles.selected_roles(doc)
    built = [
        Section("answer", "The answer", _answer_blocks(doc)),
        *roles.role_sections(doc, chosen),
        _workload(doc),
        _api(doc),
        extra.throughput(doc),
        _rent(doc),
        _staff(doc),
        _tco(doc),
        extra.buy(doc),
        roles.shared(doc),
        extra.currency(doc),
        extra.sources(doc),
    ]
    return [s for s in built if s.blocks and _for_roles(s.key, chosen)]


def _answer_blocks(doc: Doc) -> tuple[Block, ...]:
    answer: tuple[Block, ...] = (Paragraph(verdict(doc), lead=True),)
    warnings = doc.get("warnings") or []
    if not warnings:
        return answer
    return (*answer, Paragraph("Read with care:"), Bullets(tuple(warnings)))


def _for_roles(key: str, chosen: tuple[str, ...]) -> bool:
    wanted = _SECTION_ROLES.get(key, ("all",))
    return not chosen or "all" in wanted or any(role in chosen for role in wanted)


def _workload(doc: Doc) -> Section:
    w, run = doc["workload"], doc["run_label"]
    tokens = "tokens"
    rows = [
        ("Workload", w["name"]),
        (f"Jobs per {run}", fmt_range(w["jobs_per_run"], unit="")),
        ("Input tokens per job", fmt_range(w["input_tokens_per_job"], unit="")),
        ("Output tokens per job", fmt_range(w["output_tokens_per_job"], unit="")),
        (f"Input tokens per {run}", fmt_range(w["input_tokens_per_run"], unit="")),
        (f"Output tokens per {run}", fmt_range(w["output_tokens_per_run"], unit="")),
        (f"Total {tokens} per {run}", fmt_range(w["total_tokens_per_run"], unit="")),
        (f"{run.capitalize()}s per month", fmt_range(w["runs_per_month"], unit="")),
        ("Total tokens per month", fmt_range(w["total_tokens_per_month"], unit="")),
        (f"Time window per {run}", fmt_hours(w["window_hours"])),
    ]
    table = kv_table(rows, frozenset({6}))
    return Section(
        "workload", "Workload", (table, Paragraph(f"Source: {na(w['source'])}."))
    )


def _api(doc: Doc) -> Section:
    api, run = doc["api"], doc["run_label"]
    where = f"{api['region']}{', EU' if api['eu'] else ', outside the EU'}"
    rows = [
        ("Provider and model", f"{api['provider']} · {api['model']} ({where})"),
        ("Input price per 1M tokens", money(api["input_price_per_1m"], 4)),
        ("Output price per 1M tokens", money(api["output_price_per_1m"], 4)),
        (f"Input cost per {run}", money(api["input_cost_per_run"])),
        (f"Output cost per {run}", money(api["output_cost_per_run"])),
        (f"API cost per {run}", money(api["cost_per_run"])),
        ("API cost per month", money(api["cost_per_month"])),
        ("Blended cost per 1M tokens", money(api["cost_per_1m_tokens_blended"], 4)),
    ]
    note = Paragraph(
        f"Price {api['id']}, as of {na(api['as_of'])}: {na(api['source'])}."
    )
    return Section("api", "The API bill", (kv_table(rows, frozenset({5, 6})), note))


def _rent(doc: Doc) -> Section:
    options = doc["options"]
    if not options:
        return Section("rent", "Renting GPUs, per card")
    specs = _rent_rows(doc["run_label"], doc["workload"]["window_hours"])
    rows = tuple((label, *(get(o) for o in options)) for label, get, _ in specs)
    strong = frozenset(i for i, (_, _, bold) in enumerate(specs) if bold)
    header = ("Item", *(o["label"] for o in options))
    table = Table(header, rows, (False, *(True,) * len(options)), strong)
    notes = Paragraph(
        "Compute hours are the run's tokens divided by the measured tokens/s. "
        "Ranges run from compute hours alone to compute plus start-up and buffer. "
        "Break-even is the GPU-hour price at which renting costs what the API does."
    )
    return Section("rent", "Renting GPUs, per card", (table, notes))


RowSpec: TypeAlias = tuple[str, Callable[[Doc], str], bool]


def _rent_rows(run: str, window: Doc | None) -> list[RowSpec]:
    fits = f"Fits the {fmt_hours(window)} window" if window else "Fits the window"
    return [
        ("GPU", _gpu_text, False),
        ("Offer", _offer_text, False),
        ("Price note", _price_note, False),
        ("Price per GPU-hour", lambda o: money(_offer(o, "price_per_gpu_hour")), False),
        ("Throughput priced", _speed_text, False),
        (
            f"Compute hours per {run}",
            lambda o: fmt_hours(o["compute_hours_per_run"]),
            False,
        ),
        (
            f"Start-up / buffer per {run}",
            lambda o: fmt_hours(o["startup_buffer_hours"]),
            False,
        ),
        (
            f"Billed hours per {run}",
            lambda o: fmt_hours(o["billed_hours_per_run"]),
            False,
        ),
        (f"Rent per {run}", lambda o: money(o["cost_per_run"]), False),
        (
            "Rent per month, compute alone",
            lambda o: money(o["compute_cost_per_month"]),
            False,
        ),
        (
            "Rent per month, compute … with buffer",
            lambda o: money(o["cost_per_month"]),
            True,
        ),
        (
            "Cost per 1M tokens (compute)",
            lambda o: money(o["cost_per_1m_tokens"], 4),
            False,
        ),
        ("Ratio to the API (compute)", lambda o: fmt_ratio(o["ratio_to_api"]), False),
        (
            "Break-even price per GPU-hour",
            lambda o: money(o["break_even_price_per_gpu_hour"]),
            False,
        ),
        (
            "Break-even incl. start-up / buffer",
            lambda o: money(o["break_even_price_per_gpu_hour_with_buffer"]),
            False,
        ),
        (fits, lambda o: fmt_bool(o["fits_window"]), False),
    ]


def _offer(option: Doc, key: str) -> Any:
    offer = option.get("offer")
    return offer.get(key) if offer else None


def _gpu_text(option: Doc) -> str:
    gpu = option.get("gpu")
    if gpu is None:
        return NA
    memory = f", {fmt_number(gpu['memory_gb'], 0)} GB" if gpu.get("memory_gb") else ""
    return f"{option['gpus']}× {gpu['name']}{memory}"


def _offer_text(option: Doc) -> str:
    offer = option.get("offer")
    if offer is None:
        return NA
    eu = "EU" if offer["eu"] else "non-EU"
    return f"{offer['provider']}, {offer['region']}, {eu}"


def _price_note(option: Doc) -> str:
    offer = option.get("offer")
    if offer is None:
        return NA
    return str(offer.get("price_note") or NOT_APPLICABLE)


def _speed_text(option: Doc) -> str:
    speed = fmt_range(option["tokens_per_s"], unit="tok/s")
    chosen = option.get("chosen_concurrency")
    return f"{speed} at {chosen} parallel" if chosen is not None else speed


def _staff(doc: Doc) -> Section:
    s = doc["staff"]
    months = s["amortise_months"]
    rows = [
        ("Hourly rate", money(s["rate_per_hour"])),
        ("Set-up hours (one-off)", fmt_hours(s["setup_hours"])),
        ("Set-up cost (one-off)", money(s["setup_cost"])),
        (
            f"Set-up amortised over {months} months, per month",
            money(s["setup_cost_per_month"]),
        ),
        ("Ongoing hours per month", fmt_hours(s["ongoing_hours_per_month"])),
        ("Ongoing cost per month", money(s["ongoing_cost_per_month"])),
        ("Staff cost per month", money(s["cost_per_month"])),
    ]
    text = (
        "People provision the machine, load the model, write and test the batch "
        "job, then watch it and step in when it breaks. The same staff cost is "
        "added to every self-hosted option."
    )
    return Section(
        "staff", "Staff time", (Paragraph(text), kv_table(rows, frozenset({6})))
    )


def _tco(doc: Doc) -> Section:
    options = doc["options"]
    api_month = doc["api"]["cost_per_month"]
    staff = doc["staff"]
    if all(o["tco_per_month"] is None for o in options):
        text = (
            "No self-hosted option has a rental price, so there is no TCO to compare."
        )
        return Section("tco", "Total cost per month", (Paragraph(text),))
    api = f"API ({doc['api']['provider']})"
    dash = NOT_APPLICABLE
    rows: list[tuple[str, ...]] = [
        ("GPU rent per month", *(money(o["cost_per_month"]) for o in options), dash),
        (
            "+ staff, ongoing",
            *(money(staff["ongoing_cost_per_month"]) for _ in options),
            dash,
        ),
        (
            "+ set-up, amortised",
            *(money(staff["setup_cost_per_month"]) for _ in options),
            dash,
        ),
        ("API bill per month", *(dash for _ in options), money(api_month)),
        (
            "TCO per month",
            *(money(o["tco_per_month"]) for o in options),
            money(api_month),
        ),
        (
            "TCO vs the API",
            *(fmt_ratio(ratio_of(o["tco_per_month"], api_month)) for o in options),
            "1.00×",
        ),
    ]
    header = ("Item", *(o["label"] for o in options), api)
    numeric = (False, *(True,) * (len(options) + 1))
    table = Table(header, tuple(rows), numeric, frozenset({4}))
    return Section("tco", "Total cost per month", (Chart("monthly"), table))
