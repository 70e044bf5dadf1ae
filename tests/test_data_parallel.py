"""Training on two devices with Keras's DataParallel matches one device.

The test starts its own JAX child with two host devices, whatever the backend of the test run, so
it is in tasks.py's BACKEND_FREE_TESTS: a second backend would only repeat it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from shared import TESTS


PARALLEL = """
import json, sys
from course_utils.data import load_dataset
from course_utils.training.config import ExperimentConfig
from course_utils.training.experiment import run_experiment
sys.path.insert(0, sys.argv[2])
from shared import sample_slice
data = sample_slice(load_dataset("sample", progress=False), 1280, 500)
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


# XLA's in-process collectives between two fake CPU devices can deadlock: one device waits in an
# all-reduce for the other, whose program never gets a thread. XLA sizes its CPU client's thread pools
# to the machine's cores, at least one thread per device, and its source notes that a collective
# launch needs that many threads free at once; on a 2-core machine that is every thread. XLA reads the
# pool size from NPROC where it is set: the child gets 8 threads instead of 2 (counted on a 2-core
# machine). Without it the child deadlocked here in 3 of 14 runs (2 of 11 beside busy loops) and in CI
# three times in a row; with it, in none of 14 (8 of them beside four busy loops). A deadlock still
# ends after XLA's own 40-second timeout with this message, and the test starts the child again; three
# in a row fail.
DEADLOCK = "Termination timeout for `all reduce"
ATTEMPTS = 3
XLA_THREADS = "8"


def _run_child(tmp_path, attempt):
    env = {**os.environ, "KERAS_BACKEND": "jax", "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
           "TF_CPP_MIN_LOG_LEVEL": "3", "NPROC": XLA_THREADS}
    folder = tmp_path / f"attempt{attempt}"
    return subprocess.run([sys.executable, "-c", PARALLEL, str(folder), str(TESTS)], env=env, capture_output=True,
                          text=True, timeout=300)


def test_data_parallel_on_two_devices_matches_one_device(tmp_path):
    for attempt in range(1, ATTEMPTS + 1):
        done = _run_child(tmp_path, attempt)
        if done.returncode == 0 or DEADLOCK not in done.stderr:
            break
        print(f"attempt {attempt}: XLA's collective deadlocked and timed out; starting again")
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(out["devices"]) == 2
    # recorded by the run itself: a scope that did nothing would leave None here
    assert out["distribution False"] is None
    assert out["distribution True"] == {"strategy": "DataParallel", "devices": out["devices"]}
    assert abs(out["True"] - out["False"]) < 0.06, out  # one epoch of noise on 500 test images
