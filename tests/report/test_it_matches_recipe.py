"""The IT view and `llm-tco recipe` answer "how many jobs fit" the same way."""

import pytest

from llm_tco.catalog import load_catalog
from llm_tco.report import PricingInputs, build_report
from llm_tco.scenario import load_scenario
from llm_tco.sizing import check_fit
from llm_tco.sizing.recipe import RecipeSpec, serve_fit_spec


@pytest.mark.parametrize("gpu", ["rtx-pro-6000", "mi300x"])
def test_it_view_sizes_the_card_as_its_launch_recipe_does(gpu: str) -> None:
    catalog = load_catalog()
    doc = build_report(PricingInputs(load_scenario(), catalog, roles=("it",)))
    name = catalog.gpus.get(gpu).name
    (option,) = [o for o in doc["it"]["options"] if o["gpu"] == name]
    spec = RecipeSpec(
        model=catalog.models.get("gpt-oss-120b"), gpu=catalog.gpus.get(gpu), gpus=1
    )
    expected = check_fit(serve_fit_spec(spec, 5500)).result
    assert option["fit"]["parallel_jobs"] == expected.parallel_sequences
    assert f"--gpu-memory-utilization {spec_util(gpu)}" in option["recipe"]["command"]


def spec_util(gpu: str) -> str:
    return "0.92" if gpu == "mi300x" else "0.90"
