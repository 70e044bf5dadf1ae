"""Train a compiled network as a recorded run: seeded, resumable, reused when it has been trained before.

In a notebook, the network, ``compile`` and ``fit`` stay in view; the run supplies the data, the
epochs and the callbacks, and records the result::

    model = build_baseline()
    compile_like_original(model)
    run = start_run("baseline", model, data)     # says: new run, interrupted run resumed, or finished run
    model.fit(run.train, validation_data=run.validation, epochs=run.epochs,
              initial_epoch=run.initial_epoch, callbacks=run.callbacks, verbose=2)
    result = run.finish(model)                   # test scores, saved model, results/<profile>/<name>.json

A run is identified by its config, its profile, its data and the network's fingerprint (its layers,
optimizer and loss). Change a layer and it is a new run, saved under a new name; leave everything as
it is and a finished run is reused instead of retrained (``fit`` then has no epochs left to train).
``run_experiment(name)`` does the same with the course's own networks: it is what
``python -m course_utils reproduce`` calls.
"""
from __future__ import annotations

import json
import shutil
import time
from contextlib import ExitStack
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np

from ..core.atomic import atomic_path, write_json_atomic
from ..core.machine import library_versions, machine_info, peak_rss_mb
from ..core.profiles import Profile
from ..data.formats import CLASS_NAMES
from ..data.loading import Dataset, load_dataset
from .augment import settings_for
from .batches import EVAL_BATCH, EpochOrder, PixelBatches, split_like_keras
from ..core.course_home import results_dir as default_results_dir, run_folder, runs_dir as default_runs_dir
from . import checkpoints
from .config import EXPERIMENTS, PRECISIONS, ExperimentConfig, base_config, profile_of, resolve, stored_config
from .lock import run_lock
from .networks import build_augmented, build_baseline, build_deeper, compile_like_original
from .records import (EpochLog, RunResult, confusion_matrix, distribution_record, load_model_safely, model_is_sound,
                      network_fingerprint, network_layers, read_history, read_results, record_model, write_predictions)

BUILDERS = {"baseline": build_baseline, "deeper": build_deeper}


def build_model(config: ExperimentConfig) -> keras.Model:
    """The course's compiled network for ``config`` (the notebooks' #@save cells), augmentation in front if asked.

    In ``bf16`` the layers compute in bfloat16 and keep float32 weights (Keras's ``mixed_bfloat16``
    policy); the output layer is float32 in every precision, so the softmax is too.
    """
    rescale = config.scaling == "in_model"
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(PRECISIONS[config.precision])
    try:
        if config.augmentation:
            model = build_augmented(config.augmentation, seed=config.seed, dropout=config.dropout, rescale=rescale)
        else:
            model = BUILDERS[config.model](dropout=config.dropout, rescale=rescale)
    finally:
        keras.config.set_dtype_policy(previous)
    return compile_like_original(model)


class Run:
    """One training run of one compiled network; see the module docstring. Made by :func:`start_run`."""

    def __init__(self, config: ExperimentConfig, model: keras.Model, profile: Profile, data: Dataset,
                 runs_dir: Path | None = None, results_dir: Path | None = None, force: bool = False,
                 results_only: bool = False, knobs: dict | None = None):
        self.config, self.profile, self.data, self.knobs = config, profile, data, knobs
        self.fingerprint = network_fingerprint(model)
        folder = run_folder(profile.name, data.kind)
        self.run_dir = Path(runs_dir or default_runs_dir()) / folder / config.name
        self.results_path = Path(results_dir or default_results_dir()) / folder / f"{config.name}.json"
        self.record = None if force else self._finished(results_only)
        self._lock, self.started = ExitStack(), time.perf_counter()
        self.initial_epoch, self.resumed_from = 0, 0
        if self.record is not None:  # fit gets its data all the same, and no epochs left to train
            self.status, self.initial_epoch = "finished", config.epochs
            self._batches(callbacks=False)
            return
        self._lock.enter_context(run_lock(self.run_dir))
        self.log_path = self._fresh_run_dir(force)
        self.status = "new"
        if self._complete_but_unrecorded(model):
            self.status, self.initial_epoch = "rebuilt", config.epochs
        else:
            self.initial_epoch = self.resumed_from = checkpoints.restore(model, self.run_dir / "checkpoints")
            if self.resumed_from:
                self.status = "resumed"
            elif config.continues:
                self.initial_epoch = self._start_from(model)
                self.status = f"continues {config.continues}"
        self._batches()

    def _finished(self, results_only: bool) -> dict | None:
        """The results of this very run, if they exist and its model (unless ``results_only``) is sound."""
        results = read_results(self.results_path)
        if results is None:
            return None
        same = (stored_config(results) == asdict(self.config) and results.get("profile", {}).get("name") == self.profile.name
                and results.get("data", {}).get("sha256") == self.data.sha256
                and (results.get("network") or {}).get("fingerprint") == self.fingerprint)
        if not same or (not results_only and not model_is_sound(self.run_dir)):
            return None
        return results

    def _complete_but_unrecorded(self, model: keras.Model) -> bool:
        """A run whose training finished but whose results file is gone: rebuild the file, do not retrain."""
        history = read_history(self.log_path)
        if len(history) < self.config.epochs or not model_is_sound(self.run_dir, quiet=True):
            return False
        checkpoints.copy_state(load_model_safely(self.run_dir / "model.keras"), model)
        print(f"NOTE: {self.run_dir} finished training but has no results file; it is written again "
              "from the saved model, without training")
        return True

    def _fresh_run_dir(self, force: bool) -> Path:
        """The run folder, emptied unless it holds this very run (a checkpoint of another run must not resume)."""
        stamp = {"config": asdict(self.config), "profile": self.profile.name, "data_sha256": self.data.sha256,
                 "fingerprint": self.fingerprint}
        stamp_path = self.run_dir / "run.json"
        if force or not stamp_path.exists() or json.loads(stamp_path.read_text()) != stamp:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(stamp_path, stamp)
        return self.run_dir / "history.jsonl"

    def _start_from(self, model: keras.Model) -> int:
        """Load the finished run this one continues into ``model``; return the epoch to go on from."""
        c = self.config  # the notebook's knobs carry over to the run it continues
        base = resolve(base_config(c.continues, c), self.profile, self.knobs)
        differs = {k for k, v in asdict(base).items()
                   if asdict(self.config)[k] != v and k not in ("name", "epochs", "epochs_factor", "continues")}
        if differs:
            raise ValueError(f"{self.config.name} cannot continue {base.name}: they differ in {', '.join(sorted(differs))}")
        earlier = run_experiment(base, profile=self.profile, data=self.data, runs_dir=self.run_dir.parents[1],
                                 results_dir=self.results_path.parents[1])
        checkpoints.copy_state(earlier.model(), model)
        rows = [{**row, "from": base.name} for row in earlier.history]
        with atomic_path(self.log_path) as tmp:
            tmp.write_text("".join(json.dumps(row) + "\n" for row in rows))
        return len(rows)

    def _batches(self, callbacks: bool = True) -> None:
        config, data = self.config, self.data
        x, y = data.x_train[: config.train_images], data.y_train[: config.train_images]
        self.cut = split_like_keras(len(x), config.validation_split)
        # Each epoch's order depends on (seed, epoch) only: a resumed run goes on as one left alone would.
        self.train = PixelBatches(x[:self.cut], y[:self.cut], config.batch_size, config.scaling, shuffle=True,
                                  seed=config.seed)
        self.validation = PixelBatches(x[self.cut:], y[self.cut:], EVAL_BATCH, config.scaling)
        self.epochs = config.epochs
        self.callbacks = ([EpochOrder(self.train), EpochLog(self.log_path, self.cut),
                           checkpoints.SafeCheckpoint(self.run_dir / "checkpoints")] if callbacks else [])

    def describe(self) -> str:
        """One line for the student: what ``fit`` is about to do with this run."""
        c = self.config
        if self.status == "finished":
            return (f"{c.name}: finished run found (trained {self.record['finished_utc']}); fit has no epochs left "
                    "to train and finish() loads its weights")
        if self.status == "resumed":
            return f"{c.name}: an interrupted run of this network was found; fit resumes it after epoch {self.resumed_from}"
        if self.status == "rebuilt":
            return f"{c.name}: training had finished; fit has no epochs left and finish() writes the results again"
        if self.status.startswith("continues"):
            return f"{c.name}: new run that {self.status} (its {self.initial_epoch} epochs), up to epoch {c.epochs}"
        return f"{c.name}: new run, {c.epochs} epochs on {self.cut:,} training images ({self.profile.name} profile)"

    def finish(self, model: keras.Model) -> RunResult:
        """Score, save and record a trained run; for a finished one, load its weights into ``model``."""
        if self.record is not None:
            saved = self.run_dir / "model.keras"
            if saved.exists():
                model.set_weights(load_model_safely(saved).get_weights())
            return RunResult(self.config, self.record, self.run_dir, reused=True)
        with self._lock:
            predictions = self.results_path.with_suffix(".predictions.npz")
            results = self._results(model, _evaluate_and_save(model, self.config, self.data, self.run_dir, predictions))
            write_json_atomic(self.results_path, results)
            checkpoints.clear(self.run_dir / "checkpoints")
        return RunResult(self.config, results, self.run_dir)

    def _results(self, model: keras.Model, evaluation: dict) -> dict:
        config, history = self.config, read_history(self.log_path)
        return {
            "experiment": config.name, "config": asdict(config),
            "network": {"fingerprint": self.fingerprint, "layers": network_layers(model)},
            "augmentation": settings_for(config.augmentation) if config.augmentation else None,
            "augmentation_layer": "RandomWarp: one bilinear warp per image" if config.augmentation else None,
            "parameters": int(model.count_params()), "profile": self.profile.as_dict(), "data": self.data.provenance(),
            "history": history, "epochs_completed": len(history),
            "resumed_after_epoch": self.resumed_from or None, "exact_resume": True,  # order from (seed, epoch)
            "continued_from": ({"experiment": config.continues, "epochs": len([r for r in history if r.get("from")])}
                               if config.continues else None),
            **evaluation,
            "train_seconds": round(sum(row["seconds"] for row in history), 1),
            "wall_seconds_this_session": round(time.perf_counter() - self.started, 1),
            "images_per_second_median": round(float(np.median([r["images_per_second"] for r in history])), 1),
            "peak_rss_mb": peak_rss_mb(), "versions": library_versions(), "machine": machine_info(),
            "distribution": distribution_record(),
            "finished_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def _evaluate_and_save(model: keras.Model, config: ExperimentConfig, data: Dataset, run_dir: Path, predictions: Path) -> dict:
    """Test loss and accuracy, per-class accuracy and confusion matrix; the model and predictions saved."""
    test = PixelBatches(data.x_test, data.y_test, EVAL_BATCH, config.scaling)
    test_loss, test_accuracy = model.evaluate(test, verbose=0)
    probabilities = model.predict(test, verbose=0)
    matrix = confusion_matrix(data.y_test, probabilities.argmax(axis=1))
    per_class = matrix.diagonal() / np.maximum(matrix.sum(axis=1), 1)
    with atomic_path(run_dir / "model.keras", suffix=".keras") as tmp:
        model.save(tmp)
    record_model(run_dir)
    with atomic_path(run_dir / "predictions.npz") as tmp, open(tmp, "wb") as handle:
        np.savez(handle, probabilities=probabilities.astype("float32"))
    write_predictions(predictions, probabilities, data.y_test)  # the compact copy beside the results JSON
    return {"test_loss": float(test_loss), "test_accuracy": float(test_accuracy),
            "per_class_accuracy": {name: round(float(a), 4) for name, a in zip(CLASS_NAMES, per_class)},
            "confusion_matrix": matrix.tolist()}


def start_run(experiment: str | ExperimentConfig, model: keras.Model, data: Dataset | None = None, *,
              epochs=..., train_images=..., batch_size=..., profile: str | Profile | None = None,
              runs_dir: Path | None = None, results_dir: Path | None = None, force: bool = False,
              results_only: bool = False, quiet: bool = False) -> Run:
    """A :class:`Run` of ``model`` (compiled) as experiment ``experiment``; prints what ``fit`` will do.

    ``epochs``, ``train_images`` and ``batch_size`` are the notebook's knobs (left out: the profile's);
    a value that differs from the profile's makes a run of its own (``baseline-epochs5``). If ``model``
    differs from the course's network for that experiment (another layer, another optimizer), the run
    gets a name of its own, ``<experiment>-<fingerprint>``, so the course's run is never overwritten,
    and the message says so.
    """
    profile = profile_of(profile, data)
    knobs = {"epochs": epochs, "train_images": train_images, "batch_size": batch_size}
    config = resolve(experiment, profile, knobs)
    data = data if data is not None else load_dataset(profile=profile)
    if config != resolve(experiment, profile) and not quiet:
        print(f"EPOCHS, TRAIN_IMAGES or BATCH_SIZE differ from the {profile.name} profile's: a run of its own, "
              f"saved as {config.name}")
    fingerprint, course = network_fingerprint(model), network_fingerprint(build_model(config))
    if fingerprint != course:
        config = replace(config, name=f"{config.name}-{fingerprint}")
        print(f"This network differs from the course's {experiment if isinstance(experiment, str) else config.name} "
              f"(fingerprint {fingerprint}, the course's is {course}): it is a new run, saved as {config.name}.")
    run = Run(config, model, profile, data, runs_dir, results_dir, force=force, results_only=results_only,
              knobs=knobs)
    if not quiet:
        print(run.describe())
    return run


def data_parallel_scope(data_parallel: bool):
    """A context in which the model is built and trained on every local device (``keras.distribution``).

    ``DataParallel`` splits each batch over the devices (JAX, two or more; a CPU fakes them with
    ``--xla_force_host_platform_device_count=2``), a replica of the weights on each."""
    from contextlib import nullcontext

    if not data_parallel:
        return nullcontext()
    # only JAX can list devices here (on PyTorch, list_devices fails inside Keras)
    devices = keras.distribution.list_devices() if keras.backend.backend() == "jax" else []
    if keras.backend.backend() != "jax" or len(devices) < 2:
        raise ValueError(f"data parallelism needs the JAX backend and two or more devices; found "
                         f"{keras.backend.backend()} with {len(devices)} ({', '.join(devices)})")
    return keras.distribution.DataParallel(devices=devices).scope()


def run_experiment(experiment: str | ExperimentConfig, *, profile: str | Profile | None = None,
                   data: Dataset | None = None, runs_dir: Path | None = None, results_dir: Path | None = None,
                   force: bool = False, verbose: int | str = 2, results_only: bool = False,
                   data_parallel: bool = False, epochs=..., train_images=..., batch_size=...) -> RunResult:
    """Train and evaluate the course's network for ``experiment``, or reuse its finished run.

    ``results_only=True`` accepts a finished run whose results JSON matches even when its model is
    not on this machine (a fresh clone has the committed results but not the ``runs/`` folder).
    ``epochs``, ``train_images`` and ``batch_size`` are a notebook's knobs, as for :func:`start_run`.
    """
    profile = profile_of(profile, data)
    knobs = {"epochs": epochs, "train_images": train_images, "batch_size": batch_size}
    config = resolve(experiment, profile, knobs)
    data = data if data is not None else load_dataset(profile=profile)
    keras.utils.set_random_seed(config.seed)  # as the notebooks do before they build the network
    with data_parallel_scope(data_parallel):
        model = build_model(config)
        run = Run(config, model, profile, data, runs_dir, results_dir, force=force, results_only=results_only,
                  knobs=knobs)
        if run.status != "finished":
            model.fit(run.train, validation_data=run.validation, epochs=run.epochs, initial_epoch=run.initial_epoch,
                      callbacks=run.callbacks, verbose=verbose)
        return run.finish(model)
