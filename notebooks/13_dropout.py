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
# # 13 · Dropout
#
# What a dropout layer does while the network trains and while it predicts, shown on numbers, and an
# ablation: the deeper network trained with and without it.
#
# **After this notebook you can** say what `Dropout(0.5)` does to its input at training time and at
# inference time, why the survivors are multiplied by 1/(1 − p), and read the gap between training and
# validation curves as a measure of overfitting.
#
# **Time:** 15 s in the quick profile and 24 s in the full profile once its runs exist (measured by
# the series runner on 2 CPU cores, 2026-12-05, and on 2 CPU cores, 2026-11-30).
# Without the two slice runs it trains them first (in the full profile 10 epochs on 10,000<!-- from: set:slice of training images in the full profile (demo_images) -->
# images each).
#
# **Read after:** [03 · A deeper network](03_deeper.ipynb), which uses three dropout layers ·
# **Related:** [10 · Normalisation and one-hot](10_normalisation_and_one_hot.ipynb) trains the same
# slice with dropout · **Ethics prompt:**
# [ethical and privacy concerns](../ethics/prompts/01-privacy-concerns.md)

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
    build_deeper,
    check,
    demo_config,
    plot_dropout_passes,
    plot_learning_curves,
    prepare,
    quick_profile_note,
    run_experiment,
    wilson_interval,
)

# %% [markdown]
# ## Training time: random units are switched off
#
# > "Dropout is a regularization technique to prevent overfitting -- explain..." (a student's comment on `Dropout(0.25)`)
#
# During each training step, `Dropout(rate)` sets each value passing through it to zero with
# probability `rate`, a fresh random choice every step, and multiplies the values it keeps by
# 1/(1 − rate). With rate 0.5<!-- from: set:dropout rate of the example --> on ten ones, each value has an even chance of becoming 0, and the
# rest become 2:

# %%
def keras_dropout(x, rate, seed=0, training=True):
    """What a fresh keras.layers.Dropout(rate) layer outputs for x."""
    layer = keras.layers.Dropout(rate, seed=seed)
    return keras.ops.convert_to_numpy(layer(x, training=training))


ones = np.ones(10, dtype="float32")
print("input:              ", ones)
print("Keras, training:    ", keras_dropout(ones, rate=0.5, seed=1, training=True))
print("Keras, training:    ", keras_dropout(ones, rate=0.5, seed=2, training=True),
      "(another step)")
print("Keras, at inference:", keras_dropout(ones, rate=0.5, seed=1, training=False))

# %% [markdown]
# At inference (`model.predict`, `model.evaluate`) the layer does nothing at all: every value passes
# through unchanged. The same thing written out in NumPy, over five training steps:

# %%
def dropout(x, rate, seed=0, training=True):
    """Inverted dropout: zero each value with probability `rate`, scale the rest
    by 1 / (1 - rate)."""
    x = np.asarray(x, dtype=float)
    if not training or rate == 0:
        # inference: nothing changes
        return x.copy()
    # True with probability 1 - rate
    keep = np.random.default_rng(seed).random(x.shape) >= rate
    return np.where(keep, x / (1.0 - rate), 0.0)


rows = [dropout(np.ones(10), 0.5, seed=step) for step in range(5)]
rows += [dropout(np.ones(10), 0.5, training=False)]
fig = plot_dropout_passes(rows, rate=0.5)
big = dropout(np.ones(100_000), 0.5, seed=0)
# survivors doubled, mean kept
assert set(np.unique(big)) == {0.0, 2.0} and abs(big.mean() - 1) < 0.01
# same seed, same units dropped
assert np.array_equal(big, dropout(np.ones(100_000), 0.5, seed=0))

# %% [markdown]
# *Figure: a grid of six rows of ten values: five training steps of Dropout(0.5<!-- from: set:dropout rate of the example -->) on ones, each with different units set to 0 and the rest to 2, then the inference row of ones.*
#
# Each row is one training step with a different set of units switched off; the last row, inference,
# keeps every unit at its plain value. No unit can count on a particular neighbour being there, which
# discourages the network from relying on fragile combinations of units that only fit the training
# images (Srivastava et al. 2014, see below).

# %% [markdown]
# ## Each step trains a thinned network
#
# Switching off a unit removes every connection into and out of it for that step, so each training
# step updates a smaller network drawn at random from the full one, a "thinned" network in Srivastava
# et al.'s word. Here are three steps of `Dropout(0.5)` after a hidden layer of eight units, using the
# same `dropout` function as above to decide who stays:

# %%
# extra code – draws a small network as it is thinned by three training steps
import matplotlib.pyplot as plt

sizes = (4, 8, 3)  # inputs, hidden units (dropout after them), outputs
masks = [dropout(np.ones(sizes[1]), 0.5, seed=step) > 0 for step in range(3)]
masks.append(np.ones(sizes[1], dtype=bool))  # inference: nobody is dropped
titles = [f"training step {step + 1}" for step in range(3)] + ["inference"]
fig, axes = plt.subplots(1, 4, figsize=(14, 4.2))
for ax, kept, title in zip(axes, masks, titles):
    heights = [np.linspace(-1, 1, n) for n in sizes]
    alive = [np.ones(sizes[0], bool), kept, np.ones(sizes[2], bool)]
    for layer in range(2):
        for i, a in enumerate(heights[layer]):
            for j, b in enumerate(heights[layer + 1]):
                if alive[layer][i] and alive[layer + 1][j]:
                    ax.plot([layer, layer + 1], [a, b], color="tab:blue",
                            linewidth=0.8, alpha=0.6)
    for layer, ys in enumerate(heights):
        fill = ["tab:blue" if on else "white" for on in alive[layer]]
        edge = ["tab:blue" if on else "lightgray" for on in alive[layer]]
        ax.scatter(np.full(len(ys), layer), ys, s=160, zorder=3, linewidths=1.5,
                   c=fill, edgecolors=edge)
    ax.set(title=f"{title}: {kept.sum()} of {sizes[1]} hidden units",
           xticks=range(3), xticklabels=["input", "hidden", "output"], yticks=[])
    ax.grid(False)
fig.suptitle("Dropout(0.5) after the hidden layer: each step trains a different "
             "thinned network (hollow: dropped)")
fig.tight_layout()

# %% [markdown]
# *Figure: four drawings of a network with 4 inputs, 8 hidden units and 3 outputs. In each of three training steps some hidden units are hollow and have no connections; at inference every unit and every connection is there.*
#
# With eight hidden units there are 2⁸ = 256 possible thinned networks, and one with the 512 units of
# our dense layer has 2⁵¹² of them; they all share the same weights, and training visits a different
# one at every step. At inference the full network is used, with nothing dropped.

# %% [markdown]
# ## Why the survivors are multiplied by 1/(1 − p)
#
# The layer after dropout is trained on inputs where a fraction p is missing. If the survivors were
# left as they are, its inputs would on average be (1 − p) times as large during training as at
# inference, when nothing is dropped. Scaling the survivors by 1/(1 − p) makes the average the same in
# both modes. In one line: a value h becomes 0 with probability p and h/(1 − p) with probability
# 1 − p, so its expected value after dropout is
#
# $$E[h'] = p \cdot 0 + (1 - p) \cdot \frac{h}{1 - p} = h.$$
#
# Averaged over a million units:

# %%
# NBVAL_CHECK_OUTPUT
million = np.ones(1_000_000, dtype="float32")
for rate in (0.25, 0.5):
    kept = keras_dropout(million, rate=rate, seed=0, training=True)
    unscaled = np.where(kept > 0, 1.0, 0.0)
    at_inference = keras_dropout(million, rate, training=False)
    print(f"rate {rate}: survivors become {kept.max():.4f} = 1/(1-{rate}); "
          f"mean at training {kept.mean():.2f}, "
          f"at inference {at_inference.mean():.2f}, "
          f"without the scaling {unscaled.mean():.2f}")
    assert np.isclose(kept.max(), 1 / (1 - rate)) and abs(kept.mean() - 1) < 0.01

# %% [markdown]
# With the scaling, the mean is 1.00<!-- from: out:rate 0.25: --> at training and at inference; without it, the training mean
# would drop to 0.75<!-- from: out:rate 0.25: --> or 0.50<!-- from: out:rate 0.5: -->. (The original paper scaled the weights down at test time instead; Keras
# scales up at training time, "inverted dropout", which gives the same expected values.)

# %% [markdown]
# ## Where dropout sits in the deeper network
#
# The deeper network has three dropout layers: after each convolution block (rate 0.25<!-- from: out:dropout=True -->) and after
# the dense layer (rate 0.5<!-- from: out:dropout=True -->). The variant without dropout keeps the same layers with rate 0, so both
# have exactly the same weights to learn.

# %%
# NBVAL_CHECK_OUTPUT
for use_dropout in (True, False):
    model = build_deeper(dropout=use_dropout)
    rates = {
        layer.name: layer.rate
        for layer in model.layers
        if isinstance(layer, keras.layers.Dropout)
    }
    print(f"dropout={use_dropout!s:5}: rates {rates}, "
          f"{model.count_params():,} parameters")
assert (
    build_deeper(dropout=False).count_params()
    == build_deeper().count_params()
    == 1_676_842
)

# %% [markdown]
# ## The ablation: with and without dropout
#
# Overfitting means learning the training images better than the patterns that carry over to new
# images; it shows as a gap between training and validation accuracy that tends to widen as training
# goes on.
# The two runs below train the deeper network on the same slice of the training set, with the same
# seed, once with dropout and once without.

# %%
with_dropout = run_experiment(
    demo_config("deeper_slice", data.profile),
    data=data,
    epochs=EPOCHS,
    train_images=TRAIN_IMAGES,
    batch_size=BATCH_SIZE,
)
without_dropout = run_experiment(
    demo_config("deeper_slice_no_dropout", data.profile),
    data=data,
    epochs=EPOCHS,
    train_images=TRAIN_IMAGES,
    batch_size=BATCH_SIZE,
)
n = with_dropout.config.train_images
cut = int(n * (1 - with_dropout.config.validation_split))
histories = {
    "with dropout": with_dropout.history,
    "without dropout": without_dropout.history,
}
fig = plot_learning_curves(
    histories,
    title=f"Deeper network on {n:,} images ({cut:,} to fit, {n - cut:,} to "
          "validate), with and without dropout",
    metrics=("accuracy", "loss"),
)
assert (
    len(with_dropout.history)
    == len(without_dropout.history)
    == with_dropout.config.epochs
)

# %% [markdown]
# *Figure: accuracy and loss per epoch of the deeper network with and without dropout, training solid and validation dashed.*
#
# Solid lines are training, dashed lines validation; the vertical distance between a run's solid and
# dashed line is its overfitting gap. In the loss panel, a validation loss that rises while the
# training loss keeps falling is often the first sign of overfitting. The gaps at the last epoch:

# %%
gaps = {}
for name, history in histories.items():
    last = history[-1]
    gaps[name] = last["accuracy"] - last["val_accuracy"]
    print(f"{name:16}: training accuracy {last['accuracy']:.1%}, "
          f"validation accuracy "
          f"{last['val_accuracy']:.1%}, gap {gaps[name]:+.1%}")
change = gaps["with dropout"] - gaps["without dropout"]
print(f"dropout changes the gap by {change:+.1%} (percentage points)")

# %% [markdown]
# One caution when reading these numbers: Keras reports the *training* accuracy with dropout
# switched on, averaged over an epoch while the weights are still changing, so it understates how
# well the model fits its training images. Measuring both sides the same way, with dropout off
# (as `evaluate` does), makes the comparison fair:

# %%
# raw 0-255 pixels: the network divides them itself, in its first layer
x_fit, y_fit = prepare(data.x_train[:cut], data.y_train[:cut], scaling="in_model")
x_val, y_val = prepare(data.x_train[cut:n], data.y_train[cut:n], scaling="in_model")
fair_gaps = {}
for name, run in (("with dropout", with_dropout), ("without dropout", without_dropout)):
    model = run.model()
    fit_accuracy = model.evaluate(x_fit, y_fit, batch_size=512, verbose=0)[1]
    val_accuracy = model.evaluate(x_val, y_val, batch_size=512, verbose=0)[1]
    fair_gaps[name] = fit_accuracy - val_accuracy
    print(f"{name:16}: accuracy on its {cut:,} training images {fit_accuracy:.1%}, "
          f"on the {n - cut:,} "
          f"validation images {val_accuracy:.1%}, gap {fair_gaps[name]:+.1%}")
change = fair_gaps["with dropout"] - fair_gaps["without dropout"]
print(f"dropout changes this gap by {change:+.1%} "
      "(percentage points)")
assert all(-1 <= gap <= 1 for gap in fair_gaps.values())
for name, run in (("with dropout", with_dropout), ("without dropout", without_dropout)):
    # right answers (the confusion matrix's diagonal) out of all test images
    matrix = np.array(run.results["confusion_matrix"])
    low, high = wilson_interval(int(np.trace(matrix)), int(matrix.sum()))
    print(f"{name:16}: test accuracy {run.results['test_accuracy']:.2%}, "
          f"95% interval {low:.2%} to {high:.2%}")
quick_profile_note(data.profile)

# %% [markdown]
# Read the fair gaps first. In the full-profile runs saved here (10 epochs on 8,000<!-- from: out:accuracy on its --> images), the run
# without dropout pulled its training accuracy away from its validation accuracy while dropout kept
# the two closer: fair gaps of 27.9 points<!-- from: out:without dropout --> without dropout and 9.2 points<!-- from: out:with dropout --> with it. But look at validation
# accuracy itself: the run **without** dropout ended higher (53.4%<!-- from: out:without dropout --> against 50.1%<!-- from: out:with dropout -->, on only 2,000<!-- from: set:validation images, a fifth of the 10,000-image slice -->
# validation images, too few to rank the two on their own), and it also
# scored higher on the test set (56.18%<!-- from: out:without dropout --> against 50.95%<!-- from: out:with dropout -->), by more than the luck of the test images: the
# two 95%<!-- from: set:the intervals' confidence level --> intervals printed above ([05](05_comparison.ipynb) explains them) are far apart. That is one run of
# each; in the figure the run with dropout was ahead on validation only after epochs 1 and 7. These
# two runs cannot say whether dropout costs accuracy at this length in general. What they do show: here dropout
# narrowed the gap without improving accuracy on new images. Whether it pays off with longer
# training they cannot answer either.

# %% [markdown]
# Other seeds can. Three more seeds of both runs (1, 2 and 3) were trained in the full profile,
# with the same code and library versions, on a 2-core machine like the one that trained the pair
# above, and saved in the repository's `results/full-seeds/`. `compare_seeds` reads them beside the runs above (seed 42) and, within
# each seed, counts the test images only one of the two runs got right, for McNemar's exact test
# ([05 · Comparison](05_comparison.ipynb) explains it). It needs a clone of the repository:

# %%
from course_utils import compare_seeds

scores = compare_seeds({"with dropout": "deeper_slice",
                        "without dropout": "deeper_slice_no_dropout"})

# %% [markdown]
# Within seeds 42, 1 and 3 the run without dropout got more test images right, each time by more
# than the noise: for seed 42, 1,792<!-- from: out:seed 42 --> against 1,269<!-- from: out:seed 42 --> images only one of the two got right, and all three
# p-values are below 0.001<!-- from: set:a conventional threshold, above the largest of the three printed p-values -->. Within seed 2 the run **with** dropout did, also beyond the noise
# (1,385<!-- from: out:seed  2 --> against 1,058<!-- from: out:seed  2 -->, p far below 0.001<!-- from: set:a conventional threshold -->). The seeds overlap: with dropout from 50.95%<!-- from: out:with dropout over 4 seeds --> to 55.10%<!-- from: out:with dropout over 4 seeds -->,
# without from 51.83%<!-- from: out:without dropout over 4 seeds --> to 57.83%<!-- from: out:without dropout over 4 seeds -->, means 53.31%<!-- from: out:with dropout over 4 seeds --> and 55.10%<!-- from: out:without dropout over 4 seeds -->. So at this length dropout was
# ahead beyond the noise in one seed of four and behind in the other three, and the run saved above
# (seed 42) shows the largest gap of the four. Seeds 1 to 3 are other seeds, not repeats of seed 42.
#
# Srivastava, Hinton, Krizhevsky, Sutskever and Salakhutdinov introduced dropout as a way to train
# many "thinned" networks that share weights. At test time they do not average the predictions of
# all those networks: they run the one full network with its weights scaled by 1 − p. For a network
# whose layers are all linear that gives the average exactly; with nonlinear layers such as ReLU in
# between it is an approximation. They showed
# that dropout reduces overfitting across vision, speech and text benchmarks
# ([Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from Overfitting", JMLR 15](https://jmlr.org/papers/v15/srivastava14a.html)).

# %% [markdown]
# ## What we learned
#
# - At training time `Dropout(p)` zeroes each value with probability p, a new random choice every
#   step, and multiplies the rest by 1/(1 − p); at inference it passes everything through unchanged.
# - So each training step trains a different thinned network, all sharing the same weights; the
#   scaling makes every value's expected output what it is at inference: E[h'] = h.
# - The 1/(1 − p) scaling keeps the average input of the next layer the same in both modes (1.00<!-- from: out:rate 0.5: -->
#   against 0.50<!-- from: out:rate 0.5: --> without it, for p = 0.5<!-- from: set:dropout rate of the example -->).
# - Dropout adds no parameters: the deeper network has 1,676,842<!-- from: out:parameters --> with or without it.
# - Overfitting shows as a gap between training and validation accuracy; compare the gaps of the two
#   runs above, and measure training accuracy with dropout off for a fair comparison.
# - A smaller gap is not the same as a better model: in our two 10-epoch runs, one of each, the
#   network without dropout had the larger gap and the higher validation and test accuracy; over
#   four seeds, dropout was ahead on the test set beyond the noise in one and behind in three.
#

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: the survivors of a gentler dropout
#
# With `Dropout(0.3)`, a rate not shown above, what value does a surviving input of 1.0 become
# during training (three decimals)?

# %%
answer = None  # the survivors' value
check(
    answer,
    "b50dbb859ad7f5aa",
    "survivors of Dropout(0.3)",
    hints={
        "973b372a514f91db": "that scales down; Keras scales the survivors up",
        "4a9255895e467897": "divide by the share that is kept, not by the rate",
    },
)

# %%
#@solution
answer = round(1 / (1 - 0.3), 3)
survivors = keras_dropout(np.ones(1000, "float32"), 0.3, seed=3)
assert np.isclose(survivors.max(), answer, atol=1e-3)
assert check(answer, "b50dbb859ad7f5aa", "survivors of Dropout(0.3)")

# %% [markdown]
# ### Exercise 2: how many are dropped?
#
# Use the NumPy `dropout` function above on 100,000 ones at rates 0.1, 0.25 and 0.5. What share is
# zeroed each time, and how far is the mean from 1? Why is neither exactly what you would expect?

# %%
rates = (0.1, 0.25, 0.5)
# for each rate: the share of zeros and the mean of dropout applied to 100,000 ones

# %% [markdown]
# *Your answer:*

# %%
#@solution
n_values = 100_000
for rate in (0.1, 0.25, 0.5):
    out = dropout(np.ones(n_values), rate, seed=1)
    # the standard error of a share measured on n_values draws
    standard_error = np.sqrt(rate * (1 - rate) / n_values)
    print(f"rate {rate}: {np.mean(out == 0):.2%} zeroed "
          f"(standard error {standard_error:.2%}), mean {out.mean():.4f}")

# %% [markdown]
# <!-- solution -->
# Each value is dropped by its own coin flip, so the share zeroed is close to the rate but varies from
# draw to draw. How much is a standard result of statistics: a share measured on n independent
# draws, each counted with probability p, has a standard error (the typical size of that variation)
# of √(p(1 − p)/n), as does an accuracy measured on n images. For n = 100,000 that is under two
# tenths of a percentage point here, as the printed standard errors show; the mean varies likewise
# around 1.

# %% [markdown]
# ## Ethics checkpoint
#
# A model whose training accuracy runs far ahead of its validation accuracy has partly memorised its
# training images. When those images show people, memorisation is a privacy question: membership
# inference attacks try to tell from a model's outputs whether a given example was in its training
# set, and they work better on models that overfit (Shokri et al. 2017, "Membership Inference
# Attacks Against Machine Learning Models", IEEE S&P, arXiv:1610.05820). Keep that in mind for
# [prompt 1: how could this algorithm raise ethical and privacy concerns?](../ethics/prompts/01-privacy-concerns.md)
