"""Small transformations of image arrays: grey, centred, shifted."""
from __future__ import annotations

import numpy as np

# (dx, dy) for one pixel in each direction: dx > 0 moves content right, dy > 0 moves it down.
SHIFT_DIRECTIONS = {"right": (1, 0), "left": (-1, 0), "down": (0, 1), "up": (0, -1)}


def shift_images(x, dx: int = 0, dy: int = 0) -> np.ndarray:
    """Move images ``dx`` pixels right and ``dy`` pixels down (negative: left, up).

    ``x`` is ``(N, H, W, C)`` or one ``(H, W, C)`` image. The strip that the move uncovers is filled
    by repeating the nearest edge pixel (``fill_mode="nearest"`` in Keras), so no black bar appears
    that a model could react to instead of the move itself. Shape and dtype are kept.
    """
    x = np.asarray(x)
    single = x.ndim == 3
    batch = x[None] if single else x
    h, w = batch.shape[1:3]
    if abs(dx) >= w or abs(dy) >= h:
        raise ValueError(f"a shift of ({dx}, {dy}) pixels leaves nothing of a {h}x{w} image")
    pad = [(0, 0), (max(dy, 0), max(-dy, 0)), (max(dx, 0), max(-dx, 0))] + [(0, 0)] * (batch.ndim - 3)
    padded = np.pad(batch, pad, mode="edge")
    top, left = max(-dy, 0), max(-dx, 0)
    out = padded[:, top:top + h, left:left + w]
    return out[0] if single else out


def to_grey(images) -> np.ndarray:
    """Mean of the three colour channels: ``(..., H, W, 3) -> (..., H, W)`` as float."""
    return np.asarray(images, dtype=float).mean(axis=-1)


def grey_centred(images, shuffle_seed: int | None = None) -> np.ndarray:
    """Grey images minus each image's own mean brightness, optionally with their pixels shuffled."""
    grey = to_grey(images)
    grey = grey - grey.mean(axis=(1, 2), keepdims=True)
    if shuffle_seed is not None:
        n, h, w = grey.shape
        order = np.random.default_rng(shuffle_seed).permutation(h * w)
        grey = grey.reshape(n, h * w)[:, order].reshape(n, h, w)
    return grey
