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
# # 12 · Pooling: what it keeps, what it buys, and what "bias" means here
#
# Max pooling worked by hand, inside the trained baseline, and under a measured translation test, then
# a correction of the claim that pooling is "inherently biased".
#
# **After this notebook you can** compute a 2 × 2 max pooling, measure how often a small shift of
# the image changes a trained model's answer, and tell an inductive bias (an assumption about images)
# from a social bias (unfair outcomes for people).
#
# **Time:** 15 s in the quick profile and 25 s in the full profile once its runs exist (measured by
# the series runner on 2 CPU cores, 2026-12-05, and on 2 CPU cores, 2026-11-30).
# It trains nothing once [02 · The baseline](02_baseline.ipynb) and [03 · A deeper
# network](03_deeper.ipynb) have made their runs; otherwise it trains them first, which takes hours
# in the full profile on a 2-core CPU.
#
# **Read after:** [03 · A deeper network](03_deeper.ipynb) · **Next explainer:**
# [13 · Dropout](13_dropout.ipynb) · **Ethics prompt:**
# [does max pooling make a model biased?](../ethics/prompts/03-pooling-and-bias.md)

# %% [markdown]
# ## Setup

# %%
from course_utils import setup

data = setup()

import keras
import numpy as np

from course_utils import (
    CLASS_NAMES,
    check,
    feature_maps,
    most_active_channels,
    neighbour_correlation,
    plot_feature_maps,
    plot_max_pool_example,
    plot_neighbour_pixels,
    plot_per_class_accuracy,
    plot_pooling_shift_change,
    plot_shift_sensitivity,
    plot_shifted_images,
    pooling_shift_change,
    run_experiment,
    shift_images,
    shift_sensitivity,
)

# %% [markdown]
# ## Max pooling by hand
#
# `MaxPooling2D(pool_size=2)` cuts each feature map into 2 × 2 windows that do not overlap and keeps
# the largest value of each. A 4 × 4 map becomes 2 × 2; in the baseline a 32 × 32 map becomes
# 16 × 16. Each channel is pooled on its own, and the layer has no weights to learn. Fewer values is
# one thing pooling buys; the other, measured in [11](11_convolution_and_shapes.ipynb), is reach:
# every filter after a pooling layer adds twice as many pixels of the image to what a value sees (its
# receptive field grows twice as fast).

# %%
# NBVAL_CHECK_OUTPUT
def max_pool_2x2(x):
    """Keep the largest value of each 2 x 2 window (stride 2), channel by channel,
    like MaxPooling2D(2)."""
    x = np.asarray(x)
    # an odd last row or column is dropped, as in Keras
    h, w = x.shape[0] // 2, x.shape[1] // 2
    windows = x[:2 * h, :2 * w].reshape(h, 2, w, 2, *x.shape[2:])
    # axes 1 and 3 run inside each window
    return windows.max(axis=(1, 3))


def avg_pool_2x2(x):
    """The mean of each 2 x 2 window instead of its maximum, like
    AveragePooling2D(2)."""
    x = np.asarray(x, dtype=float)
    h, w = x.shape[0] // 2, x.shape[1] // 2
    return x[:2 * h, :2 * w].reshape(h, 2, w, 2, *x.shape[2:]).mean(axis=(1, 3))


x = np.array([[1, 3, 2, 0],
              [4, 6, 1, 1],
              [0, 2, 9, 5],
              [7, 1, 3, 8]])
pooled = max_pool_2x2(x)
print("input:\n", x, "\nafter 2x2 max pooling:\n", pooled)
by_keras = keras.layers.MaxPooling2D(pool_size=2)(x[None, :, :, None].astype("float32"))
keras_pooled = keras.ops.convert_to_numpy(by_keras)[0, :, :, 0]
print("Keras MaxPooling2D agrees:", np.array_equal(keras_pooled, pooled))
assert pooled.tolist() == [[6, 2], [7, 9]]
by_keras_avg = keras.layers.AveragePooling2D(pool_size=2)(
    x[None, :, :, None].astype("float32")
)
keras_averaged = keras.ops.convert_to_numpy(by_keras_avg)[0, :, :, 0]
assert np.allclose(keras_averaged, avg_pool_2x2(x))

# %%
fig = plot_max_pool_example(x, pooled)

# %% [markdown]
# *Figure: the 4 × 4 input with its 2 × 2 windows and each window's maximum outlined, beside the 2 × 2 pooled output.*
#
# Each output number is the winner of one window (outlined in red); the other three values in the
# window are dropped, so three quarters of the numbers are gone.

# %% [markdown]
# ## What "translation invariance" means, on six numbers
#
# > "introduces translation invariance -- explain..." (a student's comment on `MaxPooling2D`)
#
# Translation invariance would mean that moving the input does not change the output. Put one bright
# value (9) in a 2 × 6 map and move it one column at a time:

# %%
# NBVAL_CHECK_OUTPUT
for column in range(6):
    feature_map = np.zeros((2, 6), dtype=int)
    feature_map[0, column] = 9
    pooled_map = max_pool_2x2(feature_map).tolist()
    print(f"bright value in column {column}: pooled output {pooled_map}")

# %% [markdown]
# A move from column 0 to 1 leaves the pooled output unchanged: the value stays in the same window,
# and "there is a 9 somewhere in here" is all pooling keeps. A move from column 1 to 2 crosses a
# window border, and the output moves too. So pooling ignores some one-pixel moves and not others:
# the invariance is only partial, and the rest of this notebook measures how partial.

# %% [markdown]
# ## Feature maps of a real image, before and after pooling
#
# The baseline's first layer has 32 filters; each turns the image into a 32 × 32 feature map, and
# `pool1` shrinks each map to 16 × 16. Here are the six most active maps for one test image, from
# the trained baseline (reused from [02 · The baseline](02_baseline.ipynb), or trained now if that
# run does not exist yet).

# %%
baseline_run = run_experiment("baseline", data=data)
deeper_run = run_experiment("deeper", data=data)
baseline, deeper = baseline_run.model(), deeper_run.model()
index = int(np.flatnonzero(data.y_test.ravel() == CLASS_NAMES.index("horse"))[0])
# raw 0-255 pixels: the trained models divide by 255 themselves
image = data.x_test[index].astype("float32")
maps = feature_maps(baseline, image, ["conv1", "pool1"])
channels = most_active_channels(maps["conv1"], n=6)
fig = plot_feature_maps(
    image / 255,
    maps,
    channels,
    title=f"Trained baseline, test image {index} (a horse): conv1 and pool1",
)
# our ten lines, on real maps
assert np.allclose(max_pool_2x2(maps["conv1"]), maps["pool1"], atol=1e-6)

# %% [markdown]
# *Figure: a test image of a horse and six of the baseline's feature maps before pooling (top row) and after 2 × 2 max pooling (bottom row).*
#
# Each pooled map (bottom row) is a coarser copy of the map above it: the bright regions, the parts of
# the horse a filter responds to, survive; their exact position within each 2 × 2 block does not.

# %% [markdown]
# ## Convolution moves with the image; pooling only partly ignores the move
#
# Two words describe what a layer does with a shifted image. A layer is **equivariant** to shifts if
# shifting its input shifts its output by the same amount and changes nothing else; it is
# **invariant** if its output does not change at all. A convolution applies the same filter at every
# position, so it should be equivariant, away from the borders. The test: shift the image right by 1
# or 2 pixels, compute the layer's maps, and compare them with the original maps moved by the same
# amount (for `pool1`, whose maps are half as wide, by half as much, rounded down).

# %%
def equivariance_error(model, image, layer_name, shift):
    """Largest difference between the maps of the shifted image and the shifted maps,
    in the interior.

    Relative to the largest value of the maps; 0 means the layer moved exactly with
    the image.
    """
    maps = feature_maps(model, image, [layer_name])[layer_name]
    moved = feature_maps(model, shift_images(image, dx=shift), [layer_name])[layer_name]
    # a pooled layer moves by fewer positions
    step = shift * maps.shape[1] // image.shape[1]
    # stay clear of the borders and the filled-in strip
    m, h = 3, maps.shape[0]
    expected, got = maps[m:h - m, m:h - m - step], moved[m:h - m, m + step:h - m]
    return float(np.abs(got - expected).max() / np.abs(maps).max())


for layer_name in ("conv1", "pool1"):
    for shift in (1, 2):
        error = equivariance_error(baseline, image, layer_name, shift)
        print(f"{layer_name}, shift {shift} px: "
              f"largest change of the interior {error:6.2%} of the largest value")
assert equivariance_error(baseline, image, "conv1", 1) < 1e-4

# %% [markdown]
# `conv1` moves with the image: the differences are rounding noise. After `pool1` a 2-pixel shift is
# still a clean 1-position move of the pooled maps. A 1-pixel shift is half a pooled position, which
# the code rounds down to 0, so for it the cell compares the pooled maps with the unmoved ones: the
# largest difference, 82.33%<!-- from: out:pool1, shift 1 px --> of the largest value, says a 1-pixel shift is far from "no change". (We
# did not compare it with a one-position move; a pooled map has no half positions to move by.)
# Pooling gives invariance only to moves that stay inside its windows, which is why the next two
# tests find it approximate.

# %% [markdown]
# ## Max, average or no pooling: how much do the maps change under a shift?
#
# Average pooling keeps the mean of each window instead of the maximum. To compare the three
# choices without training three more networks, take the trained baseline's `conv1` maps for 200
# test images, move the images 0 to 4 pixels to the right, and measure how much the maps change
# with no pooling, with 2 × 2 max pooling and with 2 × 2 average pooling applied to them.

# %%
x_test = data.x_test[:1000].astype("float32")
change = pooling_shift_change(baseline, x_test[:200], layer="conv1", max_shift=4)
fig = plot_pooling_shift_change(
    change,
    layer="conv1",
    title="Trained baseline, 200 test images: conv1 maps after a shift",
)
for name, curve in change.items():
    print(f"{name:12}: " + ", ".join(f"{s} px {v:.0%}" for s, v in curve.items()))
assert all(curve[0] == 0.0 for curve in change.values())

# %% [markdown]
# *Figure: the relative change of the baseline's conv1 maps against a shift of 0 to 4 pixels, with no pooling, max pooling and average pooling.*
#
# What the vertical axis measures: for each shift, the maps of the moved images are compared with
# the maps of the unmoved images **at the same positions**; the relative change is the size
# (Euclidean norm) of the difference divided by the size of the unmoved maps, over all 200 images.
# 0%<!-- from: set:no difference at any position --> means no value changed anywhere.
#
# Because the maps are not moved back before the comparison, this measures how different the values
# are at each position, what the next layer sees there, and not whether the layer moved with the
# image. An exact move counts as a change. Without pooling the maps move exactly with the image, as
# the equivariance test showed, yet that curve shows 73%<!-- from: out:no pooling --> at 1 pixel. Max pooling shows
# 78%<!-- from: out:max 2x2 --> at 2 pixels, the shift the same test found to be an exact one-position move of the pooled
# maps. Read this way, both kinds of pooling make the values change less than no pooling at every
# shift from 1 pixel on, but none of the three curves stays near zero: pooling dampens the effect of a shift, it
# does not remove it.
#
# Average pooling changed the values less than max pooling at every shift from 1 pixel on (48%<!-- from: out:average 2x2 --> against
# 54%<!-- from: out:max 2x2 --> at 1 pixel). We have not measured why, nor how much these shares would move on other
# images or another trained model (these are one model's maps on 200 images); the
# networks in this series use max pooling, as the book's code did, and whether average pooling
# would train a better one here is an experiment we have not run.

# %% [markdown]
# ## The translation test: does a shift change the answer?
#
# The question that matters is whether the trained models change their *prediction*. We move 1,000<!-- from: set:test images in the translation test (x_test[:1000]) -->
# test images by 0 to 4 pixels, right and down, repeating the edge pixels into the gap (so no black
# bar appears that the model could react to instead), and count how often each model's predicted
# class changes.

# %%
fig = plot_shifted_images(
    image / 255, title=f"Test image {index} moved right by 0 to 4 pixels"
)

# %% [markdown]
# *Figure: one test image moved right by 0, 1, 2, 3 and 4 pixels, its left edge repeated into the gap.*

# %%
directions = ("right", "down")
sensitivity = {
    name: shift_sensitivity(model, x_test, max_shift=4, directions=directions)
    for name, model in (("baseline", baseline), ("deeper", deeper))
}
fig = plot_shift_sensitivity(
    sensitivity,
    images=len(x_test),
    directions=" and ".join(directions),
    title="How often a shift changes the predicted class",
)
for name, curve in sensitivity.items():
    run = baseline_run if name == "baseline" else deeper_run
    accuracy = run.results["test_accuracy"]
    shifts = ", ".join(f"{s} px {v:.1%}" for s, v in curve.items())
    print(f"{name:8} (test accuracy {accuracy:.1%}): " + shifts)
assert all(curve[0] == 0.0 and curve[4] > 0.0 for curve in sensitivity.values())

# %% [markdown]
# *Figure: the share of predictions that change against the size of a shift, for the baseline and the deeper network.*
#
# At 0 pixels nothing changes (the test is repeatable); from 1 pixel on, a share of the answers
# flips, and the share grows with the shift. In the full-profile outputs saved here the baseline
# flips more answers than the deeper network at every shift (13.7%<!-- from: out:baseline (test accuracy --> against 9.6%<!-- from: out:deeper --> at 1 pixel), on the
# same 1,000<!-- from: set:test images in the translation test (x_test[:1000]) --> test images. That is one trained model of each, and we have not measured how much these
# shares vary from seed to seed. The two differ in architecture as well as in accuracy, so this
# does not say which of the two causes the difference.

# %% [markdown]
# **The finding, plainly:** pooling buys only approximate shift invariance. On a single bright value
# a pooling window ignores moves that stay inside it; on the real feature maps above, a 1-pixel shift
# still changed the max-pooled maps by 54%<!-- from: out:max 2x2 --> of their size (the norm of the change over the norm of the
# maps), and stacking convolutions and pooling does not add up
# to a network that ignores shifts. Zhang showed that this
# comes from downsampling without first blurring (the sampling theorem is ignored), that one-pixel
# shifts can change the outputs of standard networks, and that blurring before subsampling makes
# them more stable ([Zhang 2019, ICML, arXiv:1904.11486](https://arxiv.org/abs/1904.11486)).
# Azulay and Weiss found the same fragility in large modern networks, traced it to the same
# disregard of the sampling theorem, and showed that data augmentation teaches the invariance only
# for images that resemble typical training images
# ([Azulay and Weiss 2019, JMLR 20(184)](https://www.jmlr.org/papers/v20/19-519.html)).

# %% [markdown]
# ## Inductive bias is not social bias
#
# > An earlier essay in this course concluded that max pooling is "inherently biased" and corrupts
# > the data.
#
# The worry behind that sentence is a fair one: pooling does throw information away, as we counted
# above, and anything that throws information away deserves a look. But "bias" there means two
# different things. Pooling carries an **inductive bias**: a built-in assumption, a statistical
# prior, that the exact position of a feature within a small window does not matter for the answer.
# Part of what makes that assumption reasonable can be checked on the data: neighbouring pixels of
# real images tend to look alike, so moving something by a pixel changes the image little.

# %%
real = neighbour_correlation(data.x_test[:1000])
shuffled = neighbour_correlation(data.x_test[:1000], shuffle_seed=0)
fig = plot_neighbour_pixels(
    data.x_test[:1000],
    title="1,000 test images: each pixel against its right-hand neighbour",
)
print(f"correlation of neighbouring pixels: {real:.2f} in real images, "
      f"{shuffled:.2f} after shuffling")
assert real > 0.5 > abs(shuffled)

# %% [markdown]
# *Figure: two scatter plots of each pixel against its right-hand neighbour: along the diagonal for real images, a shapeless cloud for shuffled pixels.*
#
# In real images a pixel predicts its neighbour well (the points hug the diagonal); in shuffled
# images it does not. Note what this measures: the smoothness of raw images, not what max pooling
# does to a network's feature maps. Smooth images make pooling's bet reasonable; whether the trained
# network's pooled maps honour it is what the shift tests above measured directly, and there the bet
# is imperfect: a robustness problem, measured in pixels.

# %% [markdown]
# **Social bias** is something else: a system that works worse for some groups of people, or decides
# against them unfairly. It enters through the data (who and what is photographed, and how), the
# labels (who named the classes and with which words), the way a model is evaluated, and the
# way it is deployed. Pooling is the same fixed function for every image: it has no weights, and
# it knows nothing about classes or people.

# %%
# NBVAL_CHECK_OUTPUT
pool_params = {
    layer.name: layer.count_params() for layer in deeper.layers if "pool" in layer.name
}
print("parameters in the pooling layers:", pool_params)
print(f"values kept by one 2x2 max pooling: 1 in 4 "
      f"(baseline: 32x32x32 = {32 * 32 * 32:,} -> "
      f"16x16x32 = {16 * 16 * 32:,})")
assert sum(pool_params.values()) == 0

# %% [markdown]
# Yet the same models, with the same pooling for every class, are far from equally accurate across
# classes:

# %%
per_class = {"baseline": baseline_run.results["per_class_accuracy"],
             "deeper": deeper_run.results["per_class_accuracy"]}
fig = plot_per_class_accuracy(
    per_class, title="Test accuracy per class: the same pooling for every class"
)
for name, accuracies in per_class.items():
    worst = min(accuracies, key=accuracies.get)
    best = max(accuracies, key=accuracies.get)
    print(f"{name:8}: {best} {accuracies[best]:.0%} "
          f"against {worst} {accuracies[worst]:.0%}")

# %% [markdown]
# *Figure: grouped bars of test accuracy per class for the baseline and the deeper network.*
#
# The same fixed pooling for every class, and yet the classes are far apart: whatever separates them
# was not put there by the pooling layer. Where such differences come from, and what it would take
# to find the ones that matter for people, is the question of the ethics checkpoint below.

# %% [markdown]
# <!-- instructor -->
# **For instructors (left out of the student edition).** The argument students should reach in
# prompt 3: the gap between the best and the worst class comes from what the images of each class
# look like and what the models learned from them, and it only shows up when measured class by class.
# Unfairness towards people would show up the same way, in a disaggregated evaluation of a deployed
# system, not in the definition of a layer. Architecture is not irrelevant (a design that copes badly
# with, say, low-resolution photos could fail one group more if that group's photos were
# systematically lower in resolution), but the disparity comes from the data meeting the assumption,
# and one finds it by measuring. CIFAR-10 has no classes of people, so these numbers say nothing
# about bias against people. The model essay `ethics/essays/what-bias-means.md` develops this; hand
# it out after the prompt is graded.

# %% [markdown]
# ## What we learned
#
# - 2 × 2 max pooling keeps the largest of every four values: 32 × 32 maps become 16 × 16, with no
#   weights to learn.
# - It ignores a one-pixel move only when the move stays inside a pooling window. Measured on trained
#   models, shifts of 1 to 4 pixels change a growing share of predictions: pooling buys only
#   approximate shift invariance (Zhang 2019; Azulay and Weiss 2019).
# - Pooling is an inductive bias, an assumption that a feature's exact position within a window
#   does not matter (made reasonable by smooth images, imperfect in the shift tests); social bias is about people, and enters through data, labels, evaluation and
#   deployment. Disparities are found by measuring per group, not by reading the architecture.
#

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: pool by hand
#
# Apply 2 × 2 max pooling to this map without running `max_pool_2x2`, then check:
#
# ```
# 1 8 3 4
# 2 5 0 1
# 9 0 7 2
# 3 6 1 5
# ```

# %%
answer = None  # a 2 x 2 list of lists, e.g. [[1, 2], [3, 4]]
check(answer, "433dbaa9213613a1", "2 x 2 max pooling")

# %%
#@solution
grid = np.array([[1, 8, 3, 4], [2, 5, 0, 1], [9, 0, 7, 2], [3, 6, 1, 5]])
answer = max_pool_2x2(grid).tolist()
assert check(answer, "433dbaa9213613a1", "2 x 2 max pooling")

# %% [markdown]
# ### Exercise 2: equivariance, deeper in the network
#
# The equivariance test above used the first convolution. Repeat it for the deeper network's
# `conv1b` (its second convolution, still before any pooling): is the interior of its feature maps
# still just moved by a shift? And after `pool1`?

# %%
# your test: the deeper network is `deeper`, the test image is `image`

# %% [markdown]
# *Your answer:*

# %%
#@solution
for layer_name in ("conv1b", "pool1"):
    error = equivariance_error(deeper, image, layer_name, shift=2)
    print(f"{layer_name}: largest change of the interior, "
          f"relative to the largest value: {error:.2%}")

# %% [markdown]
# <!-- solution -->
# `conv1b` is still equivariant: two convolutions in a row move with the image, apart from the border.
# After `pool1` a shift of 2 pixels becomes a shift of one pooled pixel and the maps still move
# with the image; an odd shift would not, which is the approximate invariance measured above.

# %% [markdown]
# ## Ethics checkpoint
#
# Use the numbers from this notebook to answer
# [prompt 3: does max pooling make a model biased?](../ethics/prompts/03-pooling-and-bias.md), using
# the word "bias" in at least two of its senses.
