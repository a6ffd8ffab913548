"""Jobs built from the real advisory database and a real inventory."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from llm_tco.batch.attribution import ADVISORY_ATTRIBUTION
from llm_tco.batch.jobs import read_jobs
from llm_tco.cli import main

ADVISORY_DB = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "data"
    / "pypa-advisory-database"
)
needs_advisories = pytest.mark.skipif(
    not (ADVISORY_DB / "vulns").is_dir(),
    reason=f"the advisory database is not at {ADVISORY_DB} (../shared beside the repo)",
)


@needs_advisories
def test_build_cve_jobs_carry_the_advisory_and_the_attribution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "pip.json"
    inventory.write_text(
        json.dumps(
            [
                {"name": "urllib3", "version": "1.24.1"},
                {"name": "Jinja2", "version": "2.10"},
                {"name": "aiohttp", "version": "99.0"},  # newer than every advisory
            ]
        )
    )
    out = tmp_path / "jobs.jsonl"
    code = main(
        [
            "batch",
            "build-cve",
            "--inventory",
            str(inventory),
            "--advisories",
            str(ADVISORY_DB / "vulns"),
            "--out",
            str(out),
            "--max-tokens",
            "48",
        ]
    )
    assert code == 0
    assert "CC BY 4.0" in capsys.readouterr().out
    jobs = {j.id: j for j in read_jobs(out)}
    assert "jinja2==2.10:PYSEC-2019-217" in jobs
    assert not any(i.startswith("aiohttp") for i in jobs)
    assert sum(i.startswith("urllib3==1.24.1:") for i in jobs) >= 5
    sample = jobs["jinja2==2.10:PYSEC-2019-217"]
    prompt = sample.request["messages"][-1]["content"]
    for text in (
        "PYSEC-2019-217",
        "CVE-2019-10906",
        "Installed: Jinja2 2.10",
        "Fixed versions: 2.10.1",
    ):
        assert text in prompt, text
    assert sample.request["max_tokens"] == 48
    assert sample.request["response_format"]["json_schema"]["strict"] is True
    assert sample.meta["attribution"] == ADVISORY_ATTRIBUTION


@needs_advisories
def test_this_machines_pip_list_parses(tmp_path: Path) -> None:
    import subprocess

    listing = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    inventory = tmp_path / "pip.json"
    inventory.write_text(listing)
    out = tmp_path / "jobs.jsonl"
    assert (
        main(
            [
                "batch",
                "build-cve",
                "--inventory",
                str(inventory),
                "--advisories",
                str(ADVISORY_DB / "vulns"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.exists()
