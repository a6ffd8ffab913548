from typing import Any

from llm_tco.catalog import load_catalog
from llm_tco.report import PricingInputs, build_report
from llm_tco.scenario import load_scenario


def doc_for(*overrides: str) -> dict[str, Any]:
    loaded = load_scenario(overrides=overrides)
    catalog = load_catalog(extra=loaded.catalog_overrides)
    return build_report(PricingInputs(loaded, catalog))


def test_article_sweeps_priced_for_the_article_workload_raise_no_warning() -> None:
    assert doc_for()["warnings"] == []


def test_pricing_a_sweep_for_another_job_shape_is_flagged() -> None:
    warnings = doc_for("workload.input_tokens_per_job=500")["warnings"]
    assert len(warnings) == 2  # one per card
    assert (
        "measured at 4,000 input tokens per job, the workload has 500" in (warnings[0])
    )


def test_pricing_a_sweep_of_another_model_is_flagged() -> None:
    warnings = doc_for("sweeps.article-mi300x.model=gpt-oss-20b")["warnings"]
    assert warnings == [
        "MI300X (article, measured): measured with gpt-oss-20b, but the workload "
        "runs gpt-oss-120b; its throughput says little about the workload's model"
    ]
