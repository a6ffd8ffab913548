"""Will a model fit on N GPUs, and how many jobs of a given length run at once?"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field

from llm_tco.catalog import Gpu, Model
from llm_tco.errors import InputError
from llm_tco.sizing import kv
from llm_tco.sizing.memory import (
    BYTES_PER_GIB,
    Reserve,
    default_max_num_seqs,
    gib_to_gb,
    kv_budget_gib,
    reserve_for,
    visible_memory_gib,
    weight_gb,
    weights_per_gpu_gib,
)

logger = logging.getLogger(__name__)

# The article's job: ~4,000 input + ~1,500 output tokens (§1.1).
DEFAULT_SEQ_TOKENS = 4000 + 1500
# The article's --max-model-len on both cards (§2.4).
DEFAULT_MAX_MODEL_LEN = 32768
DEFAULT_GPU_MEMORY_UTILIZATION = 0.90
# Tensor parallelism sized here: beyond this, vLLM needs pipeline parallelism.
MAX_GPUS = 64
GPUS_PER_NODE = 8

FITS = "fits"
WEIGHTS_DO_NOT_FIT = "weights_do_not_fit"
NO_ROOM_FOR_KV = "no_room_for_kv"
MAX_MODEL_LEN_DOES_NOT_FIT = "max_model_len_does_not_fit"
KV_UNKNOWN = "kv_unknown"


@dataclass(frozen=True)
class FitSpec:
    """One question: this model on ``gpus`` of this card, with these settings.

    ``None`` means vLLM's (or the article's) default.
    """

    model: Model
    gpu: Gpu
    gpus: int = 1
    gpu_memory_utilization: float = DEFAULT_GPU_MEMORY_UTILIZATION
    max_model_len: int | None = None
    kv_cache_dtype: str = "auto"
    seq_tokens: int = DEFAULT_SEQ_TOKENS
    max_num_seqs: int | None = None
    quantization: str | None = None
    block_tokens: int = kv.DEFAULT_BLOCK_TOKENS


@dataclass(frozen=True)
class FitResult:
    """The answer, per GPU unless the name says total."""

    model_id: str
    gpu_id: str
    gpus: int
    gpu_memory_utilization: float
    max_model_len: int
    kv_cache_dtype: str
    seq_tokens: int
    max_num_seqs: int
    quantization: str
    gpu_memory_gib: float
    weights_total_gb: float
    weights_per_gpu_gib: float
    reserve: Reserve
    kv_budget_gib: float
    kv_bytes_per_token: int | None
    naive_kv_bytes_per_token: int | None
    fixed_kv_bytes_per_sequence: int | None
    sequence_kv_bytes: int | None
    kv_capacity_tokens: int | None
    max_sequences_by_kv: int | None
    verdict: str
    reason: str
    notes: list[str] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return self.verdict == FITS

    @property
    def kv_budget_gb(self) -> float:
        return gib_to_gb(self.kv_budget_gib)

    @property
    def parallel_sequences(self) -> int:
        """Jobs of ``seq_tokens`` running at once: KV room or scheduler cap."""
        if not self.fits or self.max_sequences_by_kv is None:
            return 0
        return min(self.max_sequences_by_kv, self.max_num_seqs)


def resolve_max_model_len(model: Model, max_model_len: int | None) -> int:
    context = _context_tokens(model)
    if max_model_len is None:
        return min(DEFAULT_MAX_MODEL_LEN, context)
    if max_model_len < 1:
        raise InputError(f"--max-model-len {max_model_len}: must be 1 or more")
    if max_model_len > context:
        raise InputError(
            f"--max-model-len {max_model_len}: {model.name} supports at most "
            f"{context} tokens; lower it"
        )
    return max_model_len


def _context_tokens(model: Model) -> int:
    if model.arch is not None:
        return model.arch.max_context_tokens
    return model.context_tokens


def tensor_parallel_ok(model: Model, gpus: int) -> bool:
    """Whether vLLM accepts ``gpus`` as the tensor parallel size of ``model``:
    it must divide the attention heads, and divide the KV heads (or, with
    fewer KV heads than GPUs, be a multiple of them: vLLM replicates them)."""
    arch = model.arch
    if arch is None:
        return True
    if arch.attention_heads > 0 and arch.attention_heads % gpus:
        return False
    kv_heads = arch.kv_heads
    if kv_heads <= 0:
        return True
    return kv_heads % gpus == 0 if kv_heads >= gpus else gpus % kv_heads == 0


def valid_tensor_parallel_sizes(model: Model, limit: int = MAX_GPUS) -> list[int]:
    """Every tensor parallel size from 1 to ``limit`` vLLM accepts for ``model``."""
    return [n for n in range(1, limit + 1) if tensor_parallel_ok(model, n)]


def validate_gpus(model: Model, gpus: int) -> None:
    """InputError unless vLLM could run ``model`` with tensor parallel ``gpus``."""
    if gpus < 1:
        raise InputError(f"--gpus {gpus}: must be 1 or more")
    if gpus > MAX_GPUS:
        raise InputError(
            f"--gpus {gpus}: at most {MAX_GPUS} GPUs of tensor parallelism are "
            "sized here; more needs pipeline parallelism across nodes, which this "
            "sizing does not model"
        )
    if tensor_parallel_ok(model, gpus):
        return
    arch = model.arch
    assert arch is not None  # tensor_parallel_ok is True without one
    heads = f"{arch.attention_heads} attention heads"
    if arch.kv_heads > 0 and arch.latent_kv_dim == 0:
        heads += f" (and divide, or be a multiple of, its {arch.kv_heads} KV heads)"
    raise InputError(
        f"--gpus {gpus}: vLLM needs the tensor parallel size to divide "
        f"{model.name}'s {heads}; use {_choices(model)}"
    )


def _choices(model: Model) -> str:
    sizes = valid_tensor_parallel_sizes(model)
    one_node = [n for n in sizes if n <= GPUS_PER_NODE]
    more = [n for n in sizes if n > GPUS_PER_NODE]
    text = _or_list(one_node)
    if more:
        text += f" (or {_or_list(more)} across nodes)"
    return text


def _or_list(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def validate(spec: FitSpec) -> None:
    """InputError naming the bad value and the fix."""
    validate_gpus(spec.model, spec.gpus)
    util = spec.gpu_memory_utilization
    if not 0 < util <= 1:
        raise InputError(
            f"--gpu-memory-utilization {util}: must be above 0 and at most 1, e.g. 0.90"
        )
    if spec.seq_tokens < 1:
        raise InputError(f"--seq-len {spec.seq_tokens}: must be 1 or more tokens")
    if spec.max_num_seqs is not None and spec.max_num_seqs < 1:
        raise InputError(f"--max-num-seqs {spec.max_num_seqs}: must be 1 or more")
    max_len = resolve_max_model_len(spec.model, spec.max_model_len)
    if spec.seq_tokens > max_len:
        raise InputError(
            f"--seq-len {spec.seq_tokens} is longer than --max-model-len {max_len}; "
            "raise --max-model-len or shorten the jobs"
        )


def evaluate_fit(spec: FitSpec) -> FitResult:
    """Weights, reserve, KV budget and capacity for ``spec``, and the verdict."""
    validate(spec)
    model, gpu, arch = spec.model, spec.gpu, spec.model.arch
    max_len = resolve_max_model_len(model, spec.max_model_len)
    kv_dtype = kv.resolve_kv_dtype(arch, spec.kv_cache_dtype)
    dtype_bytes = kv.kv_dtype_bytes(kv_dtype)
    max_num_seqs = spec.max_num_seqs or default_max_num_seqs(gpu)
    total_gb = weight_gb(model, spec.quantization)
    memory_gib = visible_memory_gib(gpu)
    weights_gib = weights_per_gpu_gib(total_gb, spec.gpus)
    reserve = reserve_for(arch.vocab_size if arch else 0, max_num_seqs, spec.gpus)
    budget_gib = kv_budget_gib(
        memory_gib, spec.gpu_memory_utilization, weights_gib, reserve.total_gib
    )
    budget_bytes = int(budget_gib * BYTES_PER_GIB)
    notes = _notes(spec, kv_dtype)
    unsized = FitResult(
        model_id=model.id,
        gpu_id=gpu.id,
        gpus=spec.gpus,
        gpu_memory_utilization=spec.gpu_memory_utilization,
        max_model_len=max_len,
        kv_cache_dtype=kv_dtype,
        seq_tokens=spec.seq_tokens,
        max_num_seqs=max_num_seqs,
        quantization=spec.quantization or model.quantization,
        gpu_memory_gib=memory_gib,
        weights_total_gb=total_gb,
        weights_per_gpu_gib=weights_gib,
        reserve=reserve,
        kv_budget_gib=budget_gib,
        kv_bytes_per_token=None,
        naive_kv_bytes_per_token=None,
        fixed_kv_bytes_per_sequence=None,
        sequence_kv_bytes=None,
        kv_capacity_tokens=None,
        max_sequences_by_kv=None,
        verdict=KV_UNKNOWN,
        reason=f"no architecture for {model.name} in the catalog; add "
        f"[models.{model.id}.arch] to size its KV cache",
        notes=notes,
    )
    if arch is None:
        return unsized
    capacity = kv.kv_capacity(
        arch,
        budget_bytes,
        spec.seq_tokens,
        dtype_bytes,
        gpus=spec.gpus,
        block_tokens=spec.block_tokens,
    )
    longest = kv.sequence_kv_bytes(
        arch, max_len, dtype_bytes, spec.gpus, spec.block_tokens
    )
    verdict, reason = _verdict(spec, weights_gib, memory_gib, budget_bytes, longest)
    logger.debug("%s on %d x %s: %s", model.id, spec.gpus, gpu.id, verdict)
    return dataclasses.replace(
        unsized,
        kv_bytes_per_token=capacity.kv_bytes_per_token,
        naive_kv_bytes_per_token=kv.naive_kv_bytes_per_token(
            arch, dtype_bytes, spec.gpus
        ),
        fixed_kv_bytes_per_sequence=capacity.fixed_bytes_per_sequence,
        sequence_kv_bytes=capacity.sequence_bytes,
        kv_capacity_tokens=capacity.capacity_tokens,
        max_sequences_by_kv=capacity.max_sequences,
        verdict=verdict,
        reason=reason,
    )


def _verdict(
    spec: FitSpec,
    weights_gib: float,
    memory_gib: float,
    budget_bytes: int,
    longest_sequence_bytes: int,
) -> tuple[str, str]:
    usable_gib = memory_gib * spec.gpu_memory_utilization
    where = f"{spec.gpus} x {spec.gpu.name}"
    if weights_gib > usable_gib:
        return WEIGHTS_DO_NOT_FIT, (
            f"weights need {weights_gib:.1f} GiB per GPU but {where} at "
            f"{spec.gpu_memory_utilization:.2f} offers {usable_gib:.1f} GiB"
        )
    if budget_bytes <= 0:
        return NO_ROOM_FOR_KV, (
            f"weights and the runtime reserve leave no KV cache on {where}"
        )
    if longest_sequence_bytes > budget_bytes:
        return MAX_MODEL_LEN_DOES_NOT_FIT, (
            "one sequence of --max-model-len "
            f"{resolve_max_model_len(spec.model, spec.max_model_len)} needs "
            f"{longest_sequence_bytes / BYTES_PER_GIB:.2f} GiB of KV per GPU, "
            f"more than the {budget_bytes / BYTES_PER_GIB:.2f} GiB left; "
            "vLLM would refuse to start"
        )
    return FITS, f"fits on {where}"


def _notes(spec: FitSpec, kv_dtype: str) -> list[str]:
    arch = spec.model.arch
    notes: list[str] = []
    if (
        arch is not None
        and arch.kv_cache_dtype
        and spec.kv_cache_dtype
        not in (
            "auto",
            arch.kv_cache_dtype,
        )
    ):
        notes.append(
            f"{spec.model.name} forces a {kv_dtype} KV cache; "
            f"--kv-cache-dtype {spec.kv_cache_dtype} was overridden"
        )
    if arch is not None and arch.estimate:
        notes.append(
            f"{spec.model.name}'s architecture facts are partly estimates "
            "(see the catalog notes)"
        )
    if spec.gpus > 1:
        notes.append(
            "non-torch memory with tensor parallelism (NCCL buffers) is an estimate"
        )
    return notes
