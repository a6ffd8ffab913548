"""Markdown report: the article's numbers, conversions, n/a and valid tables."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from llm_tco.catalog import load_catalog
from llm_tco.report import PricingInputs, build_report
from llm_tco.report.markdown import escape, render_markdown
from llm_tco.scenario import load_scenario


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return build_report(PricingInputs(load_scenario(), load_catalog()))


@pytest.fixture(scope="module")
def text(doc: dict[str, Any]) -> str:
    return render_markdown(doc)


def _row(text: str, label: str) -> list[str]:
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0].strip("*") == label:
            return [c.strip("*") for c in cells]
    raise AssertionError(f"no table row {label!r}")


def test_api_cost_per_night_is_exact(text: str) -> None:
    assert _row(text, "API cost per night") == ["API cost per night", "€1.905"]
    assert _row(text, "API cost per month")[1] == "€57.15"


def test_rtx_rent_per_month_is_a_range(text: str) -> None:
    row = _row(text, "Rent per month, compute … with buffer")
    assert row[1:] == ["€78.77–90.53", "€61.80–74.16"]


def test_answer_comes_first_and_names_the_verdict(text: str) -> None:
    sections = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert sections[0] == "The answer"
    answer = text.split("## The answer", 1)[1].split("##", 1)[0]
    assert "€57.15" in answer
    assert "€161.80–474.16" in answer  # the cheapest TCO
    assert "API wins" in answer


def test_every_table_row_has_the_header_column_count(text: str) -> None:
    tables = 0
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            tables += 1
            widths = {len(re.split(r"(?<!\\)\|", row)) for row in block}
            assert len(widths) == 1, block
            assert re.fullmatch(r"\|(?:-{3}:?\|)+", block[1]), block[1]
            block = []
    assert tables >= 7


def test_sweep_table_lists_each_level(text: str) -> None:
    assert _row(text, "128") == ["128", "5,702", "7,639"]
    assert _row(text, "4") == ["4", "1,403", "917"]


def test_fx_rate_is_shown_when_a_conversion_happened() -> None:
    usd = build_report(
        PricingInputs(
            load_scenario(), load_catalog(), currency="USD", fx="article-costs"
        )
    )
    text = render_markdown(usd)
    conversions = text.split("## Currency conversions", 1)[1].split("\n## ", 1)[0]
    assert "1 USD = 0.93 EUR" in conversions
    assert "1 EUR = 1.0753 USD" in conversions
    assert "staff rate (EUR -> USD)" in conversions
    assert _row(text, "API cost per night")[1] == "$2.048"


def test_no_conversion_is_said_plainly(text: str) -> None:
    assert "No conversion: every price used was already in EUR." in text


def test_sources_and_as_of_dates_are_listed(doc: dict[str, Any], text: str) -> None:
    sources = text.split("## Sources", 1)[1]
    for name in ("runpod-rtx-pro-6000", "article-mi300x", "rtx-pro-6000"):
        assert name in sources
    assert doc["api"]["as_of"] in sources


def test_nulls_render_as_na_not_zero(doc: dict[str, Any]) -> None:
    broken = copy.deepcopy(doc)
    option = broken["options"][0]
    for key in ("cost_per_month", "tco_per_month", "ratio_to_api", "offer"):
        option[key] = None
    text = render_markdown(broken)
    row = _row(text, "Rent per month, compute … with buffer")
    assert row[1] == "n/a"
    assert _row(text, "Ratio to the API (compute)")[1] == "n/a"
    assert _row(text, "TCO per month")[1] == "n/a"


def test_markup_in_document_strings_is_escaped(doc: dict[str, Any]) -> None:
    hostile = copy.deepcopy(doc)
    hostile["scenario"]["name"] = "<script>alert(1)</script> | [x](y)"
    text = render_markdown(hostile)
    assert re.search(r"(?<!\\)<", text) is None  # every "<" is backslash-escaped
    assert r"\<script>" in text
    assert r"\| \[x\](y)" in text
    assert escape("a\nb") == "a b"
