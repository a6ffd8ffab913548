"""Writing files whole or not at all: a reader never sees half a file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from llm_tco.errors import InputError


def write_atomic(path: Path, text: str, *, make_dirs: bool = False) -> None:
    """Write ``text`` to ``path`` through a temp file in the same folder and a
    rename. A missing folder is created with ``make_dirs``, else an error.

    A symlink is written through (its target is replaced, not the link), and
    anything that is not a regular file (a folder, a device, a FIFO) is
    refused: renaming over it would silently destroy it.
    """
    target = _regular_target(path)
    _ensure_folder(target.parent, make_dirs)
    try:
        _write_then_rename(target, text)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _regular_target(path: Path) -> Path:
    target = path.resolve() if path.is_symlink() else path
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is not a regular file; give a file path to write")
    return target


def _ensure_folder(folder: Path, make_dirs: bool) -> None:
    if make_dirs:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create {folder}: {exc.strerror}") from None
    elif not folder.is_dir():
        raise InputError(f"folder {folder} does not exist; create it or pick another")


def _write_then_rename(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The existing file's mode, or what ``open()`` would give a new file.
    (mkstemp makes files private, which would surprise a user's umask.)"""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
