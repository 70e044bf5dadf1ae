"""Run one of the series' experiments from a config: seeded, resumable, and recorded in a JSON file.

    result = run_experiment("baseline")          # profile from COURSE_PROFILE, data from load_dataset()
    result.results["test_accuracy"], result.model()

A finished run is reused instead of retrained when its config, profile and data hash match, so a
notebook can show a 40-minute full run in seconds once ``python -m course_utils reproduce`` made it.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import keras
import numpy as np

from ..core.atomic import atomic_path, write_json_atomic
from .augment import settings_for, with_augmentation
from ..data.loading import Dataset, load_dataset
from ..data.formats import CLASS_NAMES
from .models import build_baseline, build_deeper, compile_like_original
from ..core.profiles import Profile, get_profile

RUNS_DIR = Path("runs")        # models, checkpoints, predictions (not committed)
RESULTS_DIR = Path("results")  # one JSON per run; results/full/ is committed


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything that defines a run; two runs with equal configs and data are the same run."""

    name: str
    model: str                 # "baseline" or "deeper"
    augmentation: str | None = None  # None, or the settings of course_utils.training.augment: "original", "mild"
    dropout: bool = True
    normalise: bool = True     # False reproduces the original bug: raw 0-255 pixels
    epochs: int | None = None  # None: the profile's epochs times epochs_factor
    epochs_factor: int = 1     # 2: twice the profile's epochs (40 in the full profile)
    batch_size: int = 128
    validation_split: float = 0.2
    train_images: int | None = None  # None: all training images; else the first N (a demo slice)
    seed: int = 42
    continues: str | None = None  # an experiment whose finished run this one trains on from (weights,
    #                               optimizer state and history), e.g. 20 more epochs of "augmented"


EXPERIMENTS = {
    "baseline": ExperimentConfig("baseline", model="baseline"),
    "deeper": ExperimentConfig("deeper", model="deeper"),
    "augmented": ExperimentConfig("augmented", model="deeper", augmentation="original"),
    "augmented_mild": ExperimentConfig("augmented_mild", model="deeper", augmentation="mild"),
    # 20 more epochs of the augmented run: its first 20 epochs are the augmented run's.
    "augmented_40": ExperimentConfig("augmented_40", model="deeper", augmentation="original", epochs_factor=2,
                                     continues="augmented"),
}
BUILDERS = {"baseline": build_baseline, "deeper": build_deeper}

# Short runs on a slice of the training set, shared by the explainer and experiment notebooks.
# Their size comes from the profile (demo_images, demo_epochs); see demo_config().
DEMOS = {
    "deeper_slice": {"model": "deeper"},
    "deeper_slice_raw_pixels": {"model": "deeper", "normalise": False},
    "deeper_slice_no_dropout": {"model": "deeper", "dropout": False},
}


def demo_config(name: str, profile: str | Profile | None = None) -> ExperimentConfig:
    """The config of demo ``name`` sized for ``profile`` (a slice of demo_images, demo_epochs)."""
    profile = profile if isinstance(profile, Profile) else get_profile(profile)
    return ExperimentConfig(name, train_images=profile.demo_images, epochs=profile.demo_epochs, **DEMOS[name])


def prepare(x: np.ndarray, y: np.ndarray, normalise: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Scale pixels to [0, 1] (or leave them raw, for the failure demo) and one-hot the labels."""
    x = x.astype("float32")
    if normalise:
        x /= 255.0
    return x, keras.utils.to_categorical(y, num_classes=len(CLASS_NAMES))


class ScaledBatches(keras.utils.PyDataset):
    """Batches of the uint8 images, converted with :func:`prepare` one batch at a time.

    Same numbers as ``model.fit(x / 255, y, ...)``, but no float32 copy of the whole training set
    (614 MB for CIFAR-10, and Keras would copy it again): a full run stays under 2 GB of memory.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int, normalise: bool = True,
                 shuffle: bool = False, seed: int = 0):
        super().__init__()
        self.x, self.y, self.batch_size, self.normalise = x, y, batch_size, normalise
        self.shuffle, self.rng = shuffle, np.random.default_rng(seed)
        self.order = self.rng.permutation(len(x)) if shuffle else np.arange(len(x))

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index: int):
        rows = np.sort(self.order[index * self.batch_size:(index + 1) * self.batch_size])
        return prepare(self.x[rows], self.y[rows], self.normalise)

    def on_epoch_end(self) -> None:
        if self.shuffle:  # a new order every epoch, as fit(shuffle=True) does
            self.order = self.rng.permutation(len(self.x))


def split_like_keras(n: int, validation_split: float) -> int:
    """Where ``validation_split`` cuts: Keras keeps the first part for training, the tail for validation."""
    return int(np.floor(n * (1.0 - validation_split)))


def build_model(config: ExperimentConfig) -> keras.Model:
    """The compiled network for ``config``, augmentation in front when asked for."""
    model = BUILDERS[config.model](dropout=config.dropout)
    if config.augmentation:
        model = with_augmentation(model, config.augmentation, seed=config.seed)
    return compile_like_original(model)


class EpochLog(keras.callbacks.Callback):
    """Append each finished epoch to a JSON-lines file, so history survives an interruption."""

    def __init__(self, path: Path, train_images: int):
        super().__init__()
        self.path, self.train_images = path, train_images

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        row = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()},
               "seconds": round(seconds, 3), "images_per_second": round(self.train_images / seconds, 1)}
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")


def read_history(path: Path) -> list[dict]:
    """Per-epoch rows; an epoch repeated after a resume keeps its last record."""
    rows: dict[int, dict] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["epoch"]] = row
    return [rows[k] for k in sorted(rows)]


def library_versions() -> dict:
    versions = {"python": platform.python_version(), "keras": keras.__version__,
                "backend": keras.backend.backend(), "numpy": np.__version__}
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
    elif keras.backend.backend() == "jax":
        import jax

        versions["jax"] = jax.__version__
    elif keras.backend.backend() == "torch":
        import torch

        versions["torch"] = torch.__version__
    return versions


def accelerator() -> str:
    """The device Keras trains on, e.g. "cpu" or "NVIDIA H100 80GB HBM3": run times depend on it."""
    if keras.backend.backend() == "jax":
        import jax

        device = jax.devices()[0]
        return "cpu" if device.platform == "cpu" else device.device_kind
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "gpu") if gpus else "cpu"
    if keras.backend.backend() == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    return "unknown"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def confusion_matrix(true: np.ndarray, predicted: np.ndarray, n: int = len(CLASS_NAMES)) -> np.ndarray:
    """Rows: true class; columns: predicted class."""
    matrix = np.zeros((n, n), dtype=np.int64)
    np.add.at(matrix, (true.ravel(), predicted.ravel()), 1)
    return matrix


@dataclass
class RunResult:
    """A finished run: its results dict and where its model and predictions live."""

    config: ExperimentConfig
    results: dict
    run_dir: Path
    reused: bool = False

    @property
    def history(self) -> list[dict]:
        return self.results["history"]

    def model(self) -> keras.Model:
        """Reload the saved model; ``safe_mode=True`` refuses files that carry executable code."""
        path = self.run_dir / "model.keras"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is not on this machine (only the results of {self.config.name} are); "
                                    f"train it with: python -m course_utils reproduce {self.config.name}")
        return keras.saving.load_model(path, safe_mode=True)

    def probabilities(self) -> np.ndarray:
        """Predicted class probabilities for every test image, in the dataset's order."""
        with np.load(self.run_dir / "predictions.npz", allow_pickle=False) as f:
            return f["probabilities"]


def _run_paths(config: ExperimentConfig, profile: Profile, runs_dir: Path, results_dir: Path):
    return runs_dir / profile.name / config.name, results_dir / profile.name / f"{config.name}.json"


def stored_config(results: dict) -> dict:
    """A results file's config in today's fields (files written before ``augmentation`` had ``augment``)."""
    config = dict(results.get("config") or {})
    if "augment" in config:
        config["augmentation"] = "original" if config.pop("augment") else None
    config.setdefault("epochs_factor", 1)
    config.setdefault("continues", None)
    return config


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


def _train(config: ExperimentConfig, profile: Profile, data: Dataset, run_dir: Path, results_path: Path,
           force: bool, verbose) -> RunResult:
    # A checkpoint from a different config or data set must not be resumed into this run.
    stamp = {"config": asdict(config), "profile": profile.name, "data_sha256": data.sha256}
    stamp_path = run_dir / "run.json"
    if force or not stamp_path.exists() or json.loads(stamp_path.read_text()) != stamp:
        shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(stamp_path, stamp)
    log_path = run_dir / "history.jsonl"
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
    test = ScaledBatches(data.x_test, data.y_test, 512, config.normalise)
    started = time.perf_counter()
    model.fit(train, epochs=config.epochs, initial_epoch=initial_epoch, validation_data=validation, verbose=verbose,
              callbacks=[EpochLog(log_path, cut), keras.callbacks.BackupAndRestore(str(run_dir / "backup"))])
    session_seconds = time.perf_counter() - started

    test_loss, test_accuracy = model.evaluate(test, verbose=0)
    probabilities = model.predict(test, verbose=0)
    predicted = probabilities.argmax(axis=1)
    matrix = confusion_matrix(data.y_test, predicted)
    per_class = matrix.diagonal() / np.maximum(matrix.sum(axis=1), 1)

    with atomic_path(run_dir / "model.keras", suffix=".keras") as tmp:
        model.save(tmp)
    with atomic_path(run_dir / "predictions.npz") as tmp, open(tmp, "wb") as handle:
        np.savez(handle, probabilities=probabilities.astype("float32"))

    history = read_history(log_path)
    epoch_seconds = [row["seconds"] for row in history]
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
        "test_loss": float(test_loss),
        "test_accuracy": float(test_accuracy),
        "per_class_accuracy": {name: round(float(a), 4) for name, a in zip(CLASS_NAMES, per_class)},
        "confusion_matrix": matrix.tolist(),
        "train_seconds": round(sum(epoch_seconds), 1),
        "wall_seconds_this_session": round(time.perf_counter() - started, 1),
        "fit_seconds_this_session": round(session_seconds, 1),
        "images_per_second_median": round(float(np.median([r["images_per_second"] for r in history])), 1),
        "peak_rss_mb": peak_rss_mb(),
        "versions": library_versions(),
        "machine": {"platform": platform.platform(terse=True), "processor": platform.machine(),
                    "cpus": os.cpu_count(), "accelerator": accelerator()},
        "finished_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    write_json_atomic(results_path, results)
    return RunResult(config, results, run_dir)
