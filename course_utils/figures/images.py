"""Images on a grid: samples per class, augmented versions, the most confident mistakes, shifted copies.

Every function returns the matplotlib ``Figure`` it drew; assign it (``fig = ...``) in a notebook
so the figure is shown once.
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..data.formats import CLASS_NAMES
from ..data.transforms import shift_images


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


def plot_shifted_images(image, shifts: Sequence[int] = (0, 1, 2, 3, 4), title: str = "One test image moved right"):
    """The same image moved right by each of ``shifts`` pixels (edge pixels repeated into the gap)."""
    fig, axes = plt.subplots(1, len(shifts), figsize=(1.9 * len(shifts), 2.3))
    for ax, shift in zip(np.atleast_1d(axes), shifts):
        ax.imshow(np.clip(shift_images(np.asarray(image, dtype=float), dx=shift), 0, 1), interpolation="nearest")
        ax.set_title(f"{shift} px right", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
