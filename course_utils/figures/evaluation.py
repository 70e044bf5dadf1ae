"""How a model scored: class balance, confusion matrix, our accuracy against a reference, per class."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import PercentFormatter

from ..data.formats import CLASS_NAMES
from .images import _labels
from .style import legend_below


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
    legend_below(fig, ax)
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
