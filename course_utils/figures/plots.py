"""Figures for the notebooks: learning curves, sample grids, confusion matrices, comparisons.

Every function returns the matplotlib ``Figure`` it drew, with a title, labelled axes, class names
instead of indices and a legend where there is more than one series. In a notebook, assign the
result (``fig = plot_...(...)``) so the figure is shown once.

    from course_utils.figures.plots import plot_learning_curves
    fig = plot_learning_curves(result.history, title="Baseline")
    fig = plot_learning_curves({"baseline": a.history, "deeper": b.history}, metrics=("accuracy",))
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..data.formats import CLASS_NAMES

_METRIC_LABELS = {"accuracy": "accuracy", "loss": "loss (categorical cross-entropy)"}


# --------------------------------------------------------------------------- helpers
def _labels(y) -> np.ndarray:
    """Class indices from labels shaped (N,), (N, 1) or one-hot (N, classes)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return y.reshape(-1).astype(int)


def _displayable(images) -> np.ndarray:
    """Images ready for ``imshow``: uint8 as is, floats scaled to [0, 1] (raw 0-255 floats divided)."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    images = images.astype("float32")
    if images.size and images.max() > 1.0:
        images = images / 255.0
    return np.clip(images, 0.0, 1.0)


def _history_rows(history) -> list[dict]:
    """Per-epoch dicts from a ``RunResult.history`` list, a ``RunResult``, or a Keras ``History``."""
    if hasattr(history, "history"):  # RunResult (list of rows) or keras.callbacks.History (dict of lists)
        history = history.history
    if isinstance(history, Mapping):  # {"accuracy": [...], "val_accuracy": [...]}
        n = max((len(v) for v in history.values()), default=0)
        return [{"epoch": i + 1, **{k: v[i] for k, v in history.items() if i < len(v)}} for i in range(n)]
    return list(history)


def _is_single_history(histories) -> bool:
    if hasattr(histories, "history"):
        return True
    if isinstance(histories, Mapping):  # a Keras History.history dict holds lists of numbers
        first = next(iter(histories.values()), [])
        return bool(first) and isinstance(first[0], (int, float, np.floating))
    return True


# --------------------------------------------------------------------------- learning curves
def plot_learning_curves(histories, title: str = "", metrics: Sequence[str] = ("accuracy", "loss"),
                         chance: float | None = None):
    """Training (solid) and validation (dashed) curves per epoch, one panel per metric.

    ``histories`` is one history -- a list of per-epoch dicts with keys ``epoch``, ``accuracy``,
    ``val_accuracy``, ``loss``, ``val_loss`` as in ``RunResult.history`` (a ``RunResult`` or a Keras
    ``History`` works too) -- or a dict ``name -> history`` to compare runs in one figure, one
    colour per run. ``chance`` (e.g. 0.1) draws that level as a dotted line on accuracy panels.
    """
    named = {"": histories} if _is_single_history(histories) else dict(histories)
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 4), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, metric in zip(axes[0], metrics):
        for i, (name, history) in enumerate(named.items()):
            rows = _history_rows(history)
            epochs = [row.get("epoch", k + 1) for k, row in enumerate(rows)]
            prefix = f"{name} " if name else ""
            colour = colours[i % len(colours)]
            for key, style, label in ((metric, "-", "training"), (f"val_{metric}", "--", "validation")):
                values = [row.get(key) for row in rows]
                if any(v is not None for v in values):
                    ax.plot(epochs, [np.nan if v is None else v for v in values], style, color=colour,
                            marker="o" if len(rows) <= 3 else None, label=prefix + label)
        if chance is not None and "accuracy" in metric:
            ax.axhline(chance, color="grey", linestyle=":", label=f"chance ({chance:.0%})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(_METRIC_LABELS.get(metric, metric))
        ax.set_title(metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- images
def plot_images(images, titles: Sequence[str] | None = None, title: str = "", ncols: int = 8):
    """A plain grid of images with an optional caption above each (used for augmentations, mistakes)."""
    images = _displayable(images)
    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = max(1, -(-n // ncols))
    row_height = 2.3 if titles is not None else 1.7
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.6 * ncols, row_height * nrows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], interpolation="nearest")
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_sample_grid(x, y, per_class: int = 8, title: str = "CIFAR-10: the first images of each class",
                     class_names: Sequence[str] = CLASS_NAMES):
    """A grid with one row per class (named on the left) and ``per_class`` images in each row."""
    x, labels = _displayable(x), _labels(y)
    fig, axes = plt.subplots(len(class_names), per_class, figsize=(1.1 * per_class + 1, 1.1 * len(class_names)),
                             squeeze=False)
    for row, name in enumerate(class_names):
        picks = np.flatnonzero(labels == row)[:per_class]
        for col, ax in enumerate(axes[row]):
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if col < len(picks):
                ax.imshow(x[picks[col]], interpolation="nearest")
        axes[row, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_misclassified(x, y_true, probabilities, n: int = 16, title: str = "The most confident mistakes",
                       class_names: Sequence[str] = CLASS_NAMES, ncols: int = 8):
    """The ``n`` wrong predictions the model was most sure of: true class, predicted class, confidence."""
    probabilities = np.asarray(probabilities)
    true, predicted = _labels(y_true), probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != true)
    confidence = probabilities[wrong, predicted[wrong]]
    worst = wrong[np.argsort(-confidence, kind="stable")][:n]
    if len(worst) == 0:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.axis("off")
        ax.text(0.5, 0.5, "no mistakes", ha="center", va="center")
        fig.suptitle(title)
        return fig
    captions = [f"true: {class_names[true[i]]}\npred: {class_names[predicted[i]]} "
                f"{probabilities[i, predicted[i]]:.0%}" for i in worst]
    return plot_images(np.asarray(x)[worst], captions, title=title, ncols=ncols)


# --------------------------------------------------------------------------- counts and matrices
def plot_class_balance(y_train, y_test, title: str = "Images per class",
                       class_names: Sequence[str] = CLASS_NAMES):
    """Side-by-side bars of how many training and test images each class has (counts written on top)."""
    k = len(class_names)
    counts = {"training": np.bincount(_labels(y_train), minlength=k),
              "test": np.bincount(_labels(y_test), minlength=k)}
    fig, ax = plt.subplots(figsize=(10, 4))
    positions, width = np.arange(k), 0.4
    for i, (label, values) in enumerate(counts.items()):
        bars = ax.bar(positions + (i - 0.5) * width, values, width, label=f"{label} ({values.sum():,} images)")
        ax.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=8)
    ax.set_xticks(positions, class_names, rotation=30, ha="right")
    ax.set_xlabel("class")
    ax.set_ylabel("images")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_confusion_matrix(matrix, title: str = "Confusion matrix (test set)",
                          class_names: Sequence[str] = CLASS_NAMES):
    """Counts with rows = true class and columns = predicted class; the diagonal is what was right."""
    matrix = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    image = ax.imshow(matrix, cmap="Blues")
    threshold = matrix.max() / 2 if matrix.size else 0
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, f"{value:,}", ha="center", va="center", fontsize=8,
                color="white" if value > threshold else "black")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="test images")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- comparisons
def _grouped_bars(ax, groups: Sequence[str], series: Mapping[str, Mapping[str, float]], fmt: str = "{:.0%}"):
    width = 0.8 / max(len(series), 1)
    positions = np.arange(len(groups))
    for i, (label, values) in enumerate(series.items()):
        heights = [values.get(g, np.nan) for g in groups]
        bars = ax.bar(positions + (i - (len(series) - 1) / 2) * width, heights, width, label=label)
        ax.bar_label(bars, labels=["" if np.isnan(h) else fmt.format(h) for h in heights], fontsize=8)
    ax.set_xticks(positions, groups)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.axhline(0.1, color="grey", linestyle=":", label="chance (10%)")


def plot_accuracy_comparison(ours: Mapping[str, float], reference: Mapping[str, float],
                             title: str = "Test accuracy: our runs and the reference",
                             ours_label: str = "ours", reference_label: str = "reference"):
    """Bars side by side per experiment: our test accuracy against a reference (a missing value has no bar)."""
    names = list(ours) + [name for name in reference if name not in ours]
    fig, ax = plt.subplots(figsize=(max(6, 2 * len(names)), 4.5))
    _grouped_bars(ax, names, {ours_label: ours, reference_label: reference}, fmt="{:.1%}")
    ax.set_xlabel("experiment")
    ax.set_ylabel("test accuracy")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3, fontsize=9)
    fig.tight_layout()
    return fig


def plot_per_class_accuracy(per_class: Mapping[str, Mapping[str, float]],
                            title: str = "Test accuracy per class",
                            class_names: Sequence[str] = CLASS_NAMES):
    """Grouped bars: for each class, one bar per run (``per_class`` is ``run name -> class -> accuracy``)."""
    fig, ax = plt.subplots(figsize=(12, 4.5))
    _grouped_bars(ax, list(class_names), per_class)
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_xlabel("true class")
    ax.set_ylabel("test accuracy (fraction of the class)")
    ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=len(per_class) + 1, fontsize=9)
    fig.tight_layout()
    return fig
