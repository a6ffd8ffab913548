"""Fixtures for the bench tests: the scripted emulator in a separate process,
for tests where timing matters or the code under test runs its own loop."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parents[1]
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from support.emulator import EmulatorProcess, start_process  # noqa: E402

API_KEY = "sk-test-SECRET-4f9c2b7e1d"


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    """A plain emulator in its own process, shared by the session."""
    emu = start_process()
    yield emu
    emu.stop()


@pytest.fixture
def keyed_emulator() -> Iterator[tuple[EmulatorProcess, str]]:
    """An emulator process that requires an API key."""
    emu = start_process("--api-key", API_KEY)
    yield emu, API_KEY
    emu.stop()
