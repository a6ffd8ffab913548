"""The shipped catalogs: provenance, the article's entries and its numbers."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from llm_tco.catalog._load import SECTIONS, Catalog, load_catalog
from llm_tco.errors import InputError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _all_entries(catalog: Catalog) -> list[tuple[str, object]]:
    return [(s, e) for s in SECTIONS for e in getattr(catalog, s)]


def test_shipped_catalogs_load_with_every_section_filled(catalog: Catalog) -> None:
    for section in SECTIONS:
        assert len(getattr(catalog, section)) > 0, section


def test_every_entry_names_its_source_and_an_iso_as_of_date(catalog: Catalog) -> None:
    entries = _all_entries(catalog)
    assert len(entries) > 30
    for section, entry in entries:
        where = f"{section}.{entry.id}"  # type: ignore[attr-defined]
        source = entry.source  # type: ignore[attr-defined]
        assert source.strip(), f"{where} has no source"
        as_of = entry.as_of  # type: ignore[attr-defined]
        assert ISO_DATE.fullmatch(as_of), f"{where}.as_of {as_of!r} is not YYYY-MM-DD"
        date.fromisoformat(as_of)


def test_every_name_and_alias_finds_its_own_entry(catalog: Catalog) -> None:
    """Two entries sharing a name would make one of them unreachable."""
    for section in SECTIONS:
        entries = getattr(catalog, section)
        for entry in entries:
            names = [entry.id, *getattr(entry, "aliases", [])]
            names += [getattr(entry, a) for a in ("name", "label") if hasattr(entry, a)]
            for name in names:
                assert entries.get(name.upper()) is entry, f"{section}: {name!r}"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rtx pro 6000", "rtx-pro-6000"),
        ("RTX PRO 6000 Blackwell", "rtx-pro-6000"),
        ("MI300X", "mi300x"),
        ("amd mi300x", "mi300x"),
        ("A6000", "rtx-a6000"),
        ("B200", "b200"),
        ("H100", "h100"),
        ("h200", "h200"),
        ("L40S", "l40s"),
        ("A100 80GB", "a100-80gb"),
    ],
)
def test_article_gpus_resolve_by_the_names_people_write(
    catalog: Catalog, name: str, expected: str
) -> None:
    assert catalog.gpus.get(name).id == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GPT-OSS-120B", "gpt-oss-120b"),
        ("openai/gpt-oss-120b", "gpt-oss-120b"),
        ("gpt-oss-20b", "gpt-oss-20b"),
        ("Qwen3.6-35b-a3b", "qwen3.6-35b-a3b"),
        ("Qwen/Qwen3.6-35B-A3B", "qwen3.6-35b-a3b"),
        ("DeepSeek-V4-Flash", "deepseek-v4-flash"),
        ("DSv4-Flash", "deepseek-v4-flash"),
        ("GLM-5.2", "glm-5.2"),
        ("Deepseek-V4-Pro", "deepseek-v4-pro"),
        ("Qwen3-30B-A3B", "qwen3-30b-a3b"),
    ],
)
def test_article_models_resolve_case_insensitively(
    catalog: Catalog, name: str, expected: str
) -> None:
    assert catalog.models.get(name).id == expected


def test_article_model_facts(catalog: Catalog) -> None:
    gpt = catalog.models.get("gpt-oss-120b")
    assert (gpt.total_params_b, gpt.active_params_b) == (117, 5.1)
    assert (gpt.weight_gb, gpt.quantization, gpt.license) == (65, "MXFP4", "Apache-2.0")
    assert gpt.size_class == 2

    qwen = catalog.models.get("Qwen3.6-35B-A3B")
    assert (qwen.total_params_b, qwen.active_params_b) == (35, 3)
    assert (qwen.weight_gb, qwen.quantization) == (21, "AWQ-INT4")
    assert qwen.context_tokens == 262144

    flash = catalog.models.get("DSv4-Flash")
    assert (flash.total_params_b, flash.active_params_b) == (284, 13)
    assert (flash.weight_gb, flash.quantization) == (142, "NVFP4")
    assert flash.context_tokens >= 1_000_000
    assert flash.size_class == 3

    assert catalog.models.get("GLM-5.2").size_class == 3
    pro = catalog.models.get("DeepSeek-V4-Pro")
    assert (pro.total_params_b, pro.size_class) == (1600, 4)


def test_models_are_internally_consistent(catalog: Catalog) -> None:
    for model in catalog.models:
        assert 0 < model.active_params_b <= model.total_params_b, model.id
        assert model.weight_gb > 0, model.id
        assert model.context_tokens >= 4096, model.id
        assert model.size_class in {1, 2, 3, 4}, model.id
        assert model.license, model.id


def test_estimated_numbers_say_so(catalog: Catalog) -> None:
    """Entries whose numbers no source gives carry 'estimate' in their notes."""
    for name in ("GLM-5.2", "DeepSeek-V4-Pro", "Qwen3-30B-A3B"):
        assert "estimate" in catalog.models.get(name).notes.lower(), name


def test_article_fits_hold_in_the_catalog(catalog: Catalog) -> None:
    """The article's 'fits on one card' statements follow from the numbers."""
    models, gpus = catalog.models, catalog.gpus
    gpt = models.get("gpt-oss-120b").weight_gb
    assert gpt < gpus.get("H100").memory_gb  # "a single card with 80+ GB"
    assert gpt < gpus.get("RTX PRO 6000").memory_gb
    qwen_free = gpus.get("A6000").memory_gb - models.get("Qwen3.6-35b-a3b").weight_gb
    assert 20 <= qwen_free <= 30  # "~25 GB free for KV cache"
    flash_free = gpus.get("B200").memory_gb - models.get("DSv4-Flash").weight_gb
    assert 0 < flash_free < 60  # "barely fits on a single card"


def test_article_gpu_facts(catalog: Catalog) -> None:
    rtx = catalog.gpus.get("RTX PRO 6000")
    assert (rtx.memory_gb, rtx.power_w, rtx.software_stack) == (96, 600, "CUDA")
    assert rtx.purchase_price == [Decimal("7400"), Decimal("9300")]
    assert rtx.purchase_currency == "EUR"
    mi = catalog.gpus.get("MI300X")
    assert (mi.memory_gb, mi.software_stack, mi.vendor) == (192, "ROCm", "AMD")
    assert catalog.gpus.get("A6000").memory_gb == 48


def test_gpus_are_internally_consistent(catalog: Catalog) -> None:
    for gpu in catalog.gpus:
        assert gpu.memory_gb > 0, gpu.id
        assert gpu.bandwidth_gb_per_s > 0, gpu.id
        assert gpu.power_w > 0, gpu.id
        assert gpu.software_stack in {"CUDA", "ROCm"}, gpu.id
        if gpu.purchase_price:
            low, high = gpu.purchase_price
            assert 0 < low <= high, gpu.id
            assert gpu.purchase_currency and gpu.purchase_source, gpu.id
        else:
            assert not gpu.purchase_currency, gpu.id


# The article's section 6 tables: provider, H100 EUR/h net, EU region (bold).
SECTION_6 = [
    ("AWS (EC2 P5/P6)", "10.73", False),
    ("Microsoft Azure", "7.73", True),
    ("Google Cloud (A3)", "9.66", True),
    ("RunPod", "2.52", True),
    ("Lambda", "3.05", False),
    ("CoreWeave", "2.13", False),
    ("Vast.ai", "1.3", False),
    ("Nebius", "1.88", True),
    ("Scaleway", "2.85", True),
    ("Hyperstack", "2.18", True),
    ("OVHcloud", "2.61", True),
]


@pytest.mark.parametrize(("provider", "price", "eu"), SECTION_6)
def test_section_6_providers_are_offers_with_eur_price_and_eu_flag(
    catalog: Catalog, provider: str, price: str, eu: bool
) -> None:
    h100 = catalog.gpus.get("H100")
    offers = [
        o
        for o in catalog.offers
        if o.provider == provider and catalog.gpus.get(o.gpu) is h100
    ]
    assert len(offers) == 1, f"{provider}: {[o.id for o in offers]}"
    (offer,) = offers
    assert offer.price_per_gpu_hour == Decimal(price)
    assert offer.currency == "EUR"
    assert offer.eu is eu
    assert offer.converted_with == "article-providers"


def test_a6000_offer_is_the_article_upper_bound(catalog: Catalog) -> None:
    offer = catalog.offers.get("rtx-a6000-article")
    assert catalog.gpus.get(offer.gpu).id == "rtx-a6000"
    assert offer.price_per_gpu_hour == Decimal("0.37")
    assert offer.currency == "EUR"
    assert offer.price_note == "upper bound: the article says under €0.37/h"


@pytest.mark.parametrize(
    ("section", "typo", "suggested"),
    [
        ("gpus", "rtx pro 600", "rtx-pro-6000"),
        ("gpus", "mi300", "mi300x"),
        ("models", "gpt-oss-12b", "gpt-oss-120b"),
        ("models", "deepseek-v4-flsh", "deepseek-v4-flash"),
        ("offers", "nebius-h10", "nebius-h100"),
    ],
)
def test_unknown_names_suggest_the_closest(
    catalog: Catalog, section: str, typo: str, suggested: str
) -> None:
    with pytest.raises(InputError) as err:
        getattr(catalog, section).get(typo)
    message = str(err.value)
    assert "did you mean" in message
    assert suggested in message
    assert repr(typo) in message
