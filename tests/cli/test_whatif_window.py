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
