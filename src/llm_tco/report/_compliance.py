"""Compliance/DPO's view as data: where prompts and answers are processed.

Facts from the catalogs (provider, region, country, EU region or not, kind of
host, the model's licence) and the questions they raise. It gives no legal
verdict: whether a setup complies is for the DPO or counsel to decide.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from llm_tco.catalog import Catalog, Offer
from llm_tco.money import Span
from llm_tco.report._convert import Converter
from llm_tco.report._quantity import q

Doc = dict[str, Any]

# A card is "comparable" when its memory holds the model's weights with this
# much room to spare (the KV cache needs the rest).
WEIGHT_HEADROOM = Decimal("1.1")

CAUTION = (
    "Facts from the catalogs and open questions only. This is not legal advice "
    "and gives no verdict on whether any option complies with the GDPR or other "
    "law: the DPO or counsel decides, with the contracts in hand."
)
_NON_EU_WORDS = ("global", "+", " us", "uk", "canada")


def compliance_section(doc: Doc, catalog: Catalog, convert: Converter) -> Doc:
    api = doc["api"]
    model = _model(catalog, api["model"])
    licence = model.license if model else None
    entries: list[Doc] = [_api_entry(api, licence)]
    seen: set[str] = set()
    for option in doc["options"]:
        offer = option.get("offer")
        if offer is None or offer["id"] in seen:
            continue
        seen.add(offer["id"])
        entries.append(_rent_entry(catalog.offers.get(offer["id"]), convert, licence))
    gpus = {o["gpu"]["id"] for o in doc["options"] if o.get("gpu")}
    for offer in catalog.offers:
        if offer.gpu in gpus and offer.id not in seen:
            seen.add(offer.id)
            entries.append(_rent_entry(offer, convert, licence, in_scenario=False))
    if doc.get("buy"):
        entries.append(_owned_entry(doc["buy"], licence))
    return {
        "caution": CAUTION,
        "model": {
            "id": model.id if model else api["model"],
            "name": model.name if model else api["model"],
            "license": licence,
        },
        "options": entries,
        "eu_move": _eu_move(catalog, convert, model),
    }


def _model(catalog: Catalog, name: str) -> Any:
    return catalog.models.get(name) if name in catalog.models else None


def _where(region: str, country: str) -> str:
    return f"{region} ({country})" if country and country not in region else region


def _pinned_to_eu(region: str) -> bool:
    """The region text names the EU and nothing outside it."""
    text = region.lower()
    return text.startswith("eu") and not any(w in text for w in _NON_EU_WORDS)


def _api_entry(api: Doc, licence: str | None) -> Doc:
    provider, region = api["provider"], api["region"] or "not stated"
    questions = [
        f"A data-processing agreement (DPA, GDPR Art. 28) with {provider} — to check.",
        f"Does {provider} log or keep prompts and answers, for how long, and are "
        "they used to train or improve models? — to check in its terms.",
    ]
    if not api["eu"]:
        questions.insert(
            1,
            f"Prompts and answers are processed in {region}, outside the EU: "
            "transfer outside the EU — check the transfer mechanism (adequacy "
            "decision, standard contractual clauses).",
        )
    return {
        "id": f"api:{api['id']}",
        "label": f"API ({provider}, {api['model']})",
        "what": "api",
        "in_scenario": True,
        "provider": provider,
        "region": region,
        "country": "",
        "eu": bool(api["eu"]),
        "eu_only": _pinned_to_eu(region),
        "kind": "API provider",
        "gpu": None,
        "price_per_gpu_hour": None,
        "data_leaves_company": True,
        "license": licence,
        "questions": questions,
    }


def _rent_entry(
    offer: Offer, convert: Converter, licence: str | None, *, in_scenario: bool = True
) -> Doc:
    region = _where(offer.region, offer.country)
    pinned = _pinned_to_eu(offer.region)
    questions = [
        f"A data-processing agreement (DPA, GDPR Art. 28) with {offer.provider} — "
        "to check.",
    ]
    if not offer.eu:
        questions.append(
            f"The offer names no EU region ({region}): transfer outside the EU — "
            "check where the machine runs and the transfer mechanism."
        )
    elif not pinned:
        questions.append(
            f"{offer.provider} also runs regions outside the EU ({region}): pin the "
            "machine to an EU region and check that the contract says so."
        )
    questions.append(
        "Who can reach the machine and its disks (provider staff, other tenants "
        f"on a {offer.kind}) — to check."
    )
    price = convert(
        Span.of(offer.price_per_gpu_hour), offer.currency, f"offer {offer.id}"
    )
    return {
        "id": offer.id,
        "label": f"{offer.provider} · {offer.gpu}",
        "what": "rent",
        "in_scenario": in_scenario,
        "provider": offer.provider,
        "region": offer.region,
        "country": offer.country,
        "eu": offer.eu,
        "eu_only": pinned,
        "kind": offer.kind,
        "gpu": offer.gpu,
        "price_per_gpu_hour": q(price, f"{convert.currency}/GPU-h"),
        "data_leaves_company": True,
        "license": licence,
        "questions": questions,
    }


def _owned_entry(buy: Doc, licence: str | None) -> Doc:
    return {
        "id": f"owned:{buy['gpu']}",
        "label": f"Own {buy['gpu_name']}",
        "what": "owned",
        "in_scenario": True,
        "provider": "your company",
        "region": "your premises or colocation",
        "country": "",
        "eu": None,
        "eu_only": None,
        "kind": "own hardware",
        "gpu": buy["gpu"],
        "price_per_gpu_hour": None,
        "data_leaves_company": False,
        "license": licence,
        "questions": [
            "Where the card is hosted (own site or colocation) and who has "
            "physical and remote access — to check.",
        ],
    }


def comparable_gpus(catalog: Catalog, model: Any) -> list[str]:
    """GPU ids whose memory holds the model's weights with headroom."""
    if model is None:
        return []
    need = Decimal(str(model.weight_gb)) * WEIGHT_HEADROOM
    return [g.id for g in catalog.gpus if Decimal(str(g.memory_gb)) >= need]


def _eu_move(catalog: Catalog, convert: Converter, model: Any) -> Doc:
    ids = comparable_gpus(catalog, model)
    offers = [o for o in catalog.offers if o.gpu in ids]
    priced = [
        (o, convert(Span.of(o.price_per_gpu_hour), o.currency, f"offer {o.id}").low)
        for o in offers
    ]
    per_gpu = []
    for gpu_id in sorted({o.gpu for o in offers}):
        group = [(o, p) for o, p in priced if o.gpu == gpu_id]
        per_gpu.append(_cheapest(group, gpu_id, convert.currency))
    return {
        "rule": (
            f"cards with at least {WEIGHT_HEADROOM}× the model's weights in memory "
            f"({model.weight_gb:g} GB × {WEIGHT_HEADROOM})"
            if model
            else "model unknown: no comparable cards"
        ),
        "gpus": ids,
        "offers": [_offer_row(o, p, convert.currency) for o, p in priced],
        "per_gpu": per_gpu,
        "overall": _cheapest(priced, "any comparable card", convert.currency),
    }


def _offer_row(offer: Offer, price: Decimal, cur: str) -> Doc:
    return {
        "id": offer.id,
        "provider": offer.provider,
        "gpu": offer.gpu,
        "region": offer.region,
        "country": offer.country,
        "eu": offer.eu,
        "eu_only": _pinned_to_eu(offer.region),
        "kind": offer.kind,
        "price_per_gpu_hour": q(Span.of(price), f"{cur}/GPU-h"),
    }


def _cheapest(group: list[tuple[Offer, Decimal]], gpu: str, cur: str) -> Doc:
    if not group:
        return {
            "gpu": gpu,
            "cheapest": None,
            "cheapest_eu": None,
            "delta_per_gpu_hour": None,
        }
    best = min(group, key=lambda pair: pair[1])
    eu = [pair for pair in group if pair[0].eu]
    best_eu = min(eu, key=lambda pair: pair[1]) if eu else None
    delta = None if best_eu is None else best_eu[1] - best[1]
    return {
        "gpu": gpu,
        "cheapest": _offer_row(*best, cur),
        "cheapest_eu": _offer_row(*best_eu, cur) if best_eu else None,
        "delta_per_gpu_hour": (
            None if delta is None else q(Span.of(delta), f"{cur}/GPU-h")
        ),
    }
