"""Generated launch recipes: the article's flags, valid syntax, no literal key."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from llm_tco.catalog import Catalog, load_catalog
from llm_tco.sizing.recipe import RecipeSpec, build_recipe
from llm_tco.sizing.recipe_formats import FORMATS, render

# Every flag the article explains for the RTX PRO 6000 (§2.4), with its value.
CUDA_FLAGS = [
    "--served-model-name gpt-oss-120b",
    "--host 0.0.0.0",
    "--port 8000",
    '--api-key "$VLLM_API_KEY"',
    "--async-scheduling",
    "--max-model-len 32768",
    "--gpu-memory-utilization 0.90",
]
CUDA_ABSENT = ["--tensor-parallel-size", "--trust-remote-code"]
# Every flag and variable the article explains for the MI300X (§2.3-2.4).
ROCM_FLAGS = [
    "export VLLM_ROCM_USE_AITER=1",
    "export HSA_NO_SCRATCH_RECLAIM=1",
    "--attention-backend ROCM_AITER_UNIFIED_ATTN",
    "--host 0.0.0.0",
    "--port 8000",
    '--api-key "$VLLM_API_KEY"',
    "--async-scheduling",
    "-cc.pass_config.fuse_rope_kvcache=True",
    "-cc.use_inductor_graph_partition=True",
    "--block-size 64",
    "--max-model-len 32768",
    "--gpu-memory-utilization 0.92",
    "--max-num-seqs 512",
    "--max-num-batched-tokens 16384",
]
MODELS = ["gpt-oss-120b", "gpt-oss-20b", "Qwen3.6-35B-A3B", "DSv4-Flash", "GLM-5.2"]
GPUS = ["RTX PRO 6000", "MI300X", "H100", "B200"]
SECRET_LOOKALIKES = re.compile(r"your-secret-key|sk-[A-Za-z0-9]{8,}|hf_[A-Za-z0-9]{8,}")
API_KEY_VALUE = re.compile(r"--api-key[ =]+(\S+)")
BEARER_VALUE = re.compile(r"Bearer (\S+?)[\"']")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _text(catalog: Catalog, model: str, gpu: str, fmt: str, **kw: object) -> str:
    spec = RecipeSpec(
        catalog.models.get(model),
        catalog.gpus.get(gpu),
        candidate_gpus=tuple(catalog.gpus),
        **kw,
    )
    return render(build_recipe(spec), fmt)


def _one_line(script: str) -> str:
    return re.sub(r"\s*\\\n\s*", " ", script)


def test_rtx_pro_6000_recipe_holds_every_flag_the_article_explains(
    catalog: Catalog,
) -> None:
    script = _one_line(_text(catalog, "gpt-oss-120b", "RTX PRO 6000", "shell"))
    serve = next(line for line in script.splitlines() if line.startswith("vllm serve"))
    assert serve.startswith("vllm serve /workspace/gpt-oss-120b ")
    for flag in CUDA_FLAGS:
        assert flag in serve, flag
    for flag in CUDA_ABSENT:
        assert flag not in serve, flag
    assert "ignore_patterns=['metal/*', 'original/*']" in script
    assert "CUDA >= 12.9" in script


def test_mi300x_recipe_holds_every_flag_the_article_explains(catalog: Catalog) -> None:
    script = _one_line(_text(catalog, "gpt-oss-120b", "MI300X", "shell"))
    serve = next(line for line in script.splitlines() if line.startswith("vllm serve"))
    assert serve.startswith("vllm serve openai/gpt-oss-120b ")
    for flag in ROCM_FLAGS:
        assert flag in script, flag
        if not flag.startswith("export"):
            assert flag in serve, flag
    assert script.index("export VLLM_ROCM_USE_AITER=1") < script.index("vllm serve")
    assert "--served-model-name" not in serve


def test_recipes_hold_the_smoke_test_and_both_sweeps(catalog: Catalog) -> None:
    script = _one_line(_text(catalog, "gpt-oss-120b", "RTX PRO 6000", "shell"))
    assert "/v1/chat/completions" in script
    assert '"reasoning_effort":"low"' in script
    assert (
        "llm-tco bench --base-url http://localhost:8000 --model gpt-oss-120b "
        "--max-concurrency 1 4 8 16 32 64 128 --random-input-len 4000 "
        "--random-output-len 1500"
    ) in script
    assert "vllm bench serve" in script
    assert "--goodput ttft:2000 tpot:50" in script


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("gpu", GPUS)
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("fmt", ["shell", "docker"])
def test_generated_shell_passes_bash_n(
    catalog: Catalog, model: str, gpu: str, fmt: str
) -> None:
    text = _text(catalog, model, gpu, fmt)
    check = subprocess.run(
        ["bash", "-n"], input=text, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("gpu", GPUS)
@pytest.mark.parametrize("model", MODELS)
def test_generated_yaml_parses(catalog: Catalog, model: str, gpu: str) -> None:
    k8s = list(yaml.safe_load_all(_text(catalog, model, gpu, "k8s")))
    assert [doc["kind"] for doc in k8s] == ["Deployment", "Service"]
    container = k8s[0]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["vllm", "serve"]
    key_env = next(e for e in container["env"] if e["name"] == "VLLM_API_KEY")
    assert "secretKeyRef" in key_env["valueFrom"]
    task = yaml.safe_load(_text(catalog, model, gpu, "skypilot"))
    assert task["secrets"] == {"VLLM_API_KEY": None}
    assert "vllm serve" in task["run"]


@pytest.mark.parametrize("gpu", GPUS)
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_recipe_contains_a_literal_api_key(
    catalog: Catalog, model: str, gpu: str, fmt: str
) -> None:
    text = _text(catalog, model, gpu, fmt)
    assert not SECRET_LOOKALIKES.search(text)
    for value in API_KEY_VALUE.findall(text):
        assert value.strip("\"'") in ("$VLLM_API_KEY", "$(VLLM_API_KEY)"), value
    for value in BEARER_VALUE.findall(text):
        assert value == "$VLLM_API_KEY", value


def test_trust_remote_code_model_gets_flag_and_warning(catalog: Catalog) -> None:
    script = _text(catalog, "DeepSeek-V4-Flash", "B200", "shell")
    assert "--trust-remote-code" in script
    assert "--kv-cache-dtype fp8" in script
    assert "# WARNING: DeepSeek-V4-Flash needs --trust-remote-code" in script


def test_model_that_does_not_fit_is_warned_with_what_would(catalog: Catalog) -> None:
    script = _text(catalog, "DeepSeek-V4-Pro", "H100", "shell")
    warning = next(line for line in script.splitlines() if "does not fit" in line)
    assert "What would:" in warning
    assert "--tensor-parallel-size" not in warning or "16 x" in warning


def test_more_gpus_add_tensor_parallelism(catalog: Catalog) -> None:
    script = _one_line(_text(catalog, "GLM-5.2", "H200", "shell", gpus=8))
    assert "--tensor-parallel-size 8" in script
    assert "does not fit" not in script
