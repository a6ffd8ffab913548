"""The article's launch commands (§2.3-2.5), generated for any catalogued model
and card: weight download, ``vllm serve``, smoke test and the sweep."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from llm_tco.catalog import Gpu, Model
from llm_tco.errors import InputError
from llm_tco.sizing.fit import (
    DEFAULT_MAX_MODEL_LEN,
    DEFAULT_SEQ_TOKENS,
    FitSpec,
    validate_gpus,
)
from llm_tco.sizing.suggest import FitReport, check_fit

# The article's ROCm image tag (§2.2); used for both vendors' images.
DEFAULT_VLLM_VERSION = "0.24.0"
DEFAULT_PORT = 8000
API_KEY_ENV = "VLLM_API_KEY"
API_KEY_REF = "$" + API_KEY_ENV
WORKSPACE = "/workspace"
SWEEP_LEVELS = (1, 4, 8, 16, 32, 64, 128)
SWEEP_INPUT_TOKENS = 4000
SWEEP_OUTPUT_TOKENS = 1500
# The article's utilisation per stack (§2.4).
CUDA_GPU_MEMORY_UTILIZATION = 0.90
ROCM_GPU_MEMORY_UTILIZATION = 0.92
# ROCm flags of the article's MI300X command (§2.4): AITER kernels and tuning.
ROCM_ENV = {"VLLM_ROCM_USE_AITER": "1", "HSA_NO_SCRATCH_RECLAIM": "1"}
ROCM_MAX_NUM_SEQS = 512
ROCM_MAX_NUM_BATCHED_TOKENS = 16384
ROCM_BLOCK_TOKENS = 64
CUDA13_IMAGE = "runpod/pytorch:1.0.7-cu1300-torch291-ubuntu2404"

Flag = tuple[str, str | None]
# Names that go into shell, YAML and JSON unchanged: no spaces, quotes,
# $, backticks, ; or other shell syntax, and no leading - (read as a flag).
SAFE_NAME = re.compile(r"[A-Za-z0-9._/:][A-Za-z0-9._/:-]{0,199}")


@dataclass(frozen=True)
class RecipeSpec:
    model: Model
    gpu: Gpu
    gpus: int = 1
    port: int = DEFAULT_PORT
    served_model_name: str | None = None
    max_model_len: int | None = None
    gpu_memory_utilization: float | None = None
    vllm_version: str = DEFAULT_VLLM_VERSION
    candidate_gpus: tuple[Gpu, ...] = ()


@dataclass(frozen=True)
class Recipe:
    """Everything a renderer needs; flags are (name, value or None)."""

    title: str
    rocm: bool
    image: str
    vllm_version: str
    hf_repo: str
    model_ref: str
    local_dir: str
    api_model_name: str
    port: int
    gpus: int
    env: dict[str, str]
    serve_flags: list[Flag]
    download_command: str
    smoke_test_body: str
    sweep_command: str
    vllm_bench_loop: str
    warnings: list[str]
    fit: FitReport


def is_rocm(gpu: Gpu) -> bool:
    return gpu.vendor.upper() == "AMD" or gpu.software_stack.upper() == "ROCM"


def build_recipe(spec: RecipeSpec) -> Recipe:
    """The commands for ``spec``; an InputError names a bad value and its fix."""
    _validate(spec)
    model, gpu, rocm = spec.model, spec.gpu, is_rocm(spec.gpu)
    if not model.hf_repo:
        raise InputError(
            f"{model.name} has no hf_repo in the catalog; add one to generate a recipe"
        )
    fit_spec = serve_fit_spec(spec)
    report = check_fit(fit_spec, spec.candidate_gpus)
    util = fit_spec.gpu_memory_utilization
    max_len = fit_spec.max_model_len or DEFAULT_MAX_MODEL_LEN
    local_dir = f"{WORKSPACE}/{model.id}"
    # The article serves CUDA from a local copy and ROCm by repo id (§2.4).
    model_ref = model.hf_repo if rocm else local_dir
    served = spec.served_model_name or ("" if rocm else model.name)
    if served and not SAFE_NAME.fullmatch(served):
        raise InputError(
            f"catalog model {model.id!r}: its name {model.name!r} cannot be served "
            "as is; pass --served-model-name NAME (letters, digits and . _ - / :)"
        )
    api_name = served or model.hf_repo
    flags = _serve_flags(spec, rocm, served, max_len, util)
    return Recipe(
        title=f"{model.name} on {spec.gpus} x {gpu.name} "
        f"({'ROCm' if rocm else 'CUDA'}), vLLM {spec.vllm_version}",
        rocm=rocm,
        image=_image(rocm, spec.vllm_version),
        vllm_version=spec.vllm_version,
        hf_repo=model.hf_repo,
        model_ref=model_ref,
        local_dir="" if rocm else local_dir,
        api_model_name=api_name,
        port=spec.port,
        gpus=spec.gpus,
        env=dict(ROCM_ENV) if rocm else {},
        serve_flags=flags,
        download_command=download_command(model, "" if rocm else local_dir),
        smoke_test_body=smoke_test_body(model, served),
        sweep_command=sweep_command(spec.port, api_name),
        vllm_bench_loop=vllm_bench_loop(spec.port, api_name, rocm, local_dir),
        warnings=_warnings(spec, rocm, report),
        fit=report,
    )


def _validate(spec: RecipeSpec) -> None:
    validate_gpus(spec.model, spec.gpus)
    if not 0 < spec.port < 65536:
        raise InputError(f"--port {spec.port}: must be between 1 and 65535")
    util = spec.gpu_memory_utilization
    if util is not None and not 0 < util <= 1:
        raise InputError(
            f"--gpu-memory-utilization {util}: must be above 0 and at most 1, e.g. 0.90"
        )
    length = spec.max_model_len
    if length is not None and not 0 < length <= spec.model.context_tokens:
        raise InputError(
            f"--max-model-len {length}: {spec.model.name} supports 1 to "
            f"{spec.model.context_tokens} tokens"
        )
    name = spec.served_model_name
    if name is not None and not SAFE_NAME.fullmatch(name):
        raise InputError(
            f"--served-model-name {name!r}: use only letters, digits and . _ - / : "
            "(no spaces, quotes or shell characters; not starting with -), "
            "e.g. gpt-oss-120b"
        )
    _check_catalog_text("hf_repo", spec.model.hf_repo, spec.model.id)
    _check_catalog_text("id", spec.model.id, spec.model.id)
    version = spec.vllm_version
    if not version or not all(c.isalnum() or c in ".-+" for c in version):
        raise InputError(
            f"--vllm-version {version!r}: give a release such as {DEFAULT_VLLM_VERSION}"
        )


def _check_catalog_text(key: str, value: str, model_id: str) -> None:
    """Catalog text that lands in commands must be a plain name too."""
    if value and not SAFE_NAME.fullmatch(value):
        raise InputError(
            f"catalog model {model_id!r}: {key} {value!r} has characters a "
            "launch command cannot carry; use only letters, digits and . _ - / :"
        )


def _image(rocm: bool, version: str) -> str:
    repo = "vllm/vllm-openai-rocm" if rocm else "vllm/vllm-openai"
    return f"{repo}:v{version.removeprefix('v')}"


def _serve_flags(
    spec: RecipeSpec, rocm: bool, served: str, max_len: int, util: float
) -> list[Flag]:
    arch = spec.model.arch
    flags: list[Flag] = []
    if rocm:
        flags.append(("--attention-backend", "ROCM_AITER_UNIFIED_ATTN"))
    if served:
        flags.append(("--served-model-name", served))
    flags += [
        ("--host", "0.0.0.0"),
        ("--port", str(spec.port)),
        ("--api-key", API_KEY_REF),
        ("--async-scheduling", None),
    ]
    if rocm:
        flags += [
            ("-cc.pass_config.fuse_rope_kvcache=True", None),
            ("-cc.use_inductor_graph_partition=True", None),
            ("--block-size", str(ROCM_BLOCK_TOKENS)),
        ]
    if spec.gpus > 1:
        flags.append(("--tensor-parallel-size", str(spec.gpus)))
    if arch is not None and arch.trust_remote_code:
        flags.append(("--trust-remote-code", None))
    if arch is not None and arch.kv_cache_dtype:
        flags.append(("--kv-cache-dtype", arch.kv_cache_dtype))
    flags += [
        ("--max-model-len", str(max_len)),
        ("--gpu-memory-utilization", f"{util:.2f}"),
    ]
    if rocm:
        flags += [
            ("--max-num-seqs", str(ROCM_MAX_NUM_SEQS)),
            ("--max-num-batched-tokens", str(ROCM_MAX_NUM_BATCHED_TOKENS)),
        ]
    return flags


def download_command(model: Model, local_dir: str) -> str:
    """A Python one-liner that fetches only what vLLM loads (§2.3: the CLI's
    --exclude sometimes swallows multiple patterns, snapshot_download does not)."""
    args = [repr(model.hf_repo)]
    if local_dir:
        args.append(f"local_dir={local_dir!r}")
    ignore = model.arch.download_ignore if model.arch is not None else []
    if ignore:
        args.append(f"ignore_patterns={list(ignore)!r}")
    code = (
        "from huggingface_hub import snapshot_download; "
        f"snapshot_download({', '.join(args)})"
    )
    return f'python -c "{_double_quoted(code)}"'


def _double_quoted(text: str) -> str:
    """``text`` safe inside a shell double-quoted string."""
    for char in ("\\", '"', "$", "`"):
        text = text.replace(char, "\\" + char)
    return text


def smoke_test_body(model: Model, served: str) -> str:
    body: dict[str, object] = {}
    if served:
        body["model"] = served
    body["messages"] = [
        {"role": "user", "content": "Explain Mixture-of-Experts in two sentences."}
    ]
    if model.id.startswith("gpt-oss"):
        # gpt-oss understands reasoning levels; low saves tokens (§2.4).
        body["reasoning_effort"] = "low"
    return json.dumps(body, separators=(",", ":"))


def sweep_command(port: int, api_model_name: str) -> str:
    levels = " ".join(str(n) for n in SWEEP_LEVELS)
    return (
        f"llm-tco bench --base-url http://localhost:{port} "
        f"--model {shlex.quote(api_model_name)} --max-concurrency {levels} "
        f"--random-input-len {SWEEP_INPUT_TOKENS} "
        f"--random-output-len {SWEEP_OUTPUT_TOKENS} "
        "--goodput ttft:2000 tpot:50 "
        f"--api-key-env {API_KEY_ENV} --result-dir {WORKSPACE}/bench"
    )


def vllm_bench_loop(port: int, api_model_name: str, rocm: bool, local_dir: str) -> str:
    """The article's ``vllm bench serve`` loop (§2.5), per stack."""
    if rocm:
        backend = [
            "--backend openai",
            f"--base-url http://localhost:{port}",
            "--endpoint /v1/completions",
        ]
    else:
        backend = [
            f"--backend vllm --base-url http://localhost:{port}",
            f"--model {shlex.quote(api_model_name)} "
            f"--tokenizer {shlex.quote(local_dir)}",
        ]
    lines = [
        *backend,
        f"--dataset-name random --random-input-len {SWEEP_INPUT_TOKENS} "
        f"--random-output-len {SWEEP_OUTPUT_TOKENS}",
        '--seed "$users" --max-concurrency "$users" --request-rate inf',
        "--num-warmups $((users*2)) --num-prompts $((users*5))",
        "--percentile-metrics ttft,tpot,itl,e2el --metric-percentiles 50,95,99",
        "--goodput ttft:2000 tpot:50",
    ]
    if rocm:
        lines.append(f'--header "Authorization=Bearer {API_KEY_REF}"')
    lines += [
        f"--save-result --result-dir {WORKSPACE}/bench",
        '--result-filename "users_${users}.json"',
    ]
    body = " \\\n    ".join(["vllm bench serve", *lines])
    levels = " ".join(str(n) for n in SWEEP_LEVELS)
    return (
        f"for users in {levels}; do\n"
        '  echo "=== $users parallel jobs ==="\n'
        f"  {body} \\\n"
        f'    2>&1 | tee "{WORKSPACE}/bench/users_${{users}}.log"\n'
        "done"
    )


def _warnings(spec: RecipeSpec, rocm: bool, report: FitReport) -> list[str]:
    model, gpu = spec.model, spec.gpu
    arch = model.arch
    warnings: list[str] = []
    fp4 = "FP4" in model.quantization.upper()
    if gpu.min_cuda and not rocm:
        warnings.append(
            f"{gpu.name} needs CUDA >= {gpu.min_cuda} for native FP4: with an older "
            "image vLLM fails at startup or falls back to slow FP4 emulation; use "
            f"a CUDA 13 image such as {CUDA13_IMAGE}"
        )
    if fp4 and not gpu.fp4_native:
        warnings.append(
            f"{gpu.name} has no native FP4: {model.quantization} weights run on a "
            "slower path (the article's MI300X was slower at low concurrency)"
        )
    if arch is not None and arch.trust_remote_code:
        warnings.append(
            f"{model.name} needs --trust-remote-code: vLLM runs Python code from "
            "the model repo; pin a revision and review that code"
        )
    if arch is not None and arch.kv_cache_dtype:
        warnings.append(f"{model.name} forces a {arch.kv_cache_dtype} KV cache")
    if rocm and not model.id.startswith("gpt-oss"):
        warnings.append(
            "the ROCm attention backend and -cc flags come from the article's "
            "gpt-oss run; check them against vLLM's recipe for this model"
        )
    warnings += _fit_warnings(report)
    return warnings


def _fit_warnings(report: FitReport) -> list[str]:
    result = report.result
    if result.fits:
        return []
    fixes = "; ".join(s.summary for s in report.suggestions) or "none found"
    return [f"does not fit: {result.reason}. What would: {fixes}"]


def flag_words(flags: Sequence[Flag]) -> list[str]:
    """Flags as argv words, ``--name value`` split in two."""
    words: list[str] = []
    for name, value in flags:
        words.append(name)
        if value is not None:
            words.append(value)
    return words


def serve_fit_spec(spec: RecipeSpec, seq_tokens: int | None = None) -> FitSpec:
    """The fit question for the server this recipe launches: its memory
    utilisation, context, block size and sequence cap. The report's IT view
    asks the same question, so the two cannot disagree."""
    rocm = is_rocm(spec.gpu)
    util = spec.gpu_memory_utilization or (
        ROCM_GPU_MEMORY_UTILIZATION if rocm else CUDA_GPU_MEMORY_UTILIZATION
    )
    max_len = spec.max_model_len or min(
        DEFAULT_MAX_MODEL_LEN, spec.model.context_tokens
    )
    return FitSpec(
        model=spec.model,
        gpu=spec.gpu,
        gpus=spec.gpus,
        gpu_memory_utilization=util,
        max_model_len=max_len,
        seq_tokens=min(seq_tokens or DEFAULT_SEQ_TOKENS, max_len),
        max_num_seqs=ROCM_MAX_NUM_SEQS if rocm else None,
        block_tokens=ROCM_BLOCK_TOKENS if rocm else 16,
    )
