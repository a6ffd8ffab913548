"""The one-paragraph answer for Finance, worded from the report document."""

from __future__ import annotations

from typing import Any

from llm_tco.report._format import fmt_tokens, fmt_versus, money, ratio_of

Doc = dict[str, Any]


def verdict(doc: Doc) -> str:
    """API per month against the cheapest self-hosted rent and TCO, with ratios."""
    api = doc["api"]
    api_month = api["cost_per_month"]
    workload = doc["workload"]
    run = doc["run_label"]
    opening = (
        f"{_capital(workload['name'])} needs "
        f"{fmt_tokens(workload['total_tokens_per_run'])} tokens per {run} "
        f"({fmt_tokens(workload['total_tokens_per_month'])} a month). Through the "
        f"{api['provider']} API that costs {money(api['cost_per_run'])} per {run}, "
        f"{money(api_month)} a month."
    )
    priced = [o for o in doc["options"] if o.get("cost_per_month") is not None]
    if not priced:
        return (
            f"{opening} No self-hosted option has a rental price, so there is "
            "nothing to compare the API with yet."
        )
    by_rent = min(priced, key=lambda o: o["cost_per_month"]["low"])
    by_tco = _cheapest_tco(doc, priced)
    parts = [_conclusion(doc, by_tco, api_month), opening]
    parts.append(_rent_sentence(by_rent, api_month))
    parts.append(_tco_sentence(by_tco, api_month, doc["staff"]["cost_per_month"]))
    parts.append(_break_even(by_rent))
    return " ".join(p for p in parts if p)


def _cheapest_tco(doc: Doc, priced: list[Doc]) -> Doc:
    wanted = doc.get("summary", {}).get("cheapest_self_hosted")
    for option in priced:
        if option["id"] == wanted:
            return option
    return min(priced, key=lambda o: o["tco_per_month"]["low"])


def _rent_sentence(option: Doc, api_month: Doc) -> str:
    rent = option["cost_per_month"]
    return (
        f"The cheapest GPU rent is {option['label']}: {money(rent)} a month, "
        f"{fmt_versus(ratio_of(rent, api_month))} (compute hours alone: "
        f"{fmt_versus(option['ratio_to_api'])})."
    )


def _tco_sentence(option: Doc, api_month: Doc, staff_month: Doc) -> str:
    tco = option["tco_per_month"]
    return (
        f"With {money(staff_month)} a month of staff time for set-up and upkeep, "
        f"the lowest total cost of ownership is {option['label']} at {money(tco)} "
        f"a month, {fmt_versus(ratio_of(tco, api_month))}."
    )


def _conclusion(doc: Doc, option: Doc, api_month: Doc) -> str:
    summary = doc.get("summary", {})
    if summary.get("api_cheaper_than_every_tco"):
        if summary.get("api_cheaper_than_every_rent"):
            return (
                "On cost, the API wins: it is cheaper than every self-hosted "
                "option, even on GPU rent alone before any staff time."
            )
        return (
            "On cost, the API wins once staff time is counted: GPU rent alone can "
            "undercut it, but no self-hosted option's total cost does."
        )
    tco = option["tco_per_month"]
    if tco["high"] <= api_month["low"]:
        return f"On cost, self-hosting on {option['label']} wins over the whole range."
    return (
        f"On cost it is open: {option['label']} beats the API at the low end of its "
        f"range but not at {money({**tco, 'low': tco['high']})} a month."
    )


def _break_even(option: Doc) -> str:
    even = option.get("break_even_price_per_gpu_hour")
    offer = option.get("offer")
    if even is None or offer is None:
        return ""
    return (
        f"Rent on {option['label']} matches the API at {money(even)} per GPU-hour "
        f"(compute hours only) against the {money(offer['price_per_gpu_hour'])} "
        "offered."
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
