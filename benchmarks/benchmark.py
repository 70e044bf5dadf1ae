"""Training speed of the series' models on this machine, side by side, printed as one table.

    python benchmarks/benchmark.py                  # 10 batches of 128 per measurement, 3 repeats
    python benchmarks/benchmark.py --batches 20     # steadier, about twice as long

The default run takes about 5 minutes on an idle 2-core CPU (most of it the deeper network and XLA).

What it measures (training images per second, median over the repeats):

- the baseline and the deeper network, as ``run_experiment`` compiles them;
- augmentation on the deeper network, three ways: the series' one-warp layer (``RandomWarp``, one
  resampling per image), Keras's stacked ``RandomFlip``/``RandomRotation``/``RandomTranslation``/
  ``RandomZoom`` layers (three resamplings), both inside the model, and the legacy
  ``ImageDataGenerator.flow`` feeding ``model.fit`` (``course_utils.training.augment.legacy_generator``), with
  the slowdown each adds to a plain deeper epoch;
- XLA on against off (``jit_compile``) for both networks, on TensorFlow;
- the peak resident memory of the process (``course_utils.training.experiment.peak_rss_mb``).

Each measurement is one ``model.fit`` call; its speed is taken between the ends of its first and
last batches, so start-up costs (tracing, the data pipeline) are left out and a speed is what an
epoch of 313 batches would sustain. The measurements of one repeat are interleaved (A, B, C, ...
then again), so a background job that speeds up or slows down affects all of them alike; the load
average printed before and after says whether something else was running. Inputs are random arrays of the CIFAR-10 shape: speed does not
depend on the pixel values. It prints to stdout only and writes no files.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from course_utils.notebook import quiet_logs  # noqa: E402

quiet_logs()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from course_utils.training.augment import build_stacked_augmenter, legacy_generator  # noqa: E402
from course_utils.training.experiment import EXPERIMENTS, build_model, library_versions, peak_rss_mb  # noqa: E402
from course_utils.training.models import build_baseline, build_deeper, compile_like_original  # noqa: E402


def compiled(name: str, jit_compile) -> keras.Model:
    """The network ``name`` compiled like the experiments but with ``jit_compile`` set explicitly."""
    model = {"baseline": build_baseline, "deeper": build_deeper}[name]()
    model.compile(optimizer=keras.optimizers.RMSprop(), loss="categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=jit_compile)
    return model


def stacked_augmented() -> keras.Model:
    """The deeper network behind Keras's four stacked random layers (the original settings)."""
    inner = build_deeper()
    model = keras.Sequential([keras.Input(shape=inner.input_shape[1:]), build_stacked_augmenter(0), inner])
    return compile_like_original(model)


class BatchClock(keras.callbacks.Callback):
    """Records when each training batch ends."""

    def on_train_begin(self, logs=None):
        self.ends = []

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append(time.perf_counter())

    def images_per_second(self, batch_size: int) -> float:
        return (len(self.ends) - 1) * batch_size / (self.ends[-1] - self.ends[0])


def array_runner(model: keras.Model, x, y, batch_size: int):
    """Train ``model`` on the first ``batches`` batches of in-memory arrays; return images/s."""
    def run(batches: int) -> float:
        clock, n = BatchClock(), batches * batch_size
        model.fit(x[:n], y[:n], batch_size=batch_size, epochs=1, shuffle=False, verbose=0, callbacks=[clock])
        return clock.images_per_second(batch_size)
    return run


def legacy_runner(model: keras.Model, x, y, batch_size: int):
    """Train ``model`` on batches the legacy generator augments on the CPU, as the original did."""
    flow = legacy_generator().flow(x, y, batch_size=batch_size, shuffle=True, seed=0)

    def run(batches: int) -> float:
        clock = BatchClock()
        model.fit(flow, steps_per_epoch=batches, epochs=1, verbose=0, callbacks=[clock])
        return clock.images_per_second(batch_size)
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=10, help="training batches per measurement (default 10)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats; the median is reported (default 3)")
    parser.add_argument("--batch-size", type=int, default=128, help="images per batch, as in the experiments")
    parser.add_argument("--no-xla", action="store_true", help="skip the XLA on/off comparison")
    args = parser.parse_args(argv)
    if args.batches < 3:
        parser.error("--batches must be at least 3: the speed is taken between the first and last batch")

    tensorflow = keras.backend.backend() == "tensorflow"
    versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
    print(f"{versions}\n{platform.platform(terse=True)}, {os.cpu_count()} CPUs, "
          f"load average before {os.getloadavg()[0]:.2f}")
    print(f"{args.batches} batches of {args.batch_size} images per measurement, median of {args.repeats} repeats\n",
          flush=True)

    rng = np.random.default_rng(0)
    n = args.batches * args.batch_size
    x = rng.random((n, 32, 32, 3), dtype=np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 10, n), 10)
    bs = args.batch_size
    # The experiments' own compilation (XLA off on TensorFlow, see models.compile_like_original).
    runners = {
        "baseline": array_runner(build_model(EXPERIMENTS["baseline"]), x, y, bs),
        "deeper": array_runner(build_model(EXPERIMENTS["deeper"]), x, y, bs),
        "deeper + one-warp layer": array_runner(build_model(EXPERIMENTS["augmented"]), x, y, bs),
        "deeper + stacked Keras layers": array_runner(stacked_augmented(), x, y, bs),
        "deeper + legacy ImageDataGenerator.flow": legacy_runner(build_model(EXPERIMENTS["deeper"]), x, y, bs),
    }
    if tensorflow and not args.no_xla:  # XLA off is what the rows above use on TensorFlow
        for name in ("baseline", "deeper"):
            runners[f"{name}, XLA on"] = array_runner(compiled(name, True), x, y, bs)

    warm_start = time.perf_counter()
    for run in runners.values():  # trace the train step (and compile it, with XLA) before timing
        run(3)
    print(f"warm-up (tracing, XLA compilation): {time.perf_counter() - warm_start:.0f} s, "
          f"peak RSS so far {peak_rss_mb():,.0f} MB", flush=True)

    speeds: dict[str, list[float]] = {name: [] for name in runners}
    for repeat in range(args.repeats):
        for name, run in runners.items():
            speeds[name].append(run(args.batches))
        print(f"repeat {repeat + 1}/{args.repeats} done", flush=True)
    speed = {name: statistics.median(s) for name, s in speeds.items()}
    spread = {name: (max(s) - min(s)) / statistics.median(s) for name, s in speeds.items()}

    plain = speed["deeper"]
    print(f"\n{'measurement':42} {'images/s':>9} {'spread':>7}  comparison")
    for name in runners:
        note = ""
        if name == "baseline":
            note = f"{speed['baseline'] / plain:.2f}x the deeper network"
        elif name.startswith("deeper +"):
            note = f"{speed[name] / plain:.2f}x plain deeper; epoch {plain / speed[name] * 100 - 100:+.0f}% time"
        elif name.endswith("XLA on"):
            off = speed[name.split(",")[0]]
            note = f"XLA on / off = {speed[name] / off:.2f}x"
        print(f"{name:42} {speed[name]:9.0f} {spread[name]:6.0%}  {note}")
    one, stacked = speed["deeper + one-warp layer"], speed["deeper + stacked Keras layers"]
    legacy = speed["deeper + legacy ImageDataGenerator.flow"]
    print(f"\none-warp layer / stacked layers: {one / stacked:.2f}x the images per second; "
          f"one-warp layer / legacy generator: {one / legacy:.2f}x")
    print(f"peak RSS of this process: {peak_rss_mb():,.0f} MB; load average after {os.getloadavg()[0]:.2f}")
    print("spread = (fastest - slowest) / median of the repeats; a large spread means a noisy machine.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
