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
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Augmentation, and the run that stalled at 10%
#
# The book's third experiment trains the deeper network on randomly rotated, shifted, zoomed and
# flipped images; as first reproduced it reported 10.0% test accuracy. We find out why, fix it, and run it properly.
#
# **After this notebook you can** diagnose a network that is stuck at chance level, explain why
# inputs must be scaled, add augmentation to a Keras 3 model as layers, and judge what strong
# augmentation costs and buys.
#
# **Time:** a few minutes in the quick profile; in the full profile 15 to 30 minutes on a 2-core CPU
# for the two 10,000-image demos trained here, plus about an hour for the augmented run (62 minutes
# measured) unless `python -m course_utils reproduce all --profile full` has already made it.
#
# **Previous:** [03 · A deeper network](03_deeper.ipynb) · **Next:** [05 · Comparison](05_comparison.ipynb) ·
# **Ethics prompt:** [harms and faces](../ethics/prompts/02-harms-and-faces.md)

# %% [markdown]
# ## Setup

# %%
from course_utils import setup

data = setup()

import keras
import numpy as np

from course_utils import (CLASS_NAMES, ORIGINAL_SETTINGS, build_augmenter, build_deeper, demo_config,
                          plot_images, plot_learning_curves, prepare, run_experiment, scale_mismatch)

# %% [markdown]
# ## The failure, on a small slice
#
# The original augmentation script loaded CIFAR-10 a second time just before training, and that
# second copy was never divided by 255: the network saw raw pixel values from 0 to 255. We repeat
# the mistake on a slice of the training set (its size is set by the profile), once with raw pixels
# and once scaled. First, what the network receives in each case:

# %%
raw_config, scaled_config = demo_config("deeper_slice_raw_pixels"), demo_config("deeper_slice")
n = raw_config.train_images
x_raw, _ = prepare(data.x_train[:n], data.y_train[:n], normalise=False)
x_scaled, _ = prepare(data.x_train[:n], data.y_train[:n])
for name, x in (("raw 0-255 (original)", x_raw), ("divided by 255 (fix)", x_scaled)):
    print(f"{name:21} mean {x.mean():7.2f}  std {x.std():6.2f}  max {x.max():6.1f}")
print(f"slice: {n:,} training images, {raw_config.epochs} epochs")

# %% [markdown]
# Why does scale matter so much? At the start every bias is 0 and ReLU scales with its input, so
# the untrained network's scores (logits) grow exactly 255-fold on raw pixels. The softmax then
# puts most of the probability on one class, and the starting loss explodes:

# %%
keras.utils.set_random_seed(0)
untrained = build_deeper()
for name, x in (("raw 0-255", x_raw[:256]), ("divided by 255", x_scaled[:256])):
    p = untrained.predict(x, verbose=0)
    loss = keras.losses.categorical_crossentropy(keras.utils.to_categorical(data.y_train[:256], 10), p)
    print(f"{name:15} mean top probability {p.max(axis=1).mean():.2f}   mean starting loss {float(np.mean(loss)):6.1f}")

# %% [markdown]
# Scaled inputs start near a fair guess (top probability a bit above 0.1, loss near ln 10 ≈ 2.3);
# raw inputs start with confident nonsense, a loss several times larger (Keras caps it at about 16)
# and huge gradients, which can switch off ("kill") many ReLU units for good. Now train both:

# %%
raw = run_experiment(raw_config, data=data, verbose=2)
scaled = run_experiment(scaled_config, data=data, verbose=2)
print(f"profile: {raw.results['profile']['name']}; data: {raw.results['data']['source']}")
for a, b in zip(raw.history, scaled.history):
    print(f"epoch {a['epoch']:2}: training loss raw {a['loss']:5.2f}  scaled {b['loss']:5.2f} | "
          f"validation accuracy raw {a['val_accuracy']:6.1%}  scaled {b['val_accuracy']:6.1%}")

# %%
fig = plot_learning_curves({"raw pixels": raw.history, "divided by 255": scaled.history}, chance=0.1,
                           title=f"The same network on a {n:,}-image slice ({raw.results['profile']['name']} profile)")

# %% [markdown]
# What to look for: the raw-pixel run's first-epoch training loss, far above the scaled run's. Then
# the surprise: in the full-profile run saved with this notebook (10,000 images, 10 epochs) the
# raw-pixel run did **not** stay at 10%. It recovered and finished level with the scaled run. (The
# quick profile's slice is too small and short for either network to get far.) So training on raw
# pixels makes the start rough, but it does not by itself explain the original's 10.0%. What does
# the raw-pixel model predict?

# %%
predicted = raw.probabilities().argmax(axis=1)
counts = np.bincount(predicted, minlength=10)
top = int(counts.argmax())
print(f"raw-pixel model: test accuracy {raw.results['test_accuracy']:.1%}; it answers "
      f"'{CLASS_NAMES[top]}' for {counts[top] / len(predicted):.0%} of the test images")
print(f"scaled model:    test accuracy {scaled.results['test_accuracy']:.1%}")

# %% [markdown]
# A model that gives the same answer for every image scores that class's share of the test set,
# 10% on balanced data: that is what a stall at 10% looks like. The closer the printed share is to
# 100%, the closer the model is to that state; a model that learned spreads its answers over the
# classes. The division by 255 is what `prepare()` does for every experiment in this series
# ([10 · Normalisation and one-hot](10_normalisation_and_one_hot.ipynb)).

# %% [markdown]
# ## Exactly 10.0%: training on one scale, testing on another
#
# A test accuracy of *exactly* 10.0% has a second, simpler cause. If the model learns on raw pixels
# but the test images it is scored on were divided by 255 (earlier in the same notebook, say), every
# test image looks almost black to it. We score the raw-pixel model both ways:

# %%
for name, (accuracy, share) in scale_mismatch(raw.model(), data.x_test, data.y_test, trained_on_raw=True).items():
    print(f"test images at {name:23} accuracy {accuracy:6.1%}; most common answer given to {share:4.0%}")

# %% [markdown]
# On scaled test images the raw-trained model's answers collapse. In the full-profile slice saved
# here it falls from 56.7% to 15.0%, with 43% of its answers one class; in the quick profile's shorter
# run it gives one answer to every image and scores exactly 10.0%, that class's share of the
# balanced test set. Training on one scale and scoring on another is the likeliest source of the
# original's 10.0%. Both problems have
# one fix: a single preprocessing function, `prepare()`, used for the training, validation and test
# images alike.

# %% [markdown]
# ## Augmentation as layers
#
# The original used `ImageDataGenerator` with these settings:

# %%
# NBVAL_CHECK_OUTPUT
print(ORIGINAL_SETTINGS)

# %% [markdown]
# Keras 3 expresses the same random transformations as layers (`RandomFlip`, `RandomRotation`,
# `RandomTranslation`, `RandomZoom`) placed in front of the model. They change every batch anew
# while training and do nothing at prediction time. Sixteen random versions of one training image:

# %%
augmenter = build_augmenter(seed=7)
index = int(np.flatnonzero(data.y_train.ravel() == CLASS_NAMES.index("horse"))[0])
image = data.x_train[index : index + 1].astype("float32") / 255
versions = keras.ops.convert_to_numpy(augmenter(np.repeat(image, 15, axis=0), training=True))
fig = plot_images(np.concatenate([image, versions]), ["original"] + [f"random {i}" for i in range(1, 16)],
                  title="One horse, as the augmented network sees it in 15 different batches")
assert np.allclose(keras.ops.convert_to_numpy(augmenter(image, training=False)), image)

# %% [markdown]
# Rotations up to 40°, shifts and zoom up to 20%, mirror images; the corners are filled by
# repeating the nearest edge pixel. The last line checks that at inference the image passes unchanged.
#
# **No copies.** The original also looped over the training set, asked the generator for five
# augmented copies of every image, kept them in a Python list, and then never used that list.
# Ours never stores a copy: each batch is transformed on the fly. What the list cost:

# %%
# NBVAL_CHECK_OUTPUT
copies = 5 * 50_000  # five copies of each of the 50,000 training images
print(f"{copies:,} images x 32 x 32 x 3 float32 values = {copies * 32 * 32 * 3 * 4 / 1e9:.1f} GB, never read")

# %% [markdown]
# ## The augmented experiment
#
# The deeper network from notebook 03 with the augmentation layers in front, everything else
# unchanged. The layers add no weights.

# %%
result = run_experiment("augmented", data=data, verbose=2)
deeper = run_experiment("deeper", data=data)  # finished in notebook 03: loaded, not retrained
r = result.results
print(f"profile: {r['profile']['name']}; data: {r['data']['source']} ({r['data']['train_images']:,} training images)")
print(f"{r['epochs_completed']} epochs, {r['train_seconds']:.0f} s of training, "
      f"{r['images_per_second_median']:.0f} images/s" + (" (reused a finished run)" if result.reused else ""))
assert r["parameters"] == deeper.results["parameters"] == 1_676_842

# %%
fig = plot_learning_curves({"deeper": deeper.history, "deeper + augmentation": result.history},
                           title=f"Augmentation against none ({r['profile']['name']} profile)")

# %% [markdown]
# With augmentation, *training* accuracy (measured on distorted images) stays low, often below
# validation accuracy: the task got harder, and memorising the training set became impossible.
# What augmentation costs in speed, measured fairly on one machine, is in `benchmarks/benchmark.py`.

# %% [markdown]
# ## Test accuracy, and what it says about training length
#
# Independent re-runs of the book's augmented experiment reach about **78.8%** after **40** epochs,
# against about 75.8% for the deeper network without augmentation.

# %%
RERUNS_40_EPOCHS = 0.788
print(f"augmented: {r['test_accuracy']:.1%}, deeper: {deeper.results['test_accuracy']:.1%} "
      f"after {r['epochs_completed']} epochs ({r['profile']['name']} profile)")
print(f"reference: about {RERUNS_40_EPOCHS:.1%} after 40 epochs (independent re-runs, full data)")
assert r["test_accuracy"] > 0.12

# %% [markdown]
# One number hides how the run went. Three more, read from the same run:

# %%
history = result.history
best = max(history, key=lambda h: h["val_accuracy"])
answers = np.bincount(result.probabilities().argmax(axis=1), minlength=10)
print(f"training accuracy on augmented images: {history[0]['accuracy']:.1%} after epoch 1, "
      f"{history[-1]['accuracy']:.1%} after epoch {history[-1]['epoch']}")
print(f"best validation accuracy {best['val_accuracy']:.1%} at epoch {best['epoch']}; last five epochs: "
      + ", ".join(f"{h['val_accuracy']:.1%}" for h in history[-5:]))
print(f"the final model answers '{CLASS_NAMES[answers.argmax()]}' for {answers.max() / answers.sum():.0%} "
      "of the test images (10% each if its answers were balanced)")

# %% [markdown]
# In the full run saved here the augmented network finished at 49.6%, 27 points behind the plain
# deeper network (76.3%) and far from the 78.8% that re-runs reach after 40 epochs. The three lines
# above say why: it has not finished learning. Its training accuracy on distorted images was still
# rising at epoch 20 (57.6%, against 84.0% for the deeper network without augmentation); its validation
# accuracy moved by up to 7 points from one epoch to the next and fell 10 points between epochs 16
# and 20 (58.9% to 48.6%), so the model left by the last epoch is a noisy pick; and that model
# answers "frog" for almost a third of the test images.
#
# Strong augmentation is a regulariser: every epoch shows the network new distortions of every
# image, so it cannot memorise the training set, and it learns more slowly. With the original
# settings (turns up to 40°, shifts and zooms of 20%) 20 epochs are far too few for this network;
# the reference needed 40. What would help is yours to measure: **try it** by passing
# `ExperimentConfig("augmented_40", model="deeper", augment=True, epochs=40)` (from
# `course_utils.training.experiment`) to `run_experiment`, then try milder settings or a learning rate that
# falls over training, and compare the curves.

# %% [markdown]
# ## What we learned
#
# - A network stuck at exactly 10% on balanced data is giving one answer to every image. Training
#   on raw 0-255 pixels alone did not do that here; scoring a raw-trained model on scaled test
#   images did. One `prepare()` for every split, dividing by 255, prevents both problems.
# - Augmentation belongs in the model as random layers: every batch is transformed on the fly, no
#   copies are stored, and prediction is unaffected.
# - Strong augmentation slows learning. After the 20 epochs of the original it trailed the network
#   without it by 27 points here; the gain the reference reports came after 40. Look at the whole
#   curve, not only the last epoch's score, before you judge a run that has not settled.
#
# ## Ethics checkpoint
#
# Augmentation makes a model robust to pose and lighting; the same techniques make face
# recognition work on people who never agreed to it. Work through
# [harms and faces](../ethics/prompts/02-harms-and-faces.md), then continue with
# [05 · Comparison](05_comparison.ipynb).
