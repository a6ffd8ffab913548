#!/usr/bin/env bash
# The main job: set up, then price the default scenario (the article's nightly
# CVE batch) on the API and both measured cards. Reports land in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh local
mkdir -p out
.venv/bin/llm-tco report --format html --output out/report.html
.venv/bin/llm-tco report --format json --output out/report.json
.venv/bin/llm-tco report
echo "HTML report: out/report.html  JSON: out/report.json" >&2
