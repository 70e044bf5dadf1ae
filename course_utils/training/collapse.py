"""The original augmented run, step by step: how a trained network ends at 10% and a loss of ln 10.

What the student notebook did (``../shared/seeds/000_*.txt``), and what :func:`run_collapse` repeats:

1. its first cell trained the one-block baseline on ``x / 255`` for 20 epochs (RMSprop, batches of
   128, 20% held out for validation) and scored it on ``x_test / 255``;
2. the augmentation cell reloaded CIFAR-10, so training *and* test images were raw 0-255 pixels, and
   went on training the same compiled model (same RMSprop state) on randomly warped raw images with
   the original ``ImageDataGenerator`` settings: 20 epochs of ``samples_per_epoch=50000``, which Keras 2
   turned into 50,000 // 128 = 390 batches, on all 50,000 training images, with no validation;
3. it scored the result on the raw test images: loss 2.3024, accuracy 0.1001.

``start="untrained"`` skips step 1 (the saved notebook cannot prove that its first cell ran).
While step 2 runs, a probe records what happens inside the network: the loss of each of the first
50 batches, and at chosen steps the share of ReLU units that are zero for every image of a fixed
batch, the size of the pre-activations and of the logits, and the weights' norms and change.
Everything goes into ``results/<profile>/<name>.json``; a killed run resumes from its last epoch.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np

from ..core.atomic import atomic_path, write_json_atomic
from .augment import build_augmenter, settings_for
from ..data.loading import Dataset, load_dataset
from ..data.formats import CLASS_NAMES
from .experiment import (RESULTS_DIR, RUNS_DIR, ScaledBatches, accelerator, library_versions, peak_rss_mb,
                         run_lock, split_like_keras)
from .models import build_baseline, compile_like_original
from ..core.profiles import Profile, get_profile

PROBE_STEPS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300)
PROBED_LAYERS = ("conv1", "dense", "classes")


@dataclass(frozen=True)
class CollapseConfig:
    """One reproduction of the original augmented run; equal configs and data make the same run."""

    name: str
    start: str = "trained"             # "trained": step 1 first; "untrained": a freshly compiled baseline
    first_epochs: int | None = None     # step 1; None: the profile's epochs (20 in full)
    continue_epochs: int | None = None  # step 2; None: the profile's epochs
    batch_size: int = 128
    validation_split: float = 0.2
    settings: str = "original"
    seed: int = 42
    probe_images: int = 256
    logged_steps: int = 50


COLLAPSE_DEMOS = {
    "collapse_from_trained": CollapseConfig("collapse_from_trained", start="trained"),
    "collapse_from_untrained": CollapseConfig("collapse_from_untrained", start="untrained"),
}


def collapse_config(name: str | CollapseConfig, profile: Profile) -> CollapseConfig:
    """``name``'s config with the epochs of ``profile`` filled in."""
    config = COLLAPSE_DEMOS[name] if isinstance(name, str) else name
    if config.start not in ("trained", "untrained"):
        raise ValueError(f"start must be 'trained' or 'untrained', not {config.start!r}")
    first = 0 if config.start == "untrained" else (config.first_epochs or profile.epochs)
    return replace(config, first_epochs=first, continue_epochs=config.continue_epochs or profile.epochs)


class RawAugmentedBatches(keras.utils.PyDataset):
    """What ``datagen.flow(X_train, Y_train, batch_size=128)`` fed the original: raw pixels, warped.

    ``steps`` batches per epoch, drawn from a new shuffle of all images each epoch; each batch is
    warped by the one-warp layer with the given settings (the old generator's transform), and never
    divided by 255.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int, steps: int, settings: str, seed: int):
        super().__init__()
        self.x, self.y, self.batch_size, self.steps = x, y, batch_size, steps
        self.rng = np.random.default_rng(seed)
        self.augmenter = build_augmenter(settings, seed=seed)
        self.order = self.rng.permutation(len(x))

    def __len__(self) -> int:
        return self.steps

    def __getitem__(self, index: int):
        rows = np.sort(self.order[index * self.batch_size:(index + 1) * self.batch_size])
        images = keras.ops.convert_to_numpy(self.augmenter(self.x[rows].astype("float32"), training=True))
        return images, keras.utils.to_categorical(self.y[rows], len(CLASS_NAMES))

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.x))


def _rms(a) -> float:
    return float(np.sqrt(np.mean(np.square(a))))


class Probe:
    """What the network computes on one fixed batch, and how its weights moved since a reference."""

    def __init__(self, model: keras.Model, images: np.ndarray, labels: np.ndarray):
        self.model, self.images, self.labels = model, images, labels.ravel()
        self.features = keras.Model(model.inputs[0], [model.get_layer(n).output for n in ("conv1", "flatten", "dense")])
        self.reference = self.weights()

    def weights(self) -> dict[str, list[np.ndarray]]:
        return {name: [keras.ops.convert_to_numpy(w) for w in self.model.get_layer(name).weights]
                for name in PROBED_LAYERS}

    def measure(self, scale: float = 1.0) -> dict:
        """Internals on ``images * scale`` (1.0: raw pixels, 1/255: the scaled pixels of step 1)."""
        x = self.images.astype("float32") * scale
        conv_out, flat, dense_out = (keras.ops.convert_to_numpy(t) for t in self.features(x, training=False))
        weights = self.weights()
        (k1, b1), (kd, bd), (kc, bc) = (weights[n] for n in PROBED_LAYERS)
        conv_pre = keras.ops.convert_to_numpy(keras.ops.conv(x, k1, padding="same")) + b1
        dense_pre = flat @ kd + bd
        logits = dense_out @ kc + bc
        shifted = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        loss = float(np.mean(-np.log(np.maximum(p[np.arange(len(p)), self.labels], 1e-7))))
        predicted = logits.argmax(axis=1)
        return {
            "probe_loss": round(loss, 4),
            "probe_accuracy": round(float(np.mean(predicted == self.labels)), 4),
            "top_answer_share": round(float(np.bincount(predicted, minlength=10).max() / len(predicted)), 4),
            "conv1_dead_filters": round(float(np.mean((conv_out <= 0).all(axis=(0, 1, 2)))), 4),
            "conv1_dead_units": round(float(np.mean((conv_out <= 0).all(axis=0))), 4),
            "conv1_preactivation_rms": round(_rms(conv_pre), 3),
            "dense_dead_units": round(float(np.mean((dense_out <= 0).all(axis=0))), 4),
            "dense_active_per_image": round(float(np.mean((dense_out > 0).sum(axis=1))), 2),
            "dense_preactivation_rms": round(_rms(dense_pre), 3),
            "logit_range": round(float(np.mean(logits.max(axis=1) - logits.min(axis=1))), 3),
            "logit_spread_across_images": round(float(np.mean(logits.std(axis=0))), 5),
            "probability_spread_across_images": round(float(np.mean(p.std(axis=0))), 6),
            "weights": {name: {"kernel_norm": round(float(np.linalg.norm(w[0])), 4),
                               "bias_norm": round(float(np.linalg.norm(w[1])), 4),
                               "bias_mean": round(float(np.mean(w[1])), 5),
                               "kernel_rms_change": round(_rms(w[0] - self.reference[name][0]), 6),
                               "bias_rms_change": round(_rms(w[1] - self.reference[name][1]), 6)}
                        for name, w in weights.items()},
        }


class StepRecorder(keras.callbacks.Callback):
    """Per-batch losses of the first steps, and probes at :data:`PROBE_STEPS` and each epoch's end."""

    def __init__(self, probe: Probe, state: dict, steps_per_epoch: int, logged_steps: int):
        super().__init__()
        self.probe, self.state, self.steps, self.logged = probe, state, steps_per_epoch, logged_steps

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.previous_mean = epoch, 0.0

    def on_train_batch_end(self, batch, logs=None):
        step = self.epoch * self.steps + batch + 1
        mean = float(logs["loss"])  # Keras reports the running mean over the epoch's batches so far
        if step <= self.logged:
            # Every batch has the same size, so batch k's own loss is k * mean_k - (k - 1) * mean_{k-1}.
            self.state["step_losses"].append(round((batch + 1) * mean - batch * self.previous_mean, 4))
        self.previous_mean = mean
        if step in PROBE_STEPS:
            self.state["probes"].append({"step": step, "epoch": self.epoch + 1, **self.probe.measure()})

    def on_epoch_end(self, epoch, logs=None):
        step = (epoch + 1) * self.steps
        if step not in PROBE_STEPS:
            self.state["probes"].append({"step": step, "epoch": epoch + 1, **self.probe.measure()})


def _history_row(epoch: int, logs: dict, seconds: float, images: int) -> dict:
    return {"epoch": epoch, **{k: float(v) for k, v in logs.items()}, "seconds": round(seconds, 3),
            "images_per_second": round(images / seconds, 1)}


def run_collapse(demo: str | CollapseConfig = "collapse_from_trained", *, profile: str | Profile | None = None,
                 data: Dataset | None = None, runs_dir: Path = RUNS_DIR, results_dir: Path = RESULTS_DIR,
                 force: bool = False, verbose: int | str = 0) -> dict:
    """Run (or resume, or reuse) one reproduction of the original augmented run; return its results."""
    profile = profile if isinstance(profile, Profile) else get_profile(profile)
    config = collapse_config(demo, profile)
    data = data if data is not None else load_dataset(profile=profile.name)
    run_dir = Path(runs_dir) / profile.name / config.name
    results_path = Path(results_dir) / profile.name / f"{config.name}.json"
    stamp = {"config": asdict(config), "profile": profile.name, "data_sha256": data.sha256}
    if not force and results_path.exists():
        results = json.loads(results_path.read_text())
        if (results.get("config") == stamp["config"] and results.get("data_sha256") == data.sha256
                and results.get("profile", {}).get("name") == profile.name):
            return results
    with run_lock(run_dir):
        return _run(config, profile, data, run_dir, results_path, stamp, force, verbose)


def _load_state(run_dir: Path, stamp: dict, force: bool) -> tuple[dict, keras.Model | None]:
    """The saved progress of this run and its model, or a fresh state when there is none to trust."""
    state_path = run_dir / "state.json"
    if not force and state_path.exists():
        state = json.loads(state_path.read_text())
        checkpoint = run_dir / state.get("checkpoint", "-")
        if state.get("stamp") == stamp and checkpoint.is_file():
            return state, keras.saving.load_model(checkpoint, safe_mode=True)
    for old in run_dir.glob("*.keras"):
        old.unlink()
    return {"stamp": stamp, "first": [], "continued": [], "step_losses": [], "probes": [], "resumed": [],
            "checkpoint": None}, None


def _save_state(run_dir: Path, state: dict, model: keras.Model) -> None:
    """Checkpoint the model (optimizer state included), then the record that names it."""
    done = len(state["first"]) + len(state["continued"])
    name = f"checkpoint-{done:03d}.keras"
    with atomic_path(run_dir / name, suffix=".keras") as tmp:
        model.save(tmp)
    previous, state["checkpoint"] = state.get("checkpoint"), name
    write_json_atomic(run_dir / "state.json", state)
    if previous and previous != name:
        (run_dir / previous).unlink(missing_ok=True)


def _run(config: CollapseConfig, profile: Profile, data: Dataset, run_dir: Path, results_path: Path,
         stamp: dict, force: bool, verbose) -> dict:
    run_dir.mkdir(parents=True, exist_ok=True)
    state, model = _load_state(run_dir, stamp, force)
    keras.utils.set_random_seed(config.seed)
    if model is None:
        model = compile_like_original(build_baseline())
    else:
        state["resumed"].append(len(state["first"]) + len(state["continued"]))
    started = time.perf_counter()

    # Step 1: the first cell, x / 255, 20% held out.
    x, y = data.x_train, data.y_train
    cut = split_like_keras(len(x), config.validation_split)
    train = ScaledBatches(x[:cut], y[:cut], config.batch_size, shuffle=True, seed=config.seed)
    validation = ScaledBatches(x[cut:], y[cut:], 512)
    for epoch in range(len(state["first"]), config.first_epochs):
        clock = time.perf_counter()
        fit = model.fit(train, validation_data=validation, initial_epoch=epoch, epochs=epoch + 1, verbose=verbose)
        logs = {k: v[-1] for k, v in fit.history.items()}
        state["first"].append(_history_row(epoch + 1, logs, time.perf_counter() - clock, cut))
        _save_state(run_dir, state, model)
    if config.first_epochs and "first_test" not in state:
        loss, accuracy = model.evaluate(ScaledBatches(data.x_test, data.y_test, 512), verbose=0)
        state["first_test"] = {"loss": float(loss), "accuracy": float(accuracy)}

    # Step 2: raw, warped pixels of all training images, 390 batches an epoch in the full profile.
    probe_x, probe_y = data.x_test[: config.probe_images], data.y_test[: config.probe_images]
    probe = Probe(model, probe_x, probe_y)
    switch_weights = run_dir / "switch_weights.npz"
    if not state["continued"]:
        state["at_switch"] = {"raw": probe.measure(1.0), "scaled": probe.measure(1 / 255)}
        with atomic_path(switch_weights) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, **{f"{n}.{i}": w for n, ws in probe.reference.items() for i, w in enumerate(ws)})
    else:
        with np.load(switch_weights, allow_pickle=False) as saved:
            probe.reference = {n: [saved[f"{n}.{i}"] for i in range(len(ws))] for n, ws in probe.reference.items()}
    steps = len(x) // config.batch_size
    batches = RawAugmentedBatches(x, y, config.batch_size, steps, config.settings, config.seed + len(state["continued"]))
    recorder = StepRecorder(probe, state, steps, config.logged_steps)
    for epoch in range(len(state["continued"]), config.continue_epochs):
        clock = time.perf_counter()
        fit = model.fit(batches, initial_epoch=epoch, epochs=epoch + 1, verbose=verbose, callbacks=[recorder])
        logs = {k: v[-1] for k, v in fit.history.items()}
        state["continued"].append(_history_row(epoch + 1, logs, time.perf_counter() - clock, steps * config.batch_size))
        _save_state(run_dir, state, model)

    return _finish(config, profile, data, model, state, results_path, time.perf_counter() - started)


def _finish(config: CollapseConfig, profile: Profile, data: Dataset, model: keras.Model, state: dict,
            results_path: Path, session_seconds: float) -> dict:
    """Score on raw test pixels as the original did, and write the results JSON."""
    x_test = data.x_test.astype("float32")
    y_test = keras.utils.to_categorical(data.y_test, len(CLASS_NAMES))
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=512, verbose=0)
    probabilities = model.predict(x_test, batch_size=512, verbose=0)
    predicted = probabilities.argmax(axis=1)
    answers = np.bincount(predicted, minlength=len(CLASS_NAMES))
    rows = state["first"] + state["continued"]
    results = {
        "experiment": config.name,
        "kind": "collapse_demo",
        "config": asdict(config),
        "data_sha256": data.sha256,
        "augmentation": settings_for(config.settings),
        "steps_per_epoch": len(data.x_train) // config.batch_size,
        "profile": profile.as_dict(),
        "data": data.provenance(),
        "first_history": state["first"],
        "first_test": state.get("first_test"),
        "continued_history": state["continued"],
        "step_losses": state["step_losses"],
        "at_switch": state["at_switch"],
        "probes": state["probes"],
        "test_loss": float(loss),
        "test_accuracy": float(accuracy),
        "ln_10": math.log(10),
        "predicted_class_counts": {name: int(n) for name, n in zip(CLASS_NAMES, answers)},
        "probability_spread_across_test_images": float(np.mean(probabilities.std(axis=0))),
        "mean_probabilities": [round(float(v), 5) for v in probabilities.mean(axis=0)],
        "resumed_at_epochs": state["resumed"] or None,
        "train_seconds": round(sum(r["seconds"] for r in rows), 1),
        "wall_seconds_this_session": round(session_seconds, 1),
        "peak_rss_mb": peak_rss_mb(),
        "versions": library_versions(),
        "machine": _machine(),
        "finished_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    write_json_atomic(results_path, results)
    return results


def _machine() -> dict:
    import os
    import platform

    return {"platform": platform.platform(terse=True), "processor": platform.machine(), "cpus": os.cpu_count(),
            "accelerator": accelerator()}
