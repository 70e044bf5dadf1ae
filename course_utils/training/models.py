"""The two networks of the original experiments, written with Keras 3 idioms.

Both follow "Deep Learning with Keras" (Gulli and Pal, 2017, ch. 3). The old code spelled the
second 64-filter convolution ``Conv2D(64, 3, 3)``; in Keras 3 the third positional argument is
``strides``, so that spelling would silently build a different network. We name every argument.
"""
from __future__ import annotations

import keras
from keras import layers

INPUT_SHAPE = (32, 32, 3)
NUM_CLASSES = 10


def build_baseline(dropout: bool = True) -> keras.Model:
    """One conv block: Conv(32, same) - MaxPool - Dropout - Dense 512 - Dropout - softmax (4,200,842 params)."""
    rate = (lambda r: r) if dropout else (lambda r: 0.0)
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            layers.Conv2D(32, kernel_size=3, padding="same", activation="relu", name="conv1"),
            layers.MaxPooling2D(pool_size=2, name="pool1"),
            layers.Dropout(rate(0.25), name="drop1"),
            layers.Flatten(name="flatten"),
            layers.Dense(512, activation="relu", name="dense"),
            layers.Dropout(rate(0.5), name="drop2"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="classes"),
        ],
        name="baseline",
    )


def build_deeper(dropout: bool = True) -> keras.Model:
    """Two conv blocks (32, 32 then 64, 64-valid), each pooled, then Dense 512 (1,676,842 params).

    ``dropout=False`` keeps every layer but sets the rates to 0, for the dropout ablation.
    """
    rate = (lambda r: r) if dropout else (lambda r: 0.0)
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            layers.Conv2D(32, kernel_size=3, padding="same", activation="relu", name="conv1a"),
            layers.Conv2D(32, kernel_size=3, padding="same", activation="relu", name="conv1b"),
            layers.MaxPooling2D(pool_size=2, name="pool1"),
            layers.Dropout(rate(0.25), name="drop1"),
            layers.Conv2D(64, kernel_size=3, padding="same", activation="relu", name="conv2a"),
            # "valid" means no padding: a 3x3 window fits 14 times across 16 pixels, so 16x16 -> 14x14.
            layers.Conv2D(64, kernel_size=3, padding="valid", activation="relu", name="conv2b"),
            layers.MaxPooling2D(pool_size=2, name="pool2"),
            layers.Dropout(rate(0.25), name="drop2"),
            layers.Flatten(name="flatten"),
            layers.Dense(512, activation="relu", name="dense"),
            layers.Dropout(rate(0.5), name="drop3"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="classes"),
        ],
        name="deeper",
    )


def compile_like_original(model: keras.Model) -> keras.Model:
    """RMSprop with Keras defaults and categorical cross-entropy, as in the original notebooks."""
    # On TensorFlow, XLA made these small convnets 2-5x slower on a 2-core CPU (see benchmarks/);
    # JAX, by contrast, needs its compiler to be fast at all.
    jit = False if keras.backend.backend() == "tensorflow" else "auto"
    model.compile(optimizer=keras.optimizers.RMSprop(), loss="categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=jit)
    return model


def layer_shapes(model: keras.Model) -> list[tuple[str, tuple, int]]:
    """(layer name, output shape without the batch axis, parameter count) for each layer."""
    return [(layer.name, tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers]
