"""`report --for` and `whatif`: results and one-line errors (exit 2)."""

from __future__ import annotations

import json

import pytest

from llm_tco.cli import main

BAD = [
    (["report", "--for", "sales"], "'sales'"),
    (["report", "--latency-target", "ttft=2000"], "METRIC:MS"),
    (["whatif", "workload.jobs_per_run=50000..1000"], "LOW 50000 is above HIGH 1000"),
    (["whatif", "workload.jobs_per_run=1000..50000:x"], "STEPS 'x'"),
    (["whatif", "workload.jobs_per_run=abc..5"], "'abc' is not a number"),
    (["whatif", "workload.jobz=1..5"], "jobz"),
    (["whatif", "workload.jobs_per_run"], "KEY=LOW..HIGH"),
    (["whatif", "a=1..2", "b=1..2", "c=1..2"], "one or two"),
]


@pytest.mark.parametrize(("argv", "needle"), BAD)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert needle in err
    assert "Traceback" not in err


def test_whatif_price_crossing_is_exact(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "whatif",
                "offers.runpod-mi300x.price_per_gpu_hour=1.2..2.4:7",
                "--format",
                "json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    (low,) = [
        c
        for c in doc["crossings"]
        if c["series"] == "MI300X (article, measured) rent (low)"
    ]
    # Rent on compute hours = API: p = €57.15 / (30 nights × 27.5M / 7,639 / 3600 h)
    hours = 27_500_000 / 7639 / 3600
    assert low["value"] == pytest.approx(57.15 / (30 * hours), rel=1e-12)  # €1.905/h
    assert low["method"].startswith("exact")
    assert len(doc["steps"]) == 7


def test_whatif_jobs_has_no_crossing_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["whatif", "workload.jobs_per_run=1000..50000:10"]) == 0
    assert "No line crosses the API" in capsys.readouterr().out


def test_whatif_grid_names_the_cheapest(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "whatif",
        "offers.runpod-mi300x.price_per_gpu_hour=0.5..2:3",
        "workload.jobs_per_run=5000..30000:3",
        "--set",
        "staff.rate_per_hour=50",
        "--format",
        "json",
    ]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["cells"]) == 3 and all(len(r) == 3 for r in doc["cells"])
    assert doc["cells"][0][2]["cheapest"] == "article-mi300x"  # €0.5/h, 30k jobs
    assert doc["cells"][2][0]["cheapest"] == "api"


def test_whatif_html_has_a_chart(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["whatif", "staff.rate_per_hour=50..150:5", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert page.count("<svg") == 1 and "http" not in page.split("<main>", 1)[1]


def test_nonlinear_crossing_is_interpolated() -> None:
    from decimal import Decimal

    from llm_tco.report.whatif import _crossings

    xs = [Decimal(1), Decimal(2), Decimal(3), Decimal(4)]
    line = [1.0, 4.0, 9.0, 16.0]  # x²
    found = _crossings(xs, line, [5.0] * 4, "square")
    assert len(found) == 1 and found[0]["method"] == "interpolated between steps"
    assert found[0]["value"] == pytest.approx(2 + 1 / 5)
