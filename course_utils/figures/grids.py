"""Small arrays drawn as grids of numbers: pooling, convolution, one-hot labels and dropout, worked by hand.

The notebooks compute the numbers in their own cells (pooling, convolution and dropout are written
out there); these functions only draw what they are given.
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle


def plot_number_grid(ax, values, title: str = "", highlight=None, fmt: str = "{:g}", cmap: str = "Blues"):
    """Draw a small 2-D array as coloured cells with the number written in each; ``highlight`` is a
    boolean array of cells to outline in red."""
    values = np.asarray(values, dtype=float)
    low, high = min(values.min(), 0), max(values.max(), 1)
    if cmap == "coolwarm":  # signed values: white is 0, blue below it, red above
        high = max(-low, high)
        low = -high
    ax.imshow(values, cmap=cmap, vmin=low, vmax=high)
    for (i, j), v in np.ndenumerate(values):
        dark = abs(v) > high / 2 if cmap == "coolwarm" else v > (low + high) / 2
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=11, color="white" if dark else "black")
        if highlight is not None and highlight[i, j]:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5))
    ax.set(xticks=range(values.shape[1]), yticks=range(values.shape[0]), xlabel="column", ylabel="row", title=title)
    ax.grid(False)
    return ax


def plot_max_pool_example(x, pooled):
    """Input with its 2x2 windows drawn and each window's maximum outlined, next to the pooled output."""
    x, pooled = np.asarray(x), np.asarray(pooled)
    winners = np.zeros(x.shape, dtype=bool)
    for i in range(pooled.shape[0]):
        for j in range(pooled.shape[1]):
            window = x[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            r, c = np.unravel_index(np.argmax(window), window.shape)
            winners[2 * i + r, 2 * j + c] = True
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 4), gridspec_kw={"width_ratios": [2, 1.2]})
    plot_number_grid(left, x, f"input {x.shape[0]}x{x.shape[1]}: 2x2 windows, maximum outlined", winners)
    for k in range(2, x.shape[0], 2):
        left.axhline(k - 0.5, color="black", linewidth=2)
    for k in range(2, x.shape[1], 2):
        left.axvline(k - 0.5, color="black", linewidth=2)
    plot_number_grid(right, pooled, f"after 2x2 max pooling: {pooled.shape[0]}x{pooled.shape[1]}")
    fig.suptitle("Max pooling keeps the largest value of each 2x2 window")
    fig.tight_layout()
    return fig


def plot_convolution_example(image, kernel, valid, same):
    """Input, 3x3 filter, and the outputs with ``valid`` and ``same`` padding, every number written."""
    image, kernel = np.asarray(image), np.asarray(kernel)
    fig, axes = plt.subplots(1, 4, figsize=(15, 4), gridspec_kw={"width_ratios": [6, 3, 4, 6]})
    plot_number_grid(axes[0], image, f"input {image.shape[0]}x{image.shape[1]}")
    axes[0].add_patch(Rectangle((-0.5, -0.5), 3, 3, fill=False, edgecolor="black", linewidth=2.5))
    plot_number_grid(axes[1], kernel, "3x3 filter (kernel)", cmap="coolwarm")
    plot_number_grid(axes[2], valid, f"valid padding: {valid.shape[0]}x{valid.shape[1]}", cmap="coolwarm")
    axes[2].add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor="black", linewidth=2.5))
    plot_number_grid(axes[3], same, f"same padding: {same.shape[0]}x{same.shape[1]}", cmap="coolwarm")
    fig.suptitle("A 3x3 filter slides over the image; outlined: the first window and the value it gives"
                 " (outputs: red above 0, blue below)")
    fig.tight_layout()
    return fig


def plot_one_hot(labels, class_names: Sequence[str], title: str = "One-hot labels: one row per image"):
    """The one-hot matrix of ``labels`` as a grid: a row per image, a column per class, 1 where it belongs."""
    labels = np.asarray(labels).reshape(-1)
    one_hot = np.eye(len(class_names), dtype=int)[labels]
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(labels) + 1.6))
    plot_number_grid(ax, one_hot, title, fmt="{:.0f}")
    ax.set_xticks(range(len(class_names)), class_names, rotation=35, ha="right")
    ax.set_yticks(range(len(labels)), [f"image {i}: {class_names[c]}" for i, c in enumerate(labels)])
    ax.set_xlabel("second index: class (column)")
    ax.set_ylabel("first index: image (row)")
    fig.tight_layout()
    return fig


def plot_dropout_passes(rows, rate: float):
    """One row per pass of the same input through ``Dropout(rate)``: training steps, then inference last."""
    rows = [np.asarray(row, dtype=float) for row in rows]
    x = rows[0]
    labels = [f"training step {k + 1}" for k in range(len(rows) - 1)] + ["inference"]
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * x.size, 0.55 * len(rows) + 1.6))
    plot_number_grid(ax, np.array(rows), fmt="{:g}", cmap="Greens")
    ax.set_yticks(range(len(rows)), labels)
    ax.set_ylabel("pass")
    ax.set_xlabel("unit (neuron) index")
    ax.set_title(f"Dropout(rate={rate}) on an input of ones: survivors become 1/(1-{rate}) = {1 / (1 - rate):g}")
    fig.tight_layout()
    return fig
