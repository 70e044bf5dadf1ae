"""Run one of the series' experiments from a config: seeded, resumable, and recorded in a JSON file.

    result = run_experiment("baseline")          # profile from COURSE_PROFILE, data from load_dataset()
    result.results["test_accuracy"], result.model()

A finished run is reused instead of retrained when its config, profile and data hash match, so a
notebook can show a 40-minute full run in seconds once ``python -m course_utils reproduce`` made it.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np

from ..core.atomic import atomic_path, write_json_atomic
from ..core.machine import library_versions, machine_info, peak_rss_mb
from ..core.profiles import Profile, get_profile
from ..data.formats import CLASS_NAMES
from ..data.loading import Dataset, load_dataset
from .augment import settings_for, with_augmentation
from .batches import ScaledBatches, split_like_keras
from .config import EXPERIMENTS, RESULTS_DIR, RUNS_DIR, ExperimentConfig, stored_config
from .networks import build_baseline, build_deeper, compile_like_original
from .records import EpochLog, RunResult, confusion_matrix, read_history

BUILDERS = {"baseline": build_baseline, "deeper": build_deeper}


def build_model(config: ExperimentConfig) -> keras.Model:
    """The compiled network for ``config``, augmentation in front when asked for."""
    model = BUILDERS[config.model](dropout=config.dropout)
    if config.augmentation:
        model = with_augmentation(model, config.augmentation, seed=config.seed)
    return compile_like_original(model)


def _run_paths(config: ExperimentConfig, profile: Profile, runs_dir: Path, results_dir: Path):
    return runs_dir / profile.name / config.name, results_dir / profile.name / f"{config.name}.json"


def _matches(results: dict, config: ExperimentConfig, profile: Profile, data: Dataset) -> bool:
    return (stored_config(results) == asdict(config) and results.get("profile", {}).get("name") == profile.name
            and results.get("data", {}).get("sha256") == data.sha256)


def run_experiment(experiment: str | ExperimentConfig, *, profile: str | Profile | None = None,
                   data: Dataset | None = None, runs_dir: Path = RUNS_DIR, results_dir: Path = RESULTS_DIR,
                   force: bool = False, verbose: int | str = 2, results_only: bool = False) -> RunResult:
    """Train and evaluate one experiment, or reuse its finished run; see the module docstring.

    ``results_only=True`` accepts a finished run whose results JSON matches even when its model is
    not on this machine (a fresh clone has the committed results but not the ``runs/`` folder).
    """
    profile = profile if isinstance(profile, Profile) else get_profile(profile)
    config = EXPERIMENTS[experiment] if isinstance(experiment, str) else experiment
    if config.epochs is None:
        config = replace(config, epochs=profile.epochs * config.epochs_factor)
    if config.train_images is None and profile.train_images is not None:
        config = replace(config, train_images=profile.train_images)
    data = data if data is not None else load_dataset(profile=profile.name)
    run_dir, results_path = _run_paths(config, profile, Path(runs_dir), Path(results_dir))

    if not force and results_path.exists() and (results_only or (run_dir / "model.keras").exists()):
        results = json.loads(results_path.read_text())
        if _matches(results, config, profile, data):
            return RunResult(config, results, run_dir, reused=True)

    with run_lock(run_dir):
        return _train(config, profile, data, run_dir, results_path, force, verbose)


@contextmanager
def run_lock(run_dir: Path):
    """Refuse to train a run that another live process is training (they would mix their logs)."""
    lock = run_dir.parent / f".{run_dir.name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        owner = lock.read_text().strip() or "0"
        if owner.isdigit() and _alive(int(owner)):
            raise RuntimeError(f"{run_dir} is being trained by process {owner}; wait for it to finish "
                               "(its result will then be reused) or stop it") from None
        lock.unlink(missing_ok=True)  # left by a process that died: take it over
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start_from(config: ExperimentConfig, model: keras.Model, profile: Profile, data: Dataset, run_dir: Path,
                results_path: Path, log_path: Path, verbose) -> int:
    """Load the finished run that ``config`` continues into ``model``; return the epoch to go on from."""
    base = EXPERIMENTS[config.continues]
    differs = {k for k, v in asdict(base).items()
               if asdict(config)[k] != v and k not in ("name", "epochs", "epochs_factor", "continues")}
    if differs:
        raise ValueError(f"{config.name} cannot continue {base.name}: they differ in {', '.join(sorted(differs))}")
    earlier = run_experiment(base, profile=profile, data=data, runs_dir=run_dir.parents[1],
                             results_dir=results_path.parents[1], verbose=verbose)
    finished = earlier.model()
    model.set_weights(finished.get_weights())
    model.optimizer.build(model.trainable_variables)
    for mine, theirs in zip(model.optimizer.variables, finished.optimizer.variables, strict=True):
        mine.assign(theirs)
    rows = [{**row, "from": base.name} for row in earlier.history]
    with atomic_path(log_path) as tmp:
        tmp.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return len(rows)


def _fresh_run_dir(config: ExperimentConfig, profile: Profile, data: Dataset, run_dir: Path, force: bool) -> Path:
    """The run folder, emptied unless it holds this very run (a checkpoint of another config must not resume)."""
    stamp = {"config": asdict(config), "profile": profile.name, "data_sha256": data.sha256}
    stamp_path = run_dir / "run.json"
    if force or not stamp_path.exists() or json.loads(stamp_path.read_text()) != stamp:
        shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(stamp_path, stamp)
    return run_dir / "history.jsonl"


def _evaluate_and_save(model: keras.Model, test: ScaledBatches, y_test: np.ndarray, run_dir: Path) -> dict:
    """Test loss and accuracy, per-class accuracy and confusion matrix; the model and predictions saved."""
    test_loss, test_accuracy = model.evaluate(test, verbose=0)
    probabilities = model.predict(test, verbose=0)
    matrix = confusion_matrix(y_test, probabilities.argmax(axis=1))
    per_class = matrix.diagonal() / np.maximum(matrix.sum(axis=1), 1)
    with atomic_path(run_dir / "model.keras", suffix=".keras") as tmp:
        model.save(tmp)
    with atomic_path(run_dir / "predictions.npz") as tmp, open(tmp, "wb") as handle:
        np.savez(handle, probabilities=probabilities.astype("float32"))
    return {"test_loss": float(test_loss), "test_accuracy": float(test_accuracy),
            "per_class_accuracy": {name: round(float(a), 4) for name, a in zip(CLASS_NAMES, per_class)},
            "confusion_matrix": matrix.tolist()}


def _train(config: ExperimentConfig, profile: Profile, data: Dataset, run_dir: Path, results_path: Path,
           force: bool, verbose) -> RunResult:
    log_path = _fresh_run_dir(config, profile, data, run_dir, force)
    resumed_from = len(read_history(log_path))
    keras.utils.set_random_seed(config.seed)
    x, y = data.x_train[: config.train_images], data.y_train[: config.train_images]
    cut = split_like_keras(len(x), config.validation_split)
    model = build_model(config)
    initial_epoch = 0
    if config.continues and not (run_dir / "backup").exists():
        initial_epoch = _start_from(config, model, profile, data, run_dir, results_path, log_path, verbose)
    # A continuation shuffles anew: seeded like its first epochs, it would repeat their order.
    train = ScaledBatches(x[:cut], y[:cut], config.batch_size, config.normalise, shuffle=True,
                          seed=config.seed + initial_epoch)
    validation = ScaledBatches(x[cut:], y[cut:], 512, config.normalise)
    started = time.perf_counter()
    model.fit(train, epochs=config.epochs, initial_epoch=initial_epoch, validation_data=validation, verbose=verbose,
              callbacks=[EpochLog(log_path, cut), keras.callbacks.BackupAndRestore(str(run_dir / "backup"))])
    fit_seconds = time.perf_counter() - started
    evaluation = _evaluate_and_save(model, ScaledBatches(data.x_test, data.y_test, 512, config.normalise),
                                    data.y_test, run_dir)
    history = read_history(log_path)
    results = {
        "experiment": config.name,
        "config": asdict(config),
        "augmentation": settings_for(config.augmentation) if config.augmentation else None,
        "augmentation_layer": "RandomWarp: one bilinear warp per image" if config.augmentation else None,
        "parameters": int(model.count_params()),
        "profile": profile.as_dict(),
        "data": data.provenance(),
        "history": history,
        "epochs_completed": len(history),
        "resumed_after_epoch": resumed_from or None,
        "continued_from": ({"experiment": config.continues, "epochs": len([r for r in history if r.get("from")])}
                           if config.continues else None),
        **evaluation,
        "train_seconds": round(sum(row["seconds"] for row in history), 1),
        "wall_seconds_this_session": round(time.perf_counter() - started, 1),
        "fit_seconds_this_session": round(fit_seconds, 1),
        "images_per_second_median": round(float(np.median([r["images_per_second"] for r in history])), 1),
        "peak_rss_mb": peak_rss_mb(),
        "versions": library_versions(),
        "machine": machine_info(),
        "finished_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    write_json_atomic(results_path, results)
    return RunResult(config, results, run_dir)
