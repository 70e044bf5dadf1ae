"""Inside the networks: filter responses, layer sizes, feature maps, and how shifts change answers."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .style import legend_below


def plot_filter_responses(grey, responses: Mapping[str, np.ndarray], title: str = "What two 3x3 filters see"):
    """A grey image and, for each named filter, its ``same``-padded convolution with the image."""
    grey = np.asarray(grey, dtype=float)
    fig, axes = plt.subplots(1, len(responses) + 1, figsize=(3.4 * (len(responses) + 1), 3.6))
    axes[0].imshow(grey, cmap="gray", interpolation="nearest")
    axes[0].set_title("input (grey, 0-255)")
    for ax, (name, response) in zip(axes[1:], responses.items()):
        limit = np.abs(response).max() or 1.0
        shown = ax.imshow(response, cmap="coolwarm", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(name)
        fig.colorbar(shown, ax=ax, fraction=0.046, label="filter output")
    for ax in axes:
        ax.set_xlabel("column (pixel)")
        ax.grid(False)
    axes[0].set_ylabel("row (pixel)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_layer_sizes(models: Mapping[str, Sequence[tuple[str, tuple, int]]],
                     title: str = "Values each layer outputs, and the weights it holds"):
    """For each model (``name -> layer_shapes(model)``): values per layer output and parameters per layer."""
    fig, axes = plt.subplots(1, len(models), figsize=(6.5 * len(models), 4.8), squeeze=False)
    for ax, (name, shapes) in zip(axes[0], models.items()):
        names = [f"{layer} {'x'.join(map(str, shape))}" for layer, shape, _ in shapes]
        values = [int(np.prod(shape)) for _, shape, _ in shapes]
        params = [max(p, 0) for _, _, p in shapes]
        y = np.arange(len(shapes))
        ax.barh(y - 0.2, values, 0.4, label="values in the layer's output")
        ax.barh(y + 0.2, [p if p else np.nan for p in params], 0.4, label="parameters (weights + biases)")
        ax.set_yticks(y, names, fontsize=9)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("count (log scale)")
        ax.set_ylabel("layer and output shape (height x width x channels)")
        ax.set_title(f"{name}: {sum(params):,} parameters")
    fig.suptitle(title)
    legend_below(fig, axes)
    return fig


def plot_feature_maps(image, maps: Mapping[str, np.ndarray], channels: Sequence[int],
                      title: str = "Feature maps before and after pooling"):
    """The image, then one row per layer showing the chosen ``channels`` (same channels in every row)."""
    fig, axes = plt.subplots(len(maps), len(channels) + 1, figsize=(1.7 * (len(channels) + 1), 1.9 * len(maps)),
                             squeeze=False)
    for row, (name, fmap) in enumerate(maps.items()):
        axes[row, 0].imshow(np.clip(np.asarray(image, dtype=float), 0, 1), interpolation="nearest")
        axes[row, 0].set_title("input 32x32", fontsize=9)
        for col, channel in enumerate(channels, start=1):
            axes[row, col].imshow(fmap[:, :, channel], cmap="magma", interpolation="nearest")
            axes[row, col].set_title(f"channel {channel}", fontsize=9)
        axes[row, 1].set_ylabel(f"{name}\n{fmap.shape[0]}x{fmap.shape[1]}", fontsize=9)
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
    axes[-1, 1].set_xlabel("bright: strong activation")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _plot_percent_curves(results: Mapping[str, Mapping[int, float]], xlabel: str, ylabel: str, title: str):
    """One line per entry of ``results`` (shift in pixels -> fraction), y axis in percent."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for (name, curve), marker in zip(results.items(), "osd^v" * 4):
        shifts = sorted(curve)
        ax.plot(shifts, [curve[s] for s in shifts], marker=marker, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    legend_below(fig, ax)
    return fig


def plot_shift_sensitivity(results: Mapping[str, Mapping[int, float]], images: int | None = None,
                           directions: str = "right, left, down, up",
                           title: str = "How often a small shift changes the predicted class"):
    """One line per model: shift in pixels against the percentage of predictions that changed."""
    return _plot_percent_curves(
        results, f"shift (pixels; mean over {directions})",
        "predictions changed" + (f" (% of {images:,} test images)" if images else " (%)"), title)


def plot_pooling_shift_change(results: Mapping[str, Mapping[int, float]], layer: str = "",
                              title: str = "How much the feature maps change when the image moves"):
    """One line per pooling choice: shift in pixels against the relative change of the maps."""
    return _plot_percent_curves(results, "shift to the right (pixels)",
                                f"relative change of the {layer + ' ' if layer else ''}maps", title)
