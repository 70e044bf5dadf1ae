"""Training on two devices with Keras's DataParallel matches one device.

The test starts its own JAX child with two host devices, whatever the backend of the test run, so
it is in tasks.py's BACKEND_FREE_TESTS: a second backend would only repeat it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys


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
    out["distribution " + str(parallel)] = r["distribution"]
import keras
out["devices"] = keras.distribution.list_devices()
print(json.dumps(out))
"""


def test_data_parallel_on_two_devices_matches_one_device(tmp_path):
    # Two fake devices on a busy 2-core machine can wait their turn for longer than XLA's 40 s before
    # it aborts a collective (seen once with other tests running): give them 10 minutes.
    flags = "--xla_force_host_platform_device_count=2 --xla_cpu_collective_call_terminate_timeout_seconds=600"
    env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": flags,
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", PARALLEL, str(tmp_path)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(out["devices"]) == 2
    # recorded by the run itself: a scope that did nothing would leave None here
    assert out["distribution False"] is None
    assert out["distribution True"] == {"strategy": "DataParallel", "devices": out["devices"]}
    assert abs(out["True"] - out["False"]) < 0.06, out  # one epoch of noise on 500 test images
