"""The explainer helpers compute what the notebooks say they compute, checked against Keras itself."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import explain  # noqa: E402
from course_utils.data.formats import CLASS_NAMES  # noqa: E402
from course_utils.training.models import build_baseline, build_deeper, layer_shapes  # noqa: E402


# --------------------------------------------------------------------------- pooling
def test_max_pool_on_the_worked_example():
    np.testing.assert_array_equal(explain.max_pool_2x2(explain.WORKED_POOL_INPUT), [[6, 2], [7, 9]])


def test_max_pool_drops_an_odd_edge_and_pools_channels_separately():
    x = np.arange(7 * 7 * 2).reshape(7, 7, 2)
    pooled = explain.max_pool_2x2(x)
    assert pooled.shape == (3, 3, 2)
    assert pooled[0, 0, 0] == x[1, 1, 0] and pooled[0, 0, 1] == x[1, 1, 1]


def test_max_pool_matches_keras():
    x = np.random.default_rng(0).normal(size=(8, 6, 3)).astype("float32")
    expected = keras.layers.MaxPooling2D(pool_size=2)(x[None])[0]
    np.testing.assert_allclose(explain.max_pool_2x2(x), keras.ops.convert_to_numpy(expected))


def test_average_pool_matches_keras():
    x = np.random.default_rng(0).normal(size=(6, 6, 2)).astype("float32")
    expected = keras.ops.convert_to_numpy(keras.layers.AveragePooling2D(pool_size=2)(x[None])[0])
    np.testing.assert_allclose(explain.avg_pool_2x2(x), expected, rtol=1e-5)


# --------------------------------------------------------------------------- convolution and shapes
def test_worked_convolution_finds_the_edge():
    valid = explain.convolve2d(explain.WORKED_IMAGE, explain.EDGE_KERNEL, "valid")
    same = explain.convolve2d(explain.WORKED_IMAGE, explain.EDGE_KERNEL, "same")
    assert valid.shape == (4, 4) and same.shape == (6, 6)
    np.testing.assert_array_equal(valid, np.tile([0, 27, 27, 0], (4, 1)))
    # zero padding makes the bright right border look like an edge too
    assert same[2, 5] == -27
    assert explain.conv_position_sum(explain.WORKED_IMAGE, explain.EDGE_KERNEL, 0, 1).endswith("= 27")


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_convolution_matches_keras_conv2d(padding):
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(7, 9)), rng.normal(size=(3, 3))
    layer = keras.layers.Conv2D(1, kernel_size=3, padding=padding, use_bias=False)
    layer.build((None, 7, 9, 1))
    layer.set_weights([kernel.reshape(3, 3, 1, 1).astype("float32")])
    expected = keras.ops.convert_to_numpy(layer(image[None, :, :, None].astype("float32")))[0, :, :, 0]
    np.testing.assert_allclose(explain.convolve2d(image, kernel, padding), expected, rtol=1e-4, atol=1e-5)


def test_convolution_rejects_unknown_padding():
    with pytest.raises(ValueError):
        explain.convolve2d(np.zeros((4, 4)), np.zeros((3, 3)), "full")


def test_output_sizes():
    assert explain.conv_output_size(16, 3, "valid") == 14
    assert explain.conv_output_size(32, 3, "same") == 32
    assert explain.conv_output_size(14, 2, "valid", stride=2) == 7


def test_layer_shapes_and_flatten_sizes():
    baseline = {name: (shape, params) for name, shape, params in layer_shapes(build_baseline())}
    deeper = {name: (shape, params) for name, shape, params in layer_shapes(build_deeper())}
    assert baseline["pool1"][0] == (16, 16, 32)
    assert baseline["flatten"][0] == (8192,)
    assert deeper["conv2a"][0] == (16, 16, 64)
    assert deeper["conv2b"][0] == (14, 14, 64)
    assert deeper["pool2"][0] == (7, 7, 64)
    assert deeper["flatten"][0] == (3136,)


def test_parameter_totals_and_formulas():
    baseline, deeper = build_baseline(), build_deeper()
    assert baseline.count_params() == 4_200_842
    assert deeper.count_params() == 1_676_842
    assert build_deeper(dropout=False).count_params() == 1_676_842  # dropout holds no weights
    assert explain.conv_parameters(3, 32) == baseline.get_layer("conv1").count_params() == 896
    assert explain.conv_parameters(32, 64) == deeper.get_layer("conv2a").count_params()
    assert explain.dense_parameters(8192, 512) == baseline.get_layer("dense").count_params() == 4_194_816
    assert explain.dense_parameters(3136, 512) == deeper.get_layer("dense").count_params() == 1_606_144


def test_flatten_order_matches_keras():
    x, flat = explain.flatten_order((2, 2, 3))
    expected = keras.ops.convert_to_numpy(keras.layers.Flatten()(x[None].astype("float32")))[0]
    np.testing.assert_array_equal(flat, expected)


# --------------------------------------------------------------------------- dropout
def test_numpy_dropout_scales_survivors_and_keeps_the_expectation():
    out = explain.dropout_numpy(np.ones(200_000), rate=0.5, seed=3)
    assert set(np.unique(out)) == {0.0, 2.0}
    assert abs(out.mean() - 1.0) < 0.01
    quarter = explain.dropout_numpy(np.ones(200_000), rate=0.25, seed=3)
    np.testing.assert_allclose(np.unique(quarter), [0.0, 1 / 0.75])
    assert abs(quarter.mean() - 1.0) < 0.01


def test_numpy_dropout_is_repeatable_and_idle_at_inference():
    x = np.arange(10.0)
    np.testing.assert_array_equal(explain.dropout_numpy(x, 0.5, seed=7), explain.dropout_numpy(x, 0.5, seed=7))
    np.testing.assert_array_equal(explain.dropout_numpy(x, 0.5, training=False), x)


def test_keras_dropout_does_the_same():
    out = explain.keras_dropout(np.ones(200_000), rate=0.5, seed=3)
    assert set(np.unique(out)) == {0.0, 2.0}
    assert abs(out.mean() - 1.0) < 0.01
    np.testing.assert_array_equal(explain.keras_dropout(np.ones(10), 0.5, training=False), np.ones(10))


# --------------------------------------------------------------------------- shifting
def test_shift_images_moves_content_and_repeats_the_edge():
    x = np.arange(4 * 5).reshape(1, 4, 5, 1)
    right = explain.shift_images(x, dx=2)[0, :, :, 0]
    np.testing.assert_array_equal(right[:, 2:], x[0, :, :3, 0])
    np.testing.assert_array_equal(right[:, :2], np.repeat(x[0, :, :1, 0], 2, axis=1))
    left = explain.shift_images(x, dx=-1)[0, :, :, 0]
    np.testing.assert_array_equal(left[:, :4], x[0, :, 1:, 0])
    np.testing.assert_array_equal(left[:, 4], x[0, :, 4, 0])
    down = explain.shift_images(x, dy=1)[0, :, :, 0]
    np.testing.assert_array_equal(down[1:], x[0, :3, :, 0])
    np.testing.assert_array_equal(down[0], x[0, 0, :, 0])
    up = explain.shift_images(x, dy=-3)[0, :, :, 0]
    np.testing.assert_array_equal(up[0], x[0, 3, :, 0])
    np.testing.assert_array_equal(up[1:], np.repeat(x[0, 3:, :, 0], 3, axis=0))


def test_shift_images_keeps_shape_dtype_and_accepts_one_image():
    x = np.random.default_rng(0).integers(0, 256, size=(3, 32, 32, 3), dtype=np.uint8)
    moved = explain.shift_images(x, dx=3, dy=-2)
    assert moved.shape == x.shape and moved.dtype == x.dtype
    np.testing.assert_array_equal(explain.shift_images(x, 0, 0), x)
    np.testing.assert_array_equal(explain.shift_images(x[1], dx=3, dy=-2), moved[1])
    with pytest.raises(ValueError):
        explain.shift_images(x, dx=32)


class _BrightestColumn:
    """A fake model whose 'class' is the column of the brightest pixel: it notices every sideways move."""

    def predict(self, x, batch_size=None, verbose=0):
        columns = np.asarray(x)[..., 0].max(axis=1).argmax(axis=1)
        return np.eye(32)[columns]


def test_shift_sensitivity_counts_changed_predictions():
    x = np.zeros((6, 32, 32, 3), dtype="float32")
    x[np.arange(6), 5 + np.arange(6), 10 + np.arange(6)] = 1.0
    result = explain.shift_sensitivity(_BrightestColumn(), x, max_shift=3)
    assert list(result) == [0, 1, 2, 3]
    assert result[0] == 0.0
    # right and left moves change every prediction, down and up none: half on average
    assert all(result[s] == 0.5 for s in (1, 2, 3))
    only_sideways = explain.shift_sensitivity(_BrightestColumn(), x, max_shift=2, directions=("right",))
    assert only_sideways == {0: 0.0, 1: 1.0, 2: 1.0}


def test_shift_sensitivity_of_a_real_model_is_zero_without_a_shift():
    keras.utils.set_random_seed(0)
    model = build_baseline()
    x = np.random.default_rng(0).random((20, 32, 32, 3)).astype("float32")
    result = explain.shift_sensitivity(model, x, max_shift=2)
    assert result[0] == 0.0
    assert all(0.0 <= v <= 1.0 for v in result.values())


def test_pooling_shift_change_is_zero_without_a_shift_and_grows_with_it():
    keras.utils.set_random_seed(0)
    model = build_baseline()
    x = np.random.default_rng(4).random((8, 32, 32, 3)).astype("float32")
    result = explain.pooling_shift_change(model, x, layer="conv1", max_shift=2)
    assert set(result) == {"no pooling", "max 2x2", "average 2x2"}
    for curve in result.values():
        assert list(curve) == [0, 1, 2] and curve[0] == 0.0 and curve[1] > 0.0


# --------------------------------------------------------------------------- inside a model
def test_feature_maps_pool_is_the_max_of_the_conv_output():
    keras.utils.set_random_seed(0)
    model = build_baseline()
    image = np.random.default_rng(2).random((32, 32, 3)).astype("float32")
    maps = explain.feature_maps(model, image, ["conv1", "pool1"])
    assert maps["conv1"].shape == (32, 32, 32) and maps["pool1"].shape == (16, 16, 32)
    np.testing.assert_allclose(explain.max_pool_2x2(maps["conv1"]), maps["pool1"], rtol=1e-6)
    only = explain.feature_maps(model, image, ["pool1"])
    np.testing.assert_allclose(only["pool1"], maps["pool1"], rtol=1e-6)
    channels = explain.most_active_channels(maps["conv1"], n=4)
    means = maps["conv1"].mean(axis=(0, 1))
    assert len(channels) == 4 and means[channels[0]] == means.max()


def test_neighbour_correlation_sees_smooth_images():
    ramp = np.tile(np.linspace(0, 255, 32), (4, 32, 1))[..., None].repeat(3, axis=-1)
    ramp = ramp + np.random.default_rng(0).normal(0, 5, ramp.shape)
    assert explain.neighbour_correlation(ramp) > 0.95
    assert explain.neighbour_correlation(ramp, shuffle_seed=0) < 0.5


# --------------------------------------------------------------------------- figures
def test_every_figure_has_a_title():
    shapes = {"baseline": layer_shapes(build_baseline()), "deeper": layer_shapes(build_deeper())}
    image = np.random.default_rng(0).random((32, 32, 3))
    maps = {"conv1": np.random.default_rng(1).random((32, 32, 4)),
            "pool1": np.random.default_rng(2).random((16, 16, 4))}
    figures = [
        explain.plot_max_pool_example(),
        explain.plot_convolution_example(),
        explain.plot_pixel_histograms(np.arange(256, dtype=np.uint8)),
        explain.plot_one_hot([3, 8, 0], CLASS_NAMES),
        explain.plot_layer_sizes(shapes),
        explain.plot_dropout_passes(np.ones(8), 0.5),
        explain.plot_feature_maps(image, maps, channels=[0, 1, 2]),
        explain.plot_shifted_images(image),
        explain.plot_shift_sensitivity({"a": {0: 0.0, 1: 0.2}, "b": {0: 0.0, 1: 0.1}}, images=10),
        explain.plot_neighbour_pixels(image[None].repeat(3, axis=0) * 255),
        explain.plot_filter_responses(image * 255, {"edges": explain.EDGE_KERNEL}),
        explain.plot_pooling_shift_change({"max 2x2": {0: 0.0, 1: 0.3}, "no pooling": {0: 0.0, 1: 0.5}}),
    ]
    for fig in figures:
        titles = [fig._suptitle.get_text() if fig._suptitle else ""] + [ax.get_title() for ax in fig.axes]
        assert any(titles), fig
        plt.close(fig)


class _BrightnessModel:
    """A stand-in model: class 1 if the mean input is above 1 (only raw 0-255 pixels are), else class 0."""

    def predict(self, x, batch_size=None, verbose=0):
        bright = np.asarray(x).reshape(len(x), -1).mean(axis=1) > 1
        return np.eye(10)[bright.astype(int)]


def test_scale_mismatch_scores_both_scales():
    x = np.full((20, 32, 32, 3), 200, dtype=np.uint8)
    y = np.ones((20, 1), dtype=np.uint8)  # every image is class 1, which raw inputs get right
    result = explain.scale_mismatch(_BrightnessModel(), x, y, trained_on_raw=True)
    assert result["same scale as training"] == (1.0, 1.0)
    assert result["the other scale"] == (0.0, 1.0)  # one answer for everything, and the wrong one
    flipped = explain.scale_mismatch(_BrightnessModel(), x, y, trained_on_raw=False)
    assert flipped["same scale as training"] == (0.0, 1.0) and flipped["the other scale"] == (1.0, 1.0)
