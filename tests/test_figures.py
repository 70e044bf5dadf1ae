"""Every figure function draws a titled figure from the values it is given."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from course_utils.data.formats import CLASS_NAMES  # noqa: E402
from course_utils.figures import (plot_accuracy_comparison, plot_class_balance, plot_collapse,  # noqa: E402
                                  plot_convolution_example, plot_dropout_passes, plot_per_class_accuracy,
                                  plot_feature_maps, plot_filter_responses, plot_layer_sizes,
                                  plot_learning_curves, plot_max_pool_example, plot_neighbour_pixels, plot_one_hot,
                                  plot_pixel_histograms, plot_pooling_shift_change, plot_sharpness,
                                  plot_shift_sensitivity, plot_shifted_images)
from course_utils.training.measurements import layer_shapes  # noqa: E402
from course_utils.training.networks import build_baseline, build_deeper  # noqa: E402


def _collapse_results() -> dict:
    probe = {"dense_dead_units": 0.5, "logit_range": 10.0}
    return {"step_losses": [200.0, 50.0, 2.3], "at_switch": {"raw": probe},
            "probes": [{"step": s, **probe} for s in (1, 2, 3)]}


# --------------------------------------------------------------------------- figures
def test_every_figure_has_a_title():
    shapes = {"baseline": layer_shapes(build_baseline()), "deeper": layer_shapes(build_deeper())}
    image = np.random.default_rng(0).random((32, 32, 3))
    maps = {"conv1": np.random.default_rng(1).random((32, 32, 4)),
            "pool1": np.random.default_rng(2).random((16, 16, 4))}
    figures = [
        plot_collapse({"a": _collapse_results()}),
        plot_sharpness(image[None], image[None], image[None], {"original": 0.1, "one warp": 0.08, "three warps": 0.06}),
        plot_learning_curves([{"epoch": 1, "accuracy": 0.3, "val_accuracy": 0.35, "loss": 2.0, "val_loss": 1.9}]),
        plot_learning_curves({f"run {i}": [{"epoch": e, "accuracy": 0.1 * e, "val_accuracy": 0.1 * e + 0.01 * i,
                                             "loss": 2 - 0.1 * e, "val_loss": 2 - 0.09 * e} for e in range(1, 21)]
                              for i in range(5)}),
        plot_accuracy_comparison({"a": 0.6, "b": 0.7}, {"a": 0.65}),
        plot_per_class_accuracy({"a": dict.fromkeys(CLASS_NAMES, 0.5), "b": dict.fromkeys(CLASS_NAMES, 0.9)}),
        plot_class_balance(np.arange(100) % 10, np.arange(50) % 10),
        plot_max_pool_example(np.arange(16).reshape(4, 4), np.array([[5, 7], [13, 15]])),
        plot_convolution_example(np.zeros((6, 6)), np.ones((3, 3)), np.zeros((4, 4)), np.zeros((6, 6))),
        plot_pixel_histograms(np.arange(256, dtype=np.uint8)),
        plot_one_hot([3, 8, 0], CLASS_NAMES),
        plot_layer_sizes(shapes),
        plot_dropout_passes([np.ones(8), np.zeros(8), np.ones(8)], 0.5),
        plot_feature_maps(image, maps, channels=[0, 1, 2]),
        plot_shifted_images(image),
        plot_shift_sensitivity({"a": {0: 0.0, 1: 0.2}, "b": {0: 0.0, 1: 0.1}}, images=10),
        plot_neighbour_pixels(image[None].repeat(3, axis=0) * 255),
        plot_filter_responses(image.mean(axis=-1), {"edges": image[..., 0] - image[..., 1]}),
        plot_pooling_shift_change({"max 2x2": {0: 0.0, 1: 0.3}, "no pooling": {0: 0.0, 1: 0.5}}),
    ]
    for fig in figures:
        titles = [fig._suptitle.get_text() if fig._suptitle else ""] + [ax.get_title() for ax in fig.axes]
        assert any(titles), fig
        _assert_legends_cover_nothing(fig)
        plt.close(fig)


def _assert_legends_cover_nothing(fig):
    """No legend box may overlap the plotting area of any panel."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer)), f"a legend covers {ax.get_title()!r}"


