import subprocess
import sys


def test_building_the_cli_loads_no_http_client_and_no_renderer() -> None:
    code = (
        "import sys, llm_tco.cli as c; c.build_parser(); "
        "print(sorted(m for m in ('aiohttp', 'llm_tco.report.html', "
        "'llm_tco.report.markdown', 'llm_tco.bench.client', 'llm_tco.batch.http') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
