"""HTML report: self-contained, escaped, charts and tables, n/a for nulls."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from llm_tco.catalog import load_catalog
from llm_tco.report import PricingInputs, build_report
from llm_tco.report._svg import Series, monthly_cost_chart, throughput_chart
from llm_tco.report.html import render_html
from llm_tco.scenario import load_scenario

VOID = {"meta", "br", "hr", "img", "input", "link"}
SVG_LEAVES = {"circle", "line", "rect", "polyline", "path"}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return build_report(PricingInputs(load_scenario(), load_catalog()))


@pytest.fixture(scope="module")
def page(doc: dict[str, Any]) -> str:
    return render_html(doc)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        if tag not in VOID | SVG_LEAVES:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += [(tag, k, v or "") for k, v in attrs]

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def test_page_is_self_contained(doc: dict[str, Any]) -> None:
    linked = copy.deepcopy(doc)
    linked["api"]["source"] = "https://example.com/pricing"
    page = render_html(linked)
    tags = _parse(page)
    for tag, name, value in tags.attrs:
        if name in {"src", "href", "xlink:href", "action", "srcset"}:
            assert not re.match(r"\s*(?:[a-z]+:|//)", value, re.I), (tag, name, value)
    assert not re.search(r"url\s*\(|@import", page, re.I)
    assert not re.search(r"<(?:script|link|img|iframe|object|embed)\b", page, re.I)
    assert "https://example.com/pricing" in page  # shown as text, never linked
    rest = page.replace("https://example.com/pricing", "")
    assert "http://" not in rest
    assert "https://" not in rest


def test_tags_balance_and_css_has_a_print_block(page: str) -> None:
    tags = _parse(page)
    assert tags.errors == []
    assert tags.stack == []
    assert "@media print" in page
    assert "break-inside: avoid" in page
    assert "tabular-nums" in page


def test_both_charts_and_the_tables_are_present(page: str) -> None:
    charts = re.findall(r"<svg\b[^>]*>", page)
    assert len(charts) == 2
    for svg in charts:
        assert 'role="img"' in svg
        assert "aria-label=" in svg
    assert page.count("<title>") == 3  # the page and each chart
    assert page.count("<table") >= 8
    assert "<thead>" in page


def test_chart_text_is_readable(page: str) -> None:
    svg = "".join(re.findall(r"<svg\b.*?</svg>", page, re.S))
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes
    assert min(sizes) >= 11


def test_throughput_chart_ticks_are_the_measured_levels(doc: dict[str, Any]) -> None:
    svg = throughput_chart([Series("a", ((4, 1403.0), (8, 2122.0), (128, 5702.0)))])
    ticks = re.findall(r'text-anchor="middle"[^>]*>(\d+)</text>', svg)
    assert ticks == ["4", "8", "128"]
    assert "log₂" in svg
    assert throughput_chart([]) == ""


def test_cost_chart_labels_api_rent_and_tco(doc: dict[str, Any]) -> None:
    svg = monthly_cost_chart(doc)
    for label in ("€57.15", "€78.77–90.53", "€161.80–474.16", "€178.77–490.53"):
        assert f">{label}</text>" in svg


def test_document_strings_are_escaped(doc: dict[str, Any]) -> None:
    hostile = copy.deepcopy(doc)
    hostile["scenario"]["name"] = '<script>alert("x")</script>'
    hostile["options"][0]["label"] = "<b>card</b>"
    page = render_html(hostile)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<b>card</b>" not in page
    assert "&lt;b&gt;card&lt;/b&gt;" in page


def test_nulls_render_as_na(doc: dict[str, Any]) -> None:
    broken = copy.deepcopy(doc)
    option = broken["options"][1]
    for key in ("cost_per_month", "tco_per_month", "break_even_price_per_gpu_hour"):
        option[key] = None
    page = render_html(broken)
    rent_row = re.search(r"Rent per month, compute … with buffer</th>(.*?)</tr>", page)
    assert rent_row is not None
    assert re.findall(r">([^<]*)</td>", rent_row.group(1)) == ["€78.77–90.53", "n/a"]
    assert ">n/a</text>" in page  # the cost chart says so too
    assert ">€0</td>" not in page


def test_numbers_are_right_aligned(page: str) -> None:
    assert re.search(r'<td class="num[^"]*">€1\.905</td>', page)
