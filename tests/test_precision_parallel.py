"""A bf16 precision for runs, and training on several devices with Keras's own DataParallel."""
from __future__ import annotations

import json
import os
import subprocess
import sys

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


PARALLEL = """
import json, sys
from course_utils.data import Dataset, load_dataset
from course_utils.training.config import ExperimentConfig
from course_utils.training.experiment import run_experiment
s = load_dataset("sample", progress=False)
data = Dataset(s.x_train[:1280], s.y_train[:1280], s.x_test[:500], s.y_test[:500], kind="sample",
               source="slice", sha256="slice-" + s.sha256)
out = {}
for parallel in (False, True):
    config = ExperimentConfig("dp" if parallel else "single", model="baseline", epochs=2, train_images=1280, batch_size=64)
    r = run_experiment(config, profile="quick", data=data, runs_dir=sys.argv[1] + "/runs", results_dir=sys.argv[1] + "/r",
                       verbose=0, data_parallel=parallel).results
    out[str(parallel)] = r["test_accuracy"]
import keras
out["devices"] = keras.distribution.list_devices()
print(json.dumps(out))
"""


def test_data_parallel_on_two_devices_matches_one_device(tmp_path):
    env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", PARALLEL, str(tmp_path)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(out["devices"]) == 2
    assert abs(out["True"] - out["False"]) < 0.06, out  # one epoch of noise on 500 test images


def test_data_parallel_needs_jax_and_two_devices(monkeypatch):
    from course_utils.training.experiment import data_parallel_scope

    if keras.backend.backend() == "jax" and len(keras.distribution.list_devices()) > 1:
        pytest.skip("this process has several JAX devices")
    with pytest.raises(ValueError, match="needs the JAX backend and two or more devices"):
        data_parallel_scope(True)
