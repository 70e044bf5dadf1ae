"""Figures of notebook 04: the collapse of the original augmented run, and one warp against three.

    fig = plot_collapse({"trained first": r1, "untrained": r2})      # results of run_collapse
    fig = plot_sharpness(original, one_warp, three_warps, scores)
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import PercentFormatter

from .style import legend_below


def plot_collapse(runs: Mapping[str, dict], title: str = "After the switch to raw, warped pixels"):
    """Three panels per run of :func:`course_utils.training.collapse.run_collapse`, against the training step.

    Loss of each of the first batches (log scale); the share of the 512 dense ReLU units that are
    zero for every image of the probe batch; and the mean range of the logits (largest minus smallest
    score of an image), whose fall to almost nothing means the same answer for every image.
    """
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for name, r in runs.items():
        losses = r["step_losses"]
        line, = axes[0].plot(range(1, len(losses) + 1), losses, label=name)
        colour = line.get_color()
        steps = [0] + [p["step"] for p in r["probes"]]
        points = [r["at_switch"]["raw"]] + r["probes"]
        x = [s + 1 for s in steps]  # log axis: step 0 (the switch) is drawn at 1
        axes[1].plot(x, [p["dense_dead_units"] for p in points], color=colour, label=name)
        axes[2].plot(x, [p["logit_range"] for p in points], color=colour, label=name)
    axes[0].axhline(np.log(10), color="grey", linestyle=":", label="ln 10 (same answer for all)")
    axes[0].set(yscale="log", xlabel="training step after the switch", ylabel="loss of the batch",
                title=f"Loss of each of the first {len(losses)} batches")
    axes[1].set(xscale="log", ylim=(0, 1.02), xlabel="training step after the switch + 1",
                ylabel="dense units off for every probe image", title="Dense ReLU units switched off")
    axes[1].yaxis.set_major_formatter(PercentFormatter(1.0))
    axes[2].set(xscale="log", yscale="log", xlabel="training step after the switch + 1",
                ylabel="largest minus smallest logit", title="Spread of the ten scores of an image")
    fig.suptitle(title)
    legend_below(fig, axes)
    return fig


def plot_sharpness(original, one_warp, three_warps, scores: Mapping[str, float], index: int = 0,
                   title: str = "One resampling against three"):
    """One image as it is, warped once and warped three times, and the mean sharpness of each version."""
    fig = plt.figure(figsize=(13, 3.6))
    grid = fig.add_gridspec(1, 4, width_ratios=[1, 1, 1, 1.6])
    images = {"original": original, "one warp": one_warp, "three warps": three_warps}
    for i, (label, batch) in enumerate(images.items()):
        ax = fig.add_subplot(grid[0, i])
        ax.imshow(np.clip(np.asarray(batch)[index], 0, 1), interpolation="nearest")
        ax.set_title(label)
        ax.axis("off")
    ax = fig.add_subplot(grid[0, 3])
    names: Sequence[str] = list(scores)
    bars = ax.barh(names, [scores[n] for n in names], color=["grey", "tab:blue", "tab:orange"][: len(names)])
    ax.bar_label(bars, labels=[f"{scores[n]:.4f}" for n in names], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("mean gradient magnitude (pixel values 0-1)")
    ax.set_title("Sharpness, mean over the images")
    ax.set_xlim(0, max(scores.values()) * 1.25)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
