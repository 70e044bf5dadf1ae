"""How fast the course trains, against what: its own path beside plain Keras, on this machine, in one run.

    python benchmarks/benchmark.py            # deeper and augmented, TensorFlow, course and plain Keras,
                                              # in 3 interleaved pairs (--pairs N)
    python benchmarks/benchmark.py --all      # also the baseline, the JAX backend (with and without the
                                              # YNNPACK flag of course_utils/core/xla_cpu.py), the legacy generator
    python benchmarks/benchmark.py --bf16     # measure bf16 training even where this CPU does it slowly

The course's path and plain Keras take turns (course, plain, then plain, course, ...) for ``--pairs``
pairs, so a machine whose speed drifts slows both alike; each row reports the median over its pairs
and the range, and the course/plain ratio is taken pair by pair, with its median and range. On a
shared machine one pair says little: its ratio can be off by a third.
For each measurement a fresh process trains ``--epochs`` epochs on a slice of ``--images`` images
(80% fitted, 20% validated; random pixels of CIFAR-10's shape, since speed does not depend on what the
pixels show) and reports the median epoch time with the first epoch left out (it includes tracing),
images per second, and the process's peak memory. The course's path is what ``reproduce`` runs
(uint8 batches, the Rescaling layer, the epoch log and the atomic checkpoints); the plain path is
``benchmarks/plain_keras.py``: arrays divided by 255 in memory and ``model.fit``.

It first measures this machine's matrix-multiply limit in fp32 and bf16, so each training speed is
also a share of what the processor can do. bf16 training is measured only where bf16 matrix
multiplication is at least as fast as fp32 (AMX or AVX-512 BF16 units), unless ``--bf16`` asks for
it: elsewhere bf16 is emulated and far slower, and the benchmark says so instead.
Results go to ``results/benchmarks/<machine>.json`` and a plot beside it; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
sys.path.insert(0, str(ROOT / "benchmarks"))


def machine_name() -> str:
    model = platform.processor() or platform.machine()
    try:
        text = Path("/proc/cpuinfo").read_text()
        model = re.search(r"model name\s*:\s*(.+)", text).group(1)
    except (OSError, AttributeError):
        pass
    slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"\(R\)|\(TM\)|CPU|Processor|@.*", "", model, flags=re.I).lower()).strip("-")
    return f"{slug or 'cpu'}-{os.cpu_count()}cpu"


# --------------------------------------------------------------------------- measured in child processes
def _limits() -> dict:
    """This machine's speed (GFLOP/s) for a 2048 x 2048 matrix product and a 3 x 3 convolution, in fp32 and bf16.

    The matrix product is the usual "limit"; the convolution (64 to 64 channels on 32 x 32 maps, as in
    the deeper network) is what these networks spend their time on, and decides whether bf16 pays.
    """
    import keras

    def rate(make, flops):
        once = lambda: keras.ops.convert_to_numpy(keras.ops.cast(keras.ops.sum(make()), "float32"))  # noqa: E731
        once()  # warm up
        repeats, start = 0, time.perf_counter()
        while time.perf_counter() - start < 3 or repeats < 3:
            once()
            repeats += 1
        return round(flops * repeats / (time.perf_counter() - start) / 1e9, 1)

    import numpy as np

    import plain_keras

    out = {}
    for name, dtype in (("fp32", "float32"), ("bf16", "bfloat16")):
        a = keras.ops.ones((2048, 2048), dtype=dtype)
        images, kernel = keras.ops.ones((32, 32, 32, 64), dtype=dtype), keras.ops.ones((3, 3, 64, 64), dtype=dtype)
        out[name] = rate(lambda: keras.ops.matmul(a, a), 2 * 2048 ** 3)
        out[f"conv_{name}"] = rate(lambda: keras.ops.conv(images, kernel, padding="same"), 2 * 32 * 32 * 32 * 9 * 64 * 64)
        # and a few real training steps of the deeper network, forward and backward: what decides whether bf16 pays
        keras.config.set_dtype_policy("mixed_bfloat16" if name == "bf16" else "float32")
        model = plain_keras.compiled("deeper")
        x, y = np.zeros((128 * 6, 32, 32, 3), "float32"), keras.utils.to_categorical(np.zeros(128 * 6), 10)
        model.fit(x[:256], y[:256], batch_size=128, epochs=1, verbose=0)
        start = time.perf_counter()
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)
        out[f"train_{name}_images_per_second"] = round(len(x) / (time.perf_counter() - start), 1)
    keras.config.set_dtype_policy("float32")
    return out


def _flops_per_image(model) -> float:
    """Training FLOPs per image: twice the multiply-adds of the forward pass, times three (forward and back)."""
    import keras

    total = 0
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.Conv2D):
            h, w, c_out = layer.output.shape[1:]
            total += 2 * h * w * layer.kernel_size[0] * layer.kernel_size[1] * layer.input.shape[-1] * c_out
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return 3 * total


def _one(spec: dict) -> dict:
    """Train one configuration and time its epochs (runs in its own process)."""
    import tempfile

    import keras
    import numpy as np

    from course_utils.core.machine import peak_rss_mb

    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (spec["images"], 32, 32, 3), dtype=np.uint8)
    y = rng.integers(0, 10, (spec["images"], 1)).astype(np.uint8)
    ends: list[float] = []
    clock = keras.callbacks.LambdaCallback(on_epoch_end=lambda *_: ends.append(time.perf_counter()))
    start = time.perf_counter()
    if spec["path"] == "course":
        model, fit = _course(spec, x, y, tempfile.mkdtemp(), clock)
    else:
        model, fit = _plain(spec, x, y, clock)
    fit()
    times = [b - a for a, b in zip([start] + ends[:-1], ends)]
    median = statistics.median(times[1:] or times)  # of two epochs, their mean (this took the slower until 2026-11-30)
    train = int(spec["images"] * 0.8)
    return {**spec, "epoch_seconds": [round(t, 2) for t in times], "median_epoch_seconds": round(median, 2),
            "fastest_epoch_seconds": round(min(times[1:] or times), 2),
            "images_per_second": round(train / median, 1), "peak_rss_mb": peak_rss_mb(),
            "flops_per_image": _flops_per_image(model)}


def _course(spec, x, y, home, clock):
    from dataclasses import replace

    from course_utils.data import Dataset
    from course_utils.training.config import EXPERIMENTS, with_precision
    from course_utils.training.experiment import Run, build_model
    from course_utils.core.profiles import get_profile

    config = replace(with_precision(EXPERIMENTS[spec["model"]], spec["precision"]), epochs=spec["epochs"],
                     train_images=spec["images"], continues=None)
    data = Dataset(x, y, x[:100], y[:100], kind="path", source="random pixels", sha256="benchmark")
    model = build_model(config)
    run = Run(config, model, get_profile("full"), data, Path(home) / "runs", Path(home) / "results", force=True)
    return model, lambda: model.fit(run.train, validation_data=run.validation, epochs=config.epochs,
                                    callbacks=run.callbacks + [clock], verbose=0)


def _plain(spec, x, y, clock):
    import keras

    import plain_keras

    keras.config.set_dtype_policy("mixed_bfloat16" if spec["precision"] == "bf16" else "float32")
    name = "augmented" if spec["model"] == "augmented" else spec["model"]
    model = plain_keras.compiled("deeper" if spec["path"] == "legacy" else name)
    x = x.astype("float32") / 255  # the whole slice in memory, as a student's script has it
    labels = keras.utils.to_categorical(y, 10)
    if spec["path"] == "legacy":
        from course_utils.training.augment import legacy_generator

        cut = int(len(x) * 0.8)
        flow = legacy_generator().flow(x[:cut], labels[:cut], batch_size=128)
        return model, lambda: model.fit(flow, validation_data=(x[cut:], labels[cut:]), epochs=spec["epochs"],
                                        callbacks=[clock], verbose=0)
    return model, lambda: model.fit(x, labels, batch_size=128, epochs=spec["epochs"], validation_split=0.2,
                                    callbacks=[clock], verbose=0)


# "jax" runs with course_utils's YNNPACK flag (core/xla_cpu.py); "jax-xla-default" without it
XLA_DEFAULT = "jax-xla-default"


def _child(kind: str, spec: dict | None = None, backend: str = "tensorflow") -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    if backend == XLA_DEFAULT:
        env.update(KERAS_BACKEND="jax", XLA_FLAGS="--xla_cpu_experimental_ynn_fusion_type=")
    command = [sys.executable, __file__, "--child", kind] + ([json.dumps(spec)] if spec else [])
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} {spec}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'failed'}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the table, the file, the plot
def plan(args, limits: dict) -> tuple[list[dict], list[str]]:
    """The measurements to make, and notes on what is left out and why."""
    notes, precisions = [], ["fp32"]
    fp32, bf16 = limits["train_fp32_images_per_second"], limits["train_bf16_images_per_second"]
    if args.bf16 or bf16 >= fp32:
        precisions.append("bf16")
    else:
        notes.append(f"bf16 left out: six training steps of the deeper network ran at {bf16:,.0f} images/s in bf16 "
                     f"against {fp32:,.0f} in fp32 on this CPU ({fp32 / bf16:.1f} times slower: no bf16 units, so "
                     "Keras's mixed_bfloat16 is emulated); --bf16 measures it anyway")
    models = (["baseline"] if args.all else []) + ["deeper", "augmented"]
    specs = [{"model": m, "precision": p, "path": path, "backend": "tensorflow", "images": args.images,
              "epochs": args.epochs} for m in models for p in precisions for path in ("course", "plain")]
    if args.all:
        specs.append({"model": "augmented", "precision": "fp32", "path": "legacy", "backend": "tensorflow",
                      "images": args.images, "epochs": args.epochs})
        specs += [{"model": m, "precision": "fp32", "path": "course", "backend": backend, "images": args.images,
                   "epochs": args.epochs} for m in models for backend in ("jax", XLA_DEFAULT)]
    return specs, notes


def summarise(rows: list[dict]) -> list[dict]:
    """One row per configuration: the median over its pairs, the range, and the pair-by-pair ratios."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["model"], r["path"], r["precision"], r["backend"]), []).append(r)
    out = []
    for key, runs in groups.items():
        speeds = [r["images_per_second"] for r in runs]
        out.append({**runs[0], "images_per_second": statistics.median(speeds), "images_per_second_range": [min(speeds), max(speeds)],
                    "median_epoch_seconds": statistics.median(r["median_epoch_seconds"] for r in runs),
                    "peak_rss_mb": max(r["peak_rss_mb"] for r in runs), "pairs": len(runs)})
    for row in out:
        if row["path"] == "course":
            plain = groups.get((row["model"], "plain", row["precision"], "tensorflow"), [])
            course = groups[(row["model"], "course", row["precision"], row["backend"])]
            ratios = [c["images_per_second"] / p["images_per_second"] for c, p in zip(course, plain)]
            if ratios:
                row["course_over_plain"] = {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
                                            "pairs": len(ratios)}
    return out


def interleaved(specs: list[dict], pairs: int) -> list[dict]:
    """The course and plain measurements of each configuration in turn, the order swapped every other
    pair (course, plain, plain, course, ...); the other measurements once, at the end."""
    paired = [s for s in specs if s["path"] in ("course", "plain") and s["backend"] == "tensorflow"]
    order = []
    for i in range(pairs):
        for s in paired[::2]:
            twin = next(t for t in paired if t is not s and t["model"] == s["model"] and t["precision"] == s["precision"])
            order += [s, twin] if i % 2 == 0 else [twin, s]
    return order + [s for s in specs if not any(s is p for p in paired)]


def table(rows: list[dict], limits: dict) -> str:
    lines = [f"{'model':10} {'path':7} {'precision':9} {'backend':15} {'epoch s':>8} {'images/s (range)':>20} "
             f"{'course/plain (range)':>22} {'GFLOP/s':>8} {'of limit':>8} {'peak RSS':>9}"]
    for r in rows:
        gflops = r["images_per_second"] * r["flops_per_image"] / 1e9
        low, high = r.get("images_per_second_range", [r["images_per_second"]] * 2)
        ratio = r.get("course_over_plain")
        ratio = f"{ratio['median']:.2f}x ({ratio['min']:.2f}-{ratio['max']:.2f})" if ratio else ""
        lines.append(f"{r['model']:10} {r['path']:7} {r['precision']:9} {r['backend']:15} "
                     f"{r['median_epoch_seconds']:8.1f} {r['images_per_second']:7.0f} ({low:.0f}-{high:.0f}) "
                     f"{ratio:>22} {gflops:8.1f} {gflops / limits[r['precision']]:8.1%} {r['peak_rss_mb'] / 1024:8.2f}G")
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r['model']}\n{r['path']} {r['precision']}" + ("" if r["backend"] == "tensorflow" else f"\n{r['backend']}")
              for r in rows]
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(rows)), 4), dpi=110)
    bars = ax.bar(range(len(rows)), [r["images_per_second"] for r in rows],
                  color=["tab:blue" if r["path"] == "course" else "tab:grey" for r in rows])
    ax.bar_label(bars, labels=[f"{r['images_per_second']:.0f}" for r in rows], fontsize=8)
    ax.set_xticks(range(len(rows)), labels, fontsize=8)
    ax.set_ylabel("training images per second (median epoch)")
    ax.set_title(f"Training speed on {machine_name()}: the course (blue) and plain Keras (grey)")
    fig.tight_layout()
    fig.savefig(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=6_400, help="images in the slice (default 6,400)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per measurement; the first is left out")
    parser.add_argument("--pairs", type=int, default=3, help="course/plain pairs, taken in turn (default 3)")
    parser.add_argument("--all", action="store_true", help="add the baseline, JAX and the legacy generator")
    parser.add_argument("--bf16", action="store_true", help="measure bf16 training even if this CPU lacks bf16 units")
    parser.add_argument("--out", default=str(ROOT / "results" / "benchmarks"), help="where the JSON and plot go")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_limits() if args.child[0] == "limits" else _one(json.loads(args.child[1]))))
        return 0
    started = time.perf_counter()
    print(f"{machine_name()}: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"{args.images:,} images, {args.epochs} epochs per measurement", flush=True)
    limits = _child("limits")
    print(f"matrix multiply limit: {limits['fp32']:,.0f} GFLOP/s in fp32, {limits['bf16']:,.0f} in bf16; 3x3 convolution: "
          f"{limits['conv_fp32']:,.0f} in fp32, {limits['conv_bf16']:,.0f} in bf16; deeper-network training steps: "
          f"{limits['train_fp32_images_per_second']:,.0f} images/s in fp32, "
          f"{limits['train_bf16_images_per_second']:,.0f} in bf16", flush=True)
    specs, notes = plan(args, limits)
    measured = []
    for spec in interleaved(specs, args.pairs):
        measured.append(_child("one", spec, spec["backend"]))
        print(f"  {spec['model']} {spec['path']} {spec['precision']} {spec['backend']}: "
              f"{measured[-1]['images_per_second']:.0f} images/s", flush=True)
    rows = summarise(measured)
    print("\n" + table(rows, limits))
    for note in notes:
        print(f"note: {note}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    record = {"machine": machine_name(), "cpus": os.cpu_count(), "platform": platform.platform(terse=True),
              "date": time.strftime("%Y-%m-%d"), "limits_gflops": limits, "notes": notes, "pairs": args.pairs,
              "summary": rows, "measurements": measured,
              "load_average_after": round(os.getloadavg()[0], 2), "seconds": round(time.perf_counter() - started)}
    (out / f"{machine_name()}.json").write_text(json.dumps(record, indent=1) + "\n")
    plot(rows, out / f"{machine_name()}.png")
    print(f"\nwritten to {out / machine_name()}.json and .png in {record['seconds']} s; "
          f"load average now {record['load_average_after']:.2f} (a busy machine slows every row)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
