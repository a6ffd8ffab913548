#!/usr/bin/env bash
# The main job: set up, measure this machine on a local llama.cpp server (a
# short sweep at 1, 2 and 4 parallel jobs), then price the default scenario
# (the article's nightly CVE batch) on the API, the article's two measured
# cards, and show this machine's sweep beside them. Reports land in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh local
export LLM_TCO_CACHE_DIR="${LLM_TCO_CACHE_DIR:-$PWD/.cache/llm-tco}"
mkdir -p out
rm -rf out/this-machine
.venv/bin/llm-tco bench --local --max-concurrency 1 2 4 \
  --random-input-len 128 --random-output-len 32 --result-dir out/this-machine
measured=(--results out/this-machine --results-label "This machine (llama.cpp, CPU)")
.venv/bin/llm-tco report "${measured[@]}" --format html --output out/report.html
.venv/bin/llm-tco report "${measured[@]}" --format json --output out/report.json
.venv/bin/llm-tco report "${measured[@]}"
echo "HTML report: out/report.html  JSON: out/report.json" >&2
