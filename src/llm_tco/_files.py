"""Writing files whole or not at all: a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from llm_tco.errors import InputError


def write_atomic(path: Path, text: str, *, make_dirs: bool = False) -> None:
    """Write ``text`` to ``path`` through a temp file in the same folder and a
    rename. A missing folder is created with ``make_dirs``, else an error."""
    folder = path.parent
    if make_dirs:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create {folder}: {exc.strerror}") from None
    elif not folder.is_dir():
        raise InputError(f"folder {folder} does not exist; create it or pick another")
    try:
        _write_then_rename(path, text)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_then_rename(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
