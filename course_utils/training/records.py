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

from ..data.formats import CLASS_NAMES
from .config import ExperimentConfig


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
        return keras.saving.load_model(path, safe_mode=True)

    def probabilities(self) -> np.ndarray:
        """Predicted class probabilities for every test image, in the dataset's order."""
        with np.load(self.run_dir / "predictions.npz", allow_pickle=False) as f:
            return f["probabilities"]


