from decimal import Decimal
from pathlib import Path

import pytest

from llm_tco.errors import InputError
from llm_tco.scenario import default_scenario_text, load_scenario


def test_default_scenario_is_the_articles_workload() -> None:
    scenario = load_scenario().scenario
    assert scenario.workload.jobs_per_run.low == 5000
    assert scenario.workload.input_tokens_per_job.low == 4000
    assert scenario.workload.output_tokens_per_job.low == 1500
    assert scenario.workload.runs_per_month.low == 30
    assert [o.offer for o in scenario.self_hosted] == [
        "runpod-rtx-pro-6000",
        "runpod-mi300x",
    ]
    assert scenario.staff.rate_per_hour.ends == (Decimal(75), Decimal(150))


def test_set_overrides_scenario_and_catalog_values() -> None:
    loaded = load_scenario(
        overrides=[
            "workload.jobs_per_run=[4000, 6000]",
            "self_hosted.1.startup_buffer_hours=0.5",
            "offers.runpod-mi300x.price_per_gpu_hour=1.8",
            "api.price=deepinfra",
        ]
    )
    assert loaded.scenario.workload.jobs_per_run.ends == (Decimal(4000), Decimal(6000))
    assert loaded.scenario.self_hosted[1].startup_buffer_hours.low == Decimal("0.5")
    assert loaded.catalog_overrides == {
        "offers": {"runpod-mi300x": {"price_per_gpu_hour": 1.8}}
    }
    assert loaded.scenario.api.price == "deepinfra"


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("workload.jobs_per_run", "expected KEY=VALUE"),
        ("workload.jobs_per_run=ten thousand", "is not a value"),
        ("workload.jobs_per_runs=5", "unknown key"),
        ("self_hosted.7.gpus=2", "not an index"),
        ("workload.jobs_per_run=[5, 1]", "low above high"),
        ('staff.amortise_months="twelve"', "expected a whole number"),
    ],
)
def test_bad_override_names_the_problem(override: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        load_scenario(overrides=[override])


def test_scenario_file_with_unknown_key_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(default_scenario_text().replace("[staff]", "[staff]\nrate = 1"))
    with pytest.raises(InputError, match=r"staff: unknown key\(s\) rate"):
        load_scenario(path)


def test_malformed_scenario_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[workload\njobs = 1")
    with pytest.raises(InputError, match="not valid TOML"):
        load_scenario(path)


def test_option_needs_exactly_one_throughput_source(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    text = default_scenario_text().replace(
        'sweep = "article-mi300x"', 'sweep = "article-mi300x"\ntokens_per_s = 100'
    )
    path.write_text(text)
    with pytest.raises(InputError, match="exactly one of sweep"):
        load_scenario(path)
