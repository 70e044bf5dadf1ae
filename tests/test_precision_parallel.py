"""A bf16 precision for runs, and the data-parallel option refused where it cannot work (the two-device
training itself is tested in test_data_parallel.py)."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils.training.config import EXPERIMENTS, with_precision
from course_utils.training.experiment import build_model
from course_utils.training.records import network_fingerprint


def test_bf16_computes_in_bfloat16_but_keeps_a_float32_softmax():
    config = with_precision(EXPERIMENTS["deeper"], "bf16")
    assert (config.name, config.precision) == ("deeper_bf16", "bf16")
    model = build_model(config)
    assert model.get_layer("conv1a").compute_dtype == "bfloat16"
    assert model.get_layer("conv1a").variable_dtype == "float32"
    assert model.get_layer("classes").compute_dtype == "float32"
    out = model(np.zeros((2, 32, 32, 3), "float32"))
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    assert keras.config.dtype_policy().name == "float32"  # the global policy is left as it was
    assert network_fingerprint(model) != network_fingerprint(build_model(EXPERIMENTS["deeper"]))


def test_a_continued_run_continues_the_same_precision():
    config = with_precision(EXPERIMENTS["augmented_40"], "bf16")
    assert config.continues == "augmented_bf16" and config.name == "augmented_40_bf16"
    with pytest.raises(ValueError, match="unknown precision"):
        with_precision(EXPERIMENTS["deeper"], "fp8")


def test_data_parallel_needs_jax_and_two_devices(monkeypatch):
    from course_utils.training.experiment import data_parallel_scope

    if keras.backend.backend() == "jax" and len(keras.distribution.list_devices()) > 1:
        pytest.skip("this process has several JAX devices")
    with pytest.raises(ValueError, match="needs the JAX backend and two or more devices"):
        data_parallel_scope(True)
