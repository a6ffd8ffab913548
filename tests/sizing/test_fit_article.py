"""The sizing model against the article's numbers and the sizing doc's anchors.

Tolerances: the article's "~20 GB" of KV on the RTX PRO 6000 and "~25 GB" on the
A6000 are rounded back-of-envelope figures (96 x 0.90 - 65 = 21.4 GB; 48 - 21 -
~2 GB), so the model must land within 15% of them.
"""

from __future__ import annotations

import pytest

from llm_tco.catalog import Catalog, load_catalog
from llm_tco.sizing import (
    FitSpec,
    check_fit,
    evaluate_fit,
    kv_bytes_per_token,
    naive_kv_bytes_per_token,
    sequence_kv_bytes,
)

ARTICLE_TOLERANCE = 0.15
JOB_TOKENS = 4000 + 1500


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _fit(catalog: Catalog, model: str, gpu: str, **kw: object) -> FitSpec:
    return FitSpec(catalog.models.get(model), catalog.gpus.get(gpu), **kw)


def test_gpt_oss_120b_on_rtx_pro_6000_leaves_about_20_gb_of_kv(
    catalog: Catalog,
) -> None:
    result = evaluate_fit(_fit(catalog, "gpt-oss-120b", "RTX PRO 6000"))
    assert result.fits
    assert result.kv_budget_gb == pytest.approx(20, rel=ARTICLE_TOLERANCE)


def test_gpt_oss_120b_on_rtx_pro_6000_saturates_between_64_and_128_jobs(
    catalog: Catalog,
) -> None:
    """The article saw this card stop scaling between 64 and 128 parallel jobs."""
    result = evaluate_fit(
        _fit(catalog, "gpt-oss-120b", "RTX PRO 6000", seq_tokens=JOB_TOKENS)
    )
    assert 64 <= result.parallel_sequences <= 128


def test_gpt_oss_120b_on_mi300x_holds_at_least_512_jobs(catalog: Catalog) -> None:
    """The article runs the MI300X with --max-num-seqs 512 at 0.92."""
    result = evaluate_fit(
        _fit(catalog, "openai/gpt-oss-120b", "AMD MI300X", gpu_memory_utilization=0.92)
    )
    assert result.max_sequences_by_kv is not None
    assert result.max_sequences_by_kv >= 512


def test_qwen36_awq_on_a6000_has_21_gb_weights_and_about_25_gb_kv(
    catalog: Catalog,
) -> None:
    """The article does not give the utilisation; ~25 GB free after 21 GB of
    weights on a 48 GB card means nearly all of it, i.e. 0.95."""
    result = evaluate_fit(
        _fit(catalog, "Qwen3.6-35b-a3b", "A6000", gpu_memory_utilization=0.95)
    )
    assert result.quantization == "AWQ-INT4"
    assert result.weights_total_gb == pytest.approx(21, rel=0.10)
    assert result.kv_budget_gb == pytest.approx(25, rel=ARTICLE_TOLERANCE)


def test_sliding_window_layers_count_their_window_not_the_context(
    catalog: Catalog,
) -> None:
    arch = catalog.models.get("gpt-oss-120b").arch
    assert arch is not None
    # 18 full layers x 2 x 8 KV heads x 64 x 2 bytes (sizing doc §3.4).
    assert kv_bytes_per_token(arch, 2) == 36_864
    assert naive_kv_bytes_per_token(arch, 2) == 73_728
    per_job = sequence_kv_bytes(arch, JOB_TOKENS, 2)
    counted_fully = 73_728 * JOB_TOKENS
    # Sliding layers add at most (window + a block) x 18 x 2,048 B per job.
    assert per_job < 36_864 * (JOB_TOKENS + 16) + 18 * 2_048 * (128 + 32)
    assert per_job < 0.6 * counted_fully


def test_a_longer_job_costs_only_full_layer_bytes_per_extra_token(
    catalog: Catalog,
) -> None:
    arch = catalog.models.get("gpt-oss-120b").arch
    assert arch is not None
    extra = sequence_kv_bytes(arch, 32_768, 2) - sequence_kv_bytes(arch, 16_384, 2)
    assert extra == 36_864 * 16_384


def test_linear_attention_state_is_fixed_per_sequence(catalog: Catalog) -> None:
    arch = catalog.models.get("qwen3.6-35b-a3b").arch
    assert arch is not None
    assert kv_bytes_per_token(arch, 2) == 20_480  # 10 x 2 x 2 x 256 x 2
    gdn_state = 30 * 2_146_304
    assert sequence_kv_bytes(arch, 16, 2) == gdn_state + 16 * 20_480


def test_qwen3_uses_config_head_dim_not_hidden_over_heads(catalog: Catalog) -> None:
    arch = catalog.models.get("Qwen3-30B-A3B").arch
    assert arch is not None
    assert kv_bytes_per_token(arch, 2) == 98_304
    assert kv_bytes_per_token(arch, 1) == 49_152  # fp8


def test_tensor_parallel_splits_weights_and_kv_heads(catalog: Catalog) -> None:
    one = evaluate_fit(_fit(catalog, "gpt-oss-120b", "H100"))
    two = evaluate_fit(_fit(catalog, "gpt-oss-120b", "H100", gpus=2))
    assert two.weights_per_gpu_gib == pytest.approx(one.weights_per_gpu_gib / 2)
    assert two.kv_bytes_per_token == one.kv_bytes_per_token // 2
    assert two.parallel_sequences > 4 * one.parallel_sequences


def test_gpt_oss_20b_on_h100_matches_vllms_logged_kv_within_1_gib(
    catalog: Catalog,
) -> None:
    """llm-d's table: 50.28 GiB of KV at 0.90 (vLLM 0.11, no CUDA-graph
    subtraction, so our graph reserve is added back for the comparison)."""
    result = evaluate_fit(_fit(catalog, "gpt-oss-20b", "H100"))
    without_graphs = result.kv_budget_gib + result.reserve.cuda_graph_gib
    assert without_graphs == pytest.approx(50.28, abs=1.0)


def test_fp8_kv_cache_halves_bytes_per_token(catalog: Catalog) -> None:
    bf16 = evaluate_fit(_fit(catalog, "gpt-oss-120b", "RTX PRO 6000"))
    fp8 = evaluate_fit(
        _fit(catalog, "gpt-oss-120b", "RTX PRO 6000", kv_cache_dtype="fp8")
    )
    assert fp8.kv_bytes_per_token * 2 == bf16.kv_bytes_per_token
    assert fp8.kv_cache_dtype == "fp8"


def test_model_that_does_not_fit_gets_suggestions(catalog: Catalog) -> None:
    report = check_fit(_fit(catalog, "DeepSeek-V4-Pro", "H100"), list(catalog.gpus))
    assert not report.result.fits
    assert report.result.verdict == "weights_do_not_fit"
    kinds = {s.kind for s in report.suggestions}
    assert {"tensor_parallel", "bigger_gpu"} <= kinds
    assert all(s.parallel_sequences > 0 for s in report.suggestions)


def test_too_long_max_model_len_suggests_a_shorter_one(catalog: Catalog) -> None:
    report = check_fit(
        _fit(catalog, "gpt-oss-120b", "H100", max_model_len=131_072),
        list(catalog.gpus),
    )
    assert report.result.verdict == "max_model_len_does_not_fit"
    shorter = [s for s in report.suggestions if s.kind == "max_model_len"]
    assert shorter
    assert shorter[0].parallel_sequences >= 1


def test_deepseek_v4_flash_fits_one_b200_with_forced_fp8(catalog: Catalog) -> None:
    """Article §5.2: the Flash checkpoint barely fits one B200."""
    result = evaluate_fit(_fit(catalog, "DSv4-Flash", "B200"))
    assert result.fits
    assert result.kv_cache_dtype == "fp8"
    assert result.kv_budget_gb < 0.25 * 180
