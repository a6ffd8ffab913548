"""Reading benchmark results: ours and ``vllm bench serve --save-result``'s,
in old and new key shapes, into a :class:`~llm_tco.sweep.Sweep`."""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from llm_tco.errors import InputError
from llm_tco.sweep import Level, Sweep

logger = logging.getLogger(__name__)

_STAT_KEY = re.compile(r"^(mean|median|std|p\d+(?:\.\d+)?)_(ttft|tpot|itl|e2el)_ms$")
# Keys only a result file has: a JSON with one of them is read as a result.
_RESULT_MARKERS = ("total_token_throughput", "max_concurrency")
_CONCURRENCY_IN_NAME = re.compile(
    r"(?:concurrency|users|conc|parallel)[_-]?(\d+)", re.I
)


@dataclass(frozen=True)
class LevelFile:
    """One result file read back: the level, its model and date, and what
    had to be guessed."""

    path: Path
    level: Level
    model: str | None
    date: str
    notes: tuple[str, ...]


def read_result_file(path: Path) -> LevelFile:
    """One per-level result file; InputError if it is not a usable result."""
    raw = _load_json(path)
    if not _is_result(raw):
        raise InputError(
            f"{path} is not a benchmark result (no 'completed'/'duration'); pass a "
            "file written by 'vllm bench serve --save-result' or 'llm-tco bench'"
        )
    return _parse_level(path, raw)


def read_result_dir(path: Path) -> Sweep:
    """Every level file in ``path`` (not recursive) as one sweep.

    A JSON that is no result at all (no result key) is skipped with a log
    line; one that looks like a result but holds a bad value is an error
    naming the file, the key and the value: never silently left out.
    """
    if not path.is_dir():
        raise InputError(f"{path} is not a directory; pass the --result-dir of a run")
    by_concurrency: dict[int, LevelFile] = {}
    problems: list[str] = []
    skipped: list[str] = []
    for file in sorted(path.glob("*.json")):
        try:
            raw = _load_json(file)
            if not _is_result(raw):
                logger.info("skipping %s: not a per-level result file", file.name)
                skipped.append(file.name)
                continue
            level_file = _parse_level(file, raw)
        except InputError as exc:
            problems.append(str(exc))
            continue
        conc = level_file.level.concurrency
        previous = by_concurrency.get(conc)
        if previous is not None:
            keep = max(previous, level_file, key=lambda lf: (lf.date, lf.path.name))
            logger.warning(
                "two results at concurrency %d (%s, %s); keeping the newer %s",
                conc,
                previous.path.name,
                file.name,
                keep.path.name,
            )
            level_file = keep
        by_concurrency[conc] = level_file
    if len(problems) == 1:
        raise InputError(problems[0])
    if problems:
        raise InputError(
            f"{len(problems)} result files in {path} are bad: " + " | ".join(problems)
        )
    files = [by_concurrency[c] for c in sorted(by_concurrency)]
    if not any(lf.level.total_tokens_per_s > 0 for lf in files):
        raise InputError(
            f"{path} holds no usable level (no result file with total tokens/s above "
            f"0{_skipped_note(skipped)}); run 'llm-tco bench --result-dir DIR' or "
            "point at a vllm result dir"
        )
    notes = [note for lf in files for note in lf.notes]
    for note in notes:
        logger.info("%s", note)
    models = sorted({lf.model for lf in files if lf.model})
    model = models[0] if len(models) == 1 else None
    return Sweep(
        id=path.name,
        label=f"{model or 'mixed models'} ({path.name})",
        levels=tuple(lf.level for lf in files),
        model=model,
        source=str(path),
        as_of=_iso_date(max(lf.date for lf in files)),
        notes="; ".join(notes),
    )


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise InputError(
            f"{path} is not valid JSON ({exc}); fix or remove the file"
        ) from None


def _skipped_note(skipped: list[str]) -> str:
    if not skipped:
        return ""
    names = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
    return f"; skipped as not results: {names}"


def _is_result(raw: Any) -> bool:
    """Whether ``raw`` looks like a per-level result (and so must parse)."""
    if not isinstance(raw, dict):
        return False
    return ("completed" in raw and "duration" in raw) or any(
        key in raw for key in _RESULT_MARKERS
    )


def _parse_level(path: Path, raw: dict[str, Any]) -> LevelFile:
    reader = _Fields(path, raw)
    ours = raw.get("llm_tco")
    settings: dict[str, Any] = {}
    if isinstance(ours, dict) and isinstance(ours.get("settings"), dict):
        settings = ours["settings"]
    notes: list[str] = []
    duration_s = reader.number("duration", required=True) or 0.0
    completed = reader.integer("completed", required=True)
    concurrency = _concurrency(path, raw, settings, notes)
    total = reader.number("total_token_throughput")
    if total is None:
        inputs = reader.integer("total_input_tokens")
        outputs = reader.integer("total_output_tokens")
        if inputs is None or outputs is None or duration_s <= 0:
            raise InputError(
                f"{path} has no total_token_throughput nor token totals; fix or "
                "remove the file"
            )
        total = (inputs + outputs) / duration_s
        notes.append(f"{path.name}: total tokens/s computed from token totals")
    failed = reader.integer("failed")
    num_prompts = reader.integer("num_prompts")
    if "failed" not in raw and num_prompts is not None and completed is not None:
        failed = max(num_prompts - completed, 0)
        notes.append(
            f"{path.name}: no 'failed' key (old format); num_prompts − completed"
        )
    goodput_key = "request_goodput" if "request_goodput" in raw else "request_goodput:"
    stats = reader.stats()
    level = Level(
        concurrency=concurrency,
        total_tokens_per_s=total,
        output_tokens_per_s=reader.number("output_throughput"),
        request_throughput_per_s=reader.number("request_throughput"),
        completed=completed,
        failed=failed,
        ttft_ms=stats.get("ttft", {}),
        tpot_ms=stats.get("tpot", {}),
        itl_ms=stats.get("itl", {}),
        e2el_ms=stats.get("e2el", {}),
        goodput_per_s=reader.number(goodput_key),
        input_len=_mean_len(reader, settings, "random_input_len", "total_input_tokens"),
        output_len=_mean_len(
            reader, settings, "random_output_len", "total_output_tokens"
        ),
    )
    model = raw.get("model_id")
    return LevelFile(
        path=path,
        level=level,
        model=str(model) if model else None,
        date=str(raw.get("date") or ""),
        notes=tuple(notes),
    )


def _concurrency(
    path: Path, raw: dict[str, Any], settings: dict[str, Any], notes: list[str]
) -> int:
    value = raw.get("max_concurrency")
    if _is_int(value) and value > 0:
        return int(value)
    if value is not None:
        raise InputError(
            f"{path}: max_concurrency {_short(value)} is not a positive integer; "
            "fix the file"
        )
    ours = settings.get("max_concurrency")
    if _is_int(ours) and ours > 0:
        notes.append(f"{path.name}: concurrency {ours} from the llm_tco block")
        return int(ours)
    match = _CONCURRENCY_IN_NAME.search(path.stem)
    if match:
        notes.append(
            f"{path.name}: max_concurrency null; concurrency {match[1]} "
            "from the filename"
        )
        return int(match[1])
    prompts = raw.get("num_prompts")
    if (
        raw.get("request_rate") in ("inf", math.inf)
        and _is_int(prompts)
        and prompts > 0
    ):
        notes.append(
            f"{path.name}: max_concurrency null and rate inf; all {prompts} at once"
        )
        return int(prompts)
    raise InputError(
        f"{path}: max_concurrency is null and the filename names no concurrency; "
        "rename it to include e.g. 'concurrency8' or set max_concurrency"
    )


def _mean_len(
    reader: _Fields, settings: dict[str, Any], key: str, total_key: str
) -> int | None:
    asked = settings.get(key)
    if _is_int(asked):
        return int(asked)
    total = reader.integer(total_key)
    completed = reader.integer("completed")
    if total is None or not completed:
        return None
    return round(total / completed)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


class _Fields:
    """Typed access to one raw result, with one-line errors naming the key."""

    def __init__(self, path: Path, raw: dict[str, Any]) -> None:
        self.path = path
        self.raw = raw

    def number(self, key: str, required: bool = False) -> float | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise InputError(
                    f"{self.path}: '{key}' is missing; fix or remove the file"
                )
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(
                f"{self.path}: '{key}' is {_short(value)}, not a number; "
                "fix or remove the file"
            )
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number) or number < 0:
            raise InputError(
                f"{self.path}: '{key}' is {_short(value)}, not a finite number "
                "≥ 0; fix or remove the file"
            )
        return number

    def integer(self, key: str, required: bool = False) -> int | None:
        value = self.number(key, required)
        return None if value is None else round(value)

    def stats(self) -> dict[str, dict[str, float | None]]:
        out: dict[str, dict[str, float | None]] = {}
        for key in self.raw:
            match = _STAT_KEY.match(key)
            if match:
                out.setdefault(match[2], {})[match[1]] = self.number(key)
        return out


def _iso_date(stamp: str) -> str:
    """``20251201-101010`` (how vLLM and we stamp results) -> ``2025-12-01``."""
    digits = stamp[:8]
    if len(digits) == 8 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return stamp
