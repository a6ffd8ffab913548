"""Report sections on measurements and references: sweeps, buy, sources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from llm_tco.report._blocks import (
    Block,
    Bullets,
    Chart,
    Doc,
    Paragraph,
    Section,
    Table,
)
from llm_tco.report._format import (
    NA,
    dec,
    fmt_number,
    fmt_percent,
    fmt_range,
    money,
    na,
)

HOURS_PER_YEAR = 8760


def sweeps(doc: Doc) -> list[Doc]:
    """The distinct sweeps behind the options, in option order."""
    seen: dict[str, Doc] = {}
    for option in doc["options"]:
        sweep = option.get("sweep")
        if sweep is not None and sweep["id"] not in seen:
            seen[sweep["id"]] = sweep
    return list(seen.values())


def throughput(doc: Doc) -> Section:
    found = sweeps(doc)
    if not found:
        text = "No measured sweep: every option gives its throughput directly."
        return Section("throughput", "Measured throughput", (Paragraph(text),))
    blocks: list[Block] = [
        Paragraph(
            "Total tokens per second (input + output) for the whole card, by the "
            "number of jobs sent in parallel."
        ),
        Chart("throughput"),
        _sweep_table(found),
    ]
    blocks.append(Bullets(tuple(_priced_at(doc))))
    for sweep in found:
        detail = _latency_table(sweep)
        if detail is not None:
            blocks.append(detail)
    return Section("throughput", "Measured throughput", tuple(blocks))


def _sweep_table(found: list[Doc]) -> Table:
    levels = sorted({lv["concurrency"] for s in found for lv in s["levels"]})
    header = ("Parallel jobs", *(f"{s['label']}: total tok/s" for s in found))
    rows = []
    for level in levels:
        cells = [str(level)]
        for sweep in found:
            match = [lv for lv in sweep["levels"] if lv["concurrency"] == level]
            cells.append(fmt_number(match[0]["total_tokens_per_s"]) if match else NA)
        rows.append(tuple(cells))
    return Table(header, tuple(rows), (True,) * len(header), kind="kv")


def _priced_at(doc: Doc) -> Iterator[str]:
    for option in doc["options"]:
        sweep = option.get("sweep")
        speed = fmt_range(option["tokens_per_s"], unit="tokens/s")
        if sweep is None:
            yield f"{option['label']}: priced at {speed}, given in the scenario."
            continue
        chosen = option["chosen_concurrency"]
        peak = " (the peak)" if chosen == sweep["peak_concurrency"] else ""
        note = f" {sweep['notes']}" if sweep.get("notes") else ""
        yield (
            f"{option['label']}: priced at {speed} with {chosen} parallel "
            f"jobs{peak}.{note}"
        )


_LATENCY = (
    ("ttft_ms", "TTFT", 0),
    ("tpot_ms", "TPOT", 1),
    ("itl_ms", "ITL", 1),
    ("e2el_ms", "E2E latency", 0),
)
_PLAIN = (
    ("output_tokens_per_s", "Output tok/s", 0),
    ("request_throughput_per_s", "Requests/s", 2),
    ("goodput_per_s", "Goodput req/s", 2),
    ("completed", "Completed", 0),
    ("failed", "Failed", 0),
)


def _latency_table(sweep: Doc) -> Table | None:
    """Everything measured beyond total tokens/s; ``None`` if nothing is."""
    levels = sweep["levels"]
    columns: list[tuple[str, Any]] = []
    for key, name, places in _PLAIN:
        if any(lv.get(key) is not None for lv in levels):
            columns.append((name, _plain_getter(key, places)))
    for key, name, digits in _LATENCY:
        for stat in ("median", "p95", "p99"):
            if any(_stat(lv.get(key), stat) is not None for lv in levels):
                getter = _stat_getter(key, stat, digits)
                columns.append((f"{name} {stat} ms", getter))
    if not columns:
        return None
    header = ("Parallel jobs", "Total tok/s", *(name for name, _ in columns))
    rows = tuple(
        (
            str(lv["concurrency"]),
            fmt_number(lv["total_tokens_per_s"]),
            *(get(lv) for _, get in columns),
        )
        for lv in levels
    )
    caption = f"{sweep['label']}: all measured values"
    return Table(header, rows, (True,) * len(header), caption=caption)


def _stat(stats: dict[str, Any] | None, stat: str) -> Any:
    if not stats:
        return None
    if stat == "median":
        return stats.get("median", stats.get("p50"))
    return stats.get(stat)


def _plain_getter(key: str, places: int) -> Any:
    return lambda lv: fmt_number(lv.get(key), places)


def _stat_getter(key: str, stat: str, places: int) -> Any:
    return lambda lv: fmt_number(_stat(lv.get(key), stat), places)


def buy(doc: Doc) -> Section:
    buy = doc.get("buy")
    if buy is None:
        return Section("buy", "Buy or rent")
    stated, job = buy["at_stated_hours"], buy.get("at_job_hours")
    facts = (
        f"Buying one {buy['gpu_name']} costs {money(buy['purchase_price'])}, "
        f"written down at {fmt_percent(buy['depreciation_per_year'])} a year. It "
        f"draws {fmt_range(buy['power_w'], unit='W')} "
        f"(PUE {fmt_range(buy['pue'], 2, unit='')}) "
        f"at {money(buy['price_per_kwh'])} per kWh. Renting the same card "
        f"({buy['rent_offer']}) costs {money(buy['rent_price_per_hour'])} per hour. "
        f"The scenario assumes the card runs {_use(stated['hours_per_year'])}; "
        f"this job alone is billed for {_use(_get(job, 'hours_per_year'))}."
    )
    job_hours = fmt_range(_get(job, "hours_per_year"), unit="h/year")
    header = (
        "Item",
        f"At the stated use ({fmt_range(stated['hours_per_year'], unit='h/year')})",
        f"At this job's hours ({job_hours})",
    )
    rows: list[tuple[str, ...]] = [
        (label, fmt(_get(stated, key)), fmt(_get(job, key)))
        for label, key, fmt in _OWNING_ROWS
    ]
    table = Table(header, tuple(rows), (False, True, True), frozenset({7}))
    blocks: list[Block] = [Paragraph(facts), table]
    blocks.append(Paragraph(_buy_reading(stated, job)))
    return Section("buy", "Buy or rent", tuple(blocks))


def _get(part: Doc | None, key: str) -> Any:
    return part.get(key) if part else None


def _kwh(quantity: Any) -> str:
    return fmt_range(quantity, unit="kWh")


def _hours_year(quantity: Any) -> str:
    return fmt_range(quantity, unit="h")


_OWNING_ROWS: tuple[tuple[str, str, Any], ...] = (
    ("Hours of use per year", "hours_per_year", _hours_year),
    ("Depreciation per month", "depreciation_per_month", money),
    ("Energy per year", "energy_kwh_per_year", _kwh),
    ("Electricity per year", "electricity_per_year", money),
    ("Electricity per month", "electricity_per_month", money),
    ("Owning per month", "cost_per_month", money),
    ("Renting the same hours per month", "rent_same_hours_per_month", money),
    ("Owning minus renting per month", "owning_minus_renting_per_month", money),
)


def _use(hours: Doc | None) -> str:
    """``"7,500–8,300 h a year (86–95 % of the year)"``."""
    if hours is None:
        return NA
    share = {k: dec(hours[k]) / HOURS_PER_YEAR for k in ("low", "high")}
    return f"{fmt_range(hours, unit='h')} a year ({fmt_percent(share)} of the year)"


def _buy_reading(stated: Doc, job: Doc | None) -> str:
    parts = [f"At the stated use, {_owning_versus(stated)}"]
    if job is None:
        parts.append(
            "This job's own hours are n/a: no self-hosted option rents the offer "
            "the purchase is compared with."
        )
    else:
        parts.append(f"At this job's hours, {_owning_versus(job)}")
    return " ".join(parts)


def _owning_versus(part: Doc) -> str:
    diff = part["owning_minus_renting_per_month"]
    if diff["low"] > 0:
        return f"owning costs {money(diff)} a month more than renting the same hours."
    if diff["high"] < 0:
        flipped = {"low": -diff["high"], "high": -diff["low"], "unit": diff["unit"]}
        return f"owning saves {money(flipped)} a month against renting the same hours."
    return (
        f"owning minus renting is {money(diff)} a month: either can be cheaper "
        "within the ranges."
    )


def currency(doc: Doc) -> Section:
    blocks: list[Block] = []
    fx_used = doc.get("fx_used") or []
    if fx_used:
        texts = (_fx_text(fx, doc["currency"]) for fx in fx_used)
        blocks.append(Bullets(tuple(texts)))
    else:
        text = f"No conversion: every price used was already in {doc['currency']}."
        blocks.append(Paragraph(text))
    provenance = doc.get("price_provenance") or []
    if provenance:
        blocks.append(Paragraph("How the catalog prices were published:"))
        blocks.append(Bullets(tuple(provenance)))
    return Section("currency", "Currency conversions", tuple(blocks))


def _fx_text(fx: Doc, currency: str) -> str:
    applied = list(dict.fromkeys(fx.get("applied_to") or []))
    used = "; ".join(applied) if applied else NA
    inverse = ""
    if currency == fx["base"] and dec(fx["rate"]) != 0:
        per_quote = fmt_number(1 / dec(fx["rate"]), 4)
        inverse = f", i.e. 1 {fx['quote']} = {per_quote} {fx['base']}"
    return (
        f"1 {fx['base']} = {fx['rate']} {fx['quote']}{inverse} ({fx['id']}, as of "
        f"{na(fx.get('as_of'))}; source: {na(fx.get('source'))}). Applied to: {used}."
    )


def sources(doc: Doc) -> Section:
    rows = list(dict.fromkeys(_source_rows(doc)))
    header = ("Number", "Source", "As of")
    table = Table(header, tuple(rows), (False, False, False), kind="sources")
    return Section("sources", "Sources", (table,))


def _source_rows(doc: Doc) -> Iterator[tuple[str, str, str]]:
    scenario, api = doc["scenario"], doc["api"]
    yield ("Scenario", na(scenario.get("source")), NA)
    yield ("Workload", na(doc["workload"].get("source")), NA)
    yield (f"API price {api['id']}", na(api["source"]), na(api["as_of"]))
    for option in doc["options"]:
        for kind, part in (("Offer", "offer"), ("Sweep", "sweep"), ("GPU", "gpu")):
            entry = option.get(part)
            if entry is not None:
                yield (
                    f"{kind} {entry['id']}",
                    na(entry.get("source")),
                    na(entry.get("as_of")),
                )
    buy = doc.get("buy")
    if buy is not None:
        yield (f"Purchase price {buy['gpu']}", na(buy.get("purchase_source")), NA)
        yield ("Buy assumptions", na(buy.get("source")), NA)
    for fx in doc.get("fx_used") or []:
        yield (f"Exchange rate {fx['id']}", na(fx.get("source")), na(fx.get("as_of")))
