"""Names the CLI needs before any HTTP code is loaded (keeps `--help` fast)."""

COMPLETIONS = "/v1/completions"
CHAT = "/v1/chat/completions"
DEFAULT_LEVELS = (1, 4, 8, 16, 32, 64, 128)
