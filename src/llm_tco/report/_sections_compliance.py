"""Compliance/DPO's section: where data is processed, and what to check."""

from __future__ import annotations

from llm_tco.report._blocks import Block, Bullets, Doc, Paragraph, Section, Table
from llm_tco.report._format import NA, fmt_bool, money, na


def compliance(doc: Doc) -> Section:
    comp = doc.get("compliance")
    if not comp:
        return Section("compliance", "Compliance/DPO")
    blocks: list[Block] = [
        Paragraph(f"Caution: {comp['caution']}", lead=True),
        _where_table(comp),
    ]
    for entry in comp["options"]:
        blocks.append(Paragraph(f"Open questions — {entry['label']}:"))
        blocks.append(Bullets(tuple(entry["questions"])))
    blocks += _eu_move(comp["eu_move"])
    return Section(
        "compliance", "Compliance/DPO: where prompts and answers go", tuple(blocks)
    )


def _eu_text(entry: Doc) -> str:
    if entry["eu"] is None:
        return NA
    if not entry["eu"]:
        return "no"
    return "EU only" if entry["eu_only"] else "yes, among others"


def _where_table(comp: Doc) -> Table:
    rows = []
    for e in comp["options"]:
        scenario = "" if e["in_scenario"] else " (catalog)"
        rows.append(
            (
                f"{e['label']}{scenario}",
                e["provider"],
                f"{e['region']}{', ' + e['country'] if e['country'] else ''}",
                _eu_text(e),
                e["kind"],
                fmt_bool(e["data_leaves_company"]),
                na(e["license"]),
            )
        )
    return Table(
        (
            "Option",
            "Processed by",
            "Region",
            "EU region",
            "Host",
            "Data leaves the company",
            "Model licence",
        ),
        tuple(rows),
        (False,) * 7,
        caption="Where prompts and answers are processed",
    )


def _eu_move(move: Doc) -> list[Block]:
    offers = sorted(move["offers"], key=lambda o: o["price_per_gpu_hour"]["low"])
    if not offers:
        return [
            Paragraph("No comparable card in the catalog; add offers with --catalog.")
        ]
    rows = tuple(
        (
            o["provider"],
            o["gpu"],
            o["region"],
            _eu_text(o),
            o["kind"],
            money(o["price_per_gpu_hour"]),
        )
        for o in offers
    )
    table = Table(
        ("Provider", "GPU", "Region", "EU region", "Host", "Per GPU-hour"),
        rows,
        (False, False, False, False, False, True),
        caption=f"Offers for comparable cards ({move['rule']}), cheapest first",
    )
    lines = []
    for group in [*move["per_gpu"], move["overall"]]:
        best, eu = group["cheapest"], group["cheapest_eu"]
        if best is None:
            continue
        if eu is None:
            lines.append(
                f"{group['gpu']}: no offer with an EU region in the catalog; "
                f"cheapest {best['provider']} at {money(best['price_per_gpu_hour'])}."
            )
            continue
        lines.append(
            f"{group['gpu']}: cheapest EU-region offer {eu['provider']} at "
            f"{money(eu['price_per_gpu_hour'])}/h, against the cheapest overall "
            f"{best['provider']} at {money(best['price_per_gpu_hour'])}/h: moving to "
            f"the EU costs {money(group['delta_per_gpu_hour'])} more per GPU-hour."
        )
    note = Paragraph(
        "Cards differ in speed: a GPU-hour price alone does not give the cost per "
        "token; measure the card (llm-tco bench) before choosing it. “yes, among "
        "others” means the provider also runs regions outside the EU."
    )
    return [table, Bullets(tuple(lines)), note]
