"""Role views: compliance facts, IT capacity, shared workloads, rendering."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from llm_tco.cli import main
from llm_tco.report._it import interactive_users, parse_latency_target

SHARED = Path(str(resources.files("llm_tco.scenarios").joinpath("shared-server.toml")))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["report", *args]) == 0
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    from llm_tco.catalog import load_catalog
    from llm_tco.report import PricingInputs, build_report
    from llm_tco.scenario import load_scenario

    return build_report(PricingInputs(load_scenario(), load_catalog()))


def test_cheapest_eu_h100_is_nebius_058_above_vast(doc: dict[str, Any]) -> None:
    (h100,) = [g for g in doc["compliance"]["eu_move"]["per_gpu"] if g["gpu"] == "h100"]
    assert h100["cheapest_eu"]["provider"] == "Nebius"
    assert h100["cheapest_eu"]["price_per_gpu_hour"]["low"] == 1.88
    assert h100["cheapest"]["provider"] == "Vast.ai"
    assert h100["cheapest"]["price_per_gpu_hour"]["low"] == 1.3
    assert h100["delta_per_gpu_hour"]["low"] == pytest.approx(1.88 - 1.3)  # €0.58/h


def test_eu_flags_of_the_articles_h100_providers(doc: dict[str, Any]) -> None:
    flags = {
        o["provider"]: o["eu"]
        for o in doc["compliance"]["eu_move"]["offers"]
        if o["gpu"] == "h100"
    }
    assert flags == {
        "AWS (EC2 P5/P6)": False,
        "Microsoft Azure": True,
        "Google Cloud (A3)": True,
        "RunPod": True,
        "Lambda": False,
        "CoreWeave": False,
        "Vast.ai": False,
        "Nebius": True,
        "Scaleway": True,
        "Hyperstack": True,
        "OVHcloud": True,
    }
    eu_only = {
        o["provider"] for o in doc["compliance"]["eu_move"]["offers"] if o["eu_only"]
    }
    assert eu_only == {"Scaleway", "OVHcloud"}


def test_compliance_facts_per_option(doc: dict[str, Any]) -> None:
    by_what = {e["id"]: e for e in doc["compliance"]["options"]}
    api = by_what["api:deepinfra-gpt-oss-120b"]
    assert api["data_leaves_company"] and not api["eu"]
    assert any("transfer outside the EU" in q for q in api["questions"])
    assert any("Art. 28" in q for q in api["questions"])
    owned = by_what["owned:rtx-pro-6000"]
    assert owned["data_leaves_company"] is False
    assert {e["license"] for e in by_what.values()} == {"Apache-2.0"}


def test_compliance_page_gives_no_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    text = run(capsys, "--for", "compliance", "--format", "markdown")
    assert "not legal advice" in text and "no verdict" in text
    assert "## Finance" not in text and "## IT" not in text
    assert "Nebius at €1.88/h" in text and "€0.58 more per GPU-hour" in text
    for word in ("is compliant", "complies with the GDPR.", "is lawful"):
        assert word not in text


def test_interactive_capacity_is_na_without_latency(doc: dict[str, Any]) -> None:
    for option in doc["it"]["options"]:
        assert option["interactive_users"] is None
        assert option["interactive_note"] == "n/a (no latency data in this sweep)"


def test_interactive_capacity_reads_latency_percentiles() -> None:
    target = parse_latency_target("ttft:2000,tpot:50")
    sweep = {
        "levels": [
            {"concurrency": 4, "ttft_ms": {"p95": 300}, "tpot_ms": {"p95": 20}},
            {"concurrency": 16, "ttft_ms": {"p95": 1900}, "tpot_ms": {"p95": 45}},
            {"concurrency": 32, "ttft_ms": {"p95": 4100}, "tpot_ms": {"p95": 48}},
        ]
    }
    assert interactive_users(sweep, target)[0] == 16


@pytest.mark.parametrize("role", ["finance", "compliance", "it"])
def test_each_role_has_its_summary_line_first(
    capsys: pytest.CaptureFixture[str], role: str
) -> None:
    text = run(capsys, "--for", role, "--format", "markdown")
    titles = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert titles[:2] == ["The answer", "The answer by role"]
    assert (
        titles[2]
        .lower()
        .startswith(
            {"finance": "finance", "compliance": "compliance", "it": "it"}[role]
        )
    )


def test_html_is_self_contained_for_every_role(
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = run(capsys, "--format", "html")
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "url(" not in page and "@import" not in page
    assert page.count("<svg") == 3  # throughput, monthly cost, tornado


def test_shared_server_splits_staff_by_hours(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = json.loads(run(capsys, "--scenario", str(SHARED), "--format", "json"))
    shared = doc["workloads"]
    assert [w["name"] for w in shared["workloads"]] == [
        "Nightly CVE batch",
        "Daytime chat",
        "Code assistant",
    ]
    staff = doc["staff"]["cost_per_month"]
    for server in shared["servers"]:
        parts = server["workloads"]
        assert sum(w["staff_share"] for w in parts) == pytest.approx(1)
        hours = [
            (w["billed_hours_per_month"]["low"] + w["billed_hours_per_month"]["high"])
            / 2
            for w in parts
        ]
        for w, mid in zip(parts, hours, strict=True):
            assert w["staff_share"] == pytest.approx(mid / sum(hours))
            assert w["staff_per_month"]["high"] < staff["high"]
        assert sum(w["staff_per_month"]["low"] for w in parts) == pytest.approx(
            staff["low"]
        )
        assert server["keeps_up"] is True


def test_shared_server_equal_rule(capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(
        run(
            capsys,
            "--scenario",
            str(SHARED),
            "--share-staff",
            "equal",
            "--format",
            "json",
        )
    )
    for server in doc["workloads"]["servers"]:
        for w in server["workloads"]:
            assert w["staff_per_month"]["low"] == pytest.approx(100 / 3)
