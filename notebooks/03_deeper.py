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
# # 03 · A deeper network
#
# The book's second network stacks two convolution blocks; it has fewer parameters than the
# baseline yet learns better features, and one of its original lines means something else today.
#
# **After this notebook you can** explain why a deeper convolutional network can have fewer
# parameters, spot the `Conv2D(64, 3, 3)` trap in old Keras code, and compare two models class by class.
#
# **Time:** 17 s in the quick profile and 13 s in the full profile once its runs exist (measured by
# the series runner on 2 CPU cores, 2026-12-05, and on 2 CPU cores, 2026-11-30).
# Without a finished run the full profile trains the deeper network first; the training
# time is printed below.
#
# **Previous:** [02 · The baseline](02_baseline.ipynb) · **Next:** [04 · Augmentation](04_augmented.ipynb) ·
# **Ethics prompt:** [disaggregated evaluation](../ethics/prompts/06-disaggregated-evaluation.md)

# %% [markdown]
# ## Setup

# %%
from course_utils import setup

data = setup()
# How long each network trains, on how many images, in batches of how many.
# Change them here for this notebook only: a changed value trains a run of its own,
# named after the change.
# 2 in the quick profile, 20 in the full one (the book's)
EPOCHS = data.profile.epochs
# the first N, a fifth held out (None: all 50,000)
TRAIN_IMAGES = data.profile.train_images
# images per gradient step, as in the book
BATCH_SIZE = 128

import keras
import numpy as np
from keras import layers

from course_utils import (
    JIT_COMPILE,
    check,
    layer_shapes,
    plot_confusion_matrix,
    quick_profile_note,
    plot_learning_curves,
    plot_per_class_accuracy,
    run_experiment,
    start_run,
    wilson_interval,
)

# %% [markdown]
# ## The model
#
# Two blocks of two 3 × 3 convolutions, each block followed by 2 × 2 max pooling and dropout,
# then the same dense layer of 512 units as the baseline. The summary is the same in every profile.
# Like [02](02_baseline.ipynb)'s baseline, this cell is marked `#@save`: the experiments train
# exactly the network written here.

# %%
#@save
import keras
from keras import layers


def build_deeper(dropout: bool = True, rescale: bool = True) -> keras.Model:
    """Two conv blocks, then a dense layer: 1,676,842 weights; ``rescale`` and
    ``dropout`` as for the baseline."""
    keep = 1.0 if dropout else 0.0
    scale = [layers.Rescaling(1 / 255, name="rescale")] if rescale else []
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        *scale,
        layers.Conv2D(32, kernel_size=3, padding="same", activation="relu",
                      name="conv1a"),
        layers.Conv2D(32, kernel_size=3, padding="same", activation="relu",
                      name="conv1b"),
        layers.MaxPooling2D(pool_size=2, name="pool1"),
        layers.Dropout(0.25 * keep, name="drop1"),
        layers.Conv2D(64, kernel_size=3, padding="same", activation="relu",
                      name="conv2a"),
        # "valid" means no padding: a 3 x 3 window fits 14 times across 16 pixels,
        # so 16 x 16 -> 14 x 14.
        layers.Conv2D(64, kernel_size=3, padding="valid", activation="relu",
                      name="conv2b"),
        layers.MaxPooling2D(pool_size=2, name="pool2"),
        layers.Dropout(0.25 * keep, name="drop2"),
        layers.Flatten(name="flatten"),
        layers.Dense(512, activation="relu", name="dense"),
        layers.Dropout(0.5 * keep, name="drop3"),
        # float32 even in bf16 runs
        layers.Dense(10, activation="softmax", dtype="float32", name="classes")
    ], name="deeper")

# %%
# NBVAL_CHECK_OUTPUT
# the same starting weights as `python -m course_utils reproduce deeper`
keras.utils.set_random_seed(42)
model = build_deeper()
# as in 02
model.compile(
    optimizer=keras.optimizers.RMSprop(),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
    jit_compile=JIT_COMPILE,
)
model.summary()
assert model.count_params() == 1_676_842

# %% [markdown]
# More layers, yet 1,676,842<!-- from: out:Total params --> parameters, under half of the baseline's: the second pooling
# and the unpadded ("valid") convolution shrink the feature map to 7 × 7 × 64, so `Flatten` hands
# 3,136<!-- from: out:flatten --> numbers to the dense layer instead of 8,192<!-- from: set:the baseline's Flatten size, 16 × 16 × 32 -->. [11 · Convolution and shapes](11_convolution_and_shapes.ipynb)
# works through 16 → 14 and both counts; [12 · Pooling](12_pooling.ipynb) and
# [13 · Dropout](13_dropout.ipynb) explain the other layers.

# %% [markdown]
# ## The `Conv2D(64, 3, 3)` trap
#
# The 2017 code wrote the fourth convolution as `Conv2D(64, 3, 3)`, the Keras 1 way of saying
# "64 filters of 3 × 3", which Keras 2 still translated. Keras 3 reads the third positional
# argument as **strides**: the filter jumps 3 pixels at a time. Nothing fails; the network is just
# different. Building both (no training) shows how much:

# %%
# NBVAL_CHECK_OUTPUT
literal = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1a"),
    layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1b"),
    layers.MaxPooling2D(2, name="pool1"),
    layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2a"),
    # 2017 spelling, read by Keras 3
    layers.Conv2D(64, 3, 3, activation="relu", name="conv2b"),
    layers.MaxPooling2D(2, name="pool2"),
    layers.Flatten(name="flatten"),
    layers.Dense(512, activation="relu", name="dense"),
    layers.Dense(10, activation="softmax", name="classes"),
], name="literal_2017_spelling")
as_read = {name: (shape, n) for name, shape, n in layer_shapes(literal)}
print(f"{'layer':8} {'intended output':>16} {'params':>10} | "
      f"{'Conv2D(64, 3, 3)':>16} {'params':>10}")
for name, shape, n in layer_shapes(model):
    if name in as_read:
        literal_shape, literal_n = as_read[name]
        print(f"{name:8} {str(shape):>16} {n:>10,} | "
              f"{str(literal_shape):>16} {literal_n:>10,}")
print(f"{'total':8} {'':>16} {model.count_params():>10,} | "
      f"{'':>16} {literal.count_params():>10,}")
assert literal.get_layer("conv2b").strides == (3, 3)
assert (model.count_params(), literal.count_params()) == (1_676_842, 202_282)

# %% [markdown]
# With strides 3 the 16 × 16 map shrinks to 5 × 5 instead of 14 × 14, and the network ends up with
# about 8 times fewer parameters. The `#@save` cell above names every argument
# (`kernel_size=3, padding="valid"`) so this cannot happen by accident.

# %% [markdown]
# ## Train it (or reuse the finished run)
#
# Same settings and the same `fit` call as the baseline in [02](02_baseline.ipynb): RMSprop, batch
# 128, 20%<!-- from: set:validation split 0.2 --> of the training images for validation, and a finished run of this very network is loaded
# instead of trained again.

# %%
run = start_run("deeper", model, data,
                epochs=EPOCHS, train_images=TRAIN_IMAGES, batch_size=BATCH_SIZE)
model.fit(
    run.train,
    validation_data=run.validation,
    epochs=EPOCHS,
    initial_epoch=run.initial_epoch,
    callbacks=run.callbacks,
    verbose=2,
)
result = run.finish(model)
# notebook 02's run, read back
baseline = run_experiment(
    "baseline",
    data=data,
    results_only=True,
    epochs=EPOCHS,
    train_images=TRAIN_IMAGES,
    batch_size=BATCH_SIZE,
)
r = result.results
print(f"profile: {r['profile']['name']}; data: {r['data']['name']} "
      f"({r['data']['train_images']:,} training images)")
reused = " (reused a finished run)" if result.reused else ""
print(f"{r['epochs_completed']} epochs, {r['train_seconds']:.0f} s of training, "
      f"{r['images_per_second_median']:.0f} images/s (baseline: "
      f"{baseline.results['images_per_second_median']:.0f})" + reused)

# %% [markdown]
# The line above says which profile and data produced everything below. Fewer parameters do not
# mean less work: each convolution runs at every pixel, so the deeper net trains fewer images per second.

# %%
fig = plot_learning_curves(
    {"baseline": baseline.history, "deeper": result.history},
    title=f"Baseline and deeper network, {r['profile']['name']} profile",
)

# %% [markdown]
# *Figure: training (solid) and validation (dashed) accuracy and loss per epoch, the baseline and the deeper network in two colours.*
#
# Compare the dashed validation curves: the one that ends higher did better, in this run, on images
# it never trained on.

# %% [markdown]
# ## Test accuracy
#
# A public re-run of the book's code logged **75.8%<!-- from: out:reference: -->** after **40** epochs without augmentation
# (RM1708/Deep-Learning-with-Keras, `Chapter03/Output-keras_CIFAR10_V1.txt`). The full profile trains
# 20 epochs, as the original experiments did; the quick profile far fewer.

# %%
RERUNS_40_EPOCHS = 0.758
for name, results in (("deeper", r), ("baseline", baseline.results)):
    # right answers (the confusion matrix's diagonal) out of all test images
    matrix = np.array(results["confusion_matrix"])
    low, high = wilson_interval(int(np.trace(matrix)), int(matrix.sum()))
    profile = results["profile"]["name"]
    print(f"{name + ':':9} {results['test_accuracy']:.1%} after "
          f"{results['epochs_completed']} epochs ({profile} profile), "
          f"95% interval {low:.1%} to {high:.1%} on {matrix.sum():,} test images")
print(f"reference: about {RERUNS_40_EPOCHS:.1%} after 40 epochs "
      f"(independent re-runs, full data)")
quick_profile_note(data.profile)
assert r["test_accuracy"] > 0.15

# %% [markdown]
# In the full-profile run saved here our 20 epochs landed at 75.4%<!-- from: out:deeper: -->. The re-run's 75.8%<!-- from: out:reference: --> after 40
# epochs lies inside our 95%<!-- from: set:the intervals' confidence level --> interval, 74.6%<!-- from: out:deeper: --> to 76.3%<!-- from: out:deeper: -->, and that interval counts only the luck
# of the 10,000<!-- from: set:test images --> test images, not the spread between training runs with different seeds, which this
# notebook does not measure. One run of each cannot tell us whether the re-run's extra 20 epochs
# helped.
#
# The gap to the baseline is of another size: 75.4%<!-- from: out:deeper: --> against 66.8%<!-- from: out:baseline: -->, and the two intervals
# (74.6%<!-- from: out:deeper: --> to 76.3%<!-- from: out:deeper: --> and 65.8%<!-- from: out:baseline: --> to 67.7%<!-- from: out:baseline: -->) are far apart.
# It is still one run of each; [05](05_comparison.ipynb) reads six seeds of both recipes, and every
# deeper run there scores above every baseline run.
#
# ## Class by class
#
# One accuracy number averages over ten classes. Splitting it up shows which classes each model
# finds hard, and whether "better on average" means better for every class.

# %%
per_class = {
    "baseline": baseline.results["per_class_accuracy"],
    "deeper": r["per_class_accuracy"],
}
fig = plot_per_class_accuracy(
    per_class, title=f"Test accuracy per class ({r['profile']['name']} profile)"
)
gains = {
    c: per_class["deeper"][c] - per_class["baseline"][c] for c in per_class["deeper"]
}
by_gain = sorted(gains.items(), key=lambda x: x[1])
print("deeper minus baseline:", ", ".join(f"{c} {g:+.0%}" for c, g in by_gain))
per_class_images = min(r["data"]["test_per_class"].values())
# 95% half-width of one accuracy near 50% (where it is widest), measured on n images
half_width = 1.96 * (0.25 / per_class_images) ** 0.5
print(f"{per_class_images:,} test images per class: one class's accuracy is uncertain "
      f"by up to about ±{half_width:.0%} (95%)")

# %% [markdown]
# *Figure: grouped bars of test accuracy for each class, one bar for the baseline and one for the deeper network.*
#
# Compare the spread between each model's easiest and hardest class with the gap between the two
# models, and look for classes where the better model on average is worse. With 100 (quick) or 1,000<!-- from: set:test images per class in the full data -->
# (full) test images per class, each class's accuracy is itself uncertain: the last line above gives
# by how much. A difference between the two models on the same class has an uncertainty of its own,
# which depends on how many of that class's images only one of the two got right (the paired test of
# [05](05_comparison.ipynb)); the line above gives only its scale, not a test.
#
# In the full-profile run saved here, three classes moved by amounts small next to that scale, too
# little for one run to count as a change: horse (+2%<!-- from: out:deeper minus baseline -->), cat (+0%<!-- from: out:deeper minus baseline -->)
# and deer (−2%<!-- from: out:deeper minus baseline -->). That the deeper network gains nothing on cats while gaining 23%<!-- from: out:deeper minus baseline --> on dogs surprised
# us; one run cannot say whether it would hold for another seed.

# %%
fig = plot_confusion_matrix(
    r["confusion_matrix"],
    title=f"Deeper network on the test set ({r['profile']['name']} profile)",
)

# %% [markdown]
# *Figure: the deeper network's confusion matrix: test-image counts by true class (rows) and predicted class (columns).*
#
# The off-diagonal cells show which classes are confused with which, the raw material for the
# per-class numbers above. In the full-profile run, the largest of them is cats called dogs.

# %% [markdown]
# ## What we learned
#
# - Stacking convolutions and pooling twice gives better features with fewer parameters
#   (1,676,842<!-- from: out:Total params --> against 4,200,842<!-- from: run:baseline.parameters -->), because the map reaching `Flatten` is much smaller.
# - `Conv2D(64, 3, 3)` silently means strides 3 in Keras 3: name the arguments.
# - Averages hide differences: per-class accuracy and the confusion matrix show who a model fails.
#

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: what if `conv2b` kept its size?
#
# Suppose `conv2b` used `padding="same"` like the other convolutions. How many numbers would
# `Flatten` hand to the dense layer? Predict it, then check.

# %%
answer = None  # number of values after Flatten
check(answer, "e75c3d41e5235b3b", "Flatten size with same padding")

# %%
#@solution
# 16 x 16 stays 16 x 16; pool2 halves it to 8 x 8, with 64 channels
answer = (16 // 2) * (16 // 2) * 64
same = keras.Sequential([
    keras.Input((16, 16, 64)),
    layers.Conv2D(64, kernel_size=3, padding="same"),
    layers.MaxPooling2D(2),
    layers.Flatten(),
])
assert same.output_shape[1] == answer
assert check(answer, "e75c3d41e5235b3b", "Flatten size with same padding")

# %% [markdown]
# ### Exercise 2: another spelling, another network
#
# Old code might also contain `Conv2D(64, 3, 2)`. What output height and width does Keras 3 give it
# on a 16 × 16 input (no padding)? Use the output-size rule of [11](11_convolution_and_shapes.ipynb).

# %%
answer = None  # (height, width)
check(answer, "3325c6884394bb69", "Conv2D(64, 3, 2) on 16 x 16")

# %%
#@solution
# the third positional argument is the stride
answer = ((16 - 3) // 2 + 1, (16 - 3) // 2 + 1)
layer = layers.Conv2D(64, 3, 2)
assert tuple(layer(np.zeros((1, 16, 16, 64), "float32")).shape[1:3]) == answer
assert check(answer, "3325c6884394bb69", "Conv2D(64, 3, 2) on 16 x 16")

# %% [markdown]
# ### Exercise 3: where did the deeper network gain?
#
# From the per-class accuracies above, find the class that gained most and the one that gained
# least from the deeper network, and look at a few test images of each. Write two sentences on why
# the extra convolution block might help one more than the other, and say what would test your idea.

# %%
# the classes that gained most and least, read from gains above
most, least = None, None

# %% [markdown]
# *Your answer:*

# %%
#@solution
ranked = sorted(gains, key=gains.get)
print(f"gained least: {ranked[0]} ({gains[ranked[0]]:+.1%}), "
      f"most: {ranked[-1]} ({gains[ranked[-1]]:+.1%})")

# %% [markdown]
# <!-- solution -->
# Any explanation is a hypothesis until tested: one class's gain is one run, and differences under the
# noise level printed above may be chance. A test would train both networks with several seeds and
# compare the per-class gains, or look at which test images changed from wrong to right.

# %% [markdown]
# ## Ethics checkpoint
#
# Which "classes" of people would a face or person classifier fail most, and who would notice?
# Work through [disaggregated evaluation](../ethics/prompts/06-disaggregated-evaluation.md), then
# continue with [04 · Augmentation](04_augmented.ipynb).
