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
# # 10 · Normalisation and one-hot labels
#
# Two steps every experiment takes before training, dividing the pixels by 255 (the 2017 code wrote
# `x / 255`; the series' networks do it in their first layer, `Rescaling(1 / 255)`) and turning
# labels into one-hot rows with `to_categorical(y)`, taken apart: what they do to the numbers, and
# what goes wrong without them.
#
# **After this notebook you can** say what dividing the pixels by 255 changes, what raw 0-255 values
# do to an untrained network, what a model trained on one scale does with test images of another,
# and read a one-hot label matrix by its two indices.
#
# **Time:** 21 s in the quick profile and 42 s in the full profile once its runs exist (measured by
# the series runner on 2 CPU cores, 2026-12-05, and on 2 CPU cores, 2026-11-30).
# Without the two slice runs it trains them first (in the full profile 10 epochs on 10,000<!-- from: set:slice runs' training images in the full profile -->
# images each).
#
# **Read after:** [02 · The baseline](02_baseline.ipynb), which uses both steps · **Next
# explainer:** [11 · Convolution and shapes](11_convolution_and_shapes.ipynb) · **Ethics prompt:**
# [a datasheet for CIFAR-10](../ethics/prompts/04-datasheet.md)

# %% [markdown]
# ## Setup

# %%
from course_utils import setup

data = setup()
# How long the slice runs train, on how many images, in batches of how many.
# Change them here for this notebook only: a changed value trains a run of its own,
# named after the change.
# 2 in the quick profile, 10 in the full one
EPOCHS = data.profile.demo_epochs
# the first N training images, a fifth held out
TRAIN_IMAGES = data.profile.demo_images
# images per gradient step, as in the book
BATCH_SIZE = 128

import keras
import numpy as np

from course_utils import (
    CLASS_NAMES,
    build_deeper,
    check,
    demo_config,
    plot_learning_curves,
    plot_one_hot,
    quick_profile_note,
    plot_pixel_histograms,
    prepare,
    run_experiment,
    scale_mismatch,
    wilson_interval,
)

# %% [markdown]
# ## What dividing by 255 does to the numbers
#
# > "does some weird division by 255 ... SO MANY QUESTIONS" (a student's comment in the original notebook)
#
# A CIFAR-10 pixel is stored as three whole numbers from 0 to 255 (red, green, blue), one byte each:
# the `uint8` type. The original code runs `x.astype("float32") / 255`. The first half turns the
# bytes into decimal numbers, the second half squeezes 0-255 into 0-1. Nothing is lost: every value
# keeps its place and its ratio to every other value.

# %%
# NBVAL_CHECK_OUTPUT
pixels = np.array([0, 1, 64, 128, 200, 255], dtype=np.uint8)
scaled = pixels.astype("float32") / 255
for raw_value, scaled_value in zip(pixels, scaled):
    print(f"{raw_value:3d} -> {scaled_value:.4f}")
ratio_kept = bool(np.isclose(scaled[4] / scaled[3], 200 / 128))
print("ratio of 200 to 128 kept after scaling:", ratio_kept)
wrapped = np.array([200], dtype=np.uint8) + np.array([100], dtype=np.uint8)
print("uint8 arithmetic wraps around: 200 + 100 =", wrapped[0])

# %% [markdown]
# The last line is why the conversion to float comes first: `uint8` has no room above 255, so sums
# silently wrap around. Why `float32` and not Python's default `float64`? Keras computes in
# `float32`, which takes 4 bytes a value where `uint8` takes 1 and `float64` 8, and the data is large:
# [01](01_explore_data.ipynb)'s Exercise 1 works out what the full training set weighs as `uint8` and
# as `float32`.
#
# On real images, a histogram of the pixel values before and after scaling:

# %%
fig = plot_pixel_histograms(
    data.x_train[:500],
    title="Pixel values of 500 training images, before and after / 255",
)

# %% [markdown]
# *Figure: two histograms of the same pixel values, from 0 to 255 before scaling and from 0 to 1 after, with the same shape.*
#
# The two histograms have the same shape; only the numbers on the horizontal axis change, from
# 0-255 to 0-1.

# %% [markdown]
# ## Why the scale matters: an untrained network
#
# A new network starts with small random weights. Keras chooses their size (Glorot initialisation)
# so that, for inputs of roughly unit size, each layer's outputs stay roughly the size of its
# inputs. Feed it values 255 times larger and every layer's output grows with them, until the final
# softmax puts most of its probability on one class.
#
# To say how bad that is we need the loss the networks are trained with, **cross-entropy**: for one
# image it is minus the natural logarithm of the probability the network gives the true class. A
# network that is sure and right scores −ln 1 = 0; one that spreads its probability evenly over the
# ten classes gives the true class 1/10 and scores −ln(1/10) = ln 10 ≈ 2.30<!-- from: set:ln 10, the loss of an even guess over 10 classes -->; one that is sure and
# wrong gives the true class almost nothing and scores a large number. (The one-hot section below
# works an example through Keras.) Here is the same untrained network on 500 test images, raw and
# scaled, with the mean cross-entropy over the images. It is the two-block network of
# [03 · A deeper network](03_deeper.ipynb); here it is only something to train, and this notebook
# needs nothing more from 03:

# %%
keras.utils.set_random_seed(0)
# the original spelling: the network itself does not divide by 255
untrained = build_deeper(rescale=False)
x_raw, y_test = prepare(data.x_test[:500], data.y_test[:500], scaling="none")
x_scaled, _ = prepare(data.x_test[:500], data.y_test[:500], scaling="outside")
start = {}
for name, x in (("raw 0-255", x_raw), ("scaled 0-1", x_scaled)):
    p = untrained.predict(x, verbose=0)
    per_image = keras.losses.categorical_crossentropy(y_test, p)
    loss = float(np.mean(keras.ops.convert_to_numpy(per_image)))
    start[name] = (float(p.max(axis=1).mean()), loss)
    print(f"{name:10}: the top class gets {start[name][0]:.0%} "
          f"of the probability on average; "
          f"loss {loss:.2f}")
assert start["raw 0-255"][1] > 2 * start["scaled 0-1"][1]

# %% [markdown]
# On scaled inputs the untrained network is unsure, as it should be (a loss near ln 10 ≈ 2.30<!-- from: set:ln 10, the loss of an even guess over 10 classes --> means
# "about 10%<!-- from: set:an even guess over 10 classes --> for every class"). On raw inputs it gives its top class 80%<!-- from: out:raw 0-255 : the top class --> of the probability on
# average, and its loss (9.81<!-- from: out:raw 0-255 : the top class -->) is more than four times as high: confident, and mostly about the
# wrong class.
#
# How much larger do the outputs get? At initialisation it can be said exactly. Every bias starts at
# 0, so each convolution and dense layer is linear: 255 times the input gives 255 times the output.
# ReLU and max pooling keep a positive factor as it is (max(0, 255a) = 255 max(0, a), and the
# largest of 255 times four numbers is 255 times the largest), and dropout does nothing at
# inference ([13 · Dropout](13_dropout.ipynb) shows why). So the values the last layer hands to
# softmax, the **logits**, are exactly 255 times larger for raw pixels. A check on the same network and images:

# %%
# the logits: what the last layer computes before its softmax
last = untrained.get_layer("classes")
features = keras.Model(untrained.inputs[0], last.input)
kernel, bias = (keras.ops.convert_to_numpy(w) for w in last.weights)
logits = {name: features.predict(x, verbose=0) @ kernel + bias
          for name, x in (("raw", x_raw), ("scaled", x_scaled))}
biases = [w.numpy() for w in untrained.weights if "bias" in w.path]
print("every bias is 0 at the start:", all(not b.any() for b in biases))
ratio = logits["raw"] / logits["scaled"]
print(f"logits raw / logits scaled: from {ratio.min():.4f} to {ratio.max():.4f}")
error = np.abs(logits["raw"] - 255 * logits["scaled"]).max()
top = np.abs(logits["raw"]).max()
print(f"largest difference from exactly 255 times: {error / top * 1e6:.1f} "
      f"millionths of the largest logit ({top:.1f})")

# %% [markdown]
# The ratio is 255 for every logit of every image, up to the rounding of `float32` arithmetic: the
# largest gap between a raw logit and 255 times its scaled twin is 1.1<!-- from: out:largest difference --> millionths of the largest
# logit. (The ratio itself strays further from 255 for logits near 0, where the same tiny gap is
# divided by a smaller number.) Softmax
# turns logits into probabilities through e to the power of each logit, so multiplying all of them by
# 255 turns small differences between classes into huge ones: that is the 80%<!-- from: out:raw 0-255 : the top class --> top-class probability
# above.

# %% [markdown]
# ## What happens in training: raw against scaled pixels
#
# Does a network learn at all from raw pixels? (The original notebook's 10%<!-- from: run:collapse_from_trained.test_accuracy --> run did something else:
# it first trained on scaled pixels, then switched the same model to raw ones;
# [04 · Augmentation](04_augmented.ipynb) reproduces that.) The deeper network trains twice on the
# same slice of the training set, for the profile's demo length: once as the series builds it, with
# `Rescaling(1 / 255)` as its first layer, and once without that layer, so that it learns from the
# raw 0-255 pixels.

# %%
raw = run_experiment(
    demo_config("deeper_slice_raw_pixels", data.profile),
    data=data,
    epochs=EPOCHS,
    train_images=TRAIN_IMAGES,
    batch_size=BATCH_SIZE,
)
scaled_run = run_experiment(
    demo_config("deeper_slice", data.profile),
    data=data,
    epochs=EPOCHS,
    train_images=TRAIN_IMAGES,
    batch_size=BATCH_SIZE,
)
n = raw.config.train_images
fit = int(n * (1 - raw.config.validation_split))
fig = plot_learning_curves(
    {"raw 0-255": raw.history, "scaled 0-1": scaled_run.history},
    title=f"Deeper network on {n:,} images "
          f"({fit:,} to fit, {n - fit:,} to validate): "
          "raw against scaled pixels",
    metrics=("accuracy", "loss"),
)
fig.axes[0].axhline(0.1, color="grey", linestyle=":", label="chance (10%)")
fig.axes[0].legend(fontsize=8)
assert raw.history[0]["loss"] > scaled_run.history[0]["loss"]

# %% [markdown]
# *Figure: accuracy and loss per epoch of the deeper network trained on raw pixels and on pixels divided by 255, training solid and validation dashed, with the 10%<!-- from: set:chance level, 1 in 10 classes --> chance level dotted.*
#
# Start with the loss panel: the raw run's first-epoch training loss is far above the scaled run's,
# the untrained network's overconfidence from the previous section. Then compare the validation
# accuracy (dashed) with the dotted 10%<!-- from: set:chance level, 1 in 10 classes --> line. The numbers, and how varied each model's answers are:

# %%
for name, run in (("raw 0-255", raw), ("scaled 0-1", scaled_run)):
    # rows: the true class; columns: the answer given
    matrix = np.array(run.results["confusion_matrix"])
    answers = matrix.sum(axis=0)  # how often each class was the answer
    top = int(answers.argmax())
    low, high = wilson_interval(int(np.trace(matrix)), int(matrix.sum()))
    print(f"{name:10}: first-epoch loss {run.history[0]['loss']:6.2f}, "
          f"final validation accuracy "
          f"{run.history[-1]['val_accuracy']:.1%}, "
          f"test accuracy {run.results['test_accuracy']:.1%} "
          f"(95% interval {low:.1%} to {high:.1%}); "
          f"'{CLASS_NAMES[top]}' is its answer for "
          f"{answers[top] / answers.sum():.0%} of test images")
quick_profile_note(data.profile)

# %% [markdown]
# A model stuck at 10%<!-- from: set:chance level, 1 in 10 classes --> gives (nearly) one answer for everything; the last number on each line shows
# how close each run came to that. In the full-profile runs saved with this notebook (10,000<!-- from: set:slice runs' training images in the full profile --> images,
# 10 epochs) the raw-pixel run started with a higher loss (4.02<!-- from: out:raw 0-255 : first-epoch --> against 2.21<!-- from: out:scaled 0-1: first-epoch -->) but did not stall: it
# ended at 55.7%<!-- from: out:raw 0-255 : first-epoch --> on the test set (54.3%<!-- from: out:raw 0-255 : first-epoch --> on validation), the scaled run at 51.0%<!-- from: out:scaled 0-1: first-epoch --> (50.1%<!-- from: out:scaled 0-1: first-epoch --> on
# validation). We did not expect the raw run to end higher, and we have not measured why it did. Their
# test-accuracy intervals (54.7%<!-- from: out:raw 0-255 : first-epoch --> to 56.6%<!-- from: out:raw 0-255 : first-epoch --> and 50.0%<!-- from: out:scaled 0-1: first-epoch --> to 51.9%<!-- from: out:scaled 0-1: first-epoch -->) do not overlap, so within this
# pair the gap is more than the luck of the test images. But it is one run of each, and their
# validation curves (dashed) cross several times in the figure, so these two runs cannot say which
# scale trains better; other seeds, below, can. What they do show: raw pixels make the start
# rougher, and on their own they did not stop this network from learning.

# %% [markdown]
# Three more seeds of both runs (1, 2 and 3) were trained in the full profile, with the same code
# and library versions, on 2-core machines like the one that trained the pair above, and saved in the
# repository's `results/full-seeds/`. `compare_seeds` reads them beside the runs above (seed 42) and, within each seed,
# counts the test images only one of the two runs got right, for McNemar's exact test
# ([05 · Comparison](05_comparison.ipynb) explains it). It needs a clone of the repository:

# %%
from course_utils import compare_seeds

scores = compare_seeds({"raw 0-255": "deeper_slice_raw_pixels",
                        "scaled 0-1": "deeper_slice"})

# %% [markdown]
# Seed 42, the pair saved above, is the odd one out. Within it the raw run got more test images right
# (1,694<!-- from: out:seed 42 --> against 1,222<!-- from: out:seed 42 --> images that only one of the two runs got right); within each of seeds 1, 2
# and 3 the scaled run did, for seed 2 by 1,920<!-- from: out:seed 2 --> against 889<!-- from: out:seed 2 -->, and the largest of those three
# p-values is 0.0015<!-- from: out:seed 1 -->. Over the four seeds the scaled runs averaged 53.31%<!-- from: out:scaled 0-1 over 4 seeds --> and the raw ones 50.37%<!-- from: out:raw 0-255 over 4 seeds -->,
# and the raw runs spread wider (44.79%<!-- from: out:raw 0-255 over 4 seeds --> to 55.67%<!-- from: out:raw 0-255 over 4 seeds -->). So raw pixels stopped this network from
# learning in none of the seeds, but cost it accuracy in three of four; the single pair above told
# the opposite story. Seeds 1 to 3 are other seeds, not repeats of seed 42.
#
# ## Trained on one scale, scored on another
#
# Both models take raw 0-255 pixels: the scaled one divides them itself, in its first layer. What if
# someone hands them test images already divided by 255? For the raw-trained model that is the other
# scale; for the scaled one it is a second division. Either way the network's layers get values 255
# times smaller than in training. We score each model both ways:

# %%
for name, run in (("raw-trained model", raw), ("scaled model", scaled_run)):
    mismatch = scale_mismatch(run.model(), data.x_test, data.y_test)
    for how, (accuracy, share) in mismatch.items():
        print(f"{name:17}, test images {how:22}: accuracy {accuracy:6.2%}; "
              f"top answer given to {share:4.0%}")

# %% [markdown]
# Both models fall to chance: on test images divided by 255 first, each scores 10.00%<!-- from: out:raw-trained model, test images divided by 255 first --> and gives
# one answer to every image (100%<!-- from: out:scaled model     , test images divided by 255 first --> of them), against 55.67%<!-- from: out:raw-trained model, test images 0-255 --> and 50.95%<!-- from: out:scaled model     , test images 0-255 --> on the pixels they were trained on.
# The cure is one division, done in one place. The series' networks do it in their first layer,
# `Rescaling(1 / 255)` ([02](02_baseline.ipynb)): they take raw pixels wherever they are used, so
# training, validation and test images cannot end up on different scales, as long as nobody divides
# them a second time on the way in. The opposite mistake, raw pixels for a network that learned on
# pixels divided before it, is what broke the original run: [04](04_augmented.ipynb) reproduces it.

# %% [markdown]
# ## One-hot labels: a number becomes a vector
#
# > "first index points the item the second index points to some other position" (a student's comment on `Y_train[i, j]`)
#
# The labels come as one class number per image, shaped `(N, 1)`. The network's last layer outputs
# ten probabilities per image, so the label is turned into ten numbers too: all zeros except a 1 in
# the column of the image's class. The result is a table with one row per image (the first index)
# and one column per class (the second index).

# %%
# NBVAL_CHECK_OUTPUT
# shaped like y_train: one class number per image
labels = np.array([[3], [8], [0], [6]])
one_hot = keras.utils.to_categorical(labels, num_classes=10)
print("labels", labels.shape, "-> one-hot", one_hot.shape)
print(one_hot.astype(int))
i, j = 1, 8
print(f"one_hot[{i}, {j}] = {one_hot[i, j]:.0f}: "
      f"row {i} is image {i}, column {j} is class {j} "
      f"({CLASS_NAMES[j]}), and 1 means 'image {i} is a {CLASS_NAMES[j]}'")
assert (one_hot.argmax(axis=1) == labels.ravel()).all()

# %%
fig = plot_one_hot(labels, CLASS_NAMES, title="Four labels as one-hot rows")

# %% [markdown]
# *Figure: a grid of four rows and ten columns of zeros with a single 1 per row, in the column of that image's class.*
#
# Each row has exactly one 1, in the column of its class: reading across a row answers "which class
# is this image?", reading down a column answers "which images are this class?".

# %% [markdown]
# ## `to_categorical` replaces `np_utils`
#
# The 2017 code wrote
#
# ```python
# from keras.utils import np_utils   # the original 2017 line; fails on Keras 3
# Y_train = np_utils.to_categorical(y_train, NB_CLASSES)
# ```
#
# Keras 3 removed the `np_utils` module; the same function is now `keras.utils.to_categorical`. It
# does nothing more than pick rows of a 10 × 10 identity matrix:

# %%
# NBVAL_CHECK_OUTPUT
same = np.array_equal(
    keras.utils.to_categorical(labels, 10), np.eye(10)[labels.ravel()]
)
print("to_categorical(labels, 10) equals rows of the identity matrix:", same)
assert same

# %% [markdown]
# The same call on this run's first five training labels:

# %%
first = data.y_train[:5].ravel()
print("first five training labels:",
      ", ".join(f"{c} ({CLASS_NAMES[c]})" for c in first))
print(keras.utils.to_categorical(data.y_train[:5], 10).astype(int))

# %% [markdown]
# ## Why a vector, and why not predict the class number?
#
# The network's last layer outputs ten probabilities, one per class. A one-hot label is the same kind
# of object: the probabilities of a perfectly sure answer, all on the true class. Categorical
# cross-entropy compares the two rows, and with a one-hot label it reduces to the loss defined above,
# minus the log of the probability given to the true class.
#
# The vector is a convenient way to store the label, not a necessity: the class number can serve as
# the index of the true class, and the sparse loss further down does exactly that, with the same
# values. What the class number must not become is a quantity the network predicts, say one output
# trained with the squared error to say 3 for a cat. Classes have no order, so such a network would
# treat mistaking a cat (3) for a deer (4) as a smaller error than for a truck (9), and for an image
# that looks half cat and half deer it would be pushed towards a number between 3 and 4, which is
# no class at all.
# With ten probabilities, the worked example:

# %%
# NBVAL_CHECK_OUTPUT
# a prediction for image 0
p = np.array([[0.05, 0.02, 0.03, 0.60, 0.05, 0.10, 0.05, 0.04, 0.03, 0.03]])
per_image = keras.losses.categorical_crossentropy(one_hot[:1], p)
loss = float(keras.ops.convert_to_numpy(per_image)[0])
print(f"true class {labels[0, 0]} ({CLASS_NAMES[labels[0, 0]]}), "
      f"given probability {p[0, 3]:.2f}")
print(f"categorical cross-entropy {loss:.4f} = -ln(0.60) = {-np.log(0.60):.4f}")
for other in (0.99, 0.01):
    print(f"had it given the true class {other:.2f}: "
          f"-ln({other:.2f}) = {-np.log(other):.2f}")
assert np.isclose(loss, -np.log(0.60), atol=1e-5)

# %% [markdown]
# The loss only looks at the probability of the true class: 0.60<!-- from: set:the worked example's probability for the true class --> gives 0.51<!-- from: out:categorical cross-entropy -->. A confident right
# answer would score almost nothing (0.01<!-- from: out:-ln(0.99) -->), a confident wrong one a lot
# (4.61<!-- from: out:-ln(0.01) -->).

# %% [markdown]
# ## The same loss without one-hot labels
#
# Keras can also take the class numbers as they are: `sparse_categorical_crossentropy` reads each
# label as the index of the true class, and computes the same minus-log-probability. On the four
# labels above, with a made-up prediction for each image:

# %%
# NBVAL_CHECK_OUTPUT
# 4 predictions
rng = np.random.default_rng(0)
probabilities = rng.dirichlet(np.ones(10), size=4).astype("float32")
from_one_hot = keras.ops.convert_to_numpy(
    keras.losses.categorical_crossentropy(one_hot, probabilities)
)
from_indices = keras.ops.convert_to_numpy(
    keras.losses.sparse_categorical_crossentropy(labels, probabilities)
)
print("categorical, one-hot labels:     ", np.round(from_one_hot, 4))
print("sparse categorical, class numbers:", np.round(from_indices, 4))
assert np.allclose(from_one_hot, from_indices, atol=1e-6)

# %% [markdown]
# The same four numbers. Which one to use is a matter of how the labels are stored: the book one-hot
# encodes them and uses `categorical_crossentropy`; with the integer labels straight from
# `load_data()`, `loss="sparse_categorical_crossentropy"` does the same job and skips `to_categorical`.

# %% [markdown]
# ## What we learned
#
# - `x.astype("float32") / 255` changes the scale of the pixels, not their information: 0-255 becomes
#   0-1, and every ratio between pixels stays the same.
# - Cross-entropy, the training loss, is minus the log of the probability given to the true class:
#   ln 10 ≈ 2.30<!-- from: set:ln 10, the loss of an even guess over 10 classes --> for an even guess over ten classes.
# - Networks are initialised for inputs of about unit size; at initialisation raw 0-255 inputs make
#   the logits exactly 255 times larger (zero biases, and ReLU and max pooling keep a positive
#   factor), so the untrained network is overconfident and its first loss several times larger.
#   Trained and tested on raw pixels, the deeper network still learned in every seed, but less well:
#   over four seeds of our 10-epoch slice runs it averaged 50.37%<!-- from: out:raw 0-255 over 4 seeds --> on the test set against 53.31%<!-- from: out:scaled 0-1 over 4 seeds -->
#   for the scaled runs, and it was behind in three seeds of four (seed 42, saved above, was the
#   exception). Given test images divided by 255 once more than in training, both models fell to
#   chance (10.00%<!-- from: out:raw-trained model, test images divided by 255 first -->): divide in one place, the model's first layer, and nowhere else.
# - A one-hot label is a row of ten numbers with a single 1: the first index picks the image, the
#   second the class.
# - `keras.utils.to_categorical` replaces the removed `np_utils.to_categorical`; with one-hot labels,
#   cross-entropy is minus the log of the probability of the true class.
#

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: wrap-around
#
# Before running anything: what is `np.uint8(250) + np.uint8(10)`?

# %%
answer = None  # the value NumPy gives
check(answer, "fbd04e1aae9ce0b1", "250 + 10 in uint8")

# %%
#@solution
with np.errstate(over="ignore"):
    # 260 does not fit in 0-255: it wraps to 260 - 256
    answer = int(np.uint8(250) + np.uint8(10))
print(answer)
assert check(answer, "fbd04e1aae9ce0b1", "250 + 10 in uint8")

# %% [markdown]
# ### Exercise 2: the loss if the image were a horse
#
# The prediction `p` above gives its highest probability to cat (3), the true class. Suppose the
# image were really a horse (class 7). Before running anything: what loss does the same prediction
# get? Then compute it from the integer label 7 (not one-hot) with
# `keras.losses.sparse_categorical_crossentropy`. Finally, which of the ten labels would give `p`
# its largest loss, and why?

# %%
sparse = None  # the loss of p against the integer label 7
check(
    sparse,
    "f75bf168ef769538",
    "loss of p against label 7",
    hints={
        "e3a925d7bb1c1263": "the loss is minus the log of the probability",
        "dd29774211458aa3": "that is the log to base 10; the loss uses the natural log",
    },
)

# %% [markdown]
# *Your answer:*

# %%
#@solution
per_image = keras.losses.sparse_categorical_crossentropy(np.array([7]), p)
sparse = float(keras.ops.convert_to_numpy(per_image)[0])
print(f"label 7 ({CLASS_NAMES[7]}): probability {p[0, 7]:.2f}, loss {sparse:.4f}")
assert np.isclose(sparse, -np.log(p[0, 7]), atol=1e-5)
assert check(sparse, "f75bf168ef769538", "loss of p against label 7")
worst = int(p[0].argmin())
print(f"largest loss: label {worst} ({CLASS_NAMES[worst]}), "
      f"probability {p[0, worst]:.2f}, loss {-np.log(p[0, worst]):.4f}")

# %% [markdown]
# <!-- solution -->
# The loss looks only at the probability `p` gives the true class: for a horse that is 0.04, so the
# loss is −ln(0.04) ≈ 3.22, whether the label comes as the integer 7 (sparse) or as a one-hot row
# with its 1 in column 7 (categorical). The largest loss goes to the class `p` thinks least likely,
# automobile (1) at 0.02: −ln(0.02) ≈ 3.91. The less probability a prediction gives the true class,
# the larger its loss.

# %% [markdown]
# ## Ethics checkpoint
#
# The one-hot labels we just built say each image is exactly one thing, and people decided which
# (Krizhevsky 2009, section 3, describes how paid students labelled CIFAR-10).
# Who chose CIFAR-10's ten classes, who labelled the images, and what is known about how? Work
# through [prompt 4: a datasheet for CIFAR-10](../ethics/prompts/04-datasheet.md).
