"""What a run leaves behind: its per-epoch log, its confusion matrix, and the finished run."""
from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from ..core.atomic import atomic_path, file_sha256, write_json_atomic
from ..data.formats import CLASS_NAMES, DataError
from .config import ExperimentConfig


class EpochLog(keras.callbacks.Callback):
    """Append each finished epoch to a JSON-lines file, so history survives an interruption, and say
    how long the rest of the run should take (the median epoch of this session times the epochs left)."""

    def __init__(self, path: Path, train_images: int):
        super().__init__()
        self.path, self.train_images, self.durations = path, train_images, []

    def on_epoch_begin(self, epoch, logs=None):
        if self.durations:  # printed here, so that it follows Keras's line for the epoch just finished
            print(time_left(self.durations, (self.params or {}).get("epochs", 0) - epoch), flush=True)
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        row = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()},
               "seconds": round(seconds, 3), "images_per_second": round(self.train_images / seconds, 1)}
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
        self.durations.append(seconds)


def time_left(durations: list[float], epochs_left: int) -> str:
    """``"about 12 min left (9 epochs of about 80 s)"`` from the epoch times measured so far."""
    median = float(np.median(durations))
    total = median * epochs_left
    when = f"{total / 60:.0f} min" if total >= 90 else f"{total:.0f} s"
    return f"about {when} left ({epochs_left} epoch{'s' if epochs_left > 1 else ''} of about {median:.0f} s)"


def read_history(path: Path) -> list[dict]:
    """Per-epoch rows; an epoch repeated after a resume keeps its last record.

    A line that is not a whole record (the process died while writing it) is dropped with a note
    naming the file, and the file is rewritten without it: that epoch will simply be trained again.
    """
    rows: dict[int, dict] = {}
    if not path.exists():
        return []
    damaged = 0
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows[int(row["epoch"])] = row
        except (ValueError, KeyError, TypeError):
            damaged += 1
    history = [rows[k] for k in sorted(rows)]
    if damaged:
        print(f"NOTE: {path} had {damaged} incomplete line(s), probably cut short by a crash; dropped, "
              "so that epoch is trained again")
        path.write_text("".join(json.dumps(row) + "\n" for row in history))
    return history



def load_model_safely(path: Path) -> keras.Model:
    """Load a ``.keras`` file with ``safe_mode`` on; a file that carries code is refused in one line."""
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except ValueError as exc:
        if "safe_mode" in str(exc) or "Lambda" in str(exc):
            raise DataError(f"{path} was refused: it holds a Lambda layer or other code, which safe_mode does "
                            "not run; only load models you trained yourself, or delete the run folder to "
                            "train it again") from exc
        raise


def read_results(path: Path) -> dict | None:
    """A results file's contents; None if there is none, with a note if it is damaged (it is then rebuilt)."""
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        print(f"NOTE: {path} is damaged ({type(exc).__name__}); the run's results are written again")
        return None


def record_model(run_dir: Path) -> None:
    """Write the size and checksum of ``run_dir/model.keras`` beside it, to verify it before reuse."""
    path = run_dir / "model.keras"
    write_json_atomic(run_dir / "model.json", {"bytes": path.stat().st_size, "sha256": file_sha256(path)})


def model_is_sound(run_dir: Path, quiet: bool = False) -> bool:
    """Whether ``run_dir/model.keras`` exists and matches its recorded size and checksum."""
    path, record_path = run_dir / "model.keras", run_dir / "model.json"
    if not path.is_file():
        return False
    if not record_path.exists():  # saved before checksums were recorded: sound if it loads, then recorded
        try:
            load_model_safely(path)
        except (OSError, ValueError):
            sound = False
        else:
            record_model(run_dir)
            return True
    try:
        record = json.loads(record_path.read_text())
        sound = path.stat().st_size == record["bytes"] and file_sha256(path) == record["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        sound = False
    if not sound and not quiet:
        print(f"NOTE: {path} is damaged or unverified; the run is trained again")
    return sound


def network_fingerprint(model: keras.Model) -> str:
    """12 hex digits that change with anything that makes a network different to train.

    It covers every layer and its settings (``get_config``), the optimizer and its settings, the
    loss and the metrics; not the weights, and not ``jit_compile`` (a backend's choice, not the
    network's), so the same network has the same fingerprint on every backend.
    """
    compiled = model.get_compile_config() or {}
    spec = {"network": model.get_config(), "optimizer": compiled.get("optimizer"), "loss": compiled.get("loss"),
            "metrics": compiled.get("metrics")}
    text = json.dumps(_without_counters(spec), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _without_counters(value):
    """Keras numbers the names it makes up (``input_layer_3``, ``rm_sprop_2``) by how many it made
    before in this process; those counters say nothing about the network, so they are dropped."""
    if isinstance(value, dict):
        return {k: (re.sub(r"_\d+$", "", v) if k == "name" and isinstance(v, str) else _without_counters(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_without_counters(v) for v in value]
    return value


def network_layers(model: keras.Model) -> list[list]:
    """[layer name, layer class, parameters] for each layer: a short record of what was trained."""
    return [[layer.name, type(layer).__name__, int(layer.count_params())] for layer in model.layers]


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
        return load_model_safely(path)

    def probabilities(self) -> np.ndarray:
        """Predicted class probabilities for every test image, in the dataset's order."""
        with np.load(self.run_dir / "predictions.npz", allow_pickle=False) as f:
            return f["probabilities"]


def write_predictions(path: Path, probabilities: np.ndarray, labels: np.ndarray) -> Path:
    """Every test image's true class, predicted class and that class's probability, beside the results
    JSON (30 kB for 10,000 images): what paired comparisons of two runs need, image by image."""
    probabilities = np.asarray(probabilities)
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(handle, label=np.asarray(labels).ravel().astype("uint8"),
                            predicted=probabilities.argmax(axis=1).astype("uint8"),
                            confidence=probabilities.max(axis=1).astype("float16"))
    return path


def read_predictions(path: Path) -> dict[str, np.ndarray]:
    """What :func:`write_predictions` wrote: ``label``, ``predicted`` and ``confidence`` arrays."""
    with np.load(path, allow_pickle=False) as f:
        return {key: f[key] for key in ("label", "predicted", "confidence")}


def distribution_record() -> dict | None:
    """How the run was spread over devices (``keras.distribution``), or None for one device."""
    current = keras.distribution.distribution()
    if current is None:
        return None
    return {"strategy": type(current).__name__, "devices": [str(d) for d in np.ravel(current.device_mesh.devices)]}

