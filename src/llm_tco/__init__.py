"""llm-tco: is self-hosting an LLM worth it? Priced from measurements."""

import logging

from llm_tco.errors import InputError, LlmTcoError, RunError

__all__ = ["InputError", "LlmTcoError", "RunError", "__version__"]
__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
