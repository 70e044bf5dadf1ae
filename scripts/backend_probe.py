"""Time one experiment's training steps, or each augmentation layer, on the current Keras backend.

    KERAS_BACKEND=jax python scripts/backend_probe.py augmented   # steady training speed
    KERAS_BACKEND=jax python scripts/backend_probe.py layers      # milliseconds per layer and batch

Used before a long run on a borrowed machine: it prints the device Keras will use and the steady
speed, so a run that falls back to the CPU, or a slow layer, is caught in seconds, not hours.
"""
import sys
import time

import keras
import numpy as np

from course_utils.training.augment import build_augmenter, build_stacked_augmenter
from course_utils.training.experiment import EXPERIMENTS, ScaledBatches, accelerator, build_model

STEPS, BATCH = 40, 128
rng = np.random.default_rng(0)
x = rng.integers(0, 256, size=(STEPS * BATCH, 32, 32, 3), dtype=np.uint8)  # random pixels: speed only
y = rng.integers(0, 10, size=STEPS * BATCH).astype("int64")
keras.utils.set_random_seed(0)
where = f"{keras.backend.backend():>10} on {accelerator()}"


def median_seconds(step, repeats: int) -> tuple[float, float]:
    """(first call, median of the rest): the first call includes compiling."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        timings.append(time.perf_counter() - start)
    return timings[0], float(np.median(timings[1:]))


def probe_training(name: str) -> None:
    model = build_model(EXPERIMENTS[name])
    batches = ScaledBatches(x, y, BATCH, shuffle=True, seed=0)
    first, steady = median_seconds(lambda: model.fit(batches, epochs=1, verbose=0), 3)
    print(f"{name} {where}: first pass {first:.1f} s, then {STEPS * BATCH / steady:,.0f} img/s "
          f"({steady / STEPS * 1000:.1f} ms/step)")


def probe_layers() -> None:
    batch = keras.ops.convert_to_tensor(x[:BATCH].astype("float32") / 255)
    stacked = build_stacked_augmenter(seed=0)
    for layer in [*stacked.layers, stacked, build_augmenter(seed=0)]:
        def apply(layer=layer):  # block until the result exists, so the time is the layer's
            keras.ops.convert_to_numpy(layer(batch, training=True))
        first, steady = median_seconds(apply, 11)
        print(f"{layer.name:>22} {where}: {steady * 1000:7.1f} ms per batch of {BATCH} (first {first:.1f} s)")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "augmented"
    probe_layers() if what == "layers" else probe_training(what)
