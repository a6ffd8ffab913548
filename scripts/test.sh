#!/usr/bin/env bash
# Set up, then run every check: ruff lint, ruff format, mypy, the whole test
# suite (the real local llama.cpp server included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh local,dev
export LLM_TCO_CACHE_DIR="${LLM_TCO_CACHE_DIR:-$PWD/.cache/llm-tco}"
.venv/bin/ruff check src tests scripts benchmarks
.venv/bin/ruff format --check src tests scripts benchmarks
.venv/bin/mypy src
.venv/bin/python -m pytest -q "$@"
