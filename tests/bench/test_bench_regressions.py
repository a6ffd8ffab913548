"""Regression tests for bugs a tester found in ``llm-tco bench``."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from llm_tco.cli import main

KEY = "sk-SECRET123"
SMALL = [
    "--model",
    "m",
    "--random-input-len",
    "8",
    "--random-output-len",
    "4",
    "--num-warmups",
    "0",
    "--max-concurrency",
    "1",
    "--num-prompts",
    "2",
]


class _FakeServer:
    """A tiny OpenAI-like server in its own thread whose streams carry text
    from ``self.stream`` (bytes, written as is) after a 200."""

    def __init__(self, stream: bytes) -> None:
        self.stream = stream
        self.base_url = ""
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(self.stream)
        await resp.write_eof()
        return resp

    async def _start(self) -> str:
        app = web.Application()
        app.router.add_post("/v1/completions", self._completions)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self._thread.start()
        self.base_url = asyncio.run_coroutine_threadsafe(
            self._start(), self._loop
        ).result(10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(
                10
            )
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def fake_server() -> Iterator[_FakeServer]:
    server = _FakeServer(b"")
    server.start()
    yield server
    server.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------------ item 1


@pytest.mark.parametrize(
    "stream",
    [
        b'data: {"error":{"message":"boom Bearer sk-SECRET123"}}\n\n',
        b"data: not json Bearer sk-SECRET123\n\n",
        b'data: {"choices":[{"text":"sk-SECRET123"}]}\n\n',
        b"data: " + b"x" * 190 + b" sk-SECRET123\n\n",
        b"data: " + b"x" * 480 + b" sk-SECRET123\n\n",
    ],
    ids=["stream_error", "malformed", "truncated", "cut_at_200", "cut_at_500"],
)
def test_api_key_in_stream_error_is_masked_in_logs(
    stream: bytes,
    *,
    fake_server: _FakeServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_server.stream = stream
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    result_dir = tmp_path / "out"
    main(
        [
            "--debug",
            "bench",
            "--base-url",
            fake_server.base_url,
            *SMALL,
            "--result-dir",
            str(result_dir),
        ]
    )
    captured = capsys.readouterr()
    assert fake_server.requests >= 1
    assert "probe request failed" in caplog.text
    # Not the key, and not the start of it either (a cut must not leak half).
    part = KEY[:6]
    assert part not in caplog.text
    assert all(part not in r.getMessage() for r in caplog.records)
    assert part not in captured.out + captured.err
    for path in result_dir.rglob("*"):
        if path.is_file():
            assert part not in path.read_text(errors="replace"), path


def test_secret_cut_at_detail_length_is_still_masked() -> None:
    from llm_tco.bench.records import Failure, RequestRecord

    record = RequestRecord(secrets=(KEY,))
    record.fail(Failure.STREAM_ERROR, "x" * 495 + KEY)
    assert "sk-SE" not in record.detail
    assert len(record.detail) <= 500


# ------------------------------------------------------------------ item 2


def test_binary_dataset_is_one_line_input_error_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = tmp_path / "jobs.jsonl"
    dataset.write_bytes(b"\xff\xfe\x00\x81binary")
    port = _free_port()
    code = main(
        [
            "bench",
            "--base-url",
            f"http://127.0.0.1:{port}",
            *SMALL,
            "--dataset-path",
            str(dataset),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert str(dataset) in err and "Traceback" not in err


@pytest.mark.parametrize("sub", ["", "sub"])
def test_result_dir_that_is_a_file_fails_before_any_request(
    sub: str,
    fake_server: _FakeServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_server.stream = b'data: {"choices":[{"text":"a","finish_reason":"stop"}]}\n\n'
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    target = blocker / sub if sub else blocker
    code = main(
        [
            "bench",
            "--base-url",
            fake_server.base_url,
            *SMALL,
            "--result-dir",
            str(target),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1, err
    assert "--result-dir" in err and str(blocker) in err
    assert fake_server.requests == 0
    assert blocker.read_text() == "not a folder"


# ------------------------------------------------------------------ item 3


def test_connection_refused_error_is_exactly_one_stderr_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = _free_port()
    code = main(["bench", "--base-url", f"http://127.0.0.1:{port}", *SMALL])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1, repr(err)
    assert err.startswith("llm-tco: error: cannot reach")


def test_bad_dataset_error_is_exactly_one_stderr_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = tmp_path / "jobs.jsonl"
    dataset.write_text("not json\n")
    port = _free_port()
    code = main(
        [
            "bench",
            "--base-url",
            f"http://127.0.0.1:{port}",
            *SMALL,
            "--dataset-path",
            str(dataset),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, repr(err)
    assert err.startswith("llm-tco: error: ")


def test_error_after_a_level_started_is_exactly_one_stderr_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a dataset there is no probe: the refusal shows up in level 1,
    after the progress bar started; the bar must not add lines to stderr."""
    dataset = tmp_path / "jobs.jsonl"
    dataset.write_text('{"prompt": "hello", "max_tokens": 2}\n')
    port = _free_port()
    code = main(
        [
            "bench",
            "--base-url",
            f"http://127.0.0.1:{port}",
            *SMALL,
            "--dataset-path",
            str(dataset),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1, repr(err)


def test_progress_bar_still_shows_for_a_normal_run(
    fake_server: _FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_server.stream = (
        b'data: {"choices":[{"text":"a b","finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    )
    code = main(["bench", "--base-url", fake_server.base_url, *SMALL])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "concurrency    1" in captured.err
    assert "2/2" in captured.err


# ------------------------------------------------------------------ item 4

_GOOD = {
    "completed": 4,
    "duration": 2.0,
    "max_concurrency": 4,
    "total_token_throughput": 100.0,
}


@pytest.mark.parametrize(
    ("key", "text", "shown"),
    [
        ("total_token_throughput", '"fast"', "'fast'"),
        ("total_token_throughput", "-5.0", "-5.0"),
        ("total_token_throughput", "NaN", "nan"),
        ("total_token_throughput", "Infinity", "inf"),
        ("completed", "-1", "-1"),
        ("max_concurrency", "NaN", "nan"),
        ("max_concurrency", '"eight"', "'eight'"),
    ],
)
def test_bad_value_in_result_file_is_an_error_naming_file_key_value(
    key: str, text: str, shown: str, tmp_path: Path
) -> None:
    from llm_tco.bench.reader import read_result_dir
    from llm_tco.errors import InputError

    good = tmp_path / "good-concurrency8.json"
    good.write_text(json.dumps({**_GOOD, "max_concurrency": 8}))
    bad = tmp_path / "bad-concurrency4.json"
    body = json.dumps({k: v for k, v in _GOOD.items() if k != key})
    bad.write_text(body[:-1] + f', "{key}": {text}}}')
    with pytest.raises(InputError) as info:
        read_result_dir(tmp_path)
    message = str(info.value)
    assert "bad-concurrency4.json" in message
    assert key in message and shown in message


def test_result_looking_file_without_completed_is_not_silently_skipped(
    tmp_path: Path,
) -> None:
    from llm_tco.bench.reader import read_result_dir
    from llm_tco.errors import InputError

    (tmp_path / "good-concurrency8.json").write_text(
        json.dumps({**_GOOD, "max_concurrency": 8})
    )
    (tmp_path / "half.json").write_text(
        json.dumps({"max_concurrency": 2, "total_token_throughput": 50.0})
    )
    with pytest.raises(InputError, match=r"half\.json.*'(duration|completed)'"):
        read_result_dir(tmp_path)


def test_folder_of_only_bad_result_files_names_them(tmp_path: Path) -> None:
    from llm_tco.bench.reader import read_result_dir
    from llm_tco.errors import InputError

    (tmp_path / "a.json").write_text(
        json.dumps({**_GOOD, "total_token_throughput": "x"})
    )
    (tmp_path / "b.json").write_text(
        json.dumps({**_GOOD, "total_token_throughput": -1})
    )
    with pytest.raises(InputError) as info:
        read_result_dir(tmp_path)
    message = str(info.value)
    assert "no usable level" not in message
    assert "a.json" in message and "b.json" in message
    assert "'x'" in message and "-1" in message


def test_non_result_json_is_still_skipped_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from llm_tco.bench.reader import read_result_dir

    caplog.set_level(logging.INFO)
    (tmp_path / "good-concurrency8.json").write_text(
        json.dumps({**_GOOD, "max_concurrency": 8})
    )
    (tmp_path / "notes.json").write_text(json.dumps({"comment": "hi"}))
    sweep = read_result_dir(tmp_path)
    assert [lv.concurrency for lv in sweep.levels] == [8]
    assert "skipping notes.json" in caplog.text
