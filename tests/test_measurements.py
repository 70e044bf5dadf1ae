"""Measurements of trained models (shift test, feature maps, scale mismatch) do what the notebooks say."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils.data.transforms import shift_images
from course_utils.training.measurements import (feature_maps, most_active_channels, neighbour_correlation,
                                           pooling_shift_change, scale_mismatch, shift_sensitivity)
from course_utils.training.networks import build_baseline


# --------------------------------------------------------------------------- shifting
def test_shift_images_moves_content_and_repeats_the_edge():
    x = np.arange(4 * 5).reshape(1, 4, 5, 1)
    right = shift_images(x, dx=2)[0, :, :, 0]
    np.testing.assert_array_equal(right[:, 2:], x[0, :, :3, 0])
    np.testing.assert_array_equal(right[:, :2], np.repeat(x[0, :, :1, 0], 2, axis=1))
    left = shift_images(x, dx=-1)[0, :, :, 0]
    np.testing.assert_array_equal(left[:, :4], x[0, :, 1:, 0])
    np.testing.assert_array_equal(left[:, 4], x[0, :, 4, 0])
    down = shift_images(x, dy=1)[0, :, :, 0]
    np.testing.assert_array_equal(down[1:], x[0, :3, :, 0])
    np.testing.assert_array_equal(down[0], x[0, 0, :, 0])
    up = shift_images(x, dy=-3)[0, :, :, 0]
    np.testing.assert_array_equal(up[0], x[0, 3, :, 0])
    np.testing.assert_array_equal(up[1:], np.repeat(x[0, 3:, :, 0], 3, axis=0))


def test_shift_images_keeps_shape_dtype_and_accepts_one_image():
    x = np.random.default_rng(0).integers(0, 256, size=(3, 32, 32, 3), dtype=np.uint8)
    moved = shift_images(x, dx=3, dy=-2)
    assert moved.shape == x.shape and moved.dtype == x.dtype
    np.testing.assert_array_equal(shift_images(x, 0, 0), x)
    np.testing.assert_array_equal(shift_images(x[1], dx=3, dy=-2), moved[1])
    with pytest.raises(ValueError):
        shift_images(x, dx=32)


class _BrightestColumn:
    """A fake model whose 'class' is the column of the brightest pixel: it notices every sideways move."""

    def predict(self, x, batch_size=None, verbose=0):
        columns = np.asarray(x)[..., 0].max(axis=1).argmax(axis=1)
        return np.eye(32)[columns]


def test_shift_sensitivity_counts_changed_predictions():
    x = np.zeros((6, 32, 32, 3), dtype="float32")
    x[np.arange(6), 5 + np.arange(6), 10 + np.arange(6)] = 1.0
    result = shift_sensitivity(_BrightestColumn(), x, max_shift=3)
    assert list(result) == [0, 1, 2, 3]
    assert result[0] == 0.0
    # right and left moves change every prediction, down and up none: half on average
    assert all(result[s] == 0.5 for s in (1, 2, 3))
    only_sideways = shift_sensitivity(_BrightestColumn(), x, max_shift=2, directions=("right",))
    assert only_sideways == {0: 0.0, 1: 1.0, 2: 1.0}


def test_shift_sensitivity_of_a_real_model_is_zero_without_a_shift():
    keras.utils.set_random_seed(0)
    model = build_baseline()
    x = np.random.default_rng(0).random((20, 32, 32, 3)).astype("float32")
    result = shift_sensitivity(model, x, max_shift=2)
    assert result[0] == 0.0
    assert all(0.0 <= v <= 1.0 for v in result.values())


def test_pooling_shift_change_is_zero_without_a_shift_and_grows_with_it():
    keras.utils.set_random_seed(0)
    model = build_baseline()
    x = np.random.default_rng(4).random((8, 32, 32, 3)).astype("float32")
    result = pooling_shift_change(model, x, layer="conv1", max_shift=2)
    assert set(result) == {"no pooling", "max 2x2", "average 2x2"}
    for curve in result.values():
        assert list(curve) == [0, 1, 2] and curve[0] == 0.0 and curve[1] > 0.0


# --------------------------------------------------------------------------- inside a model
def test_feature_maps_pool_is_the_max_of_the_conv_output():
    keras.utils.set_random_seed(0)
    model = build_baseline()
    image = np.random.default_rng(2).random((32, 32, 3)).astype("float32")
    maps = feature_maps(model, image, ["conv1", "pool1"])
    assert maps["conv1"].shape == (32, 32, 32) and maps["pool1"].shape == (16, 16, 32)
    np.testing.assert_allclose(maps["conv1"].reshape(16, 2, 16, 2, 32).max(axis=(1, 3)), maps["pool1"], rtol=1e-6)
    only = feature_maps(model, image, ["pool1"])
    np.testing.assert_allclose(only["pool1"], maps["pool1"], rtol=1e-6)
    channels = most_active_channels(maps["conv1"], n=4)
    means = maps["conv1"].mean(axis=(0, 1))
    assert len(channels) == 4 and means[channels[0]] == means.max()


def test_neighbour_correlation_sees_smooth_images():
    ramp = np.tile(np.linspace(0, 255, 32), (4, 32, 1))[..., None].repeat(3, axis=-1)
    ramp = ramp + np.random.default_rng(0).normal(0, 5, ramp.shape)
    assert neighbour_correlation(ramp) > 0.95
    assert neighbour_correlation(ramp, shuffle_seed=0) < 0.5


class _BrightnessModel:
    """A stand-in model: class 1 if the mean input is above 1 (only raw 0-255 pixels are), else class 0."""

    def predict(self, x, batch_size=None, verbose=0):
        bright = np.asarray(x).reshape(len(x), -1).mean(axis=1) > 1
        return np.eye(10)[bright.astype(int)]


def test_scale_mismatch_scores_raw_and_divided_pixels():
    x = np.full((20, 32, 32, 3), 200, dtype=np.uint8)
    x[:5] = 0  # five dark images: class 0 at any scale
    y = np.ones((20, 1), dtype=np.uint8)
    y[:5] = 0
    result = scale_mismatch(_BrightnessModel(), x, y)
    assert result["0-255, as in training"] == (1.0, 0.75)
    # divided, the bright images look dark: one answer (class 0) for everything, right for 5 of 20
    assert result["divided by 255 first"] == (0.25, 1.0)


def test_feature_maps_of_many_probes_trace_nothing(caplog):
    """Notebook 12 asks for the maps of several layers and shifts in a loop; each call builds a probe,
    and ``predict`` on each would compile a new function (TensorFlow's "triggered tf.function
    retracing" warning in the committed outputs)."""
    import logging

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(4, 3, name="conv1"),
                              keras.layers.MaxPooling2D(name="pool1")])
    image = np.random.default_rng(0).random((32, 32, 3)).astype("float32")
    with caplog.at_level(logging.WARNING):
        maps = [feature_maps(model, image, ["conv1"]) for _ in range(7)]
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]
    np.testing.assert_allclose(maps[0]["conv1"], np.asarray(model.layers[0](image[None]))[0], rtol=1e-6)
