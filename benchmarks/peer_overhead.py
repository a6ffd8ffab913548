"""Peer-overhead benchmark (issue #3): does the client distort what it measures?

Runs streaming clients against the scripted emulator (tests/support/emulator.py,
in its own process, pinned to core 0) at several concurrencies; every client
runs as a subprocess pinned to core 1 and is measured the same way:

* CPU-s of the client's whole process tree: ``total`` (getrusage of reaped
  children; this script is a child-subreaper so orphaned grandchildren count)
  and ``window`` (a 4 Hz /proc sampler of the tree, interpolated over the
  stream window: first request received .. last token written).
* streamed tokens: what the emulator wrote (its own log, ``GET /_emu/log``).
* delivered share (definition printed with the table).
* timing error against the emulator's write times, where per-request client
  timings can be joined with the emulator's record.

Clients: ``ours`` (llm_tco.bench run_load + Client, via this file's ``ours``
sub-command), ``lean`` (benchmarks/lean_client.py, the floor), ``guidellm``
and ``aiperf`` (installed from PyPI on demand into .cache/peers/<tool>-venv),
``ours-cli`` (the ``llm-tco bench`` command; no per-request join).

    .venv/bin/python benchmarks/peer_overhead.py --clients ours,lean \
        --concurrency 64 256 1024 --out .cache/peer-overhead.json

All traffic goes to 127.0.0.1. Every process started is stopped, also on
Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import itertools
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
PEERS_DIR = ROOT / ".cache" / "peers"
PEER_VERSIONS = {"guidellm": "0.8.1", "aiperf": "0.13.0"}
ALL_CLIENTS = ("ours", "lean", "guidellm", "aiperf", "ours-cli")
MODEL = "emu-model"
EMU_CORE, CLIENT_CORE = 0, 1
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The emulator's script: TTFT 200 ms, then each request streams a uniform
# random 64..128 tokens, one per event, at gaps cycling through GAPS_MS from a
# random start (10..30 ms, mean 20 ms). Per stream that is ~45 tok/s, so
# 256 streams offer ~11.7k tok/s and 1,024 streams ~47k tok/s.
TTFT_MS = 200.0
GAPS_MS = (10.0, 30.0, 15.0, 25.0, 20.0)
TOKENS = (64, 128)
PROMPT_WORDS = 128

DEFINITIONS = """\
Definitions
  CPU/100k: client process-tree CPU-s (user+sys) per 100,000 tokens the emulator
    wrote. 'total' = the whole client run (startup, report writing included);
    'window' = only between the first request reaching the emulator and its
    last token write. x lean = window CPU/100k divided by the lean client's.
  core: window CPU-s / window wall-s (1.00 = the client's core is saturated).
  delivered: tokens the emulator wrote in W / (C x |W| x r). W runs from the
    first to the last request received (until then a client that kept every
    slot busy had C requests in flight); r = sum(tokens) / sum(scripted
    receive-to-last-token time) over the run's requests, the token rate of one
    busy slot. A perfect client scores ~100 % (it loses only reconnect time).
  TTFT err: client-reported TTFT minus the emulator's (first write - receive),
    p50/p99 ms: send latency plus first-token read delay.
  ITL err: |client gap - emulator gap| for every consecutive text event pair,
    p50/p99 ms. 'n/a': the tool's output gives no per-request/per-event times
    that can be joined with the emulator's record.
  read delay: client arrival time minus emulator write time of every text
    event, p50/p99 ms (only clients that keep per-event arrival times).
  emu late: emulator write time minus its own schedule, p99 ms (if large, the
    emulator, not the client, is the limit).
  foreign: CPU-s used by other processes on the machine during the run
    (/proc/stat busy minus client, emulator and this script)."""


# --------------------------------------------------------------- emulator


def emulator_main(args: argparse.Namespace) -> int:
    """Sub-command: the test emulator with a per-request random script."""
    sys.path.insert(0, str(ROOT / "tests"))
    from support import emulator  # type: ignore[import-not-found]
    from support.emulator import Emulator, Script  # type: ignore[import-not-found]

    rng = random.Random(args.seed)
    plain_payload = emulator._text_payload

    def payload(chat: bool, text: str) -> dict[str, Any]:
        # the "object" real servers send; aiperf ignores chunks without it
        body: dict[str, Any] = plain_payload(chat, text)
        body["object"] = "chat.completion.chunk" if chat else "text_completion"
        return body

    emulator._text_payload = payload

    class RandomEmulator(Emulator):  # type: ignore[misc]
        """Each request draws its token count and gap phase (seeded)."""

        @property
        def default(self) -> Any:
            k = rng.randrange(len(GAPS_MS))
            return Script(
                ttft=TTFT_MS,
                gaps=GAPS_MS[k:] + GAPS_MS[:k],
                tokens=rng.randint(*TOKENS),
                timings=False,
            )

        @default.setter
        def default(self, value: Any) -> None:
            pass

    async def serve() -> None:
        emu = RandomEmulator(model=MODEL, keep_bodies=False)
        url = await emu.start(0)
        print(f"LISTENING {url}", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await emu.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0


def ours_main(args: argparse.Namespace) -> int:
    """Sub-command: llm-tco's own load runner + client, nothing else."""
    from lean_client import make_bodies

    from llm_tco.bench.client import Client, ClientConfig
    from llm_tco.bench.load import LoadSpec, run_load
    from llm_tco.bench.records import Job

    bodies = make_bodies(args.requests, PROMPT_WORDS, TOKENS[1], MODEL, "ours")
    jobs = [Job(b, PROMPT_WORDS, None, i) for i, b in enumerate(bodies)]

    async def run() -> Any:
        async with Client(ClientConfig(base_url=args.url, model=MODEL)) as client:
            return await run_load(
                client.request, jobs, LoadSpec(max_concurrency=args.concurrency)
            )

    result = asyncio.run(run())
    out = {
        "client": "ours",
        "failed": sum(1 for r in result.records if not r.ok),
        "requests": [
            {
                "rid": f"ours-{r.job_index}",
                "send_s": r.send_s,
                "events_s": r.event_times_s,
            }
            for r in result.records
            if r.ok
        ],
    }
    Path(args.out).write_text(json.dumps(out))
    return 0


@dataclass
class EmulatorRun:
    process: subprocess.Popen[str]
    url: str

    def log(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/_emu/log", timeout=120) as resp:
            data: dict[str, Any] = json.loads(resp.read())
            return data

    def cpu_s(self) -> float:
        return proc_cpu_s(self.process.pid, children=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_emulator(seed: int) -> EmulatorRun:
    process = subprocess.Popen(
        [sys.executable, __file__, "emulator", "--seed", str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # aiohttp's tracebacks when a client is killed
        text=True,
    )
    _pin(process.pid, EMU_CORE)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("LISTENING "):
        process.kill()
        process.wait()
        raise RuntimeError(f"emulator did not start: {line!r}")
    return EmulatorRun(process, line.split()[1])


# ----------------------------------------------------------- CPU accounting


def _pin(pid: int, core: int) -> None:
    """Pin a just-started process (before it starts any children)."""
    cores = os.sched_getaffinity(0)
    if core in cores and len(cores) > 1:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, {core})


def _become_subreaper() -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from 'state' on


def proc_cpu_s(pid: int, children: bool = False) -> float:
    f = _stat_fields(pid)
    if f is None:
        return 0.0
    ticks = int(f[11]) + int(f[12])  # utime, stime
    if children:
        ticks += int(f[13]) + int(f[14])  # cutime, cstime
    return ticks / CLK_TCK


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            f = _stat_fields(int(entry))
            if f is not None:
                kids.setdefault(int(f[1]), []).append(int(entry))
    return kids


def _tree(root: int) -> list[int]:
    kids, out, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _self_reaped_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _busy_s() -> float:
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in cpu]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLK_TCK  # minus idle, iowait


class TreeSampler(threading.Thread):
    """Samples the CPU-s of a process tree (live + already reaped) at 4 Hz."""

    def __init__(self, root: int, reaped_base: float) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.base = reaped_base
        self.samples: list[tuple[float, float]] = [(time.monotonic(), 0.0)]
        self.pids: set[int] = {root}
        self.stop_event = threading.Event()

    def sample(self) -> None:
        pids = [p for p in _tree(self.root) if p != os.getpid()]
        if self.root not in pids:
            pids = [self.root, *self.pids]
        self.pids.update(pids)
        live = sum(proc_cpu_s(p, children=True) for p in set(pids))
        reaped = _self_reaped_s() - self.base
        self.samples.append((time.monotonic(), live + reaped))

    def run(self) -> None:
        while not self.stop_event.wait(0.25):
            self.sample()

    def at(self, t: float) -> float | None:
        """Cumulative tree CPU at monotonic time ``t`` (linear interpolation)."""
        s = self.samples
        if not s or t < s[0][0] or t > s[-1][0]:
            return None
        for (t0, c0), (t1, c1) in itertools.pairwise(s):
            if t0 <= t <= t1:
                return c0 + (c1 - c0) * (t - t0) / (t1 - t0) if t1 > t0 else c0
        return s[-1][1]


@dataclass
class ClientRun:
    returncode: int
    wall_s: float
    cpu_total_s: float
    sampler: TreeSampler
    foreign_s: float
    emu_cpu_s: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    log_tail: str
    wall_offset: float


def run_client(
    cmd: list[str], env: dict[str, str], cwd: Path, timeout_s: float, emu: EmulatorRun
) -> ClientRun:
    load_before = os.getloadavg()
    reaped_before = _self_reaped_s()
    busy_before, self_before = _busy_s(), _self_cpu_s()
    emu_before = emu.cpu_s()
    log_path = cwd / "client.log"
    start = time.monotonic()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        _pin(process.pid, CLIENT_CORE)
        sampler = TreeSampler(process.pid, reaped_before)
        sampler.start()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            print(f"  timeout after {timeout_s:.0f} s; stopping the client")
        finally:
            sampler.stop_event.set()
            sampler.join()
            _stop_tree(process, sampler.pids)
    wall = time.monotonic() - start
    sampler.sample()
    cpu_total = _self_reaped_s() - reaped_before
    busy = _busy_s() - busy_before
    emu_cpu = emu.cpu_s() - emu_before
    foreign = busy - cpu_total - emu_cpu - (_self_cpu_s() - self_before)
    return ClientRun(
        returncode=process.returncode if process.returncode is not None else -1,
        wall_s=wall,
        cpu_total_s=cpu_total,
        sampler=sampler,
        foreign_s=foreign,
        emu_cpu_s=emu_cpu,
        load_before=load_before,
        load_after=os.getloadavg(),
        log_tail=log_path.read_text(errors="replace")[-2000:],
        wall_offset=time.time() - time.monotonic(),
    )


def _self_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _stop_tree(process: subprocess.Popen[bytes], pids: set[int]) -> None:
    """Stop the client's group and any descendant we saw; reap orphans."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    deadline = time.monotonic() + 10
    others = pids - {process.pid}
    while others:
        for pid in list(others):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)  # orphans became ours
            except ChildProcessError:
                done = pid if not Path(f"/proc/{pid}").exists() else 0
            if done:
                others.discard(pid)
        if not others:
            break
        if time.monotonic() > deadline:
            for pid in others:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
        time.sleep(0.1)


# ------------------------------------------------------------------ peers


def peer_bin(tool: str) -> Path:
    return PEERS_DIR / f"{tool}-venv" / "bin" / tool


def ensure_peer(tool: str) -> str | None:
    """Install ``tool`` at its pinned version if needed; None or why not."""
    exe = peer_bin(tool)
    if exe.exists():
        return None
    venv = PEERS_DIR / f"{tool}-venv"
    spec = f"{tool}=={PEER_VERSIONS[tool]}"
    print(f"installing {spec} into {venv} (minutes; guidellm pulls ~6 GB) ...")
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", spec], check=True, timeout=1800
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return f"pip install {spec} failed: {exc}"
    return None if exe.exists() else f"{exe} missing after install"


def ensure_tokenizer(tool: str) -> Path:
    """A local word-level HF tokenizer (one token per whitespace word, the
    emulator's rule), built with the peer venv's ``tokenizers``; no hub."""
    out = PEERS_DIR / "wordtok"
    if (out / "tokenizer.json").exists():
        return out
    code = r"""
import json, pathlib, re, sys
from tokenizers import Tokenizer, models, pre_tokenizers, decoders
from transformers import PreTrainedTokenizerFast
out = pathlib.Path(sys.argv[1]); site = pathlib.Path(sys.argv[2])
words = set()
paths = list(site.glob("aiperf/**/*.txt"))[:20]
paths += list(site.glob("faker/**/lorem/**/*.py"))[:5]
for p in paths:
    try:
        words.update(re.findall(r"[A-Za-z']+", p.read_text(errors="ignore"))[:200000])
    except OSError:
        pass
vocab = {"[UNK]": 0}
for w in sorted(words):
    vocab.setdefault(w, len(vocab))
tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)
fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]",
                               model_max_length=1 << 20)
fast.save_pretrained(out)
print(len(vocab))
"""
    venv = PEERS_DIR / f"{tool}-venv"
    site = next((venv / "lib").glob("python*/site-packages"))
    subprocess.run(
        [str(venv / "bin" / "python"), "-c", code, str(out), str(site)],
        check=True,
        env=_offline_env(),
    )
    return out


def _offline_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    env.update(DO_NOT_TRACK="1", HF_HUB_DISABLE_TELEMETRY="1")
    return env


def client_command(
    name: str, url: str, c: int, n: int, work: Path
) -> tuple[list[str], dict[str, str]]:
    py = sys.executable
    env = _offline_env()
    env["PYTHONPATH"] = str(HERE)
    if name == "lean":
        cmd = [py, str(HERE / "lean_client.py"), "--url", url, "--concurrency", str(c)]
        return [*cmd, "--requests", str(n), "--out", "client.json"], env
    if name == "ours":
        cmd = [py, __file__, "ours", "--url", url, "--concurrency", str(c)]
        return [*cmd, "--requests", str(n), "--out", "client.json"], env
    if name == "ours-cli":
        return [
            str(Path(py).parent / "llm-tco"),
            "bench",
            "--base-url",
            url,
            "--max-concurrency",
            str(c),
            "--num-prompts",
            str(n),
            "--num-warmups",
            "0",
            "--random-input-len",
            str(PROMPT_WORDS),
            "--random-output-len",
            str(TOKENS[1]),
        ], env
    tok = str(ensure_tokenizer(name))
    if name == "aiperf":
        # aiperf loads a local tokenizer only WITHOUT the HF offline variables
        # (see /work/shared/docs/peer-overhead.md); it touches no network then.
        for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
            env.pop(key, None)
        return [
            str(peer_bin("aiperf")),
            "profile",
            "--model",
            MODEL,
            "--url",
            url,
            "--endpoint-type",
            "completions",
            "--streaming",
            "--tokenizer",
            tok,
            "--isl",
            str(PROMPT_WORDS),
            "--isl-stddev",
            "0",
            "--osl",
            str(TOKENS[1]),
            "--extra-inputs",
            "ignore_eos:true",
            "--use-server-token-count",
            "--concurrency",
            str(c),
            "--request-count",
            str(n),
            "--ui",
            "none",
            "--no-server-metrics",
            "--no-gpu-telemetry",
            "--artifact-dir",
            "art",
        ], env
    if name == "guidellm":
        backend = (
            f"kind=openai_http,target={url},model={MODEL},"
            "request_format=/v1/completions,http2=false"
        )
        data = (
            f"kind=synthetic_text,prompt_tokens={PROMPT_WORDS},"
            f"output_tokens={TOKENS[1]}"
        )
        return [
            str(peer_bin("guidellm")),
            "run",
            "--backend",
            backend,
            "--profile",
            f"kind=concurrent,streams={c}",
            "--constraint",
            f"kind=max_requests,count={n}",
            "--tokenizer",
            f"kind=huggingface_auto,model={tok}",
            "--data",
            data,
            "--output",
            "kind=json,path=out.json",
            "--disable-console-interactive",
        ], env
    raise ValueError(name)


# --------------------------------------------------------- client timings


def client_timings(name: str, work: Path) -> list[dict[str, Any]] | None:
    """Per-request timings on CLOCK_MONOTONIC: rid (emulator key) or None,
    send_s, events_s (text event arrivals) or ttft_s/gaps_s; None = n/a."""
    if name in ("lean", "ours"):
        path = work / "client.json"
        if not path.exists():
            return None
        reqs: list[dict[str, Any]] = json.loads(path.read_text())["requests"]
        return reqs
    if name == "aiperf":
        return _aiperf_timings(work)
    if name == "guidellm":
        return _guidellm_timings(work)
    return None


def _guidellm_timings(work: Path) -> list[dict[str, Any]] | None:
    """guidellm keeps wall-clock start / first-token times per request and no
    per-event times: TTFT only, joined by start time and token count."""
    path = work / "out.json"
    if not path.exists():
        return None
    out = []
    for bench in json.loads(path.read_text()).get("benchmarks", []):
        for req in bench.get("requests", {}).get("successful", []):
            t = req.get("info", {}).get("timings", {})
            start, first = t.get("request_start"), t.get("first_token_iteration")
            if start is None or first is None:
                continue
            out.append(
                {
                    "wall_start": start,
                    "ttft_s": first - start,
                    "gaps_s": None,
                    "tokens": t.get("token_iterations"),
                }
            )
    return out or None


def _aiperf_timings(work: Path) -> list[dict[str, Any]] | None:
    files = sorted(work.glob("art/**/profile_export*.jsonl"))
    if not files:
        return None
    out: list[dict[str, Any]] = []
    for line in files[0].read_text().splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        meta = rec.get("metadata", {})
        metrics = rec.get("metrics", {})
        ttft = _val(metrics.get("time_to_first_token"))
        icl = _val(metrics.get("inter_chunk_latency"))
        rid = meta.get("x_request_id") or meta.get("request_id")
        if ttft is None or rid is None:
            continue
        gaps = [g / 1000.0 for g in icl] if isinstance(icl, list) else None
        out.append({"hdr_rid": rid, "ttft_s": ttft / 1000.0, "gaps_s": gaps})
    return out or None


def _val(metric: Any) -> Any:
    return metric.get("value") if isinstance(metric, dict) else metric


# --------------------------------------------------------------- analysis


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _scripted_offsets_s(script: dict[str, Any], events: int) -> list[float]:
    gaps = script.get("gaps") or [script.get("gap", 5.0)]
    t = float(script["ttft"])
    out = []
    for i in range(events):
        out.append(t / 1000.0)
        t += gaps[i % len(gaps)]
    return out


@dataclass
class Cell:
    concurrency: int
    client: str
    requests: int
    ok: bool = True
    skipped: str = ""
    returncode: int = 0
    served: int = 0
    tokens: int = 0
    wall_s: float = 0.0
    window_s: float = 0.0
    cpu_total_s: float = 0.0
    cpu_window_s: float | None = None
    per100k_total: float | None = None
    per100k_window: float | None = None
    core_busy: float | None = None
    tok_per_s: float = 0.0
    offered_tok_per_s: float = 0.0
    delivered: float | None = None
    ttft_err_ms: tuple[float | None, float | None] = (None, None)
    itl_err_ms: tuple[float | None, float | None] = (None, None)
    delivery_ms: tuple[float | None, float | None] = (None, None)
    emu_late_ms: tuple[float | None, float | None] = (None, None)
    emu_cpu_s: float = 0.0
    foreign_s: float = 0.0
    load_before: tuple[float, ...] = ()
    load_after: tuple[float, ...] = ()
    attempts: int = 1
    notes: list[str] = field(default_factory=list)


def analyze(cell: Cell, run: ClientRun, log: dict[str, Any], work: Path) -> None:
    reqs = [r for r in log.values() if r["write_s"]]
    cell.served = len(reqs)
    cell.returncode = run.returncode
    cell.wall_s = run.wall_s
    cell.cpu_total_s = run.cpu_total_s
    cell.emu_cpu_s, cell.foreign_s = run.emu_cpu_s, run.foreign_s
    cell.load_before, cell.load_after = run.load_before, run.load_after
    if not reqs:
        cell.ok = False
        cell.notes.append("no request reached the emulator")
        return
    cell.tokens = sum(sum(r["tokens"]) for r in reqs)
    a = min(r["received_s"] for r in log.values())
    b = max(r["received_s"] for r in log.values())
    last = max(r["write_s"][-1] for r in reqs)
    cell.window_s = last - a
    cell.tok_per_s = cell.tokens / cell.window_s
    cpu_a, cpu_b = run.sampler.at(a), run.sampler.at(last)
    if cpu_a is not None and cpu_b is not None:
        cell.cpu_window_s = cpu_b - cpu_a
        cell.per100k_window = cell.cpu_window_s / cell.tokens * 1e5
        cell.core_busy = cell.cpu_window_s / cell.window_s
    cell.per100k_total = cell.cpu_total_s / cell.tokens * 1e5
    # delivered share
    scripted = [_scripted_offsets_s(r["script"], len(r["write_s"]))[-1] for r in reqs]
    rate = cell.tokens / sum(scripted)  # tokens/s of one always-busy slot
    cell.offered_tok_per_s = cell.concurrency * rate
    in_window = sum(1 for r in reqs for w in r["write_s"] if a <= w <= b)
    if b - a > 0:
        cell.delivered = in_window / (cell.concurrency * (b - a) * rate)
    late = [
        w - (r["received_s"] + off)
        for r in reqs
        for w, off in zip(
            r["write_s"],
            _scripted_offsets_s(r["script"], len(r["write_s"])),
            strict=True,
        )
    ]
    cell.emu_late_ms = (_ms(_pct(late, 50)), _ms(_pct(late, 99)))
    _timing_errors(cell, log, client_timings(cell.client, work), run.wall_offset)


def _ms(v: float | None) -> float | None:
    return None if v is None else v * 1000.0


def _match_wall(
    log: dict[str, Any], timings: list[dict[str, Any]], wall_offset: float
) -> dict[int, Any]:
    """Pair wall-clock client records with emulator records: the earliest
    unused emulator request received within 0.5 s after the client's start
    that streamed the same number of tokens."""
    emu = sorted(log.values(), key=lambda r: r["received_s"])
    used: set[int] = set()
    pairs: dict[int, Any] = {}
    order = sorted(
        (i for i, t in enumerate(timings) if "wall_start" in t),
        key=lambda i: timings[i]["wall_start"],
    )
    lo = 0
    for i in order:
        start = timings[i]["wall_start"] - wall_offset
        while lo < len(emu) and emu[lo]["received_s"] < start - 0.05:
            lo += 1
        for j in range(lo, len(emu)):
            r = emu[j]
            if r["received_s"] > start + 0.5:
                break
            if j not in used and len(r["write_s"]) == timings[i]["tokens"]:
                used.add(j)
                pairs[i] = r
                break
    return pairs


def _emu_record(
    i: int,
    t: dict[str, Any],
    log: dict[str, Any],
    by_hdr: dict[str, Any],
    wall_match: dict[int, Any],
) -> Any:
    if "rid" in t:
        return log.get(t["rid"])
    if "hdr_rid" in t:
        return by_hdr.get(t["hdr_rid"])
    return wall_match.get(i)


def _timing_errors(
    cell: Cell,
    log: dict[str, Any],
    timings: list[dict[str, Any]] | None,
    wall_offset: float,
) -> None:
    if not timings:
        return
    by_hdr: dict[str, Any] = {}
    for r in log.values():
        hdr = {k.lower(): v for k, v in r["headers"].items()}.get("x-request-id")
        if hdr:
            by_hdr[hdr] = r
    ttft_err: list[float] = []
    itl_err: list[float] = []
    delivery: list[float] = []
    wall_match = _match_wall(log, timings, wall_offset)
    for i, t in enumerate(timings):
        emu = _emu_record(i, t, log, by_hdr, wall_match)
        if not emu or not emu["write_s"]:
            continue
        writes = emu["write_s"]
        emu_ttft = writes[0] - emu["received_s"]
        emu_gaps = [y - x for x, y in itertools.pairwise(writes)]
        if "events_s" in t:
            ev = t["events_s"]
            if not ev:
                continue
            ttft = ev[0] - t["send_s"]
            gaps = [y - x for x, y in itertools.pairwise(ev)]
            delivery.extend(c - w for c, w in zip(ev, writes, strict=False))
        else:
            ttft, gaps = t["ttft_s"], t["gaps_s"] or []
        ttft_err.append(ttft - emu_ttft)
        itl_err.extend(abs(g - e) for g, e in zip(gaps, emu_gaps, strict=False))
    if ttft_err:
        cell.ttft_err_ms = (_ms(_pct(ttft_err, 50)), _ms(_pct(ttft_err, 99)))
    if itl_err:
        cell.itl_err_ms = (_ms(_pct(itl_err, 50)), _ms(_pct(itl_err, 99)))
    if delivery:
        cell.delivery_ms = (_ms(_pct(delivery, 50)), _ms(_pct(delivery, 99)))
    cell.notes.append(f"timings joined for {len(ttft_err)} requests")


# ------------------------------------------------------------------- main


def measure(name: str, c: int, n: int, args: argparse.Namespace, workdir: Path) -> Cell:
    cell = Cell(concurrency=c, client=name, requests=n)
    best: Cell | None = None
    for attempt in range(1, args.retries + 2):
        work = workdir / f"c{c}-{name}-{attempt}"
        work.mkdir(parents=True, exist_ok=True)
        emu = start_emulator(args.seed)
        try:
            cmd, env = client_command(name, emu.url, c, n, work)
            run = run_client(cmd, env, work, args.timeout, emu)
            log = emu.log()
        finally:
            emu.stop()
        if args.keep:
            (work / "emulator-log.json").write_text(json.dumps(log))
        cell = Cell(concurrency=c, client=name, requests=n, attempts=attempt)
        analyze(cell, run, log, work)
        if run.returncode != 0:
            cell.notes.append(f"exit {run.returncode}: {run.log_tail[-300:]!r}")
        noisy = cell.foreign_s > args.noise * max(cell.wall_s, 1.0)
        print(
            f"  C={c:<5} {name:<9} try {attempt}: {cell.tokens:,} tok, "
            f"{cell.cpu_total_s:.2f} CPU-s, delivered {_f(cell.delivered, 100, '%')}, "
            f"foreign {cell.foreign_s:.1f} CPU-s, load "
            f"{cell.load_before[0]:.2f}->{cell.load_after[0]:.2f}"
            + (" (noisy, re-running)" if noisy and attempt <= args.retries else "")
        )
        if best is None or cell.foreign_s < best.foreign_s:
            best = cell
        if not noisy:
            break
    assert best is not None
    best.attempts = cell.attempts
    return best


def _f(v: float | None, scale: float = 1.0, suffix: str = "", places: int = 1) -> str:
    return "n/a" if v is None else f"{v * scale:.{places}f}{suffix}"


def _pair(p: tuple[float | None, float | None]) -> str:
    if p[0] is None or p[1] is None:
        return "n/a"
    return f"{p[0]:.1f} / {p[1]:.1f}"


def print_table(cells: list[Cell]) -> None:
    from rich.console import Console
    from rich.table import Table

    lean = {
        x.concurrency: x.per100k_window
        for x in cells
        if x.client == "lean" and x.per100k_window
    }
    table = Table(title="Client overhead against the scripted emulator")
    for col in (
        "C",
        "client",
        "tokens",
        "tok/s (offered)",
        "CPU/100k total",
        "CPU/100k window",
        "x lean",
        "core",
        "delivered",
        "TTFT err p50/p99 ms",
        "ITL err p50/p99 ms",
        "read delay p50/p99",
        "emu late p99",
        "foreign CPU-s",
        "load 1m",
    ):
        table.add_column(col, justify="right")
    for x in cells:
        if x.skipped:
            table.add_row(str(x.concurrency), x.client, f"skipped: {x.skipped}")
            continue
        ratio = (
            x.per100k_window / lean[x.concurrency]
            if x.per100k_window and lean.get(x.concurrency)
            else None
        )
        table.add_row(
            str(x.concurrency),
            x.client,
            f"{x.tokens:,}",
            f"{x.tok_per_s:,.0f} ({x.offered_tok_per_s:,.0f})",
            _f(x.per100k_total, places=2),
            _f(x.per100k_window, places=2),
            _f(ratio, places=2),
            _f(x.core_busy, places=2),
            _f(x.delivered, 100, " %"),
            _pair(x.ttft_err_ms),
            _pair(x.itl_err_ms),
            _pair(x.delivery_ms),
            _f(x.emu_late_ms[1]),
            f"{x.foreign_s:.1f}",
            f"{x.load_before[0]:.2f}→{x.load_after[0]:.2f}" if x.load_before else "",
        )
    console = Console(width=240)
    console.print(table)
    console.print(DEFINITIONS)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    emu = sub.add_parser("emulator", help="(internal) run the scripted emulator")
    emu.add_argument("--seed", type=int, default=0)
    ours = sub.add_parser("ours", help="(internal) llm-tco's run_load + Client")
    ours.add_argument("--url", required=True)
    ours.add_argument("--concurrency", type=int, required=True)
    ours.add_argument("--requests", type=int, required=True)
    ours.add_argument("--out", required=True)
    parser.add_argument("--clients", default="ours,lean,guidellm,aiperf")
    parser.add_argument("--concurrency", nargs="+", type=int, default=[64, 256, 1024])
    parser.add_argument(
        "--cycles",
        type=int,
        default=6,
        help="requests per run = cycles x concurrency (default 6; --quick: 3)",
    )
    parser.add_argument("--quick", action="store_true", help="3 cycles, 1 try")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0, help="s per run")
    parser.add_argument("--retries", type=int, default=1, help="re-runs if noisy")
    parser.add_argument(
        "--noise",
        type=float,
        default=0.15,
        help="a run is noisy when other processes used more than this many "
        "cores on average during it",
    )
    parser.add_argument("--out", default=str(ROOT / ".cache" / "peer-overhead.json"))
    parser.add_argument("--keep", help="keep raw client outputs in this directory")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "emulator":
        return emulator_main(args)
    if args.command == "ours":
        return ours_main(args)
    clients = [c.strip() for c in args.clients.split(",") if c.strip()]
    bad = [c for c in clients if c not in ALL_CLIENTS]
    if bad:
        parser.error(f"unknown client(s) {bad}; choose from {ALL_CLIENTS}")
    if args.quick:
        args.cycles, args.retries = 3, 0
    _become_subreaper()
    # Ctrl-C and a plain kill both end in the clean-up paths below (even when
    # started in the background, where SIGINT would otherwise be ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    if len(os.sched_getaffinity(0)) < 2:
        print("note: fewer than 2 cores; emulator and client share a core")
    skipped = {t: ensure_peer(t) for t in clients if t in PEER_VERSIONS}
    cells: list[Cell] = []
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    print(f"started {started}; load average {os.getloadavg()}")
    with _workdir(args.keep) as workdir:
        try:
            for c in args.concurrency:
                for name in clients:
                    n = args.cycles * c
                    if skipped.get(name):
                        print(f"  skipping {name}: {skipped[name]}")
                        cells.append(Cell(c, name, n, skipped=str(skipped[name])))
                        continue
                    cells.append(measure(name, c, n, args, workdir))
        except KeyboardInterrupt:
            print("interrupted; printing the finished cells")
    print_table(cells)
    out = {
        "started": started,
        "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "script": {
            "ttft_ms": TTFT_MS,
            "gaps_ms": GAPS_MS,
            "tokens": TOKENS,
            "prompt_words": PROMPT_WORDS,
        },
        "args": {k: v for k, v in vars(args).items() if k != "command"},
        "cells": [asdict(x) for x in cells],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1))
    print(f"written: {args.out}")
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _workdir(keep: str | None) -> Iterator[Path]:
    if keep:
        path = Path(keep)
        path.mkdir(parents=True, exist_ok=True)
        yield path
    else:
        with tempfile.TemporaryDirectory(prefix="peer-overhead-") as tmp:
            yield Path(tmp)


if __name__ == "__main__":
    sys.exit(main())
