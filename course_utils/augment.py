"""On-the-fly augmentation with the original ``ImageDataGenerator`` settings, as Keras 3 layers.

Original settings: rotation up to 40 degrees, width and height shift 0.2, zoom 0.2, horizontal
flip, nearest fill. The layers run inside the training step, on each batch, so no augmented copy
of the data set is ever stored; at inference (``training=False``) they pass images through.
"""
from __future__ import annotations

import keras
from keras import layers

ORIGINAL_SETTINGS = {
    "rotation_range": 40,
    "width_shift_range": 0.2,
    "height_shift_range": 0.2,
    "zoom_range": 0.2,
    "horizontal_flip": True,
    "fill_mode": "nearest",
}


def build_augmenter(seed: int | None = None) -> keras.Sequential:
    """A stack of random layers reproducing :data:`ORIGINAL_SETTINGS`."""
    fill = ORIGINAL_SETTINGS["fill_mode"]
    return keras.Sequential(
        [
            layers.RandomFlip("horizontal", seed=seed),
            # RandomRotation takes a fraction of a full turn: 40 degrees = 40/360.
            layers.RandomRotation(ORIGINAL_SETTINGS["rotation_range"] / 360, fill_mode=fill, seed=seed),
            layers.RandomTranslation(ORIGINAL_SETTINGS["height_shift_range"],
                                     ORIGINAL_SETTINGS["width_shift_range"], fill_mode=fill, seed=seed),
            layers.RandomZoom(ORIGINAL_SETTINGS["zoom_range"], ORIGINAL_SETTINGS["zoom_range"],
                              fill_mode=fill, seed=seed),
        ],
        name="augmenter",
    )


def with_augmentation(model: keras.Model, seed: int | None = None) -> keras.Model:
    """Put the augmenter in front of ``model``; it adds no weights and is idle at inference."""
    return keras.Sequential([keras.Input(shape=model.input_shape[1:]), build_augmenter(seed), model],
                            name=f"{model.name}_augmented")


def legacy_generator():
    """The old ``ImageDataGenerator`` with the same settings (for the benchmark only).

    Keras 3 no longer exports it; TensorFlow still ships it as ``tf.keras.preprocessing.image``.
    """
    try:
        from keras.src.legacy.preprocessing.image import ImageDataGenerator
    except ImportError:  # pragma: no cover - depends on the installed Keras
        import tensorflow as tf

        ImageDataGenerator = tf.keras.preprocessing.image.ImageDataGenerator
    return ImageDataGenerator(**ORIGINAL_SETTINGS)
