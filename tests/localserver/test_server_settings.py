"""ServerSettings: checked before any process is spawned."""

from __future__ import annotations

import pytest

from llm_tco.errors import InputError
from llm_tco.localserver import ServerSettings


def test_defaults_split_the_context_over_four_slots() -> None:
    settings = ServerSettings()

    assert (settings.n_parallel, settings.n_ctx) == (4, 8192)
    assert settings.n_ctx_per_slot == 2048
    assert settings.model_alias == "gemma-3-270m"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"port": -1}, "port must be 0..65535"),
        ({"port": 70000}, "port must be 0..65535"),
        ({"n_parallel": 0}, "parallel slots must be at least 1"),
        ({"n_threads": 0}, "threads must be at least 1"),
        ({"n_parallel": 4, "n_ctx": 3}, "split over 4 slots"),
        ({"model_alias": " "}, "alias must not be empty"),
    ],
)
def test_bad_values_are_input_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        ServerSettings(**kwargs)


def test_to_argv_names_every_setting() -> None:
    argv = ServerSettings(port=8080, n_parallel=2, n_ctx=1024, n_threads=1).to_argv()

    assert argv == [
        "--port=8080",
        "--parallel=2",
        "--ctx=1024",
        "--threads=1",
        "--alias=gemma-3-270m",
    ]
