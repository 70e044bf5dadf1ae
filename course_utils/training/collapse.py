"""The original augmented run, step by step: how a trained network ends at 10% and a loss of ln 10.

What the student notebook this course began from did, and what :func:`run_collapse` repeats:

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
Runs with the same first cell train it once (:mod:`.switch`).
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

from ..core.atomic import atomic_path, file_sha256, write_json_atomic
from ..core.machine import library_versions, machine_info, peak_rss_mb
from ..core.profiles import Profile
from ..data.formats import CLASS_NAMES
from ..data.loading import Dataset, load_dataset
from .augment import build_augmenter, settings_for
from .config import profile_of
from .batches import EVAL_BATCH, EpochOrder, PixelBatches, split_like_keras
from .checkpoints import seed_states
from ..core.course_home import results_dir as default_results_dir, run_folder, runs_dir as default_runs_dir
from .experiment import run_lock
from .networks import JIT_COMPILE, build_baseline, compile_like_original
from .probe import Probe, StepRecorder, cross_entropy_losses
from .records import load_model_safely, read_results, write_predictions
from .switch import save_switch, start_at_a_saved_switch


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
    loss: str = "keras"  # "keras": today's categorical cross-entropy; "clipped": Keras 2's (see clipped_crossentropy)


COLLAPSE_DEMOS = {
    "collapse_from_trained": CollapseConfig("collapse_from_trained", start="trained"),
    "collapse_from_untrained": CollapseConfig("collapse_from_untrained", start="untrained"),
    "collapse_clipped_loss": CollapseConfig("collapse_clipped_loss", start="trained", loss="clipped"),
}


@keras.saving.register_keras_serializable(package="course_utils")
def clipped_crossentropy(y_true, y_pred):
    """Keras 2's categorical cross-entropy (it ran the original): probabilities clipped to [1e-7, 1 - 1e-7],
    so a confidently wrong image costs at most 16.1 and passes no gradient (as Keras 3 on JAX does)."""
    p = y_pred / keras.ops.sum(y_pred, axis=-1, keepdims=True)
    p = keras.ops.clip(p, 1e-7, 1 - 1e-7)
    return -keras.ops.sum(y_true * keras.ops.log(p), axis=-1)


def collapse_config(name: str | CollapseConfig, profile: Profile) -> CollapseConfig:
    """``name``'s config with the epochs of ``profile`` filled in."""
    config = COLLAPSE_DEMOS[name] if isinstance(name, str) else name
    if config.start not in ("trained", "untrained"):
        raise ValueError(f"start must be 'trained' or 'untrained', not {config.start!r}")
    if config.loss not in ("keras", "clipped"):
        raise ValueError(f"loss must be 'keras' or 'clipped', not {config.loss!r}")
    first_default, continue_default = profile.collapse_epochs
    first = 0 if config.start == "untrained" else (config.first_epochs or first_default)
    return replace(config, first_epochs=first, continue_epochs=config.continue_epochs or continue_default)


class RawAugmentedBatches(keras.utils.PyDataset):
    """What ``datagen.flow(X_train, Y_train, batch_size=128)`` fed the original: raw pixels, warped.

    ``steps`` batches per epoch, drawn from a new shuffle of all images each epoch; each batch is
    warped by the one-warp layer with the given settings (the old generator's transform), and never
    divided by 255.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int, steps: int, settings: str, seed: int):
        super().__init__()
        self.x, self.y, self.batch_size, self.steps = x, y, batch_size, steps
        self.settings, self.seed = settings, seed
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Epoch ``epoch``'s shuffle and warps, from ``(seed, epoch)`` alone (see :class:`EpochOrder`)."""
        rng = np.random.default_rng([self.seed, epoch])
        self.order = rng.permutation(len(self.x))
        self.augmenter = build_augmenter(self.settings, seed=int(rng.integers(1, 2**31 - 1)))

    def __len__(self) -> int:
        return self.steps

    def __getitem__(self, index: int):
        rows = np.sort(self.order[index * self.batch_size:(index + 1) * self.batch_size])
        images = keras.ops.convert_to_numpy(self.augmenter(self.x[rows].astype("float32"), training=True))
        return images, keras.utils.to_categorical(self.y[rows], len(CLASS_NAMES))


def _history_row(epoch: int, logs: dict, seconds: float, images: int) -> dict:
    return {"epoch": epoch, **{k: float(v) for k, v in logs.items()}, "seconds": round(seconds, 3),
            "images_per_second": round(images / seconds, 1)}


def run_collapse(demo: str | CollapseConfig = "collapse_from_trained", *, profile: str | Profile | None = None,
                 data: Dataset | None = None, runs_dir: Path | None = None, results_dir: Path | None = None,
                 force: bool = False, verbose: int | str = 0) -> dict:
    """Run (or resume, or reuse) one reproduction of the original augmented run; return its results."""
    profile = profile_of(profile, data)
    config = collapse_config(demo, profile)
    data = data if data is not None else load_dataset(profile=profile)
    folder = run_folder(profile.name, data.kind)
    run_dir = Path(runs_dir or default_runs_dir()) / folder / config.name
    results_path = Path(results_dir or default_results_dir()) / folder / f"{config.name}.json"
    stamp = {"config": asdict(config), "profile": profile.name, "data_sha256": data.sha256}
    if profile.train_images is not None:  # a slice (the quick profile's); absent from full-data stamps
        stamp["train_images"] = profile.train_images
    results = None if force else read_results(results_path)
    stored = (results or {}).get("profile", {})
    if (results is not None and results.get("config") == stamp["config"] and results.get("data_sha256") == data.sha256
            and all(stored.get(k) == getattr(profile, k) for k in ("name", "epochs", "train_images"))):
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
            if file_sha256(checkpoint) == state.get("checkpoint_sha256"):
                model = load_model_safely(checkpoint)  # model.save keeps no random-generator state:
                for variable, value in zip(seed_states(model), state.get("seed_states", [])):  # the record does
                    variable.assign(keras.ops.convert_to_tensor(value, dtype=variable.dtype))
                return state, model
            print(f"NOTE: checkpoint {checkpoint} does not match its record (cut short?); this run starts over")
    for old in run_dir.glob("*.keras"):
        old.unlink()
    state = {"stamp": stamp, "first": [], "continued": [], "step_losses": [], "probes": [], "resumed": [],
             "checkpoint": None}
    return (state, None) if force else start_at_a_saved_switch(run_dir, state)


def _save_state(run_dir: Path, state: dict, model: keras.Model) -> None:
    """Checkpoint the model (optimizer state included), then the record that names it."""
    done = len(state["first"]) + len(state["continued"])
    name = f"checkpoint-{done:03d}.keras"
    with atomic_path(run_dir / name, suffix=".keras") as tmp:
        model.save(tmp)
    previous, state["checkpoint"] = state.get("checkpoint"), name
    state["checkpoint_sha256"] = file_sha256(run_dir / name)
    state["seed_states"] = [keras.ops.convert_to_numpy(v).tolist() for v in seed_states(model)]
    write_json_atomic(run_dir / "state.json", state)
    if previous and previous != name:
        (run_dir / previous).unlink(missing_ok=True)


def _run(config: CollapseConfig, profile: Profile, data: Dataset, run_dir: Path, results_path: Path,
         stamp: dict, force: bool, verbose) -> dict:
    run_dir.mkdir(parents=True, exist_ok=True)
    state, model = _load_state(run_dir, stamp, force)
    keras.utils.set_random_seed(config.seed)
    if model is None:
        model = compile_like_original(build_baseline(rescale=False))  # the original: no scaling inside
    elif not state.pop("shared_start", False):
        state["resumed"].append(len(state["first"]) + len(state["continued"]))
    started = time.perf_counter()

    # Step 1: the first cell, x / 255, 20% held out (of the profile's first N images, if it names N).
    x, y = data.x_train[: profile.train_images], data.y_train[: profile.train_images]
    cut = split_like_keras(len(x), config.validation_split)
    train = PixelBatches(x[:cut], y[:cut], config.batch_size, "outside", shuffle=True, seed=config.seed)
    validation = PixelBatches(x[cut:], y[cut:], EVAL_BATCH, "outside")
    for epoch in range(len(state["first"]), config.first_epochs):
        clock = time.perf_counter()
        fit = model.fit(train, validation_data=validation, initial_epoch=epoch, epochs=epoch + 1, verbose=verbose,
                        callbacks=[EpochOrder(train)])
        logs = {k: v[-1] for k, v in fit.history.items()}
        state["first"].append(_history_row(epoch + 1, logs, time.perf_counter() - clock, cut))
        _save_state(run_dir, state, model)
    if config.first_epochs and "first_test" not in state:
        loss, accuracy = model.evaluate(PixelBatches(data.x_test, data.y_test, EVAL_BATCH, "outside"), verbose=0)
        state["first_test"] = {"loss": float(loss), "accuracy": float(accuracy)}
    if config.first_epochs and not state["continued"] and "first_cell_from" not in state:
        save_switch(run_dir, state, model)

    # Step 2: raw, warped pixels of all training images, 390 batches an epoch in the full profile.
    if config.loss == "clipped":  # the same optimizer object: its state carries over, as in the original
        model.compile(optimizer=model.optimizer, loss=clipped_crossentropy, metrics=["accuracy"],
                      jit_compile=JIT_COMPILE)
    probe_x, probe_y = data.x_test[: config.probe_images], data.y_test[: config.probe_images]
    warp_once = build_augmenter(config.settings, seed=config.seed + 1)  # its own generator, not the run's
    train_batch = keras.ops.convert_to_numpy(warp_once(x[: config.probe_images].astype("float32"), training=True))
    probe = Probe(model, probe_x, probe_y, train_batch)
    switch_weights = run_dir / "switch_weights.npz"
    if not state["continued"]:
        state["at_switch"] = {"raw": probe.measure(1.0), "scaled": probe.measure(1 / 255)}
        with atomic_path(switch_weights) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, **{f"{n}.{i}": w for n, ws in probe.reference.items() for i, w in enumerate(ws)})
    else:
        with np.load(switch_weights, allow_pickle=False) as saved:
            probe.reference = {n: [saved[f"{n}.{i}"] for i in range(len(ws))] for n, ws in probe.reference.items()}
    steps = len(x) // config.batch_size
    batches = RawAugmentedBatches(x, y, config.batch_size, steps, config.settings, config.seed)
    recorder = StepRecorder(probe, state, steps, config.logged_steps)
    for epoch in range(len(state["continued"]), config.continue_epochs):
        clock = time.perf_counter()
        fit = model.fit(batches, initial_epoch=epoch, epochs=epoch + 1, verbose=verbose,
                        callbacks=[EpochOrder(batches), recorder])
        logs = {k: v[-1] for k, v in fit.history.items()}
        state["continued"].append(_history_row(epoch + 1, logs, time.perf_counter() - clock, steps * config.batch_size))
        _save_state(run_dir, state, model)

    return _finish(config, profile, data, len(x), model, state, results_path, time.perf_counter() - started)


def _finish(config: CollapseConfig, profile: Profile, data: Dataset, train_images: int, model: keras.Model,
            state: dict, results_path: Path, session_seconds: float) -> dict:
    """Score on raw test pixels as the original did, and write the results JSON."""
    x_test = data.x_test.astype("float32")
    y_test = keras.utils.to_categorical(data.y_test, len(CLASS_NAMES))
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=EVAL_BATCH, verbose=0)
    losses = cross_entropy_losses(model, x_test, data.y_test, EVAL_BATCH)
    probabilities = model.predict(x_test, batch_size=EVAL_BATCH, verbose=0)
    predicted = probabilities.argmax(axis=1)
    answers = np.bincount(predicted, minlength=len(CLASS_NAMES))
    rows = ([] if state.get("first_cell_from") else state["first"]) + state["continued"]  # what this run trained
    results = {
        "experiment": config.name,
        "kind": "collapse_demo",
        "config": asdict(config),
        "data_sha256": data.sha256,
        "augmentation": settings_for(config.settings),
        "steps_per_epoch": train_images // config.batch_size,
        "train_images": train_images,
        "profile": profile.as_dict(),
        "data": data.provenance(),
        "first_history": state["first"],
        "first_test": state.get("first_test"),
        "first_cell_from": state.get("first_cell_from"),  # another run's first cell, started from its switch
        "continued_history": state["continued"],
        "step_losses": state["step_losses"],
        "at_switch": state["at_switch"],
        "probes": state["probes"],
        "test_loss": float(loss),
        "test_loss_from_logits": losses["from_logits"],
        "test_loss_clipped": losses["clipped"],
        "test_accuracy": float(accuracy),
        "ln_10": math.log(10),
        "predicted_class_counts": {name: int(n) for name, n in zip(CLASS_NAMES, answers)},
        "probability_spread_across_test_images": float(np.mean(probabilities.std(axis=0))),
        "mean_probabilities": [round(float(v), 5) for v in probabilities.mean(axis=0)],
        "resumed_at_epochs": state["resumed"] or None, "exact_resume": True,
        "train_seconds": round(sum(r["seconds"] for r in rows), 1),
        "wall_seconds_this_session": round(session_seconds, 1),
        "peak_rss_mb": peak_rss_mb(),
        "versions": library_versions(),
        "machine": machine_info(),
        "finished_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    write_predictions(results_path.with_suffix(".predictions.npz"), probabilities, data.y_test)
    write_json_atomic(results_path, results)
    return results

