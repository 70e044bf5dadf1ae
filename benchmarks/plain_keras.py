"""The reference the course is timed against: the book's networks as a student would write them today.

Plain Keras 3: the arrays divided by 255 up front, the network built with ``Sequential``, compiled
with the defaults, and ``model.fit(x, y, ...)``; augmentation with Keras's stacked random layers.
No course code is used here, so the benchmark can tell what the course's own path costs.
"""
from __future__ import annotations

import keras
from keras import layers


def plain_baseline() -> keras.Sequential:
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(512, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax", dtype="float32"),
    ])


def plain_deeper() -> keras.Sequential:
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Dropout(0.25),
        layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(512, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax", dtype="float32"),
    ])


def plain_augmented() -> keras.Sequential:
    """The deeper network behind Keras's stacked random layers, with the original settings."""
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.RandomFlip("horizontal"),
        layers.RandomRotation(40 / 360, fill_mode="nearest"),
        layers.RandomTranslation(0.2, 0.2, fill_mode="nearest"),
        layers.RandomZoom(0.2, 0.2, fill_mode="nearest"),
        plain_deeper(),
    ])


PLAIN = {"baseline": plain_baseline, "deeper": plain_deeper, "augmented": plain_augmented}


def compiled(name: str) -> keras.Sequential:
    model = PLAIN[name]()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
