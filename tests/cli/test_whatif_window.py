import json

import pytest

from llm_tco.cli import main


def test_whatif_marks_volumes_a_card_cannot_finish_in_the_window(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 6 h window: RTX PRO 6000 (5,702 tok/s) does ~22,393 jobs, MI300X ~30,000
    assert (
        main(["whatif", "workload.jobs_per_run=10000..40000:4", "--format", "json"])
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    rent = {s["id"]: s["fits_window"] for s in doc["series"] if s["kind"] == "rent"}
    assert rent["article-rtx-pro-6000:rent"] == [True, True, False, False]
    assert rent["article-mi300x:rent"] == [True, True, True, False]
    assert main(["whatif", "workload.jobs_per_run=10000..40000:4"]) == 0
    assert "† the card cannot finish a run" in capsys.readouterr().out


def test_whatif_says_so_when_the_key_moves_no_priced_cost(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pathlib import Path

    shared = Path(__file__).parents[2] / "src/llm_tco/scenarios/shared-server.toml"
    args = [
        "whatif",
        "--scenario",
        str(shared),
        "workloads.1.jobs_per_run=1000..9000:3",
    ]
    assert main(args) == 0
    assert "No cost in this report changes with workloads.1.jobs_per_run" in (
        capsys.readouterr().out
    )
