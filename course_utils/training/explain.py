"""Small, deterministic helpers for the explainer notebooks (10 to 13).

Each helper answers one of the students' questions from the original notebooks with numbers a
student can check by hand: a 2x2 max pooling, a 3x3 convolution, dropout at training and at
inference, a translation test. The numerical helpers use NumPy on fixed inputs, so a notebook cell
that calls them prints the same thing on every machine; the figure helpers return the matplotlib
``Figure`` they drew (title, labelled axes, a legend where there are two lines).

    from course_utils import explain
    explain.max_pool_2x2(np.arange(16).reshape(4, 4))          # [[5, 7], [13, 15]]
    explain.shift_sensitivity(model, x_test[:1000] / 255)       # {0: 0.0, 1: 0.1, ...}
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator, PercentFormatter

__all__ = [
    "EDGE_KERNEL", "SHIFT_DIRECTIONS", "WORKED_IMAGE", "WORKED_POOL_INPUT",
    "max_pool_2x2", "avg_pool_2x2", "convolve2d", "conv_output_size", "conv_position_sum", "flatten_order",
    "dense_parameters", "conv_parameters",
    "dropout_numpy", "keras_dropout", "shift_images", "predict_classes", "shift_sensitivity",
    "pooling_shift_change",
    "feature_maps", "feature_maps_batch", "most_active_channels", "neighbour_correlation", "to_grey",
    "plot_number_grid", "plot_max_pool_example", "plot_convolution_example", "plot_pixel_histograms",
    "plot_one_hot", "plot_filter_responses", "plot_layer_sizes", "plot_dropout_passes", "plot_feature_maps",
    "plot_shifted_images", "plot_shift_sensitivity", "plot_pooling_shift_change", "plot_neighbour_pixels",
]

# A 4x4 array of small numbers for the worked max-pooling example (each 2x2 window has one winner).
WORKED_POOL_INPUT = np.array([[1, 3, 2, 0],
                              [4, 6, 1, 1],
                              [0, 2, 9, 5],
                              [7, 1, 3, 8]])
# A 6x6 "image": dark on the left, bright on the right, so there is one vertical edge.
WORKED_IMAGE = np.array([[0, 0, 0, 9, 9, 9]] * 6)
# A 3x3 filter that responds to "brighter on the right than on the left" (a vertical edge).
EDGE_KERNEL = np.array([[-1, 0, 1],
                        [-1, 0, 1],
                        [-1, 0, 1]])
# (dx, dy) for one pixel in each direction: dx > 0 moves content right, dy > 0 moves it down.
SHIFT_DIRECTIONS = {"right": (1, 0), "left": (-1, 0), "down": (0, 1), "up": (0, -1)}


# --------------------------------------------------------------------------- pooling and convolution
def max_pool_2x2(x) -> np.ndarray:
    """2x2 max pooling with stride 2 over the first two axes, as ``MaxPooling2D(pool_size=2)`` does.

    ``x`` is ``(H, W)`` or ``(H, W, C)``; each channel is pooled on its own. Like Keras's default
    ``padding="valid"``, an odd last row or column is dropped, so 7x7 becomes 3x3.
    """
    x = np.asarray(x)
    h, w = x.shape[0] // 2, x.shape[1] // 2
    x = x[: 2 * h, : 2 * w]
    return x.reshape(h, 2, w, 2, *x.shape[2:]).max(axis=(1, 3))


def avg_pool_2x2(x) -> np.ndarray:
    """2x2 average pooling with stride 2, as ``AveragePooling2D(pool_size=2)``: the mean of each window."""
    x = np.asarray(x, dtype=float)
    h, w = x.shape[0] // 2, x.shape[1] // 2
    x = x[: 2 * h, : 2 * w]
    return x.reshape(h, 2, w, 2, *x.shape[2:]).mean(axis=(1, 3))


def convolve2d(image, kernel, padding: str = "valid") -> np.ndarray:
    """Slide ``kernel`` over a single-channel ``image`` and sum the products at each position.

    This is what ``Conv2D`` computes (strictly a cross-correlation: the kernel is not flipped) for
    one input channel, one filter, stride 1 and no bias. ``padding="valid"`` keeps only positions
    where the kernel fits inside the image (6x6 with 3x3 gives 4x4); ``"same"`` first adds a border
    of zeros so the output has the input's size.
    """
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    if padding == "same":
        top, left = (kh - 1) // 2, (kw - 1) // 2
        image = np.pad(image, ((top, kh - 1 - top), (left, kw - 1 - left)))
    elif padding != "valid":
        raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def conv_position_sum(image, kernel, row: int, col: int) -> str:
    """The sum that gives the valid-convolution output at ``(row, col)``, written out term by term."""
    patch = np.asarray(image)[row:row + len(kernel), col:col + len(kernel[0])]
    terms = [f"{p:g}*{k:g}" for p, k in zip(patch.ravel(), np.asarray(kernel).ravel())]
    return " + ".join(terms) + f" = {np.sum(patch * np.asarray(kernel)):g}"


def conv_output_size(size: int, kernel: int = 3, padding: str = "valid", stride: int = 1) -> int:
    """Output width of a convolution or pooling window: ``valid`` gives (size - kernel) // stride + 1."""
    if padding == "same":
        return -(-size // stride)
    if padding == "valid":
        return (size - kernel) // stride + 1
    raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")


def conv_parameters(in_channels: int, filters: int, kernel: int = 3) -> int:
    """Weights of a ``Conv2D``: one kernel x kernel x in_channels block per filter, plus one bias each."""
    return kernel * kernel * in_channels * filters + filters


def dense_parameters(inputs: int, units: int) -> int:
    """Weights of a ``Dense`` layer: one per (input, unit) pair, plus one bias per unit."""
    return inputs * units + units


def flatten_order(shape: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """A small array numbered 0, 1, 2, ... in ``shape`` and what ``Flatten`` makes of it (row by row,
    channels innermost, as Keras's default ``channels_last`` layout stores it)."""
    x = np.arange(int(np.prod(shape))).reshape(shape)
    return x, x.reshape(-1)


# --------------------------------------------------------------------------- dropout
def dropout_numpy(x, rate: float, seed: int = 0, training: bool = True) -> np.ndarray:
    """Inverted dropout written out: at training time zero each value with probability ``rate`` and
    multiply the survivors by 1 / (1 - rate), so the expected value is unchanged; at inference,
    return ``x`` as it is. Keras's ``Dropout`` layer does the same (with its own random numbers)."""
    x = np.asarray(x, dtype=float)
    if not training or rate == 0:
        return x.copy()
    keep = np.random.default_rng(seed).random(x.shape) >= rate
    return np.where(keep, x / (1.0 - rate), 0.0)


def keras_dropout(x, rate: float, seed: int = 0, training: bool = True) -> np.ndarray:
    """The output of a real ``keras.layers.Dropout(rate, seed=seed)`` on ``x`` (float32)."""
    import keras

    layer = keras.layers.Dropout(rate, seed=seed)
    return keras.ops.convert_to_numpy(layer(np.asarray(x, dtype="float32"), training=training))


# --------------------------------------------------------------------------- translation test
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


def predict_classes(model, x, batch_size: int = 500) -> np.ndarray:
    """The class index a Keras model predicts for each image in ``x``."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0)).argmax(axis=1)


def scale_mismatch(model, x_uint8, y, trained_on_raw: bool) -> dict[str, tuple[float, float]]:
    """Score ``model`` on test images at the scale it was trained on and at the other scale.

    Returns ``{label: (accuracy, share of images given the most common answer)}``. A model scored
    on the wrong scale tends to give one answer to every image, which on balanced data is 10%.
    """
    x = np.asarray(x_uint8, dtype="float32")
    y = np.asarray(y).ravel()
    same, other = (x, x / 255) if trained_on_raw else (x / 255, x)
    out = {}
    for label, inputs in (("same scale as training", same), ("the other scale", other)):
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
    ``"average 2x2"`` compare them after :func:`max_pool_2x2` or :func:`avg_pool_2x2`. Returns
    ``{pooling: {shift: relative change}}``; 0 would mean the representation ignores the move.
    """
    poolings = {"no pooling": lambda m: m, "max 2x2": max_pool_2x2, "average 2x2": avg_pool_2x2}
    import keras

    x = np.asarray(x, dtype="float32")
    probe = keras.Model(model.inputs, model.get_layer(layer).output)  # built once: no retracing per shift
    maps = probe.predict(x, batch_size=250, verbose=0)
    before = {name: np.stack([pool(m) for m in maps]) for name, pool in poolings.items()}
    result: dict[str, dict[int, float]] = {name: {} for name in poolings}
    for shift in range(max_shift + 1):
        moved = probe.predict(shift_images(x, dx=shift), batch_size=250, verbose=0)
        for name, pool in poolings.items():
            after = np.stack([pool(m) for m in moved])
            result[name][shift] = float(np.linalg.norm(after - before[name]) / np.linalg.norm(before[name]))
    return result


# --------------------------------------------------------------------------- inside a trained model
def feature_maps_batch(model, x, layer: str, batch_size: int = 250) -> np.ndarray:
    """What layer ``layer`` outputs for every image in ``x``: ``(N, height, width, channels)``."""
    import keras

    probe = keras.Model(model.inputs, model.get_layer(layer).output)
    return np.asarray(probe.predict(np.asarray(x, dtype="float32"), batch_size=batch_size, verbose=0))



def feature_maps(model, image, layer_names: Sequence[str]) -> dict[str, np.ndarray]:
    """What the named layers output for one image: ``{name: array (height, width, channels)}``.

    ``image`` is one ``(32, 32, 3)`` image scaled as the model expects. A second model that shares
    the trained layers returns their outputs, so nothing is retrained or copied.
    """
    import keras

    probe = keras.Model(model.inputs, [model.get_layer(name).output for name in layer_names])
    outputs = probe.predict(np.asarray(image, dtype="float32")[None], verbose=0)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return {name: np.asarray(out[0]) for name, out in zip(layer_names, outputs)}


def most_active_channels(maps: np.ndarray, n: int = 6) -> np.ndarray:
    """Indices of the ``n`` channels with the largest mean activation (ties: lower index first)."""
    means = np.asarray(maps).reshape(-1, maps.shape[-1]).mean(axis=0)
    return np.argsort(-means, kind="stable")[:n]


def to_grey(images) -> np.ndarray:
    """Mean of the three colour channels: ``(..., H, W, 3) -> (..., H, W)`` as float."""
    return np.asarray(images, dtype=float).mean(axis=-1)


def _grey_centred(images, shuffle_seed: int | None = None) -> np.ndarray:
    """Grey images minus each image's own mean brightness, optionally with their pixels shuffled."""
    grey = to_grey(images)
    grey = grey - grey.mean(axis=(1, 2), keepdims=True)
    if shuffle_seed is not None:
        n, h, w = grey.shape
        order = np.random.default_rng(shuffle_seed).permutation(h * w)
        grey = grey.reshape(n, h * w)[:, order].reshape(n, h, w)
    return grey


def neighbour_correlation(images, shuffle_seed: int | None = None) -> float:
    """Correlation between each pixel's grey value and its right-hand neighbour's, within images.

    Each image's mean brightness is subtracted first, so a bright image does not count as "similar
    neighbours". With ``shuffle_seed`` the pixels of every image are put in one random order first,
    which keeps the values but destroys the layout: the baseline for "no spatial structure".
    """
    grey = _grey_centred(images, shuffle_seed)
    left, right = grey[:, :, :-1].ravel(), grey[:, :, 1:].ravel()
    return float(np.corrcoef(left, right)[0, 1])


# --------------------------------------------------------------------------- figures
def plot_number_grid(ax, values, title: str = "", highlight=None, fmt: str = "{:g}", cmap: str = "Blues"):
    """Draw a small 2-D array as coloured cells with the number written in each; ``highlight`` is a
    boolean array of cells to outline in red."""
    values = np.asarray(values, dtype=float)
    ax.imshow(values, cmap=cmap, vmin=min(values.min(), 0), vmax=max(values.max(), 1))
    threshold = (values.max() + min(values.min(), 0)) / 2
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=11,
                color="white" if v > threshold else "black")
        if highlight is not None and highlight[i, j]:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5))
    ax.set_xticks(range(values.shape[1]))
    ax.set_yticks(range(values.shape[0]))
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.grid(False)
    ax.set_title(title)
    return ax


def plot_max_pool_example(x=WORKED_POOL_INPUT):
    """Input with its four 2x2 windows drawn and each window's maximum outlined, next to the pooled output."""
    x = np.asarray(x)
    pooled = max_pool_2x2(x)
    winners = np.zeros(x.shape, dtype=bool)
    for i in range(pooled.shape[0]):
        for j in range(pooled.shape[1]):
            window = x[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            r, c = np.unravel_index(np.argmax(window), window.shape)
            winners[2 * i + r, 2 * j + c] = True
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 4), gridspec_kw={"width_ratios": [2, 1.2]})
    plot_number_grid(left, x, f"input {x.shape[0]}x{x.shape[1]}: 2x2 windows, maximum outlined", winners)
    for k in range(2, x.shape[0], 2):
        left.axhline(k - 0.5, color="black", linewidth=2)
    for k in range(2, x.shape[1], 2):
        left.axvline(k - 0.5, color="black", linewidth=2)
    plot_number_grid(right, pooled, f"after 2x2 max pooling: {pooled.shape[0]}x{pooled.shape[1]}")
    fig.suptitle("Max pooling keeps the largest value of each 2x2 window")
    fig.tight_layout()
    return fig


def plot_convolution_example(image=WORKED_IMAGE, kernel=EDGE_KERNEL):
    """Input, 3x3 filter, and the outputs with ``valid`` and ``same`` padding, every number written."""
    valid, same = convolve2d(image, kernel, "valid"), convolve2d(image, kernel, "same")
    fig, axes = plt.subplots(1, 4, figsize=(15, 4), gridspec_kw={"width_ratios": [6, 3, 4, 6]})
    plot_number_grid(axes[0], image, f"input {image.shape[0]}x{image.shape[1]}")
    axes[0].add_patch(Rectangle((-0.5, -0.5), 3, 3, fill=False, edgecolor="red", linewidth=2.5))
    plot_number_grid(axes[1], kernel, "3x3 filter (kernel)", cmap="coolwarm")
    plot_number_grid(axes[2], valid, f"valid padding: {valid.shape[0]}x{valid.shape[1]}", cmap="Oranges")
    axes[2].add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5))
    plot_number_grid(axes[3], same, f"same padding: {same.shape[0]}x{same.shape[1]}", cmap="Oranges")
    fig.suptitle("A 3x3 filter slides over the image; red: the first window and the value it gives")
    fig.tight_layout()
    return fig


def plot_pixel_histograms(images, title: str = "The same pixels before and after dividing by 255"):
    """Histograms of pixel values as stored (0-255) and after ``/ 255`` (0-1): same shape, new scale."""
    values = np.asarray(images).ravel()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, data, label in ((axes[0], values, "pixel value as stored (uint8, 0-255)"),
                            (axes[1], values.astype("float32") / 255.0, "pixel value / 255 (float32, 0-1)")):
        ax.hist(data, bins=64, color="tab:blue")
        ax.set_xlabel(label)
        ax.set_ylabel("number of pixel values")
    axes[0].set_title("raw")
    axes[1].set_title("scaled")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_one_hot(labels, class_names: Sequence[str], title: str = "One-hot labels: one row per image"):
    """The one-hot matrix of ``labels`` as a grid: a row per image, a column per class, 1 where it belongs."""
    labels = np.asarray(labels).reshape(-1)
    one_hot = np.eye(len(class_names), dtype=int)[labels]
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(labels) + 1.6))
    plot_number_grid(ax, one_hot, title, fmt="{:.0f}")
    ax.set_xticks(range(len(class_names)), class_names, rotation=35, ha="right")
    ax.set_yticks(range(len(labels)), [f"image {i}: {class_names[c]}" for i, c in enumerate(labels)])
    ax.set_xlabel("second index: class (column)")
    ax.set_ylabel("first index: image (row)")
    fig.tight_layout()
    return fig


def plot_filter_responses(image, kernels: Mapping[str, np.ndarray], title: str = "What two 3x3 filters see"):
    """A grey image and its ``same``-padded convolution with each of ``kernels`` (``name -> 3x3 array``)."""
    grey = to_grey(image) if np.asarray(image).ndim == 3 else np.asarray(image, dtype=float)
    fig, axes = plt.subplots(1, len(kernels) + 1, figsize=(3.4 * (len(kernels) + 1), 3.6))
    axes[0].imshow(grey, cmap="gray", interpolation="nearest")
    axes[0].set_title("input (grey, 0-255)")
    for ax, (name, kernel) in zip(axes[1:], kernels.items()):
        response = convolve2d(grey, kernel, "same")
        limit = np.abs(response).max() or 1.0
        shown = ax.imshow(response, cmap="coolwarm", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(name)
        fig.colorbar(shown, ax=ax, fraction=0.046, label="filter output")
    for ax in axes:
        ax.set_xlabel("column (pixel)")
        ax.grid(False)
    axes[0].set_ylabel("row (pixel)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_layer_sizes(models: Mapping[str, Sequence[tuple[str, tuple, int]]],
                     title: str = "Values each layer outputs, and the weights it holds"):
    """For each model (``name -> layer_shapes(model)``): values per layer output and parameters per layer."""
    fig, axes = plt.subplots(1, len(models), figsize=(6.5 * len(models), 4.8), squeeze=False)
    for ax, (name, shapes) in zip(axes[0], models.items()):
        names = [f"{layer} {'x'.join(map(str, shape))}" for layer, shape, _ in shapes]
        values = [int(np.prod(shape)) for _, shape, _ in shapes]
        params = [max(p, 0) for _, _, p in shapes]
        y = np.arange(len(shapes))
        ax.barh(y - 0.2, values, 0.4, label="values in the layer's output")
        ax.barh(y + 0.2, [p if p else np.nan for p in params], 0.4, label="parameters (weights + biases)")
        ax.set_yticks(y, names, fontsize=9)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("count (log scale)")
        ax.set_ylabel("layer and output shape (height x width x channels)")
        ax.set_title(f"{name}: {sum(params):,} parameters")
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_dropout_passes(x, rate: float, passes: int = 5, seed: int = 0):
    """Rows: the same input through ``Dropout(rate)`` in ``passes`` training steps, then at inference."""
    x = np.asarray(x, dtype=float)
    rows = [dropout_numpy(x, rate, seed + k) for k in range(passes)] + [dropout_numpy(x, rate, training=False)]
    labels = [f"training step {k + 1}" for k in range(passes)] + ["inference"]
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * x.size, 0.55 * len(rows) + 1.6))
    plot_number_grid(ax, np.array(rows), fmt="{:g}", cmap="Greens")
    ax.set_yticks(range(len(rows)), labels)
    ax.set_ylabel("pass")
    ax.set_xlabel("unit (neuron) index")
    ax.set_title(f"Dropout(rate={rate}) on an input of ones: survivors become 1/(1-{rate}) = {1 / (1 - rate):g}")
    fig.tight_layout()
    return fig


def plot_feature_maps(image, maps: Mapping[str, np.ndarray], channels: Sequence[int],
                      title: str = "Feature maps before and after pooling"):
    """The image, then one row per layer showing the chosen ``channels`` (same channels in every row)."""
    fig, axes = plt.subplots(len(maps), len(channels) + 1, figsize=(1.7 * (len(channels) + 1), 1.9 * len(maps)),
                             squeeze=False)
    for row, (name, fmap) in enumerate(maps.items()):
        axes[row, 0].imshow(np.clip(np.asarray(image, dtype=float), 0, 1), interpolation="nearest")
        axes[row, 0].set_title("input 32x32", fontsize=9)
        for col, channel in enumerate(channels, start=1):
            axes[row, col].imshow(fmap[:, :, channel], cmap="magma", interpolation="nearest")
            axes[row, col].set_title(f"channel {channel}", fontsize=9)
        axes[row, 1].set_ylabel(f"{name}\n{fmap.shape[0]}x{fmap.shape[1]}", fontsize=9)
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
    axes[-1, 1].set_xlabel("bright: strong activation")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_shifted_images(image, shifts: Sequence[int] = (0, 1, 2, 3, 4), title: str = "One test image moved right"):
    """The same image moved right by each of ``shifts`` pixels (edge pixels repeated into the gap)."""
    fig, axes = plt.subplots(1, len(shifts), figsize=(1.9 * len(shifts), 2.3))
    for ax, shift in zip(np.atleast_1d(axes), shifts):
        ax.imshow(np.clip(shift_images(np.asarray(image, dtype=float), dx=shift), 0, 1), interpolation="nearest")
        ax.set_title(f"{shift} px right", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _plot_percent_curves(results: Mapping[str, Mapping[int, float]], xlabel: str, ylabel: str, title: str):
    """One line per entry of ``results`` (shift in pixels -> fraction), y axis in percent."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for (name, curve), marker in zip(results.items(), "osd^v" * 4):
        shifts = sorted(curve)
        ax.plot(shifts, [curve[s] for s in shifts], marker=marker, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_shift_sensitivity(results: Mapping[str, Mapping[int, float]], images: int | None = None,
                           directions: str = "right, left, down, up",
                           title: str = "How often a small shift changes the predicted class"):
    """One line per model: shift in pixels against the percentage of predictions that changed."""
    return _plot_percent_curves(
        results, f"shift (pixels; mean over {directions})",
        "predictions changed" + (f" (% of {images:,} test images)" if images else " (%)"), title)


def plot_pooling_shift_change(results: Mapping[str, Mapping[int, float]], layer: str = "",
                              title: str = "How much the feature maps change when the image moves"):
    """One line per pooling choice: shift in pixels against the relative change of the maps."""
    return _plot_percent_curves(results, "shift to the right (pixels)",
                                f"relative change of the {layer + ' ' if layer else ''}maps", title)


def plot_neighbour_pixels(images, seed: int = 0, points: int = 3000,
                          title: str = "Neighbouring pixels: real images against shuffled ones"):
    """Scatter of each pixel's grey value against its right-hand neighbour's (each image's mean
    subtracted), for real images and for the same pixels in a random order; the correlation from
    :func:`neighbour_correlation` is written in each panel's title."""
    panels = {"real images": _grey_centred(images), "pixels shuffled": _grey_centred(images, seed)}
    n, h, w = panels["real images"].shape
    total = n * h * (w - 1)
    pick = np.random.default_rng(seed + 1).choice(total, size=min(points, total), replace=False)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), sharex=True, sharey=True)
    for ax, (label, grey) in zip(axes, panels.items()):
        left, right = grey[:, :, :-1].ravel(), grey[:, :, 1:].ravel()
        ax.scatter(left[pick], right[pick], s=3, alpha=0.3)
        ax.set_xlabel("a pixel: grey value minus image mean (0-255 scale)")
        ax.set_title(f"{label}: correlation {np.corrcoef(left, right)[0, 1]:.2f}")
    axes[0].set_ylabel("its right-hand neighbour (same scale)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
