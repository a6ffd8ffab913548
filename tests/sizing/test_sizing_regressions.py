"""Regression tests for bugs a tester found in ``fit`` and ``recipe``."""

from __future__ import annotations

import dataclasses
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from llm_tco.catalog import Catalog, load_catalog
from llm_tco.cli import main
from llm_tco.errors import InputError
from llm_tco.sizing import FitSpec, check_fit
from llm_tco.sizing import fit as fit_module
from llm_tco.sizing.recipe import (
    RecipeSpec,
    build_recipe,
    download_command,
    sweep_command,
    vllm_bench_loop,
)
from llm_tco.sizing.recipe_formats import FORMATS, render


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _recipe(catalog: Catalog, fmt: str, **kw: object) -> str:
    spec = RecipeSpec(
        catalog.models.get("gpt-oss-120b"),
        catalog.gpus.get(str(kw.pop("gpu", "MI300X"))),
        candidate_gpus=tuple(catalog.gpus),
        **kw,
    )
    return render(build_recipe(spec), fmt)


# ------------------------------------------------------------------ item 5


@pytest.mark.parametrize(
    "name",
    [
        "a;touch${IFS}/tmp/PWNED;#",
        "a;b",
        "$(id)",
        "a$b",
        "`id`",
        "a'b",
        'a"b',
        "a b",
        "a\nb",
        "a|b",
        "a&b",
        "a>b",
        "-rf",
        "",
    ],
)
def test_served_model_name_with_shell_syntax_is_rejected(
    catalog: Catalog, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InputError, match="--served-model-name"):
        _recipe(catalog, "shell", served_model_name=name)
    argv = ["recipe", "gpt-oss-120b", "mi300x", f"--served-model-name={name}"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "--served-model-name" in captured.err


@pytest.mark.parametrize("gpu", ["MI300X", "RTX PRO 6000"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_allowed_served_model_name_is_shell_quoted_and_parses(
    catalog: Catalog, gpu: str, fmt: str
) -> None:
    name = "org/My.Model_v1:latest"
    text = _recipe(catalog, fmt, gpu=gpu, served_model_name=name)
    assert name in text
    if fmt in ("shell", "docker") and shutil.which("bash"):
        check = subprocess.run(
            ["bash", "-n"], input=text, capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stderr
    if fmt in ("k8s", "skypilot"):
        docs = list(yaml.safe_load_all(text))
        assert name in repr(docs)


def test_values_in_generated_commands_are_shell_quoted() -> None:
    hostile = "a;touch x $(id) `id` 'q\""
    for command in (
        sweep_command(8000, hostile),
        vllm_bench_loop(8000, hostile, False, "/workspace/" + hostile),
    ):
        line = next(ln for ln in command.splitlines() if hostile[:3] in ln)
        words = shlex.split(line.rstrip(" \\"))
        assert hostile in words, words
        assert "/workspace/" + hostile in words or "--tokenizer" not in words


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_download_command_survives_shell_characters_from_the_catalog(
    catalog: Catalog, tmp_path: Path
) -> None:
    model = catalog.models.get("gpt-oss-120b")
    assert model.arch is not None
    pattern = '$(touch PWNED)`touch PWNED2`"\\'
    hostile = dataclasses.replace(
        model, arch=dataclasses.replace(model.arch, download_ignore=[pattern])
    )
    command = download_command(hostile, "/workspace/m")
    assert command.startswith("python -c ")
    # What bash would hand to python as its program, without running python.
    shown = subprocess.run(
        ["bash", "-c", f"set -- {command}; printf '%s' \"$3\""],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "PWNED2").exists()
    assert f"ignore_patterns={[pattern]!r}" in shown


def test_unsafe_catalog_repo_or_name_is_rejected(catalog: Catalog) -> None:
    model = catalog.models.get("gpt-oss-120b")
    bad_repo = dataclasses.replace(model, hf_repo="openai/x;rm -rf ~")
    with pytest.raises(InputError, match="hf_repo"):
        build_recipe(RecipeSpec(bad_repo, catalog.gpus.get("H100")))
    bad_name = dataclasses.replace(model, name="gpt oss;id")
    with pytest.raises(InputError, match="--served-model-name"):
        build_recipe(RecipeSpec(bad_name, catalog.gpus.get("H100")))


def test_comment_lines_cannot_be_broken_by_catalog_text(catalog: Catalog) -> None:
    gpu = dataclasses.replace(catalog.gpus.get("H100"), name="x\ntouch /tmp/PWNED")
    spec = RecipeSpec(catalog.models.get("gpt-oss-120b"), gpu)
    text = render(build_recipe(spec), "shell")
    assert not re.search(r"^touch /tmp/PWNED", text, re.M)


# ------------------------------------------------------------------ item 6


def test_tensor_parallel_size_not_dividing_heads_is_rejected_with_choices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fit", "gpt-oss-120b", "RTX PRO 6000", "--gpus", "3"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    err = captured.err
    assert "--gpus 3" in err and "64 attention heads" in err
    assert "1, 2, 4 or 8" in err


def test_recipe_rejects_tensor_parallel_size_vllm_would_refuse(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["recipe", "gpt-oss-120b", "mi300x", "--gpus", "6"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--gpus 6" in captured.err


@pytest.mark.parametrize("gpus", ["65", "1000", "100000000000"])
@pytest.mark.parametrize("command", ["fit", "recipe"])
def test_absurd_gpu_count_is_capped(
    command: str, gpus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "gpt-oss-120b", "H100", "--gpus", gpus]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"--gpus {gpus}" in err and "pipeline parallelism" in err


def test_kv_heads_rule_follows_vllm(catalog: Catalog) -> None:
    qwen = catalog.models.get("Qwen3.6-35B-A3B")  # 16 heads, 2 KV heads
    assert qwen.arch is not None
    assert (qwen.arch.attention_heads, qwen.arch.kv_heads) == (16, 2)
    assert [n for n in range(1, 17) if fit_module.tensor_parallel_ok(qwen, n)] == [
        1,
        2,
        4,
        8,
        16,
    ]
    gpt = catalog.models.get("gpt-oss-120b")  # 64 heads, 8 KV heads
    assert fit_module.tensor_parallel_ok(
        gpt, 16
    )  # fewer KV heads than GPUs: replicated
    assert not fit_module.tensor_parallel_ok(
        gpt, 3
    ) and not fit_module.tensor_parallel_ok(gpt, 12)
    weird = dataclasses.replace(
        gpt,
        arch=dataclasses.replace(gpt.arch, attention_heads=24, kv_heads=3),
    )
    assert not fit_module.tensor_parallel_ok(weird, 2)  # 3 KV heads do not split in two
    assert fit_module.tensor_parallel_ok(weird, 3) and fit_module.tensor_parallel_ok(
        weird, 6
    )


def test_suggestions_never_propose_an_invalid_tensor_parallel_size(
    catalog: Catalog,
) -> None:
    for model in catalog.models:
        if model.arch is None:
            continue
        for gpu in catalog.gpus:
            spec = FitSpec(model=model, gpu=gpu, max_model_len=None)
            try:
                report = check_fit(spec, list(catalog.gpus))
            except InputError:
                continue
            for suggestion in report.suggestions:
                match = re.search(r"--gpus (\d+)", suggestion.change)
                if match:
                    gpus = int(match[1])
                    assert fit_module.tensor_parallel_ok(model, gpus), (
                        model.id,
                        suggestion,
                    )
                    assert gpus <= 64
