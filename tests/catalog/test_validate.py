"""User override files: strict keys and types, field-wise merge, new entries."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from llm_tco.catalog._load import load_catalog
from llm_tco.errors import InputError

NEW_OFFER = """
[offers.my-h200]
provider = "Example Cloud"
gpu = "H200"
price_per_gpu_hour = "3.10"
currency = "EUR"
region = "EU (Germany)"
country = "DE"
eu = true
kind = "neocloud"
aliases = ["my h200"]
source = "quote by e-mail"
as_of = "2026-12-01"
"""


def _write(tmp_path: Path, text: str, name: str = "override.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as err:
        load_catalog([_write(tmp_path, text)])
    return str(err.value)


def test_unknown_key_is_rejected_naming_the_key(tmp_path: Path) -> None:
    message = _error(tmp_path, '[offers.runpod-h100]\nprice_per_gpu_hr = "2.0"\n')
    assert "offers.runpod-h100" in message
    assert "price_per_gpu_hr" in message
    assert "price_per_gpu_hour" in message  # the allowed keys are listed


def test_unknown_section_is_rejected(tmp_path: Path) -> None:
    message = _error(tmp_path, "[gpu.h100]\nmemory_gb = 80\n")
    assert "unknown section" in message
    assert "gpu" in message


def test_malformed_toml_is_an_input_error(tmp_path: Path) -> None:
    message = _error(tmp_path, '[offers.runpod-h100\nprice_per_gpu_hour = "2"\n')
    assert "not valid TOML" in message
    assert "override.toml" in message


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_catalog([tmp_path / "absent.toml"])


def test_overriding_a_price_changes_it_and_drops_the_shipped_conversion_note(
    tmp_path: Path,
) -> None:
    shipped = load_catalog().offers.get("nebius-h100")
    path = _write(tmp_path, '[offers.nebius-h100]\nprice_per_gpu_hour = "1.50"\n')
    merged = load_catalog([path]).offers.get("nebius-h100")
    assert merged.price_per_gpu_hour == Decimal("1.50")
    # the user's own price was not converted by the article's source
    assert merged == dataclasses.replace(
        shipped,
        price_per_gpu_hour=Decimal("1.50"),
        converted_with="",
        source=f"override in {path}",
    )


def test_overriding_a_non_price_field_changes_only_that_field(tmp_path: Path) -> None:
    shipped = load_catalog().offers.get("nebius-h100")
    path = _write(tmp_path, '[offers.nebius-h100]\nregion = "EU (Finland)"\n')
    merged = load_catalog([path]).offers.get("nebius-h100")
    assert merged == dataclasses.replace(shipped, region="EU (Finland)")


def test_overriding_a_gpu_field_keeps_the_rest(tmp_path: Path) -> None:
    shipped = load_catalog().gpus.get("rtx-pro-6000")
    path = _write(tmp_path, '[gpus.rtx-pro-6000]\npurchase_price = ["6900", "7200"]\n')
    merged = load_catalog([path]).gpus.get("RTX PRO 6000")
    assert merged.purchase_price == [Decimal("6900"), Decimal("7200")]
    assert merged == dataclasses.replace(
        shipped, purchase_price=[Decimal("6900"), Decimal("7200")]
    )


def test_later_files_win(tmp_path: Path) -> None:
    first = _write(tmp_path, '[offers.aws-h100]\nprice_per_gpu_hour = "9"\n', "a.toml")
    second = _write(tmp_path, '[offers.aws-h100]\nprice_per_gpu_hour = "8"\n', "b.toml")
    offer = load_catalog([first, second]).offers.get("aws")
    assert offer.price_per_gpu_hour == Decimal("8")


def test_a_new_offer_becomes_findable(tmp_path: Path) -> None:
    catalog = load_catalog([_write(tmp_path, NEW_OFFER)])
    offer = catalog.offers.get("MY-H200")
    assert catalog.offers.get("my h200") is offer
    assert offer.price_per_gpu_hour == Decimal("3.10")
    assert offer.eu is True
    assert catalog.gpus.get(offer.gpu).id == "h200"
    assert "nebius-h100" in catalog.offers  # the shipped ones are still there


def test_a_new_entry_missing_required_keys_is_rejected(tmp_path: Path) -> None:
    message = _error(tmp_path, '[offers.half]\nprovider = "X"\ngpu = "h100"\n')
    assert "offers.half" in message
    assert "missing key" in message
    assert "price_per_gpu_hour" in message


def test_offer_for_an_unknown_gpu_suggests_a_name(tmp_path: Path) -> None:
    message = _error(tmp_path, NEW_OFFER.replace('gpu = "H200"', 'gpu = "H2000"'))
    assert "offers.my-h200.gpu" in message
    assert "'H2000'" in message
    assert "did you mean" in message
    assert "h200" in message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[gpus.rtx-pro-6000]\nmemory_gb = "96"\n', "gpus.rtx-pro-6000.memory_gb"),
        ("[gpus.h100]\npower_w = true\n", "gpus.h100.power_w"),
        (
            "[models.gpt-oss-120b]\ncontext_tokens = 1.5\n",
            "models.gpt-oss-120b.context_tokens",
        ),
        (
            "[models.gpt-oss-120b]\nsize_class = false\n",
            "models.gpt-oss-120b.size_class",
        ),
        (
            '[offers.aws-h100]\nprice_per_gpu_hour = "cheap"\n',
            "offers.aws-h100.price_per_gpu_hour",
        ),
        (
            "[offers.aws-h100]\nprice_per_gpu_hour = true\n",
            "offers.aws-h100.price_per_gpu_hour",
        ),
        ('[offers.aws-h100]\neu = "no"\n', "offers.aws-h100.eu"),
        ('[models.gpt-oss-20b]\naliases = "gpt"\n', "models.gpt-oss-20b.aliases"),
    ],
)
def test_wrong_types_name_section_id_and_key(
    tmp_path: Path, text: str, where: str
) -> None:
    assert where in _error(tmp_path, text)


def test_a_section_that_is_not_a_table_of_tables_is_rejected(tmp_path: Path) -> None:
    message = _error(tmp_path, "[offers]\naws-h100 = 3\n")
    assert "offers.aws-h100" in message
