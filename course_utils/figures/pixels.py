"""Pixel values: their spread before and after scaling, and how alike neighbouring pixels are."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..data.transforms import grey_centred


def plot_pixel_histograms(images, title: str = "The same pixels before and after dividing by 255"):
    """Histograms of pixel values as stored (0-255) and after ``/ 255`` (0-1): same shape, new scale."""
    values = np.asarray(images).ravel()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, data, label in ((axes[0], values, "pixel value as stored (uint8, 0-255)"),
                            (axes[1], values.astype("float32") / 255.0, "pixel value / 255 (float32, 0-1)")):
        ax.hist(data, bins=64, color="tab:blue")
        ax.set_xlabel(label)
        ax.set_ylabel("number of pixel values")
    axes[0].set_title("raw")
    axes[1].set_title("scaled")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_neighbour_pixels(images, seed: int = 0, points: int = 3000,
                          title: str = "Neighbouring pixels: real images against shuffled ones"):
    """Scatter of each pixel's grey value against its right-hand neighbour's (each image's mean
    subtracted), for real images and for the same pixels in a random order; the correlation from
    ``course_utils.neighbour_correlation`` is written in each panel's title."""
    panels = {"real images": grey_centred(images), "pixels shuffled": grey_centred(images, seed)}
    n, h, w = panels["real images"].shape
    total = n * h * (w - 1)
    pick = np.random.default_rng(seed + 1).choice(total, size=min(points, total), replace=False)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), sharex=True, sharey=True)
    for ax, (label, grey) in zip(axes, panels.items()):
        left, right = grey[:, :, :-1].ravel(), grey[:, :, 1:].ravel()
        ax.scatter(left[pick], right[pick], s=3, alpha=0.3)
        ax.set_xlabel("a pixel: grey value minus image mean (0-255 scale)")
        ax.set_title(f"{label}: correlation {np.corrcoef(left, right)[0, 1]:.2f}")
    axes[0].set_ylabel("its right-hand neighbour (same scale)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
