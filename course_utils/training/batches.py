"""The training images, fed to Keras one batch at a time, as float32 pixels and one-hot labels."""
from __future__ import annotations

import random

import keras
import numpy as np

from ..data.formats import CLASS_NAMES

# Batch size for validation, testing and prediction. 500 divides every set the series scores (10,000
# test or validation images in full, 1,000 sample test images; the quick profile's 384 validation
# images fit in one batch), so no pass ends in a smaller batch, which JAX would compile again for.
EVAL_BATCH = 500


def prepare(x: np.ndarray, y: np.ndarray, scaling: str = "outside") -> tuple[np.ndarray, np.ndarray]:
    """Pixels as float32 and labels one-hot; with ``scaling="outside"`` (the original code's way) the
    pixels are also divided by 255.

    With ``"in_model"`` (the series' networks, which start with ``Rescaling(1/255)``) and with
    ``"none"`` (the original bug) the pixels stay 0-255: only the model may scale them.
    """
    x = x.astype("float32")
    if scaling == "outside":
        x /= 255.0
    return x, keras.utils.to_categorical(y, num_classes=len(CLASS_NAMES))


class PixelBatches(keras.utils.PyDataset):
    """Batches of the uint8 images, converted with :func:`prepare` one batch at a time.

    Same numbers as ``model.fit(x, y, ...)`` on float32 arrays, but no float32 copy of the whole
    training set (614 MB for CIFAR-10, and Keras would copy it again): a full run stays under 2 GB.
    With ``shuffle``, epoch ``e``'s order is a function of ``(seed, e)`` alone (:class:`EpochOrder`
    sets the epoch), so a run resumed at any epoch sees the order an uninterrupted one saw.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int, scaling: str = "in_model",
                 shuffle: bool = False, seed: int = 0):
        super().__init__()
        self.x, self.y, self.batch_size, self.scaling = x, y, batch_size, scaling
        self.shuffle, self.seed = shuffle, seed
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        """Use epoch ``epoch``'s order (0 is the first)."""
        self.epoch = epoch
        self.order = (np.random.default_rng([self.seed, epoch]).permutation(len(self.x)) if self.shuffle
                      else np.arange(len(self.x)))

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index: int):
        rows = np.sort(self.order[index * self.batch_size:(index + 1) * self.batch_size])
        return prepare(self.x[rows], self.y[rows], self.scaling)


class EpochOrder(keras.callbacks.Callback):
    """At the start of each epoch, give the training batches that epoch's order, and seed the order in
    which ``fit(shuffle=True)`` draws the batches (Keras shuffles their indices with Python's
    ``random``), both from ``(seed, epoch)``: what a run trains on no longer depends on where it began.
    ``batches`` is any ``PyDataset`` with a ``seed`` and a ``set_epoch(epoch)``."""

    def __init__(self, batches: keras.utils.PyDataset):
        super().__init__()
        self.batches = batches

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.set_epoch(epoch)
        random.seed(f"course-epoch-{self.batches.seed}-{epoch}")


def split_like_keras(n: int, validation_split: float) -> int:
    """Where ``validation_split`` cuts: Keras keeps the first part for training, the tail for validation."""
    return int(np.floor(n * (1.0 - validation_split)))
