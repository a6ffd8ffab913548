"""GPU memory as vLLM splits it: weights, a reserve, and the rest for KV cache.

Units are in the names. Model files are in GB (10^9 bytes); vLLM reports GiB
(2^30 bytes). A GPU's marketing "80 GB" of HBM is in practice binary: an H100
shows 79.18 GiB to vLLM (sizing doc §3.3), so the vendor figure is read as GiB
less a small driver share.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from llm_tco.catalog import Gpu, Model
from llm_tco.errors import InputError

logger = logging.getLogger(__name__)

BYTES_PER_GB = 10**9
BYTES_PER_GIB = 2**30

# H100 "80 GB" -> 79.18 GiB visible to vLLM (llm-d empirical table, §3.3).
VISIBLE_FRACTION_OF_VENDOR_GB = 79.18 / 80

# vLLM's profile run samples max_num_seqs dummy requests over the whole
# vocabulary; the activation peak it measures fits 38.9 B x seqs x vocab for
# Llama-3.1-8B (4.76 GiB), Qwen3-32B (5.64 GiB) and gpt-oss (7.38 GiB), all at
# 1,024 seqs on an H100 (sizing doc §3.3). 39 B rounds that up.
ACTIVATION_BYTES_PER_SEQ_VOCAB = 39
# Used when a model has no vocab size in the catalog: llm-d's MoE constant.
ACTIVATION_GIB_UNKNOWN_VOCAB = 7.38
# CUDA context and other non-torch memory, one GPU (llm-d table, §3.3).
NON_TORCH_GIB_SINGLE_GPU = 0.13
# ESTIMATE: NCCL and custom all-reduce buffers with tensor parallelism.
NON_TORCH_GIB_TENSOR_PARALLEL = 0.75
# CUDA-graph memory vLLM >= 0.21 subtracts up front: 1.03 GiB for gpt-oss-120b
# on an H100 (§3.3); used for every model as an estimate.
CUDA_GRAPH_GIB = 1.03

# vLLM's default max_num_seqs for `vllm serve`: 1,024 on cards with >= 70 GiB
# (except A100), else 256.
LARGE_CARD_GIB = 70.0
MAX_NUM_SEQS_LARGE_CARD = 1024
MAX_NUM_SEQS_SMALL_CARD = 256


def gb_to_gib(size_gb: float) -> float:
    return size_gb * BYTES_PER_GB / BYTES_PER_GIB


def gib_to_gb(size_gib: float) -> float:
    return size_gib * BYTES_PER_GIB / BYTES_PER_GB


def visible_memory_gib(gpu: Gpu) -> float:
    """Memory one GPU shows to vLLM, in GiB."""
    return gpu.memory_gb * VISIBLE_FRACTION_OF_VENDOR_GB


def default_max_num_seqs(gpu: Gpu) -> int:
    """vLLM's default scheduler cap on running sequences for this card."""
    large = visible_memory_gib(gpu) >= LARGE_CARD_GIB and "a100" not in gpu.id
    return MAX_NUM_SEQS_LARGE_CARD if large else MAX_NUM_SEQS_SMALL_CARD


def quantizations(model: Model) -> list[str]:
    """The quantisations the catalog knows a weight size for."""
    names = [model.quantization]
    if model.arch is not None:
        names += [w.quantization for w in model.arch.weights]
    return list(dict.fromkeys(names))


def weight_gb(model: Model, quantization: str | None = None) -> float:
    """The checkpoint size in GB for ``quantization`` (default: the catalog's)."""
    wanted = (quantization or model.quantization).lower()
    if model.arch is not None:
        for weights in model.arch.weights:
            if weights.quantization.lower() == wanted:
                return weights.weight_gb
    if model.quantization.lower() == wanted:
        return model.weight_gb
    raise InputError(
        f"--quantization {quantization!r}: no weight size known for {model.name}; "
        f"use one of {', '.join(quantizations(model))}"
    )


def weights_per_gpu_gib(total_weight_gb: float, gpus: int) -> float:
    """Weights held by each GPU when tensor parallelism splits them evenly."""
    return gb_to_gib(total_weight_gb) / gpus


@dataclass(frozen=True)
class Reserve:
    """Memory vLLM keeps out of the KV cache on each GPU, in GiB."""

    activation_gib: float
    non_torch_gib: float
    cuda_graph_gib: float

    @property
    def total_gib(self) -> float:
        return self.activation_gib + self.non_torch_gib + self.cuda_graph_gib


def reserve_for(
    vocab_size: int, max_num_seqs: int, gpus: int, *, cuda_graphs: bool = True
) -> Reserve:
    """The per-GPU reserve: profiled activation peak, non-torch, CUDA graphs."""
    if vocab_size > 0:
        activation_bytes = ACTIVATION_BYTES_PER_SEQ_VOCAB * max_num_seqs * vocab_size
        activation_gib = activation_bytes / BYTES_PER_GIB
    else:
        activation_gib = ACTIVATION_GIB_UNKNOWN_VOCAB
    non_torch = NON_TORCH_GIB_SINGLE_GPU if gpus == 1 else NON_TORCH_GIB_TENSOR_PARALLEL
    graphs = CUDA_GRAPH_GIB if cuda_graphs else 0.0
    return Reserve(activation_gib, non_torch, graphs)


def kv_budget_gib(
    gpu_memory_gib: float,
    gpu_memory_utilization: float,
    weights_gib: float,
    reserve_gib: float,
) -> float:
    """KV cache per GPU = memory x utilization - weights - reserve (may be < 0)."""
    budget = gpu_memory_gib * gpu_memory_utilization - weights_gib - reserve_gib
    logger.debug(
        "kv budget %.2f GiB = %.2f x %.2f - %.2f - %.2f",
        budget,
        gpu_memory_gib,
        gpu_memory_utilization,
        weights_gib,
        reserve_gib,
    )
    return budget
