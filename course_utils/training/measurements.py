"""Measurements of trained models for the explainer notebooks: shifts, scales, feature maps, shapes.

    shift_sensitivity(model, x_test[:1000] / 255)       # {0: 0.0, 1: 0.14, 2: 0.22, ...}
"""
from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from ..data.transforms import SHIFT_DIRECTIONS, grey_centred, shift_images


def predict_classes(model, x, batch_size: int = 500) -> np.ndarray:
    """The class index a Keras model predicts for each image in ``x``."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0)).argmax(axis=1)


def scale_mismatch(model, x_uint8, y) -> dict[str, tuple[float, float]]:
    """Score ``model``, which takes raw 0-255 pixels, on test images as they are and divided by 255 first.

    For a model without a Rescaling layer, divided pixels are the other scale; for one with it, they
    are divided twice. Either way the network gets inputs 255 times smaller than in training.
    Returns ``{label: (accuracy, share of images given the most common answer)}``. A model scored
    on the wrong scale tends to give one answer to every image, which on balanced data is 10%.
    """
    x = np.asarray(x_uint8, dtype="float32")
    y = np.asarray(y).ravel()
    out = {}
    for label, inputs in (("0-255, as in training", x), ("divided by 255 first", x / 255)):
        answers = predict_classes(model, inputs)
        out[label] = (float(np.mean(answers == y)), float(np.bincount(answers, minlength=10).max() / len(answers)))
    return out


def shift_sensitivity(model, x, max_shift: int = 4, directions: Sequence[str] = ("right", "left", "down", "up"),
                      batch_size: int = 500) -> dict[int, float]:
    """How often ``model`` changes its prediction when the images move by 0 to ``max_shift`` pixels.

    Returns ``{shift: fraction}``: for each shift, the fraction of images in ``x`` (already scaled as
    the model expects) whose predicted class differs from the prediction for the unmoved image,
    averaged over ``directions`` (names in :data:`SHIFT_DIRECTIONS`). Shift 0 is measured too, by
    predicting again, so a model that is not even repeatable would show up there.
    """
    x = np.asarray(x, dtype="float32")
    reference = predict_classes(model, x, batch_size)
    result = {0: float(np.mean(predict_classes(model, shift_images(x, 0, 0), batch_size) != reference))}
    for shift in range(1, max_shift + 1):
        changed = []
        for name in directions:
            dx, dy = SHIFT_DIRECTIONS[name]
            moved = predict_classes(model, shift_images(x, dx * shift, dy * shift), batch_size)
            changed.append(np.mean(moved != reference))
        result[shift] = float(np.mean(changed))
    return result


def pooling_shift_change(model, x, layer: str, max_shift: int = 4) -> dict[str, dict[int, float]]:
    """How much a layer's feature maps change when the images move right, with and without pooling.

    For each shift, the maps of ``layer`` for the moved images are compared with those for the
    unmoved images, position by position: ``|after - before| / |before|`` (Euclidean norms, summed
    over all images). ``"no pooling"`` compares the maps themselves; ``"max 2x2"`` and
    ``"average 2x2"`` compare them after Keras's 2x2 max or average pooling. Returns
    ``{pooling: {shift: relative change}}``; 0 would mean the representation ignores the move.
    """
    poolings = {"no pooling": lambda m: m, "max 2x2": _pool("max"), "average 2x2": _pool("average")}

    x = np.asarray(x, dtype="float32")
    probe = keras.Model(model.inputs, model.get_layer(layer).output)  # built once: no retracing per shift
    maps = probe.predict(x, batch_size=250, verbose=0)
    before = {name: pool(maps) for name, pool in poolings.items()}
    result: dict[str, dict[int, float]] = {name: {} for name in poolings}
    for shift in range(max_shift + 1):
        moved = probe.predict(shift_images(x, dx=shift), batch_size=250, verbose=0)
        for name, pool in poolings.items():
            after = pool(moved)
            result[name][shift] = float(np.linalg.norm(after - before[name]) / np.linalg.norm(before[name]))
    return result


def _pool(kind: str):
    """2x2 pooling with stride 2 of a batch of maps (N, H, W, C), as ``MaxPooling2D(2)`` or ``AveragePooling2D(2)``."""
    op = keras.ops.max_pool if kind == "max" else keras.ops.average_pool
    return lambda maps: keras.ops.convert_to_numpy(op(np.asarray(maps, "float32"), pool_size=2, strides=2,
                                                      padding="valid"))


def feature_maps_batch(model, x, layer: str, batch_size: int = 250) -> np.ndarray:
    """What layer ``layer`` outputs for every image in ``x``: ``(N, height, width, channels)``."""
    probe = keras.Model(model.inputs, model.get_layer(layer).output)
    return np.asarray(probe.predict(np.asarray(x, dtype="float32"), batch_size=batch_size, verbose=0))


def feature_maps(model, image, layer_names: Sequence[str]) -> dict[str, np.ndarray]:
    """What the named layers output for one image: ``{name: array (height, width, channels)}``.

    ``image`` is one ``(32, 32, 3)`` image scaled as the model expects. A second model that shares
    the trained layers returns their outputs; called directly, since ``predict`` would retrace per probe.
    """
    probe = keras.Model(model.inputs[0], [model.get_layer(name).output for name in layer_names])  # one input, not a list
    outputs = probe(np.asarray(image, dtype="float32")[None], training=False)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return {name: keras.ops.convert_to_numpy(out)[0] for name, out in zip(layer_names, outputs)}


def most_active_channels(maps: np.ndarray, n: int = 6) -> np.ndarray:
    """Indices of the ``n`` channels with the largest mean activation (ties: lower index first)."""
    means = np.asarray(maps).reshape(-1, maps.shape[-1]).mean(axis=0)
    return np.argsort(-means, kind="stable")[:n]


def neighbour_correlation(images, shuffle_seed: int | None = None) -> float:
    """Correlation between each pixel's grey value and its right-hand neighbour's, within images.

    Each image's mean brightness is subtracted first, so a bright image does not count as "similar
    neighbours". With ``shuffle_seed`` the pixels of every image are put in one random order first,
    which keeps the values but destroys the layout: the baseline for "no spatial structure".
    """
    grey = grey_centred(images, shuffle_seed)
    left, right = grey[:, :, :-1].ravel(), grey[:, :, 1:].ravel()
    return float(np.corrcoef(left, right)[0, 1])


def layer_shapes(model: keras.Model) -> list[tuple[str, tuple, int]]:
    """(layer name, output shape without the batch axis, parameter count) for each layer."""
    return [(layer.name, tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers]
