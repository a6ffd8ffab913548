"""Cases a tester found breaking the CLI's promise: one line, exit 2, nothing
written. Each test is named after what it guards."""

import json
import os
from pathlib import Path

import pytest

from llm_tco.cli import main


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_output_onto_a_folder_is_refused_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "-o", str(tmp_path)]) == 2
    assert "not a regular file" in one_error_line(capsys)


def test_init_onto_a_folder_with_force_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(tmp_path), "--force"]) == 2
    assert "not a regular file" in one_error_line(capsys)


def test_output_onto_a_device_keeps_the_device(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["report", "--format", "json", "-o", "/dev/null"]) == 2
    assert Path("/dev/null").is_char_device()
    one_error_line(capsys)


def test_output_through_a_symlink_writes_the_target(tmp_path: Path) -> None:
    target = tmp_path / "t.json"
    target.write_text("{}")
    (tmp_path / "link.json").symlink_to(target)
    assert main(["report", "--format", "json", "-o", str(tmp_path / "link.json")]) == 0
    assert (tmp_path / "link.json").is_symlink()
    assert json.loads(target.read_text())["schema_version"] == 1


def test_report_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert main(["report", "--format", "json", "-o", str(tmp_path / "r")]) == 0
    finally:
        os.umask(old)
    assert (tmp_path / "r").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "staff.rate_per_hour=1e308"], "beyond any real price"),
        (["--jobs", "99999999999999999999999"], "beyond any real price"),
        (["--latency-target", "ttft:nan"], "is not METRIC:MS"),
        (["--latency-target", "ttft:inf"], "is not METRIC:MS"),
        (["--set", "fx.article-costs.rate=0"], "fx.article-costs.rate must be above 0"),
        (["--set", "gpus.rtx-pro-6000.memory_gb=0"], "memory_gb must be above 0"),
        (
            ["--set", "gpus.rtx-pro-6000.purchase_price=[9300, 7400]"],
            "gpus.rtx-pro-6000.purchase_price",
        ),
        (
            ["--set", "offers.runpod-mi300.price_per_gpu_hour=1.8"],
            "did you mean runpod-mi300x",
        ),
        (["--set", "offers.runpod-mi300x.currency='eur'"], "not a currency code"),
        (["--concurrency", "3"], "add --results DIR"),
        (["--results", ".", "--concurrency", "0"], "must be 1 or more"),
    ],
)
def test_absurd_or_mistyped_values_are_one_line_exit_2(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--format", "json", *args]) == 2
    assert fragment in one_error_line(capsys)


def test_lower_case_currency_is_understood(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["report", "--format", "json", "--currency", "usd"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["currency"] == "USD"
    assert doc["fx_used"][0]["id"] == "article-costs"


def test_user_offer_in_usd_is_listed_as_a_conversion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text(
        """
[offers.our-eu-h100]
provider = "OurCloud"
gpu = "h100"
price_per_gpu_hour = "2.40"
currency = "USD"
region = "EU (Germany)"
eu = true
kind = "neocloud"
source = "our quote"
as_of = "2026-12-01"
"""
    )
    assert main(["report", "--format", "json", "--catalog", str(prices)]) == 0
    doc = json.loads(capsys.readouterr().out)
    (fx,) = doc["fx_used"]
    assert any("our-eu-h100" in item for item in fx["applied_to"])


def test_overridden_price_drops_the_shipped_conversion_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text(
        '[offers.runpod-mi300x]\nprice_per_gpu_hour = "1.50"\n'
        'source = "our negotiated quote"\nas_of = "2026-12-01"\n'
    )
    assert main(["report", "--format", "json", "--catalog", str(prices)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert not any(n.startswith("runpod-mi300x:") for n in doc["price_provenance"])
    assert any(n.startswith("runpod-rtx-pro-6000:") for n in doc["price_provenance"])
