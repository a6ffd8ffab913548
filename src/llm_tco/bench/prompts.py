"""Request bodies: random prompts of an exact length, or real ones from JSONL.

Exact input length, in the server's own tokens: with ``/tokenize`` and
``/detokenize`` (llama.cpp, vLLM) a prompt is cut to the target in token ids,
decoded, and re-encoded until the count is exact (at most 10 rounds). The
tokens the server adds itself (BOS, a chat template) are measured once with a
probe request and subtracted. Without those endpoints the prompt length is
calibrated from the probe's ``usage`` (tokens per word) and the measured
lengths are reported instead. Every prompt starts with a unique marker so a
prefix cache cannot serve it, unless ``shared_prefix`` puts the marker last.

Exact output length: ``ignore_eos`` + ``min_tokens`` + ``max_tokens`` (llama.cpp
honours the first, llama-cpp-python the second, vLLM both); the server's usage
is then compared with what was asked (:func:`check_lengths`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_tco.bench.client import Client
from llm_tco.bench.records import Failure, Job, RequestRecord, TokenSource
from llm_tco.errors import InputError, RunError

logger = logging.getLogger(__name__)

_MAX_ROUNDS = 10
_TOKENIZE_PARALLEL = 8

# Plain words; the text is nonsense on purpose, the length is what matters.
_WORD_TEXT = """time year people way day man thing woman life child world school state
    family student group country problem hand part place case week company
    system program question work government number night point home water room
    mother area money story fact month lot right study book eye job word
    business issue side kind head house service friend father power hour game
    line end member law car city community name president team minute idea kid
    body information back parent face others level office door health person
    art war history party result change morning reason research girl guy moment
    air teacher force education foot boy age policy music market sense nation
    plan college interest death experience effect class control care field
    development role effort rate heart drug show leader light voice wife police
    mind price report decision son view relationship town road arm difference
    value building action model season society tax director position player
    record paper space ground form event official matter center couple site
    project activity star table need court oil situation cost industry figure
    street image phone data picture practice piece land product doctor wall
    patient worker news test movie north love support technology step baby
    computer type attention film tree source organization hair window evidence
    population truth song"""
WORDS = tuple(_WORD_TEXT.split())


@dataclass(frozen=True)
class PromptSpec:
    """What to generate."""

    model: str
    chat: bool
    input_len: int
    output_len: int
    seed: int = 0
    shared_prefix: bool = False
    extra_body: tuple[tuple[str, Any], ...] = ()


@dataclass
class Calibration:
    """How the prompt lengths were made exact (or not)."""

    method: str  # "tokenize" | "calibrated"
    added_tokens: int = 0  # tokens the server adds to a prompt (BOS, template)
    tokens_per_word: float | None = None
    not_exact: int = 0  # prompts the tokenize loop could not make exact
    notes: list[str] = field(default_factory=list)


def make_body(
    spec: PromptSpec,
    prompt: str | list[dict[str, Any]],
    max_tokens: int | None,
    force_length: bool,
) -> bytes:
    """The JSON body of one streamed request."""
    body: dict[str, Any] = {
        "model": spec.model,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if spec.chat:
        body["messages"] = (
            prompt
            if isinstance(prompt, list)
            else [{"role": "user", "content": prompt}]
        )
    else:
        body["prompt"] = prompt
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
        if spec.chat:
            body["max_completion_tokens"] = max_tokens
        if force_length:
            body["ignore_eos"] = True
            body["min_tokens"] = max_tokens
    body.update(dict(spec.extra_body))
    return json.dumps(body, separators=(",", ":")).encode()


class PromptMaker:
    """Makes exact-length random jobs against one server."""

    def __init__(self, client: Client, spec: PromptSpec) -> None:
        self.client = client
        self.spec = spec
        self.calibration: Calibration | None = None
        self._corpus_ids: list[int] = []

    async def calibrate(self) -> Calibration:
        """Probe the server once; RunError if it cannot be reached at all."""
        rng = random.Random(self.spec.seed ^ 0x5EED)
        probe_text = f"probe {rng.getrandbits(48):012x}: " + _words(rng, 64)
        probe_ids = await self.client.tokenize(probe_text)
        detok = await self.client.detokenize(probe_ids[:4]) if probe_ids else None
        record = await self._probe(probe_text)
        if probe_ids is not None and detok is not None:
            added = 0
            if record.input_source is TokenSource.USAGE and record.input_tokens:
                added = record.input_tokens - len(probe_ids)
            calibration = Calibration("tokenize", added_tokens=added)
            corpus_text = _words(
                random.Random(self.spec.seed), self.spec.input_len + 64
            )
            self._corpus_ids = await self.client.tokenize(corpus_text) or []
        else:
            per_word = None
            if record.input_source is TokenSource.USAGE and record.input_tokens:
                per_word = record.input_tokens / len(probe_text.split())
            calibration = Calibration("calibrated", tokens_per_word=per_word)
            calibration.notes.append(
                "the server has no /tokenize and /detokenize: prompt lengths are "
                "estimated"
                + (f" at {per_word:.3f} tokens/word" if per_word else "")
                + "; see the measured lengths"
            )
        self.calibration = calibration
        logger.info("prompt lengths: %s", calibration)
        return calibration

    async def _probe(self, text: str) -> RequestRecord:
        body = make_body(self.spec, text, 1, force_length=False)
        record = await self.client.request(Job(body=body, index=-1))
        if record.failure is Failure.CONNECT:
            raise RunError(
                f"cannot reach {self.client.config.url} ({record.detail}); is the "
                "server running and --base-url right?"
            )
        if not record.ok:
            logger.warning("probe request failed: %s %s", record.failure, record.detail)
        return record

    async def jobs(self, tag: str, count: int, first_index: int = 0) -> list[Job]:
        """``count`` unique jobs; ``tag`` (e.g. the level) keeps levels apart."""
        calibration = self.calibration or await self.calibrate()
        rng = random.Random(f"{self.spec.seed}-{tag}")
        markers = [f"[{tag}-{i} {rng.getrandbits(40):010x}]" for i in range(count)]
        offsets = [rng.randrange(0, 64) for _ in range(count)]
        semaphore = asyncio.Semaphore(_TOKENIZE_PARALLEL)

        async def one(i: int) -> Job:
            async with semaphore:
                if calibration.method == "tokenize":
                    text = await self._exact_text(markers[i], offsets[i])
                else:
                    text = self._estimated_text(markers[i], rng_for(i))
            body = make_body(self.spec, text, self.spec.output_len, force_length=True)
            return Job(body, self.spec.input_len, self.spec.output_len, first_index + i)

        def rng_for(i: int) -> random.Random:
            return random.Random(f"{self.spec.seed}-{tag}-{i}")

        return list(await asyncio.gather(*(one(i) for i in range(count))))

    def _estimated_text(self, marker: str, rng: random.Random) -> str:
        assert self.calibration is not None
        per_word = self.calibration.tokens_per_word or 1.3
        words = max(1, round(self.spec.input_len / per_word) - len(marker.split()))
        return self._join(marker, _words(rng, words))

    def _join(self, marker: str, body: str) -> str:
        return f"{body} {marker}" if self.spec.shared_prefix else f"{marker} {body}"

    async def _exact_text(self, marker: str, offset: int) -> str:
        assert self.calibration is not None
        target = self.spec.input_len - self.calibration.added_tokens
        marker_ids = await self.client.tokenize(marker + " ") or []
        corpus = self._corpus_ids[offset:]
        want = max(target - len(marker_ids), 1)
        body_ids = corpus[:want]
        text = ""
        for _ in range(_MAX_ROUNDS):
            body = await self.client.detokenize(body_ids) or ""
            text = self._join(marker, body.strip())
            got = len(await self.client.tokenize(text) or [])
            if got == target:
                return text
            want += target - got
            if want < 1 or want > len(corpus):
                break
            body_ids = corpus[:want]
        self.calibration.not_exact += 1
        return text


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


# ------------------------------------------------------------------ datasets


@dataclass(frozen=True)
class DatasetLine:
    prompt: str | list[dict[str, Any]]
    max_tokens: int | None


def read_dataset(path: Path) -> list[DatasetLine]:
    """Jobs from a JSONL file: ``prompt`` or ``messages``, optional ``max_tokens``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(
            f"--dataset-path {path}: {exc.strerror}; pass a readable file"
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"--dataset-path {path} is not UTF-8 text (byte {exc.start}); pass a "
            "JSONL file, one JSON object a line"
        ) from None
    out = [
        _dataset_line(path, n, line) for n, line in enumerate(lines, 1) if line.strip()
    ]
    if not out:
        raise InputError(
            f"--dataset-path {path} has no job; add one JSON object a line"
        )
    return out


def _dataset_line(path: Path, number: int, line: str) -> DatasetLine:
    where = f"{path}:{number}"
    try:
        obj = json.loads(line)
    except ValueError:
        raise InputError(f"{where} is not JSON; write one JSON object a line") from None
    if not isinstance(obj, dict):
        raise InputError(f'{where} is not a JSON object; use {{"prompt": "..."}}')
    max_tokens = obj.get("max_tokens")
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise InputError(f"{where}: max_tokens must be a positive integer")
    if isinstance(obj.get("prompt"), str):
        return DatasetLine(obj["prompt"], max_tokens)
    messages = obj.get("messages")
    if (
        isinstance(messages, list)
        and messages
        and all(
            isinstance(m, dict) and "role" in m and "content" in m for m in messages
        )
    ):
        return DatasetLine(messages, max_tokens)
    raise InputError(
        f'{where} needs "prompt" (a string) or "messages" (a list of '
        '{"role", "content"})'
    )


def dataset_jobs(
    lines: Sequence[DatasetLine],
    spec: PromptSpec,
    count: int,
    first_index: int = 0,
    offset: int = 0,
) -> list[Job]:
    """``count`` jobs cycling through ``lines`` from ``offset``; the output is
    not forced (real prompts may stop on their own)."""
    jobs: list[Job] = []
    for i in range(count):
        line = lines[(offset + i) % len(lines)]
        if isinstance(line.prompt, list) and not spec.chat:
            raise InputError(
                'the dataset has "messages" lines; use --endpoint /v1/chat/completions'
            )
        max_tokens = line.max_tokens or spec.output_len
        body = make_body(spec, line.prompt, max_tokens, force_length=False)
        jobs.append(Job(body, None, None, first_index + i))
    return jobs


# ------------------------------------------------------------- length check


@dataclass(frozen=True)
class LengthCheck:
    """The server's usage against what was asked, over successful requests."""

    checked: int
    input_mismatch: int
    input_min: int | None
    input_max: int | None
    output_short: int
    output_long: int
    output_min: int | None
    output_max: int | None
    no_usage: int

    def messages(self, input_len: int, output_len: int) -> list[str]:
        out: list[str] = []
        if self.input_mismatch:
            out.append(
                f"{self.input_mismatch}/{self.checked} prompts were not {input_len} "
                f"tokens by the server's usage "
                f"(range {self.input_min}–{self.input_max})"
            )
        if self.output_short:
            out.append(
                f"{self.output_short}/{self.checked} outputs were shorter than "
                f"{output_len} tokens (shortest {self.output_min}); the server may "
                "ignore ignore_eos/min_tokens"
            )
        if self.output_long:
            out.append(
                f"{self.output_long}/{self.checked} outputs were longer than "
                f"{output_len} tokens (longest {self.output_max})"
            )
        if self.no_usage:
            out.append(f"{self.no_usage} requests had no usage from the server")
        return out

    def as_dict(self) -> dict[str, int | None]:
        return dict(self.__dict__)


def check_lengths(records: Sequence[RequestRecord]) -> LengthCheck:
    ok = [r for r in records if r.ok and r.requested_output_tokens is not None]
    with_usage = [r for r in ok if r.output_source is TokenSource.USAGE]
    inputs = [
        r.input_tokens
        for r in with_usage
        if r.input_source is TokenSource.USAGE and r.input_tokens is not None
    ]
    bad_in = [
        r
        for r in with_usage
        if r.input_source is TokenSource.USAGE
        and r.requested_input_tokens is not None
        and r.input_tokens != r.requested_input_tokens
    ]
    outputs = [r.output_tokens for r in with_usage if r.output_tokens is not None]
    short = [
        r
        for r in with_usage
        if (r.output_tokens or 0) < (r.requested_output_tokens or 0)
    ]
    long = [
        r
        for r in with_usage
        if (r.output_tokens or 0) > (r.requested_output_tokens or 0)
    ]
    return LengthCheck(
        checked=len(with_usage),
        input_mismatch=len(bad_in),
        input_min=min(inputs, default=None),
        input_max=max(inputs, default=None),
        output_short=len(short),
        output_long=len(long),
        output_min=min(outputs, default=None),
        output_max=max(outputs, default=None),
        no_usage=len(ok) - len(with_usage),
    )
