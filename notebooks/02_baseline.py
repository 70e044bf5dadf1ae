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
# # 02 · The baseline: one convolution block
#
# The first network of Gulli and Pal's *Deep Learning with Keras* (2017, chapter 3), rebuilt for
# Keras 3, trained on CIFAR-10 and compared with the book's 66.4%<!-- from: out:book: -->.
#
# **After this notebook you can** train and evaluate a small convolutional network with one call,
# read its learning curves and confusion matrix, find its most confident mistakes, and name the
# old Keras lines that no longer run.
#
# **Time:** 14 s in the quick profile and 13 s in the full profile once its runs exist (measured by
# the series runner on 2 CPU cores, 2026-12-05, and on 2 CPU cores, 2026-11-30).
# Without a finished run the full profile trains the baseline first; the training time is
# printed below.
#
# **Previous:** [01 · Explore CIFAR-10](01_explore_data.ipynb) · **Next:** [03 · A deeper network](03_deeper.ipynb) ·
# **Ethics prompt:** [privacy concerns](../ethics/prompts/01-privacy-concerns.md)

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

import numpy as np

from course_utils import (
    check,
    plot_confusion_matrix,
    plot_learning_curves,
    plot_misclassified,
    quick_profile_note,
    start_run,
    wilson_interval,
)

# %% [markdown]
# ## The model
#
# One 3 × 3 convolution with 32 filters (padding "same" keeps 32 × 32), a 2 × 2 max pooling
# (to 16 × 16), dropout, then a fully connected layer of 512 units and a softmax over the ten
# classes. Each of these layers is taken apart in an explainer, to read after 03: convolution and
# padding in [11](11_convolution_and_shapes.ipynb), pooling in [12](12_pooling.ipynb), dropout in
# [13](13_dropout.ipynb); here the sizes are enough. Every argument is named: the book's code
# passed some of them by position, and Keras 3 reads some positions differently
# ([03](03_deeper.ipynb) shows one such trap). `compile` sets what
# training optimises, as the book did: RMSprop with Keras's defaults and categorical cross-entropy
# (minus the log of the probability the network gives the true class; [10](10_normalisation_and_one_hot.ipynb)
# works it out by hand).
#
# One layer is new: `Rescaling(1 / 255)`, the division by 255 that the book did to the arrays before
# training. Inside the model it travels with the model: whoever trains, tests or uses it passes raw
# 0-255 pixels, and nobody can forget the division or do it twice. Forgetting it is exactly how the
# original augmented run broke ([04](04_augmented.ipynb)). The original spelling is kept as
# `rescale=False`, for the notebooks that reproduce it.
# (`#@save` on the first line marks a cell that the course package reuses: `python3 tasks.py export`
# copies it into `course_utils/training/networks.py`, so the experiments train exactly this network.)

# %%
#@save
import keras
from keras import layers

INPUT_SHAPE = (32, 32, 3)  # height, width, colour channels
NUM_CLASSES = 10


def build_baseline(dropout: bool = True, rescale: bool = True) -> keras.Model:
    """One conv block, then a dense layer: 4,200,842 weights.

    With ``rescale=True`` dividing by 255 is the network's own first step, so it
    takes raw 0-255 pixels and cannot be fed the wrong scale; ``rescale=False`` is
    the original spelling, which expects pixels divided by 255 beforehand.
    ``dropout=False`` sets every dropout rate to 0.
    """
    keep = 1.0 if dropout else 0.0
    scale = [layers.Rescaling(1 / 255, name="rescale")] if rescale else []
    return keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        *scale,
        layers.Conv2D(32, kernel_size=3, padding="same", activation="relu",
                      name="conv1"),
        layers.MaxPooling2D(pool_size=2, name="pool1"),
        layers.Dropout(0.25 * keep, name="drop1"),
        layers.Flatten(name="flatten"),
        layers.Dense(512, activation="relu", name="dense"),
        layers.Dropout(0.5 * keep, name="drop2"),
        # float32 even in bf16 runs
        layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32", name="classes")
    ], name="baseline")


# On TensorFlow, XLA compilation made these small networks 2-5x slower on a 2-core CPU
# (benchmarks/benchmark.py measures it); JAX needs its compiler to be fast at all.
JIT_COMPILE = False if keras.backend.backend() == "tensorflow" else "auto"


def compile_like_original(model: keras.Model) -> keras.Model:
    """RMSprop with Keras's defaults and categorical cross-entropy on one-hot labels,
    as in the book."""
    model.compile(optimizer=keras.optimizers.RMSprop(), loss="categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=JIT_COMPILE)
    return model

# %%
# NBVAL_CHECK_OUTPUT
# the same starting weights as `python -m course_utils reproduce baseline`
keras.utils.set_random_seed(42)
model = build_baseline()
compile_like_original(model)
model.summary()
assert model.count_params() == 4_200_842

# %% [markdown]
# Almost all of the 4,200,842<!-- from: out:Total params --> parameters sit in one layer: `Flatten` turns 16 × 16 × 32 into
# 8,192<!-- from: out:flatten --> numbers, each wired to all 512 units.

# %% [markdown]
# ## Train it (or reuse the finished run)
#
# The book trained with `model.fit(X_train, Y_train, batch_size=128, epochs=20, validation_split=0.2)`.
# We call `fit` the same way, with one helper: `start_run` connects the model to the course's record
# of runs. It hands `fit` the training batches (128 images each, from the first four fifths of the
# training set) and the validation images (the last fifth), the number of epochs, and two callbacks, one that logs
# every epoch and one that saves a checkpoint so that an interrupted run can resume. `run.finish`
# then scores the model on the test images, saves it under `runs/` and writes every number to
# `results/<profile>/baseline.json`.
#
# If this very network (same layers, same optimizer) was already trained on the same data, `fit`
# has no epochs left to train and `finish` loads the saved weights instead; the training time printed
# below is then that of the saved run. Change a layer above and run the cells again, and `start_run`
# tells you that it is a new run, saved under its own name.

# %%
run = start_run("baseline", model, data,
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
r = result.results
print(f"profile: {r['profile']['name']}; data: {r['data']['name']} "
      f"({r['data']['train_images']:,} training images)")
reused = " (reused a finished run)" if result.reused else ""
print(f"{r['epochs_completed']} epochs, {r['train_seconds']:.0f} s of training, "
      f"{r['images_per_second_median']:.0f} images/s" + reused)

# %% [markdown]
# The line above says which profile and data produced every number and figure that follows.

# %% [markdown]
# ## Learning curves

# %%
fig = plot_learning_curves(
    result.history, title=f"Baseline, {r['profile']['name']} profile"
)

# %% [markdown]
# *Figure: training (solid) and validation (dashed) accuracy and loss of the baseline, epoch by epoch.*
#
# Training accuracy (solid) climbs above validation accuracy (dashed) as the model starts to
# memorise its training images; validation is what predicts the test score.

# %% [markdown]
# ## Test accuracy, and the book's figure
#
# The book reports **66.4%<!-- from: out:book: -->** test accuracy after 20 epochs; that is the figure we compare with. (The
# cell also prints 66.8%<!-- from: out:independent re-runs -->, a figure that has circulated for re-runs of the book's code; we have not
# found a log behind it, so we do not rely on it.) Our full profile also trains 20 epochs on the
# 50,000<!-- from: set:training images --> training images (40,000<!-- from: set:four fifths of 50,000 fitted --> fitted, 10,000<!-- from: set:validation split 0.2 of 50,000 --> for validation); the quick profile trains 2 epochs on
# 1,920<!-- from: set:quick profile training images --> (1,536<!-- from: set:four fifths of 1,920 fitted --> fitted), so expect far less there.

# %%
BOOK, RERUNS = 0.664, 0.668
test_images = r["data"]["test_images"]
# the diagonal of the confusion matrix: the test images it got right
low, high = wilson_interval(int(np.trace(r["confusion_matrix"])), test_images)
print(f"ours: {r['test_accuracy']:.1%} on {test_images:,} test images "
      f"after {r['epochs_completed']} epochs ({r['profile']['name']} profile); "
      f"95% interval {low:.1%} to {high:.1%}")
print(f"book: {BOOK:.1%}, "
      f"independent re-runs: about {RERUNS:.1%} (20 epochs, full data)")
quick_profile_note(data.profile)
# clearly better than the 10% of guessing, in every profile
assert r["test_accuracy"] > 0.15

# %% [markdown]
# The interval is how far the luck of the test images alone could have moved the score: 95%<!-- from: set:the intervals' confidence level --> of
# intervals built this way, on 10,000<!-- from: set:test images --> test images, contain the accuracy the model would have on all images
# like these ([05](05_comparison.ipynb) shows how they are computed). The book's 66.4%<!-- from: out:book: --> lies inside
# ours, 65.8%<!-- from: out:ours: --> to 67.7%<!-- from: out:ours: -->, so on this evidence our run and the book's cannot be told apart; a run with another
# seed would land elsewhere too, which 05 measures.

# %% [markdown]
# ## Where it goes wrong: the confusion matrix
#
# Row = the true class, column = what the model said. The diagonal counts correct answers.

# %%
fig = plot_confusion_matrix(
    r["confusion_matrix"],
    title=f"Baseline on the test set ({r['profile']['name']} profile)",
)

# %% [markdown]
# *Figure: a 10 × 10 grid of test-image counts, true class by row and predicted class by column, the correct answers on the diagonal.*
#
# Look at the largest numbers off the diagonal: in the full-profile run saved here they sit between
# classes that look alike at 32 × 32 pixels: cat and dog (both ways), automobiles taken for trucks,
# birds taken for deer, and cats taken for frogs or deer.

# %% [markdown]
# ## The most confident mistakes
#
# `result.probabilities()` holds the model's ten probabilities for every test image. The images
# below were classified wrongly with the highest confidence.

# %%
probabilities = result.probabilities()
assert probabilities.shape == (len(data.x_test), 10)
fig = plot_misclassified(data.x_test, data.y_test, probabilities, n=16,
                         title="Baseline: the 16 most confident mistakes")

# %% [markdown]
# *Figure: sixteen test images the baseline got wrong, each captioned with its true class, the predicted class and the model's confidence.*
#
# Confidence is not correctness: read the percentage under each image. In the full-profile run saved
# here most of these confident mistakes take one vehicle for another, most often an automobile for
# a truck.

# %% [markdown]
# ## Why the original code no longer runs
#
# The 2017 code was written for Keras 1/2. Four of its lines fail on Keras 3 (we show them here
# as text only; none of them is executed in this series):
#
# ```python
# from keras.utils import np_utils                      # original: module removed
# from keras.layers.core import Dense, Dropout          # original: keras.layers.core removed
# from keras.layers.convolutional import Conv2D          # original: keras.layers.convolutional removed
# model.fit_generator(gen, samples_per_epoch=N)          # original: fit_generator and samples_per_epoch removed
# ```
#
# | old (Keras 1/2) | Keras 3 |
# |---|---|
# | `np_utils.to_categorical(y, 10)` | `keras.utils.to_categorical(y, 10)` |
# | `Dense`, `Conv2D` imported from the old `core` and `convolutional` submodules | `keras.layers.Dense`, `keras.layers.Conv2D` |
# | the old generator method with `samples_per_epoch` | `model.fit(dataset, steps_per_epoch=...)`; augmentation as layers (notebook 04) |
# | `Conv2D(64, 3, 3)` meaning a 3 × 3 kernel | `Conv2D(64, kernel_size=3)`: see notebook 03 |
#
# The building blocks are the same: the `#@save` cell in *The model* is the book's network with every
# argument named.

# %% [markdown]
# ## What we learned
#
# - One convolution block plus a large dense layer reaches about two-thirds accuracy on CIFAR-10
#   in 20 epochs (the book: 66.4%<!-- from: out:book: -->); the numbers printed earlier say what this run reached.
# - Most of the baseline's 4,200,842<!-- from: out:Total params --> parameters are in the dense layer after `Flatten`.
# - Learning curves, a confusion matrix and the most confident mistakes show *how* a model fails,
#   which one accuracy number hides.
# - The old `np_utils` module, the `core`/`convolutional` layer submodules and the generator-fitting
#   method are gone in Keras 3; each has a direct replacement.
#

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: predict, then measure
#
# Before you look at the summary again: what is the output shape of `pool1` (without the batch
# axis), and how many parameters does the layer `dense` hold? Use the shapes rule of
# [11](11_convolution_and_shapes.ipynb): `same` padding keeps 32 × 32, 2 × 2 pooling halves it, and a
# dense layer has one weight per input and unit plus one bias per unit.

# %%
answer = None  # [output shape of pool1 as a tuple, parameters of dense]
check(answer, "57fba3bba6099472", "pool1 shape and dense parameters")

# %%
#@solution
# same padding keeps 32 x 32; pooling halves it
pool1 = (32 // 2, 32 // 2, 32)
# every value of pool1 wired to each of 512 units
dense_parameters = 16 * 16 * 32 * 512 + 512
answer = [pool1, dense_parameters]
assert model.get_layer("pool1").output.shape[1:] == pool1
assert model.get_layer("dense").count_params() == dense_parameters
assert check(answer, "57fba3bba6099472", "pool1 shape and dense parameters")

# %% [markdown]
# ### Exercise 2: break the scaling on purpose
#
# The trained model divides by 255 itself. What happens if you divide the test images by 255 before
# you give them to it, as the book's code did? Predict first, then measure the accuracy on the first
# 1,000 test images, and count how often the model gives its most common answer.

# %%
# your measurement: the model on the first 1,000 test images as they are,
# then divided by 255
# (accuracy, and the share of images that get its most common answer)

# %% [markdown]
# *Your answer:*

# %%
#@solution
x = data.x_test[:1000].astype("float32")
for label, inputs in (
    ("raw pixels (as the model expects)", x),
    ("divided by 255 beforehand", x / 255),
):
    answers = model.predict(inputs, verbose=0).argmax(axis=1)
    share = np.bincount(answers, minlength=10).max() / len(answers)
    print(f"{label:34} accuracy {np.mean(answers == data.y_test[:1000].ravel()):.1%}, "
          f"most common answer {share:.0%} of images")

# %% [markdown]
# <!-- solution -->
# Divided twice, every pixel is below 1/255: the images are almost black to the model, its scores
# hardly depend on the image any more, and every image gets the same answer. The model still takes
# whatever it is given; what `Rescaling` removes is the need to remember the division yourself.

# %% [markdown]
# ### Exercise 3: change a layer
#
# Change `Dense(512)` to `Dense(256)` in a copy of `build_baseline`. How many parameters does the new
# network have? If you then pass it to `start_run("baseline", ...)`, what does `start_run` say, and why?

# %%
answer = None  # total parameters with Dense(256)
check(answer, "722ac842d46df40f", "parameters with Dense(256)")

# %% [markdown]
# *Your answer:*

# %%
#@solution
smaller = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    layers.Rescaling(1 / 255),
    layers.Conv2D(32, kernel_size=3, padding="same", activation="relu"),
    layers.MaxPooling2D(pool_size=2),
    layers.Dropout(0.25),
    layers.Flatten(),
    layers.Dense(256, activation="relu"),
    layers.Dropout(0.5),
    layers.Dense(10, activation="softmax"),
])
answer = smaller.count_params()
assert check(answer, "722ac842d46df40f", "parameters with Dense(256)")

# %% [markdown]
# <!-- solution -->
# Half the units of the dense layer halve its 4.2 million weights: the total falls to the number
# checked above. `start_run` compares the network's fingerprint (its layers, optimizer and loss) with
# the course's baseline, finds that they differ, and names the run `baseline-<fingerprint>`: a new
# run that trains from scratch and never overwrites the course's own results.

# %% [markdown]
# ## Ethics checkpoint
#
# These photos were collected from the web without asking the people who took them or appear in
# them: their parent collection was gathered by sending words to image search engines (Torralba,
# Fergus and Freeman 2008, "80 Million Tiny Images"). Work through [privacy concerns](../ethics/prompts/01-privacy-concerns.md), then continue
# with [03 · A deeper network](03_deeper.ipynb).
