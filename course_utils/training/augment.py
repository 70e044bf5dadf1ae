"""On-the-fly augmentation as the old ``ImageDataGenerator`` did it: one random affine warp per image.

Two settings are used in the series:

- ``"original"``: the student notebook's generator (rotation up to 40 degrees, width and height
  shift 0.2, zoom 0.2, horizontal flip, nearest fill);
- ``"mild"``: the settings of the 40-epoch reference run (shift 0.1 and horizontal flip only).

:class:`RandomWarp` draws, for every image and independently of each other, a flip, an angle, two
shifts and two zoom factors; composes them into one matrix about the image centre ((n - 1) / 2, as
Keras 3's copy of ``ImageDataGenerator`` does; Keras 2's own used n / 2 + 0.5); and resamples once (bilinear,
nearest fill). Stacking Keras's ``RandomRotation``, ``RandomTranslation`` and ``RandomZoom`` would
resample it three times, which blurs it (notebook 04 measures how much). The layer runs inside the
model, on each training batch, on every Keras backend, and passes images through untouched at
inference (``training=False``).
"""
from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

ORIGINAL_SETTINGS = {
    "rotation_range": 40,
    "width_shift_range": 0.2,
    "height_shift_range": 0.2,
    "zoom_range": 0.2,
    "horizontal_flip": True,
    "fill_mode": "nearest",
}
# The 40-epoch reference run (RM1708/Deep-Learning-with-Keras, Chapter03/2.keras_CIFAR10_V1.py and
# its log Output-keras_CIFAR10_V1.txt): shifts of 10% and horizontal flips, nothing else.
MILD_SETTINGS = {
    "rotation_range": 0,
    "width_shift_range": 0.1,
    "height_shift_range": 0.1,
    "zoom_range": 0.0,
    "horizontal_flip": True,
    "fill_mode": "nearest",
}
SETTINGS = {"original": ORIGINAL_SETTINGS, "mild": MILD_SETTINGS}


def settings_for(name: str) -> dict:
    """The ``ImageDataGenerator`` arguments called ``name`` (one of :data:`SETTINGS`)."""
    if name not in SETTINGS:
        raise ValueError(f"unknown augmentation settings {name!r}: choose one of {', '.join(SETTINGS)}")
    return dict(SETTINGS[name])


def inverse_maps(theta, tx, ty, zx, zy, flip, height: int, width: int):
    """The output-to-input pixel maps of a batch of warps, as the rows ``keras.ops.image.affine_transform`` takes.

    Arguments are 1-D tensors, one value per image: ``theta`` in degrees, ``tx``/``ty`` in pixels,
    ``zx``/``zy`` zoom factors, ``flip`` 1.0 to mirror left-right (applied after the warp). The matrix is
    ``ImageDataGenerator``'s: rotation, then shift, then zoom, about the centre ((n - 1) / 2), in
    (column, row) coordinates; its ``tx`` moves columns although the old code drew it from
    ``height_shift_range`` (with equal ranges, as here, that makes no difference).
    Returns an ``(N, 8)`` tensor ``[a0, a1, a2, b0, b1, b2, 0, 0]``: input = (a0 x + a1 y + a2, b0 x + b1 y + b2).
    """
    angle = theta * (math.pi / 180.0)
    cos, sin = ops.cos(angle), ops.sin(angle)
    # M = R @ T @ Z with R = [[c, -s], [s, c]], T = shift (tx, ty), Z = diag(zx, zy).
    m00, m01 = cos * zx, -sin * zy
    m10, m11 = sin * zx, cos * zy
    m02 = cos * tx - sin * ty
    m12 = sin * tx + cos * ty
    # About the centre: O @ M @ O^-1, O the shift to the centre (cx, cy).
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    m02 = m02 + cx - m00 * cx - m01 * cy
    m12 = m12 + cy - m10 * cx - m11 * cy
    # The flip comes after the warp: the map reads column (width - 1 - x), i.e. M @ F with
    # F = [[-1, 0, width - 1], [0, 1, 0]].
    sign = 1.0 - 2.0 * flip
    m02 = m02 + flip * m00 * (width - 1)
    m12 = m12 + flip * m10 * (width - 1)
    m00, m10 = m00 * sign, m10 * sign
    zeros = ops.zeros_like(m00)
    return ops.stack([m00, m01, m02, m10, m11, m12, zeros, zeros], axis=1)


@keras.saving.register_keras_serializable(package="course_utils")
class RandomWarp(layers.Layer):
    """Random flip, rotation, shift and zoom of each image, composed and applied in one bilinear warp.

    The arguments are ``ImageDataGenerator``'s: ``rotation_range`` in degrees, shift ranges as
    fractions of the image size, ``zoom_range`` z for factors drawn from [1 - z, 1 + z] (one for x,
    one for y), ``horizontal_flip`` for a coin-flip mirror, ``fill_mode`` for the pixels that a warp
    brings in from outside the image. One seed generator serves every draw, so the six numbers of an
    image are independent of each other; with a ``seed``, the sequence of warps is reproducible.
    """

    def __init__(self, rotation_range: float = 0.0, width_shift_range: float = 0.0,
                 height_shift_range: float = 0.0, zoom_range: float = 0.0, horizontal_flip: bool = False,
                 fill_mode: str = "nearest", interpolation: str = "bilinear", seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.rotation_range = float(rotation_range)
        self.width_shift_range = float(width_shift_range)
        self.height_shift_range = float(height_shift_range)
        self.zoom_range = float(zoom_range)
        self.horizontal_flip = bool(horizontal_flip)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def _uniform(self, n, low: float, high: float):
        if low == high:
            return ops.full((n,), low, dtype="float32")
        return keras.random.uniform((n,), low, high, dtype="float32", seed=self.seed_generator)

    def draw(self, n, height: int, width: int) -> dict:
        """The random parameters of ``n`` warps (the order of draws is ``ImageDataGenerator``'s)."""
        return {
            "theta": self._uniform(n, -self.rotation_range, self.rotation_range),
            "tx": self._uniform(n, -self.height_shift_range, self.height_shift_range) * height,
            "ty": self._uniform(n, -self.width_shift_range, self.width_shift_range) * width,
            "zx": self._uniform(n, 1 - self.zoom_range, 1 + self.zoom_range),
            "zy": self._uniform(n, 1 - self.zoom_range, 1 + self.zoom_range),
            "flip": (ops.cast(self._uniform(n, 0.0, 1.0) < 0.5, "float32") if self.horizontal_flip
                     else ops.zeros((n,), dtype="float32")),
        }

    def warp(self, images, params: dict):
        """Warp ``images`` (N, H, W, C) with the given parameters, in one resampling."""
        height, width = images.shape[1], images.shape[2]
        maps = inverse_maps(params["theta"], params["tx"], params["ty"], params["zx"], params["zy"],
                            params["flip"], height, width)
        return ops.image.affine_transform(images, maps, interpolation=self.interpolation,
                                          fill_mode=self.fill_mode, data_format="channels_last")

    def call(self, inputs, training=None):
        if not training:
            return inputs
        images = ops.cast(inputs, self.compute_dtype)
        return self.warp(images, self.draw(ops.shape(images)[0], images.shape[1], images.shape[2]))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rotation_range": self.rotation_range,
                "width_shift_range": self.width_shift_range, "height_shift_range": self.height_shift_range,
                "zoom_range": self.zoom_range, "horizontal_flip": self.horizontal_flip,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed}


def build_augmenter(settings: str = "original", seed: int | None = None) -> RandomWarp:
    """The one-warp augmentation layer for the named settings (``"original"`` or ``"mild"``)."""
    return RandomWarp(**settings_for(settings), seed=seed, name=f"augment_{settings}")


def build_stacked_augmenter(seed: int | None = None) -> keras.Sequential:
    """The original settings as four stacked Keras layers: three resamplings per image.

    Kept to measure what the single warp saves (speed in ``benchmarks/``, sharpness in notebook 04).
    Each layer gets its own seed: with one shared seed, the layers draw from identical streams and
    the flip, angle, shift and zoom of an image move together.
    """
    s, fill = ORIGINAL_SETTINGS, ORIGINAL_SETTINGS["fill_mode"]
    seeds = [None] * 4 if seed is None else [seed + i for i in range(4)]
    return keras.Sequential(
        [
            layers.RandomFlip("horizontal", seed=seeds[0]),
            layers.RandomRotation(s["rotation_range"] / 360, fill_mode=fill, seed=seeds[1]),
            layers.RandomTranslation(s["height_shift_range"], s["width_shift_range"], fill_mode=fill, seed=seeds[2]),
            layers.RandomZoom(s["zoom_range"], s["zoom_range"], fill_mode=fill, seed=seeds[3]),
        ],
        name="stacked_augmenter",
    )


def with_augmentation(model: keras.Model, settings: str = "original", seed: int | None = None) -> keras.Model:
    """Put the augmentation layer in front of ``model``; it adds no weights and is idle at inference."""
    return keras.Sequential([keras.Input(shape=model.input_shape[1:]), build_augmenter(settings, seed), model],
                            name=f"{model.name}_augmented")


def warp_steps(images, params: dict, steps: int = 1, fill_mode: str = "nearest"):
    """The same warps done in one resampling (``steps=1``) or three (rotation, then shift, then zoom).

    Composing the three maps gives the one-step map, so the two results differ only by the extra
    interpolations; notebook 04 compares their sharpness. ``images`` is (N, H, W, C) float.
    """
    height, width = images.shape[1], images.shape[2]
    ones, zeros = np.ones(len(images), "float32"), np.zeros(len(images), "float32")
    p = {k: np.asarray(keras.ops.convert_to_numpy(v), "float32") for k, v in params.items()}
    if steps == 1:
        parts = [(p["theta"], p["tx"], p["ty"], p["zx"], p["zy"])]
    elif steps == 3:
        parts = [(p["theta"], zeros, zeros, ones, ones), (zeros, p["tx"], p["ty"], ones, ones),
                 (zeros, zeros, zeros, p["zx"], p["zy"])]
    else:
        raise ValueError(f"steps must be 1 or 3, not {steps}")
    out = ops.convert_to_tensor(images, "float32")
    for i, (theta, tx, ty, zx, zy) in enumerate(parts):
        flip = p["flip"] if i == len(parts) - 1 else zeros
        maps = inverse_maps(*(ops.convert_to_tensor(a) for a in (theta, tx, ty, zx, zy, flip)), height, width)
        out = ops.image.affine_transform(out, maps, interpolation="bilinear", fill_mode=fill_mode,
                                         data_format="channels_last")
    return np.asarray(ops.convert_to_numpy(out))


def sharpness(images) -> float:
    """Mean gradient magnitude of the grey images (N, H, W, 3), pixel values 0-1: blur lowers it."""
    grey = np.asarray(images, "float64").mean(axis=-1)
    gy, gx = np.diff(grey, axis=1)[:, :, :-1], np.diff(grey, axis=2)[:, :-1, :]
    return float(np.sqrt(gx ** 2 + gy ** 2).mean())


def legacy_generator(settings: str = "original"):
    """The old ``ImageDataGenerator`` with the named settings (the reference in tests and the benchmark).

    Keras 3 no longer exports it; it still ships as ``keras.src.legacy.preprocessing.image``.
    """
    try:
        from keras.src.legacy.preprocessing.image import ImageDataGenerator
    except ImportError:  # pragma: no cover - depends on the installed Keras
        import tensorflow as tf

        ImageDataGenerator = tf.keras.preprocessing.image.ImageDataGenerator
    return ImageDataGenerator(**settings_for(settings))
