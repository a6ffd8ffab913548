import os
from pathlib import Path

import pytest

from llm_tco._files import write_atomic
from llm_tco.errors import InputError


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("old")
    write_atomic(path, "new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_missing_folder_is_an_input_error_unless_asked_to_create(
    tmp_path: Path,
) -> None:
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "r.json", "x")
    write_atomic(tmp_path / "made" / "r.json", "x", make_dirs=True)
    assert (tmp_path / "made" / "r.json").read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_folder_is_an_input_error_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(InputError, match="cannot write"):
            write_atomic(folder / "r.json", "x")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_failed_write_leaves_no_temp_file(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_atomic(tmp_path / "r.json", 123)
    assert list(tmp_path.iterdir()) == []


def test_symlink_is_written_through_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert target.read_text() == "new"


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_non_regular_target_is_refused_and_kept(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "out"
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/null")
    with pytest.raises(InputError, match="not a regular file"):
        write_atomic(path, "x")
    assert not path.is_file()


def test_new_file_gets_umask_permissions_not_private_ones(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "r.json", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o644


def test_overwrite_keeps_the_existing_mode(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("old")
    path.chmod(0o640)
    write_atomic(path, "new")
    assert path.stat().st_mode & 0o777 == 0o640
