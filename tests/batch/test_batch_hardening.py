"""Regressions from testing: a key echoed by a server, a second run through
another path, duplicate or unreadable inventory entries, undecodable files, and
values the runner cannot use."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from batch_emulator import BatchEmulator
from batch_helpers import jobs_file

from llm_tco._secret import mask
from llm_tco.batch.jobs import read_jobs
from llm_tco.batch.store import Store
from llm_tco.cli import main
from llm_tco.errors import InputError, RunError


def _fails_cleanly(
    argv: list[str], capsys: pytest.CaptureFixture[str], code: int = 2
) -> str:
    got = main(argv)
    err = capsys.readouterr().err
    assert got == code, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


# ------------------------------------------------------------ 1. the API key


def test_mask_replaces_every_secret_of_four_chars_or_more() -> None:
    text = "Bearer sk-SECRET123 again sk-SECRET123; abc; "
    assert mask(text, ["sk-SECRET123", "abc", ""]) == "Bearer *** again ***; abc; "
    assert mask("no secret here", []) == "no secret here"


def test_api_key_echoed_by_server_never_reaches_db_or_export(
    tmp_path: Path,
) -> None:
    secret = "sk-SECRET123-do-not-store-0123456789"
    script = {
        "echo_then_fatal": ["echo:503", "echo:400"],
        "echo_straddles_excerpt": ["echolong:400"],
        "echo_in_answer": ["echoanswer"],
    }
    db = tmp_path / "state.db"
    jobs = jobs_file(tmp_path, list(script))
    env = {**os.environ, "MY_KEY": secret}
    with BatchEmulator(script=script) as emu:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "llm_tco",
                "--debug",
                "-v",
                "batch",
                "run",
                "--db",
                str(db),
                "--jobs",
                str(jobs),
                "--base-url",
                emu.base_url,
                "--api-key-env",
                "MY_KEY",
                "--max-attempts",
                "2",
                "--backoff-s",
                "0.05",
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    # The server did get the key, and did echo it.
    assert all(h["Authorization"] == f"Bearer {secret}" for h in emu.headers_seen)
    out = tmp_path / "export.jsonl"
    assert main(["batch", "export", "--db", str(db), "--out", str(out)]) == 0

    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert "Bearer ***" in dump  # the echoed reasons were stored, masked
    fragments = {secret, secret[:12], secret[-12:]}  # no piece of it, either
    for text in (dump, out.read_text(), done.stdout, done.stderr):
        assert not any(f in text for f in fragments), text
    for path in tmp_path.iterdir():  # the DB, its WAL, the export, the jobs
        assert secret.encode() not in path.read_bytes(), path
    exported = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert exported["echo_then_fatal"]["status"] == "failed"
    assert "***" in exported["echo_then_fatal"]["error"]
    assert "***" in exported["echo_in_answer"]["answer"]


# ------------------------------------------------------------- 2. one run


def test_second_run_through_a_symlink_to_a_locked_db_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "state.db"
    link = tmp_path / "link.db"
    holder = Store(db)
    try:
        holder.lock_for_run()
        link.symlink_to(db)
        other = Store(link)
        try:
            with pytest.raises(RunError, match="another batch run is using"):
                other.lock_for_run()
        finally:
            other.close()
        err = _fails_cleanly(
            [
                "batch",
                "run",
                "--db",
                str(link),
                "--base-url",
                "http://127.0.0.1:9",
                "--no-progress",
            ],
            capsys,
            code=1,
        )
        assert "another batch run is using" in err and "link.db" in err
    finally:
        holder.close()


def test_a_locked_db_is_refused_before_the_jobs_file_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "state.db"
    holder = Store(db)
    try:
        holder.lock_for_run()
        code = main(
            [
                "batch",
                "run",
                "--db",
                str(db),
                "--jobs",
                str(jobs_file(tmp_path, ["a", "b"])),
                "--base-url",
                "http://127.0.0.1:9",
                "--no-progress",
            ]
        )
        captured = capsys.readouterr()
        assert code == 1, captured.err
        assert "another batch run is using" in captured.err
        assert "jobs added" not in captured.out
        assert holder.counts().total == 0  # nothing was imported
    finally:
        holder.close()


def test_a_hard_linked_db_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    Store(db).close()
    os.link(db, tmp_path / "twin.db")
    for path in (db, tmp_path / "twin.db"):
        with pytest.raises(InputError, match="hard links"):
            Store(path)


# ------------------------------------------------------- 3. the inventory


def _advisory_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "vulns"
    folder.mkdir()
    for name in ("jinja2", "oddpkg"):
        record = {
            "id": f"PYSEC-0000-{name}",
            "summary": f"a flaw in {name}",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": name},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": "2.11.3"}],
                        }
                    ],
                }
            ],
        }
        (folder / f"{name}.json").write_text(json.dumps(record))
    return folder


def test_build_cve_dedupes_repeated_inventory_entries_and_runs_its_own_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "pip.json"
    inventory.write_text(
        json.dumps(
            [
                {"name": "jinja2", "version": "2.10"},
                {"name": "jinja2", "version": "2.10"},
                {"name": "Jinja2", "version": "2.10.0"},  # the same, PEP 440
                {"name": "jinja2", "version": "2.11.0"},  # a second install
            ]
        )
    )
    out = tmp_path / "jobs.jsonl"
    argv = ["batch", "build-cve", "--inventory", str(inventory)]
    argv += ["--advisories", str(_advisory_dir(tmp_path)), "--out", str(out)]
    assert main(argv) == 0
    summary = capsys.readouterr().out.splitlines()[0]
    assert "2 inventory entries listed twice, counted once" in summary
    ids = [job.id for job in read_jobs(out)]  # the runner's reader accepts it
    assert sorted(ids) == [
        "jinja2==2.10:PYSEC-0000-jinja2",
        "jinja2==2.11.0:PYSEC-0000-jinja2",
    ]
    with BatchEmulator() as emu:
        assert (
            main(
                [
                    "batch",
                    "run",
                    "--db",
                    str(tmp_path / "s.db"),
                    "--jobs",
                    str(out),
                    "--base-url",
                    emu.base_url,
                    "--no-progress",
                ]
            )
            == 0
        )


def test_build_cve_reports_entries_with_unparseable_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "pip.json"
    inventory.write_text(
        json.dumps(
            [
                {"name": "oddpkg", "version": "release-2024"},
                {"name": "jinja2", "version": "2.10"},
            ]
        )
    )
    out = tmp_path / "jobs.jsonl"
    argv = ["batch", "build-cve", "--inventory", str(inventory)]
    argv += ["--advisories", str(_advisory_dir(tmp_path)), "--out", str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    summary = captured.out.splitlines()[0]
    assert summary.startswith("1 jobs:")
    assert "1 inventory entry skipped: unparseable version" in summary
    assert "oddpkg 'release-2024'" in summary


# -------------------------------------------------- 4. undecodable files


def test_binary_inventory_advisory_and_jobs_files_fail_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = b"\xff\xfe[\x00{\x00\x80\x81\xfe"  # UTF-16 (PowerShell's `>`)
    inventory = tmp_path / "pip.json"
    inventory.write_bytes(binary)
    advisories = _advisory_dir(tmp_path)
    out = str(tmp_path / "jobs.jsonl")
    build = ["batch", "build-cve", "--advisories", str(advisories), "--out", out]
    err = _fails_cleanly([*build, "--inventory", str(inventory)], capsys)
    assert "pip.json" in err and "UTF-8" in err and "pip list" in err

    inventory.write_text("[]")
    (advisories / "broken.json").write_bytes(binary)
    err = _fails_cleanly([*build, "--inventory", str(inventory)], capsys)
    assert "broken.json" in err and "UTF-8" in err
    (advisories / "broken.json").write_text('{"id": "X", "affected": [{"package": 1}]}')
    err = _fails_cleanly([*build, "--inventory", str(inventory)], capsys)
    assert "broken.json" in err and "not a valid OSV record" in err

    jobs = tmp_path / "bin.jsonl"
    jobs.write_bytes(binary)
    run = ["batch", "run", "--db", str(tmp_path / "s.db"), "--jobs", str(jobs)]
    err = _fails_cleanly([*run, "--base-url", "http://127.0.0.1:9"], capsys)
    assert "bin.jsonl" in err and "UTF-8" in err


# ------------------------------------------------------- 5. bad values


@pytest.mark.parametrize(
    ("flag", "value", "shown"),
    [
        ("--window-hours", "nan", "nan"),
        ("--window-hours", "inf", "inf"),
        ("--window-hours", "1e20", "1e+20"),
        ("--window-hours", "200", "168"),
        ("--timeout-s", "nan", "nan"),
        ("--timeout-s", "0", "0"),
        ("--down-for-s", "-1", "-1"),
        ("--down-for-s", "nan", "nan"),
        ("--backoff-s", "-1", "-1"),
        ("--backoff-s", "nan", "nan"),
        ("--backoff-cap-s", "inf", "inf"),
        ("--window-margin", "nan", "nan"),
        ("--concurrency", "0", "0"),
        ("--max-attempts", "0", "0"),
    ],
)
def test_run_rejects_values_it_cannot_use(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flag: str,
    value: str,
    shown: str,
) -> None:
    db = tmp_path / "s.db"
    argv = ["batch", "run", "--db", str(db), "--base-url", "http://127.0.0.1:9"]
    err = _fails_cleanly([*argv, "--no-progress", flag, value], capsys)
    assert flag in err and shown in err
    assert not db.exists()  # refused before anything was created


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ({"max_tokens": -5}, "-5"),
        ({"max_tokens": 0}, "0"),
        ({"max_tokens": 2.5}, "2.5"),
        ({"max_tokens": "100"}, '"100"'),
        ({"max_tokens": True}, "true"),
        ({"stream": True}, "true"),
    ],
)
def test_jobs_with_a_bad_token_cap_or_streaming_are_rejected(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: dict[str, object],
    shown: str,
) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(json.dumps({"id": "a", "prompt": "x", **extra}) + "\n")
    db = tmp_path / "s.db"
    argv = ["batch", "run", "--db", str(db), "--jobs", str(jobs)]
    err = _fails_cleanly([*argv, "--base-url", "http://127.0.0.1:9"], capsys)
    key = next(iter(extra))
    assert "jobs.jsonl:1" in err and key in err and shown in err
    assert not db.exists()
