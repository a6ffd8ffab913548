"""``llm-tco recipe MODEL GPU``: the commands to download, serve, smoke-test and
benchmark a model with vLLM, as a shell script, docker, Kubernetes or SkyPilot."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from llm_tco.catalog import load_catalog
from llm_tco.sizing.recipe import (
    DEFAULT_PORT,
    DEFAULT_VLLM_VERSION,
    RecipeSpec,
    build_recipe,
)
from llm_tco.sizing.recipe_formats import FORMATS, render


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "recipe",
        help="the vLLM launch commands for a model on a GPU",
        description=__doc__.replace("``", ""),
    )
    parser.add_argument("model", help="model name, alias or catalog id")
    parser.add_argument("gpu", help="GPU name, alias or catalog id")
    parser.add_argument("--format", choices=FORMATS, default="shell")
    parser.add_argument("--gpus", type=int, default=1, help="GPUs (tensor parallel)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--served-model-name", help="name clients send as model")
    parser.add_argument("--max-model-len", type=int, metavar="L")
    parser.add_argument(
        "--gpu-memory-utilization",
        type=float,
        metavar="U",
        help="default: 0.90 on CUDA, 0.92 on ROCm (the article's)",
    )
    parser.add_argument(
        "--vllm-version",
        default=DEFAULT_VLLM_VERSION,
        help=f"vLLM release to pin (default {DEFAULT_VLLM_VERSION})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    spec = RecipeSpec(
        model=catalog.models.get(args.model),
        gpu=catalog.gpus.get(args.gpu),
        gpus=args.gpus,
        port=args.port,
        served_model_name=args.served_model_name,
        max_model_len=args.max_model_len,
        gpu_memory_utilization=args.gpu_memory_utilization,
        vllm_version=args.vllm_version,
        candidate_gpus=tuple(catalog.gpus),
    )
    sys.stdout.write(render(build_recipe(spec), args.format))
    return 0
