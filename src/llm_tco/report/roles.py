"""Answers by role: Finance, Compliance/DPO and IT, each with a one-line summary.

:func:`add_role_data` adds ``finance``, ``compliance``, ``it``, ``workloads``
and ``roles`` to a report document; every renderer shows the roles listed in
``roles.selected`` (all three by default) and JSON carries all the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from llm_tco.errors import InputError
from llm_tco.report._compliance import compliance_section
from llm_tco.report._finance import finance_section
from llm_tco.report._format import (
    NA,
    fmt_number,
    fmt_range,
    fmt_versus,
    money,
    ratio_of,
)
from llm_tco.report._it import DEFAULT_TARGET, it_section, parse_latency_target
from llm_tco.report._shared import workloads_section

if TYPE_CHECKING:
    from llm_tco.report._convert import Converter
    from llm_tco.report.model import PricingInputs

Doc = dict[str, Any]
ROLES = ("finance", "compliance", "it")
ROLE_TITLES = {"finance": "Finance", "compliance": "Compliance/DPO", "it": "IT"}


def parse_roles(values: Iterable[str]) -> tuple[str, ...]:
    """``["finance,it"]`` -> ``("finance", "it")``; nothing given -> all three."""
    chosen: list[str] = []
    for value in values:
        for name in (v.strip().lower() for v in value.split(",")):
            if not name:
                continue
            if name not in ROLES:
                raise InputError(
                    f"--for {name!r} is not a role; use finance, compliance or it "
                    "(repeat --for or separate with commas)"
                )
            if name not in chosen:
                chosen.append(name)
    return tuple(chosen) or ROLES


def selected_roles(doc: Doc) -> tuple[str, ...]:
    """The roles whose sections the renderers show; ``()`` shows none (the
    plain cost report, as built by the library by default)."""
    roles = doc.get("roles")
    return tuple(roles.get("selected") or ()) if roles else ()


def add_role_data(doc: Doc, inputs: PricingInputs, convert: Converter) -> None:
    """Fill in the role sections of ``doc`` (in place)."""
    scenario = inputs.loaded.scenario
    target = parse_latency_target(
        inputs.latency_target or DEFAULT_TARGET, inputs.latency_percentile
    )
    rule = inputs.share_rule or scenario.staff.share_rule
    doc["finance"] = finance_section(doc)
    doc["compliance"] = compliance_section(doc, inputs.catalog, convert)
    doc["it"] = it_section(doc, inputs.catalog, target)
    doc["workloads"] = workloads_section(doc, scenario.all_workloads, rule)
    doc["roles"] = {
        "selected": list(parse_roles(inputs.roles)) if inputs.roles else [],
        "summaries": {
            "finance": finance_summary(doc),
            "compliance": compliance_summary(doc),
            "it": it_summary(doc),
        },
    }


def fmt_break_even(value: Doc | None, places: int = 0) -> str:
    """A break-even from the document: a range, or "never" and why."""
    if value is None:
        return NA
    unit = value["unit"]
    if value["low"] is None:
        return f"never ({value['reason']})"
    shown = fmt_range(value, places, unit=unit)
    if value["never_somewhere"]:
        return (
            f"{shown} where it exists; never at other ends of the ranges "
            f"({value['reason']})"
        )
    return shown


def short_break_even(value: Doc | None, places: int = 0) -> str:
    if value is None:
        return NA
    if value["low"] is None:
        return "never"
    shown = fmt_range(value, places, unit=value["unit"])
    return f"{shown} (not at every end)" if value["never_somewhere"] else shown


def _cheapest(doc: Doc) -> Doc | None:
    wanted = doc["summary"].get("cheapest_self_hosted")
    return next((o for o in doc["options"] if o["id"] == wanted), None)


def finance_summary(doc: Doc) -> str:
    api_month = doc["api"]["cost_per_month"]
    option = _cheapest(doc)
    if option is None or option.get("tco_per_month") is None:
        return f"API {money(api_month)} a month; no self-hosted option has a price."
    tco = option["tco_per_month"]
    even = next(
        (b for b in doc["finance"]["break_even"] if b["id"] == option["id"]), None
    )
    jobs = short_break_even(even["jobs_per_run_tco"]) if even else NA
    hours = short_break_even(even["ongoing_hours_per_month"], 1) if even else NA
    return (
        f"API {money(api_month)} a month against {money(tco)} total cost on "
        f"{option['label']} ({fmt_versus(ratio_of(tco, api_month))}); TCO "
        f"break-even volume: {jobs}; break-even staff time: {hours}."
    )


def compliance_summary(doc: Doc) -> str:
    comp = doc["compliance"]
    api = next(e for e in comp["options"] if e["what"] == "api")
    where = "in the EU" if api["eu"] else "outside the EU"
    parts = [
        f"The API sends prompts and answers to {api['provider']} "
        f"({api['region']}, {where})"
    ]
    rented = [e for e in comp["options"] if e["what"] == "rent" and e["in_scenario"]]
    if rented:
        non_eu = [e["provider"] for e in rented if not e["eu"]]
        text = "rented cards: " + ", ".join(
            dict.fromkeys(f"{e['provider']} ({e['region']})" for e in rented)
        )
        if non_eu:
            text += ", no EU region named"
        parts.append(text)
    overall = comp["eu_move"]["overall"]
    if overall.get("cheapest_eu"):
        eu, best = overall["cheapest_eu"], overall["cheapest"]
        parts.append(
            f"cheapest EU-region option for a comparable card: {eu['provider']} "
            f"{eu['gpu']} at {money(eu['price_per_gpu_hour'])}/h, "
            f"{money(overall['delta_per_gpu_hour'])}/h above the cheapest "
            f"({best['provider']}, {money(best['price_per_gpu_hour'])}/h)"
        )
    return "; ".join(parts) + ". Facts and open questions, no legal verdict."


def it_summary(doc: Doc) -> str:
    it = doc["it"]
    parts = []
    for option in it["options"]:
        users = option["interactive_users"]
        chat = (
            f"{users} interactive user{'' if users == 1 else 's'}"
            if users is not None
            else "interactive: n/a"
        )
        fit = option.get("fit")
        fits = "" if not fit else ("fits, " if fit["fits"] else "does not fit, ")
        parts.append(
            f"{option['label']}: {fits}{fmt_number(option['peak_tokens_per_s'])} tok/s "
            f"peak, a run takes {fmt_range(option['compute_hours_per_run'], 2)}, {chat}"
        )
    parts.append("the API model can be retired by its provider, pinned weights cannot")
    return "; ".join(parts) + "."
