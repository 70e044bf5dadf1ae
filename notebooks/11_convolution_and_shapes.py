# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 11 · Convolution, padding and shapes
#
# What a 3 × 3 filter computes, what `same` and `valid` padding do to the size of an image, and how
# the shapes and parameter counts of both networks follow from that, layer by layer.
#
# **After this notebook you can** compute a convolution by hand, predict every layer's output shape
# and receptive field in the baseline and the deeper network, and say why the baseline's dense layer holds almost all of
# its 4,200,842<!-- from: out:baseline: dense --> parameters.
#
# **Time:** 8 s in the quick profile and 13 s in the full profile once its runs exist (measured by
# the series runner on 2 CPU cores, 2026-12-05, and on 2 CPU cores, 2026-11-30).
# It trains a one-filter layer, in seconds. It reads the deeper network's slice run of notebooks 10
# and 13, and trains it first if that is missing (in the full profile 10 epochs on
# 10,000<!-- from: set:slice of training images in the full profile (demo_images) --> images).
#
# **Read after:** [03 · A deeper network](03_deeper.ipynb), whose two networks this notebook takes
# apart · **Next explainer:** [12 · Pooling](12_pooling.ipynb) · **Ethics prompt:**
# [disaggregated evaluation](../ethics/prompts/06-disaggregated-evaluation.md)

# %% [markdown]
# ## Setup

# %%
from course_utils import setup

data = setup()

import keras
import matplotlib.pyplot as plt
import numpy as np

from course_utils import (
    CLASS_NAMES,
    build_baseline,
    build_deeper,
    check,
    demo_config,
    layer_shapes,
    plot_convolution_example,
    plot_filter_responses,
    plot_layer_sizes,
    run_experiment,
)

# %% [markdown]
# ## What a 3 × 3 filter computes
#
# A convolution layer slides a small grid of weights, the filter (or kernel), over the image. At each
# position it multiplies the nine pixels under the filter by the nine weights and adds the products:
# one number per position. Strictly, this is a cross-correlation: a convolution in the mathematical
# sense would first flip the filter, left to right and top to bottom. What deep-learning libraries,
# Keras included, call convolution is this unflipped sum, and so is everything we compute by hand here.
#
# The filter below has −1 on the left, +1 on the right, so it answers "how much brighter is the
# right side than the left side?" Our test image is dark on the left and bright on the right.

# %%
# NBVAL_CHECK_OUTPUT
# a 6 x 6 "image": dark on the left, bright on the right
image = np.array([[0, 0, 0, 9, 9, 9]] * 6)
# "how much brighter is the right than the left?"
kernel = np.array([[-1, 0, 1]] * 3)


def convolve2d(image, kernel, padding="valid"):
    """Slide a 3 x 3 kernel over a one-channel image; at each position multiply
    and add."""
    if padding == "same":
        # a border of zeros, so every pixel can be the centre of a window
        image = np.pad(image, 1)
    rows, cols = image.shape[0] - 2, image.shape[1] - 2
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = np.sum(image[i:i + 3, j:j + 3] * kernel)
    return out


def written_out(image, kernel, row, col):
    """The sum behind one output value, term by term."""
    patch = image[row:row + 3, col:col + 3]
    terms = " + ".join(f"{p:g}*{k:g}" for p, k in zip(patch.ravel(), kernel.ravel()))
    return f"{terms} = {np.sum(patch * kernel):g}"


print("image:\n", image, "\nfilter:\n", kernel)
print("output at row 0, column 0:", written_out(image, kernel, 0, 0))
print("output at row 0, column 1:", written_out(image, kernel, 0, 1))
valid = convolve2d(image, kernel, padding="valid")
print("all positions:\n", valid.astype(int))

# %%
fig = plot_convolution_example(
    image, kernel, valid, convolve2d(image, kernel, padding="same")
)

# %% [markdown]
# *Figure: four number grids: the 6 × 6 input, the 3 × 3 filter, the 4 × 4 output with valid padding and the 6 × 6 output with same padding; filter and outputs are coloured red above 0, blue below and pale grey at 0.*
#
# The output is large (27) only where the filter straddles the edge, and 0 over flat areas: the
# filter has turned "where is a vertical edge?" into numbers. Keras's `Conv2D` computes exactly this
# sum, as a check with the same weights shows:

# %%
# NBVAL_CHECK_OUTPUT
layer = keras.layers.Conv2D(1, kernel_size=3, padding="valid", use_bias=False)
layer.build((None, 6, 6, 1))
layer.set_weights([kernel.reshape(3, 3, 1, 1).astype("float32")])
one_image = image.reshape(1, 6, 6, 1).astype("float32")
by_keras = keras.ops.convert_to_numpy(layer(one_image))[0, :, :, 0]
print("Keras Conv2D gives the same numbers:", np.allclose(by_keras, valid))
assert np.allclose(by_keras, valid)

# %% [markdown]
# ## The same filter on a photo
#
# Trained networks learn their filter weights instead of being given them. Here are the hand-made
# vertical-edge filter and its transpose (horizontal edges) on a test image:

# %%
index = int(np.flatnonzero(data.y_test.ravel() == CLASS_NAMES.index("ship"))[0])
grey = data.x_test[index].astype(float).mean(axis=-1)  # the mean of red, green and blue
fig = plot_filter_responses(
    grey, {"vertical-edge filter": convolve2d(grey, kernel, "same"),
           "horizontal-edge filter": convolve2d(grey, kernel.T, "same")},
    title=f"Two 3x3 filters on test image {index} (a ship)")

# %% [markdown]
# *Figure: a grey test image of a ship and its responses to a vertical-edge and a horizontal-edge filter, red for brighter and blue for darker.*
#
# Red marks where the image gets brighter to the right (or downwards), blue where it gets darker;
# flat areas stay pale grey (zero). Each of the 32 filters in a real first layer produces one such map.

# %% [markdown]
# ## Filters are learned, not given
#
# Nobody writes the 32 filters of a real first layer by hand: training finds them. To see that it
# can, hide the edge filter in data and let Keras find it. We make 64 random 8 × 8 "images", compute
# with our `convolve2d` what the edge filter outputs for each, and train a one-filter `Conv2D` that
# starts from random weights to give the same outputs. The loss is the mean squared difference, and
# `fit` lowers it step by step: each step moves every weight a little in the direction that lowers
# the loss on a batch of examples (gradient descent, here its plainest form, `SGD`). The networks of
# 02 and 03 are trained the same way, with another loss and a refined optimiser (RMSprop).

# %%
rng = np.random.default_rng(0)
examples = rng.standard_normal((64, 8, 8))
wanted = np.stack([convolve2d(x, kernel, padding="valid") for x in examples])

learner = keras.Sequential([
    keras.Input(shape=(8, 8, 1)),
    keras.layers.Conv2D(1, kernel_size=3, use_bias=False, name="filter"),
])
learner.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
before = keras.ops.convert_to_numpy(learner.get_layer("filter").kernel)[:, :, 0, 0]
history = learner.fit(examples[..., None], wanted[..., None],
                      epochs=25, batch_size=16, verbose=0)
after = keras.ops.convert_to_numpy(learner.get_layer("filter").kernel)[:, :, 0, 0]

losses = history.history["loss"]
print("random start:\n", before.round(2) + 0.0)
print(f"loss after epoch 1: {losses[0]:.4f}, epoch 5: {losses[4]:.6f}, "
      f"epoch 25: {losses[24]:.1e}")
print("learned filter:\n", after.round(3) + 0.0)
print(f"largest difference from the hidden filter: {np.abs(after - kernel).max():.1e}")

# %% [markdown]
# From a random start, 25 passes over the 64 examples (100 small steps) recover −1, 0 and +1 to three
# decimals. A real network learns its filters the same way, except that nobody knows the answer in
# advance: the loss compares its class probabilities with the labels, and the filters become
# whatever helps to tell the classes apart.

# %% [markdown]
# ## A real filter also spans the colour channels
#
# The first layer of both networks, `Conv2D(32, kernel_size=3)`, sees three colour channels, so each
# of its 32 filters is 3 × 3 × 3 = 27 weights plus one bias. Later layers see all the channels of the
# layer before: a filter of the deeper network's `conv2a` is 3 × 3 × 32.

# %%
# NBVAL_CHECK_OUTPUT
for name, in_channels, filters in (
    ("conv1 (both models)", 3, 32),
    ("conv1b", 32, 32),
    ("conv2a", 32, 64),
    ("conv2b", 64, 64),
):
    print(f"{name:20} 3*3*{in_channels:<2} weights per filter * {filters} filters "
          f"+ {filters} biases = "
          f"{3 * 3 * in_channels * filters + filters:6,}")
assert 3 * 3 * 3 * 32 + 32 == build_baseline().get_layer("conv1").count_params()

# %% [markdown]
# ## What training makes of a first layer
#
# The one filter above was trained towards an answer we knew. What do the 32 filters of a real first
# layer become when the only aim is to name the class? Take the deeper network that
# [10](10_normalisation_and_one_hot.ipynb) and [13](13_dropout.ipynb) train on a slice of the
# training set (reused if one of them has made it, otherwise trained now: a minute or two in the
# full profile), and read the weights of its first layer, `conv1a`. To see what training changed we
# also need the weights it started from: building the same network again after the run's
# `set_random_seed` gives that same random start.

# %%
slice_run = run_experiment(
    demo_config("deeper_slice", data.profile),
    data=data,
    epochs=data.profile.demo_epochs,
    train_images=data.profile.demo_images,
    batch_size=128,
)
keras.utils.set_random_seed(slice_run.config.seed)  # the run's seed: the run's start
untrained = build_deeper(rescale=True)


def first_layer(model):
    """The 3 x 3 x 3 x 32 weights of conv1a (height, width, colour channel, filter)."""
    return keras.ops.convert_to_numpy(model.get_layer("conv1a").kernel)


def neighbours(k):
    """Correlation of each weight with the next one right and below it, same filter."""
    here = np.concatenate([k[:, :-1].ravel(), k[:-1, :].ravel()])
    there = np.concatenate([k[:, 1:].ravel(), k[1:, :].ravel()])
    return np.corrcoef(here, there)[0, 1]


def colours(k):
    """Mean correlation between the red, green and blue weights at the same places."""
    red_green_blue = np.moveaxis(k, 2, 0).reshape(3, -1)
    return np.corrcoef(red_green_blue)[np.triu_indices(3, k=1)].mean()


start, trained = first_layer(untrained), first_layer(slice_run.model())
change = trained - start
print(f"{slice_run.config.train_images:,} training images, "
      f"{len(slice_run.history)} epochs; the change is "
      f"{np.linalg.norm(change) / np.linalg.norm(start):.0%} of the start's size")
for name, k in (("start", start), ("trained", trained), ("change", change)):
    print(f"{name:8} neighbours {neighbours(k):+.2f}, "
          f"colour channels {colours(k):+.2f}")
shift = change.mean(axis=(0, 1), keepdims=True)  # each filter's shift in each channel
print(f"change, each filter's shift per channel taken out: "
      f"neighbours {neighbours(change - shift):+.2f}")

# %%
# extra code – draws the 32 filters: start, trained, and what training added
def as_colours(k):
    """Each filter scaled on its own: grey is 0, its largest weight full colour."""
    return 0.5 + 0.5 * k / np.abs(k).max(axis=(0, 1, 2), keepdims=True)


fig, axes = plt.subplots(3, 32, figsize=(14, 2.4))
for row, (name, k) in enumerate((("start", start), ("trained", trained),
                                 ("change", change))):
    for f in range(32):
        axes[row, f].imshow(as_colours(k)[:, :, :, f], interpolation="nearest")
        axes[row, f].set_xticks([])
        axes[row, f].set_yticks([])
    axes[row, 0].set_ylabel(name, rotation=0, ha="right", va="center")
fig.suptitle(f"The 32 filters of conv1a, {len(slice_run.history)} epochs on "
             f"{slice_run.config.train_images:,} images: start, trained, change")
plt.show()

# %% [markdown]
# *Figure: three rows of 32 small colour squares, one per 3 × 3 filter of the first layer: its random start, the same filter after training, and the difference between the two; grey means 0.*
#
# Training moved the first layer by 20%<!-- from: out:the change is --> of its size, so the trained
# row still looks much like the start. What it added is not random like the start. Over all 32
# filters, weights next to each other in the change are correlated (+0.69<!-- from: out:change -->,
# against −0.05<!-- from: out:start --> in the random start), and so, less strongly, are its red,
# green and blue weights at the same place (+0.50<!-- from: out:change --> against
# −0.02<!-- from: out:start -->). In the bottom row that shows as smoother squares, many in shades
# of one colour, where the start has scattered colours. Part of the agreement between neighbours
# is whole filters moving up or down in one channel: with that shift taken out, the change's
# neighbours correlate at +0.36<!-- from: out:taken out -->, still well above the start. This is
# one network after 10<!-- from: out:training images --> epochs on
# 10,000<!-- from: out:training images --> images; we have not measured what these changes detect,
# how they grow with longer training, or what the baseline's first layer learns.

# %% [markdown]
# ## `same` against `valid` padding
#
# > "No padding specified, so the output spatial dimensions may be reduced" (a student's comment in the original notebook)
#
# A 3 × 3 window fits into a row of 6 pixels at only 4 positions (starting at 0, 1, 2, 3), so a
# convolution with no padding, `padding="valid"` (the Keras default), turns 6 × 6 into 4 × 4. The same
# count gives n × n → (n − 2) × (n − 2), but only for a 3 × 3 filter moved one pixel at a time
# (stride 1). A k × k filter at stride 1 gives (n − k + 1) × (n − k + 1); a larger stride shrinks the
# output further (the rule below). `padding="same"` first adds a border of zeros, one pixel wide for a
# 3 × 3 filter, so that every pixel can be the centre of a window and, at stride 1, the size stays n × n.

# %%
# NBVAL_CHECK_OUTPUT
for n in (6, 16, 32):
    fits = n - 3 + 1  # positions where a 3-wide window fits inside n pixels
    print(f"{n} x {n} input: valid -> {fits} x {fits}, same -> {n} x {n}")
same = convolve2d(image, kernel, padding="same")
print("same padding on the worked example:\n", same.astype(int))
layer = keras.layers.Conv2D(1, kernel_size=3, padding="same", use_bias=False)
layer.build((None, 6, 6, 1))
layer.set_weights([kernel.reshape(3, 3, 1, 1).astype("float32")])
one_image = image.reshape(1, 6, 6, 1).astype("float32")
by_keras = keras.ops.convert_to_numpy(layer(one_image))[0, :, :, 0]
assert np.allclose(by_keras, same)
inputs = np.zeros((1, 16, 16, 64), dtype="float32")
shape = keras.layers.Conv2D(64, kernel_size=3)(inputs).shape
print("Keras Conv2D(64, 3) with no padding argument on a 16x16x64 input:",
      tuple(shape[1:]))
assert tuple(shape[1:]) == (14, 14, 64)

# %% [markdown]
# Look at the last column of the `same` output (also in the figure above): −18 and −27 appear where the
# image has no edge at all. The zero border looks like a dark frame, and the filter responds to it.
# That is the price of keeping the size; `valid` avoids it by shrinking.

# %% [markdown]
# ## The output-size rule, for any window, stride and padding
#
# Convolution and pooling follow one rule. Take a row of n pixels, add p zeros at each end, and move
# a window k pixels wide along it, s pixels at a time (s is the stride). The window fits at
#
# $$\text{output} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1$$
#
# positions, in Python `(n + 2 * p - k) // s + 1`. `valid` padding means p = 0. `same` padding with a
# 3 × 3 filter at stride 1 means p = 1, and the rule gives (n + 2 − 3) // 1 + 1 = n: the size is
# kept. (For other windows and strides, Keras's `same` adds just enough zeros for n / s positions,
# rounded up, sometimes one more zero at one end than at the other; the course's networks never need
# that case.) Two small examples of the rule:

# %%
# extra code – draws the two examples of the output-size rule
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle


def draw_windows(ax, n, k, s, p):
    size = n + 2 * p
    inside = np.zeros((size, size))
    inside[p:p + n, p:p + n] = 1
    # image pixels pale blue, padding zeros white with a "0" written in
    ax.imshow(inside, cmap=ListedColormap(["white", "#c6dbef"]), vmin=0, vmax=1)
    for (i, j), v in np.ndenumerate(inside):
        if v == 0:
            ax.text(j, i, "0", ha="center", va="center", color="dimgray")
    for edge in np.arange(size + 1) - 0.5:
        ax.axhline(edge, color="silver", linewidth=0.8)
        ax.axvline(edge, color="silver", linewidth=0.8)
    colours = ["tab:red", "tab:blue", "tab:green", "tab:orange"]
    positions = (n + 2 * p - k) // s + 1
    for step in range(positions):
        inset = 0.07 * (step + 1)  # nested a little, so overlapping windows stay apart
        ax.add_patch(Rectangle((step * s - 0.5 + inset, -0.5 + inset), k - 2 * inset,
                               k - 2 * inset, fill=False, edgecolor=colours[step],
                               linewidth=2.5, label=f"position {step + 1}"))
    ax.set(xticks=range(size), yticks=range(size), xlabel="column", ylabel="row",
           title=f"n={n}, k={k}, s={s}, p={p}: ({n} + 2*{p} - {k}) // {s} + 1 "
                 f"= {positions}")
    ax.grid(False)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.32), ncol=positions)


fig, axes = plt.subplots(1, 2, figsize=(11, 6))
draw_windows(axes[0], n=5, k=3, s=1, p=0)
draw_windows(axes[1], n=5, k=3, s=2, p=1)
fig.suptitle("Where a 3x3 window fits along the first row of a 5x5 input\n"
             "left: no padding, stride 1; right: a border of zeros, stride 2")
fig.tight_layout()

# %% [markdown]
# *Figure: two grids. Left: a 5 × 5 input (pale blue) with three outlined 3 × 3 windows one column apart along the top, so 3 positions per row. Right: the same input inside a one-pixel border of zeros, 7 × 7 in all, with three outlined windows two columns apart, again 3 positions per row.*
#
# On the left the window stops when it reaches the last column, so 5 pixels give 3 positions. On the
# right the border of zeros adds two columns and the window jumps two at a time: (5 + 2 − 3) // 2 + 1 is
# again 3. Rows work the same way, so both outputs are 3 × 3. Here is the rule predicting every layer
# of both networks, checked against the shapes Keras reports:

# %%
# NBVAL_CHECK_OUTPUT
def output_size(n, kernel, stride=1, padding=0):
    """Positions of a `kernel`-wide window moved `stride` at a time across n pixels
    with `padding` zeros at each end."""
    return (n + 2 * padding - kernel) // stride + 1


def window(layer):
    """(window width k, stride s) of a convolution or pooling layer; None for others."""
    if isinstance(layer, keras.layers.Conv2D):
        return layer.kernel_size[0], layer.strides[0]
    if isinstance(layer, keras.layers.MaxPooling2D):
        return layer.pool_size[0], layer.strides[0]
    return None


for model_name, network in (("baseline", build_baseline()), ("deeper", build_deeper())):
    n = 32
    for layer in network.layers:
        if window(layer) is None:
            continue
        k, s = window(layer)
        # "same" keeps the size at stride 1: (k - 1) // 2 zeros at each end
        p = (k - 1) // 2 if layer.padding == "same" else 0
        new_n = output_size(n, k, s, p)
        reported = layer.output.shape[1]
        print(f"{model_name:8} {layer.name:7} {layer.padding:5} "
              f"({n} + 2*{p} - {k}) // {s} + 1 = {new_n:2}; Keras reports {reported}")
        assert reported == new_n and layer.output.shape[2] == new_n
        n = new_n

# %% [markdown]
# Every convolution of both networks has k = 3 and s = 1; every pooling layer has k = 2, s = 2 and no
# padding, so (n − 2) // 2 + 1 halves an even n: 32 to 16, 14 to 7.

# %% [markdown]
# ## How much of the image one value sees: the receptive field
#
# A value in `conv1`'s output depends on a 3 × 3 patch of the image: that patch is its receptive
# field. One layer later the patch grows, because each of the next filter's 3 × 3 inputs sees a patch
# of its own. Going through the layers, a window of k positions adds (k − 1) × jump pixels to the
# field, where the jump is the distance in pixels between neighbouring positions of the layer's input;
# a stride of s multiplies the jump by s. Pooling doubles the jump, so every 3 × 3 filter after it
# widens the field by twice as many pixels, 4 instead of 2. We check each prediction against Keras:
# with every filter weight set to 1 and every bias to 0, one bright pixel reaches the centre value
# of a layer's output only from inside that value's receptive field, so counting the columns from
# which it does measures the width.

# %%
def receptive_fields(network):
    """(name, receptive field, jump) in pixels for each conv or pooling layer."""
    size, jump, rows = 1, 1, []
    for layer in network.layers:
        if window(layer) is None:
            continue
        k, s = window(layer)
        size += (k - 1) * jump
        jump *= s
        rows.append((layer.name, size, jump))
    return rows


def measured_width(network, layer_name):
    """Columns from which one bright pixel (row 16) reaches the centre output value."""
    probe = keras.Model(network.inputs[0], network.get_layer(layer_name).output)
    for weight in probe.weights:  # all filter weights 1, all biases 0
        ones = "kernel" in weight.path
        weight.assign(np.ones(weight.shape) if ones else np.zeros(weight.shape))
    images = np.zeros((32, 32, 32, 3), "float32")
    # image c has one bright pixel, in row 16 and column c
    images[np.arange(32), 16, np.arange(32), :] = 255
    out = keras.ops.convert_to_numpy(probe(images))
    centre = out[:, out.shape[1] // 2, out.shape[2] // 2, 0]
    return int(np.count_nonzero(centre))


for model_name, builder in (("baseline", build_baseline), ("deeper", build_deeper)):
    for layer_name, size, jump in receptive_fields(builder()):
        width = measured_width(builder(), layer_name)
        print(f"{model_name:8} {layer_name:7} receptive field {size:2} x {size:2} "
              f"pixels (jump {jump}); measured in Keras: {width} columns")
        assert width == size
convolutions_only = next(n for n in range(1, 40) if 1 + 2 * n >= 32)
print(f"no pooling: {convolutions_only} 3x3 convolutions at stride 1 "
      "before one value sees all 32 columns")

# %% [markdown]
# The baseline's values never see more than 4<!-- from: out:baseline pool1 receptive field --> × 4 pixels before Flatten: everything larger, the
# shape of a whole car, is left to the dense layer. In the deeper network each value after `pool2`
# sees 16<!-- from: out:deeper pool2 receptive field --> × 16 pixels, half the image's width, and the second block's filters grow the field by 4
# pixels each instead of 2 because pooling doubled the jump. That is one reason to pool: without it,
# stacking 3 × 3 convolutions grows the field by only 2 pixels per layer, and it would take 16<!-- from: out:no pooling: --> of them
# before one value could see across the 32-pixel image.

# %% [markdown]
# ## Both networks, layer by layer
#
# In the baseline every convolution uses `same` padding, so only pooling changes the size. The
# deeper network's fourth convolution, `conv2b`, uses `valid`: its 16 × 16 input becomes 14 × 14,
# which pooling halves to 7 × 7. Flatten then lines up all the numbers: 16 × 16 × 32 = 8,192<!-- from: out:baseline: dense --> in the
# baseline and 7 × 7 × 64 = 3,136<!-- from: out:output (3136,) --> in the deeper net. (The summaries are the same in every profile.)

# %%
# NBVAL_CHECK_OUTPUT
shapes = {
    "baseline": layer_shapes(build_baseline()),
    "deeper": layer_shapes(build_deeper()),
}
for model_name, rows in shapes.items():
    print(f"{model_name}:")
    for layer_name, out_shape, params in rows:
        values = int(np.prod(out_shape))
        print(f"  {layer_name:8} output {str(out_shape):14} = {values:6,} values  "
              f"{params:9,} parameters")
flatten = {m: dict((n, s) for n, s, _ in rows)["flatten"] for m, rows in shapes.items()}
assert (
    flatten
    == {"baseline": (16 * 16 * 32,), "deeper": (7 * 7 * 64,)}
    == {"baseline": (8192,), "deeper": (3136,)}
)

# %%
fig = plot_layer_sizes(
    shapes, title="Output size and parameters of every layer (log scale)"
)

# %% [markdown]
# *Figure: for each layer of both networks, horizontal bars on a log scale for the values it outputs and the parameters it holds.*
#
# Blue bars (values) shrink at every pooling layer, at `conv2b` and at the dense layers; orange bars (parameters) appear
# only on convolution and dense layers, and one of them, `dense`, dwarfs the rest in both models.

# %% [markdown]
# ## Flatten: from a block of numbers to one row
#
# > "Flattens ... into a 1D vector" (a student's comment on `Flatten()`)
#
# A dense layer expects one list of numbers per image, but pooling outputs a block
# (height × width × channels). `Flatten` reads the block row by row, and within each pixel channel by
# channel, into one long vector. It has no parameters and changes no value, only the arrangement:

# %%
# NBVAL_CHECK_OUTPUT
# numbered 0, 1, 2, ... so we can follow each value
block = np.arange(2 * 2 * 3).reshape(2, 2, 3)
# row by row, channels innermost: what Flatten does
flat = block.reshape(-1)
print("a 2 x 2 x 3 block (pixel by pixel, 3 channels each):\n", block.tolist())
print("after Flatten:", flat.tolist())
flattened = keras.layers.Flatten()(block[None].astype("float32"))
by_keras = keras.ops.convert_to_numpy(flattened)[0]
print("Keras Flatten agrees:", np.array_equal(by_keras, flat))
assert np.array_equal(by_keras, flat)

# %% [markdown]
# Channel 0, 1, 2 of the top-left pixel come first, then the next pixel to the right. The spatial
# layout is not lost, it is just no longer visible to the layers that follow.

# %% [markdown]
# ## Dense: why one layer holds most of the parameters
#
# `Dense(512)` connects every input value to each of its 512 units with its own weight, and gives
# each unit a bias: inputs × 512 + 512 parameters. With 8,192<!-- from: out:baseline: dense --> inputs that is over four million.

# %%
# NBVAL_CHECK_OUTPUT
for model_name, builder, inputs in (
    ("baseline", build_baseline, 8192),
    ("deeper", build_deeper, 3136),
):
    model = builder()
    dense = inputs * 512 + 512  # one weight per (input, unit) pair, one bias per unit
    total = model.count_params()
    assert dense == model.get_layer("dense").count_params()
    print(f"{model_name:8}: dense = {inputs:,} x 512 + 512 = "
          f"{dense:,} of {total:,} parameters "
          f"({dense / total:.2%}); everything else: {total - dense:,}")
assert build_baseline().count_params() == 4_200_842
assert build_deeper().count_params() == 1_676_842

# %% [markdown]
# In the baseline, 99.86%<!-- from: out:baseline: dense --> of the parameters sit in the one dense layer, because only one pooling
# layer stands between the 32 × 32 image and Flatten. The deeper network has more convolutions but
# under half as many parameters: its extra pooling and its `valid` convolution shrink what reaches
# Flatten from 8,192<!-- from: out:baseline: dense --> to 3,136<!-- from: out:output (3136,) --> values, and its convolutions (65,568<!-- from: set:sum of the deeper net's four convolution parameter counts, 896 + 9,248 + 18,496 + 36,928 --> parameters together, weights and biases)
# are cheap because each filter is small and shared across every position of the image.

# %% [markdown]
# ## Global average pooling: the usual way out
#
# Almost all of the baseline's parameters are the weights that connect Flatten's 8,192<!-- from: out:baseline: dense --> values to the
# dense layer. Lin, Chen and Yan replaced such layers by averaging each feature map into a single
# number ("Network In Network", ICLR 2014, [arXiv:1312.4400](https://arxiv.org/abs/1312.4400)), and many later image
# networks end the same way. In Keras that is `GlobalAveragePooling2D`: the deeper network's 64 maps
# of 7 × 7 then hand 64 numbers, not 3,136<!-- from: out:output (3136,) -->, to the dense layer. The same network with that one change:

# %%
# NBVAL_CHECK_OUTPUT
gap_deeper = keras.Sequential([keras.Input(shape=(32, 32, 3))] + [
    keras.layers.GlobalAveragePooling2D(name="average")
    if layer.name == "flatten"
    else layer.__class__.from_config(layer.get_config())
    for layer in build_deeper().layers])
for model_name, network in (
    ("deeper, Flatten", build_deeper()),
    ("deeper, global average", gap_deeper),
):
    print(f"{model_name:23} {network.count_params():>10,} parameters, dense layer "
          f"{network.get_layer('dense').count_params():>9,}")
assert gap_deeper.get_layer("dense").count_params() == 64 * 512 + 512

# %% [markdown]
# The dense layer shrinks from 1,606,144<!-- from: out:deeper, Flatten --> parameters (weights and biases) to 33,280<!-- from: out:deeper, global average -->, and the network to a
# sixteenth of its size. The price: averaging throws away where in the map a feature was found.
# Whether that costs accuracy here is an experiment you can run with the cells of [03](03_deeper.ipynb).

# %% [markdown]
# ## What we learned
#
# - A 3 × 3 filter multiplies the nine pixels under it by nine weights and adds them up, at every
#   position, without flipping the filter (a cross-correlation, which deep-learning libraries call
#   convolution); in a real layer the filter also spans all input channels (3 × 3 × 3 = 27 weights
#   and 1 bias for each filter of the first layer).
# - With `valid` padding (the Keras default) and stride 1, a 3 × 3 filter shrinks n × n to
#   (n − 2) × (n − 2), and a k × k filter to (n − k + 1) × (n − k + 1): that is why the deeper net's
#   `conv2b` turns 16 × 16 into 14 × 14. `same` keeps the size at stride 1 by adding a border of
#   zeros, which the filter can mistake for an edge. One rule covers every window, stride s and
#   padding p: (n + 2p − k) // s + 1 positions.
# - Filters are learned: gradient descent recovered a hidden edge filter from 64 examples. In a
#   trained network's first layer, the random start still made up most of each filter, and what
#   training added to it was smoother than the start and partly shared by the colour channels.
# - Each layer widens the patch of image a value depends on (its receptive field) by (k − 1) × jump
#   pixels; pooling doubles the jump, so the deeper network's values see 16<!-- from: out:deeper pool2 receptive field --> × 16 pixels
#   after `pool2` and the baseline's only 4<!-- from: out:baseline pool1 receptive field --> × 4.
# - Flatten only rearranges: 16 × 16 × 32 = 8,192<!-- from: out:baseline: dense --> values in the baseline, 7 × 7 × 64 = 3,136<!-- from: out:output (3136,) --> in the
#   deeper network.
# - A dense layer has inputs × units + units parameters, so the baseline's dense layer holds 4,194,816<!-- from: out:baseline: dense -->
#   of its 4,200,842<!-- from: out:baseline: dense --> parameters; the deeper net's extra downsampling is what makes it smaller.
#

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: a bigger window with a stride
#
# A 32 × 32 input, a 5 × 5 filter, stride 2, no padding. How wide is the output?

# %%
answer = None  # output width
check(answer, "65cebb6f370f6850", "5 x 5 filter, stride 2, on 32 x 32",
      hints={"6978e2340a850359": "a width is a whole number of positions: "
                                 "round down before adding 1"})

# %%
#@solution
answer = (32 - 5) // 2 + 1
inputs = np.zeros((1, 32, 32, 3), "float32")
assert keras.layers.Conv2D(1, 5, strides=2)(inputs).shape[1] == answer
assert check(answer, "65cebb6f370f6850", "5 x 5 filter, stride 2, on 32 x 32")

# %% [markdown]
# ### Exercise 2: count a layer's parameters
#
# How many parameters does `Conv2D(16, kernel_size=5)` have when its input has 3 colour channels?

# %%
answer = None  # parameters
check(answer, "7619d24f3d1df662", "parameters of Conv2D(16, 5) on 3 channels",
      hints={"41b22f3764e6c0d8": "each filter also has one bias"})

# %%
#@solution
answer = 5 * 5 * 3 * 16 + 16  # one 5 x 5 x 3 block per filter, plus a bias each
layer = keras.layers.Conv2D(16, kernel_size=5)
layer.build((None, 32, 32, 3))
assert layer.count_params() == answer
assert check(answer, "7619d24f3d1df662", "parameters of Conv2D(16, 5) on 3 channels")

# %% [markdown]
# ### Exercise 3: the baseline with global average pooling
#
# Replace the baseline's `Flatten` with `GlobalAveragePooling2D`, keeping everything else (its layers
# are listed in [02](02_baseline.ipynb); its dropout layers, explained in [13](13_dropout.ipynb), have no
# parameters). How many parameters does the network have now?

# %%
answer = None  # total parameters
check(answer, "aa5ae431db911e7d", "baseline with global average pooling")

# %%
#@solution
gap_baseline = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    keras.layers.Rescaling(1 / 255),
    keras.layers.Conv2D(32, kernel_size=3, padding="same", activation="relu"),
    keras.layers.MaxPooling2D(pool_size=2),
    keras.layers.Dropout(0.25),
    keras.layers.GlobalAveragePooling2D(),  # 16 x 16 x 32 -> 32 averages
    keras.layers.Dense(512, activation="relu"),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(10, activation="softmax"),
])
# conv1, then a dense layer on only 32 inputs, classes
answer = 896 + (32 * 512 + 512) + (512 * 10 + 10)
assert answer == gap_baseline.count_params()
assert check(answer, "aa5ae431db911e7d", "baseline with global average pooling")

# %% [markdown]
# ## Ethics checkpoint
#
# Shapes and parameter counts describe a model completely, and say nothing about whom it works well
# for. That is measured on data, class by class or group by group. Work through
# [prompt 6: what do our per-class accuracies tell you?](../ethics/prompts/06-disaggregated-evaluation.md)
