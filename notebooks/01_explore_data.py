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
# # 01 · Explore CIFAR-10
#
# A first look at the photos this series learns from: what the ten classes look like, how many
# images each has, and how pixels and labels become the numbers a network is trained on.
#
# **After this notebook you can** load CIFAR-10 with `course_utils`, show examples of every class,
# check that the classes are balanced, and say with numbers what dividing by 255 and one-hot
# encoding do.
#
# **Time:** 10 s in the quick profile and 12 s in the full profile once its runs exist (measured by
# the series runner on 2 CPU cores, 2026-12-05, and on 2 CPU cores, 2026-11-30).
# It trains nothing: it loads the data and draws the figures.
#
# **Previous:** none, this is the first notebook · **Next:** [02 · The baseline](02_baseline.ipynb) ·
# **Ethics prompt:** [a datasheet for CIFAR-10](../ethics/prompts/04-datasheet.md)

# %% [markdown]
# ## Setup
#
# Every notebook starts with the same call: it seeds the random generators, sets plot defaults,
# loads the data and prints where everything came from. The outputs saved with this notebook were
# produced with the profile and data source printed below: the **quick** profile uses a bundled
# sample of 6,000<!-- from: set:quick profile sample size --> real CIFAR-10 images, the **full** profile all 60,000<!-- from: set:full CIFAR-10 size, training plus test -->.

# %%
from course_utils import setup

data = setup()

import numpy as np

from course_utils import (
    CLASS_NAMES,
    check,
    plot_class_balance,
    plot_images,
    plot_sample_grid,
    prepare,
)

# %% [markdown]
# ## What the arrays hold
#
# The loader returns the same four arrays as the old `keras.datasets.cifar10.load_data()`: images
# as 8-bit integers, shaped (images, height, width, colour channels), and one integer label per image.

# %%
print(f"x_train {data.x_train.shape} {data.x_train.dtype}, "
      f"values {data.x_train.min()} to {data.x_train.max()}")
print(f"y_train {data.y_train.shape} {data.y_train.dtype}, "
      f"labels {data.y_train.min()} to {data.y_train.max()}")
print(f"x_test  {data.x_test.shape} {data.x_test.dtype};  y_test {data.y_test.shape}")
first_five = [f"{int(i)} = {CLASS_NAMES[int(i)]}" for i in data.y_train[:5, 0]]
print("first five labels:", first_five)
assert data.x_train.shape[1:] == (32, 32, 3) and data.x_train.dtype == np.uint8

# %% [markdown]
# Each image is 32 × 32 pixels with three colour channels (red, green, blue), every value a whole
# number from 0 to 255; the label is the index of a class name.

# %% [markdown]
# ## Ten classes, one row each
#
# Small images lose a lot: try to tell a cat from a dog, or a deer from a horse, before the
# network does.

# %%
fig = plot_sample_grid(
    data.x_train,
    data.y_train,
    per_class=10,
    title=f"The first 10 training images of each class ({data.kind} data)",
)

# %% [markdown]
# *Figure: a grid with one row per class, ten training images in each row, the class named on the left.*
#
# Look at how much the background, pose and scale vary within a row: the network must learn what a
# class has in common despite all that.

# %% [markdown]
# ## Are the classes balanced?
#
# If one class had far more images, a model could score well by guessing it. CIFAR-10 was built
# with exactly the same number of images per class.

# %%
fig = plot_class_balance(data.y_train, data.y_test,
                         title=f"Images per class, {data.kind} data")
train_counts = np.bincount(data.y_train.ravel(), minlength=10)
test_counts = np.bincount(data.y_test.ravel(), minlength=10)
print(f"training: {train_counts.min():,} to {train_counts.max():,} per class; "
      f"test: {test_counts.min():,} to {test_counts.max():,} per class")
# balanced in both profiles
assert len(set(train_counts)) == 1 and len(set(test_counts)) == 1

# %% [markdown]
# *Figure: side-by-side bars of the number of training and test images for each of the ten classes, all of one height per split.*
#
# Every bar has the same height, so guessing one class gets exactly 10%<!-- from: set:chance, 1 in 10 classes --> right: that is the
# "chance" line the later notebooks compare against.

# %% [markdown]
# ## Why divide by 255?
#
# The network starts with small random weights chosen for inputs of about size 1. Raw pixels are up
# to 255, so what the first layer computes from them (its pre-activations) comes out up to 255 times
# larger than from scaled pixels. Dividing by 255 maps 0..255 onto 0..1; the explainer
# [10 · Normalisation and one-hot](10_normalisation_and_one_hot.ipynb) works it through value by
# value and measures what raw pixels do to a network. Here, what it does to real images, through the
# course's `prepare()`, which divides by 255 as the original code did
# (on the first 5,000<!-- from: set:images the scaling example uses --> training images only: a `float32` value takes four bytes where a `uint8` one
# takes one, as the first line below shows for a single image, so a float copy of all 50,000<!-- from: set:training images --> of the
# full profile would be large; Exercise 1 asks how large). The series' networks do this division
# themselves, in their first layer ([02](02_baseline.ipynb) shows it):

# %%
n = 5000
x_raw = data.x_train[:n].astype("float32")
print(f"one image: {data.x_train[0].nbytes:,} bytes as uint8, "
      f"{x_raw[0].nbytes:,} bytes as float32")
x_scaled, y_onehot = prepare(data.x_train[:n], data.y_train[:n])
for name, x in (("raw 0-255", x_raw), ("divided by 255", x_scaled)):
    print(f"{name:15} mean {x.mean():7.3f}  std {x.std():7.3f}  "
          f"min {x.min():5.1f}  max {x.max():6.1f}")
assert x_scaled.min() >= 0 and x_scaled.max() <= 1

# %% [markdown]
# The pixel *pattern* is unchanged, only the scale: mean and spread shrink 255<!-- from: set:the divisor 255 -->-fold to about 0.5<!-- from: out:divided by 255 -->
# and 0.25<!-- from: out:divided by 255 -->. Notebook 04 shows what happens when the scale changes in the middle of training; the
# explainer [10 · Normalisation and one-hot](10_normalisation_and_one_hot.ipynb) trains on raw pixels
# from the start and goes further.

# %% [markdown]
# ## One-hot labels
#
# The network ends in ten outputs, one probability per class, so `prepare()` also turns each label
# into a row of ten numbers with a single 1 at the class's index, a one-hot row. (The original code
# did this with `np_utils.to_categorical`, the line that fails on Keras 3; notebook
# [10](10_normalisation_and_one_hot.ipynb) shows its replacement and how to read the rows.)

# %%
print("training labels", data.y_train[:n].shape, "-> one-hot", y_onehot.shape)
print(f"image 0 is class {data.y_train[0, 0]} "
      f"({CLASS_NAMES[data.y_train[0, 0]]}): {y_onehot[0].astype(int)}")
assert (y_onehot.argmax(axis=1) == data.y_train[:n].ravel()).all()

# %% [markdown]
# Taking the position of the 1 (`argmax`) gives the label back, so nothing is lost; the loss
# function compares the network's ten probabilities with this row.

# %% [markdown]
# ## What we learned
#
# - CIFAR-10 is 60,000<!-- from: set:full CIFAR-10 size, training plus test --> colour photos of 32 × 32 pixels in ten classes; the quick profile uses a
#   balanced sample of 6,000<!-- from: set:quick profile sample size --> of them.
# - Every class has the same number of images, so chance level is 10%<!-- from: set:chance, 1 in 10 classes -->.
# - Dividing by 255 changes the scale of the pixels (mean about 0.5<!-- from: out:divided by 255 --> instead of about 120), not the picture.
# - Each label becomes a one-hot row: ten numbers, a 1 at the class's index (notebook 10 shows how).
#

# %% [markdown]
# ## Exercises
#
# Each exercise builds on the cells above. Where the answer is a number, a `check(...)` line says
# whether yours is right without giving it away.
#
# ### Exercise 1: what the full training set weighs
#
# The full training set holds 50,000 images of 32 × 32 pixels with 3 colour values each. How many
# megabytes (10⁶ bytes) does it take as `uint8`, and as `float32`? Work it out on paper first.

# %%
answer = None  # (megabytes as uint8, megabytes as float32)
check(
    answer,
    "bd10ae453cdcd460",
    "memory of the training set",
    hints={
        "508795e79801875b": (
            "those are MiB (2**20 bytes); a megabyte here is 10**6 bytes"
        )
    },
)

# %%
#@solution
# one byte per value, then four
answer = (50_000 * 32 * 32 * 3 / 1e6, 50_000 * 32 * 32 * 3 * 4 / 1e6)
print(answer)
assert check(answer, "bd10ae453cdcd460", "memory of the training set")

# %% [markdown]
# ### Exercise 2: the brightest class
#
# Which class has the brightest images on average (the mean of all its pixel values)? Compute it
# for every class, then show eight of its images with `plot_sample_grid` or `plot_images`. Does the
# answer surprise you? Think of where these photos are usually taken.

# %%
brightness = {}  # class name -> mean of all pixel values of its training images
# fill it in, find the brightest class, then show eight of its images

# %% [markdown]
# *Your answer:*

# %%
#@solution
train_labels = data.y_train.ravel()
brightness = {}
for i, name in enumerate(CLASS_NAMES):
    brightness[name] = float(data.x_train[train_labels == i].mean())
brightest = max(brightness, key=brightness.get)
ranking = sorted(brightness.items(), key=lambda kv: -kv[1])
print(", ".join(f"{name} {value:.0f}" for name, value in ranking))
picks = data.x_train[train_labels == CLASS_NAMES.index(brightest)][:8]
fig = plot_images(
    picks, title=f"Eight training images of the brightest class, {brightest}"
)

# %% [markdown]
# <!-- solution -->
# *Figure: eight training images of the brightest class in a row.*
#
# The ranking comes from the data loaded above, so read it from the printed line. In the full data
# saved here the two brightest classes are airplane and ship, whose objects are often photographed
# against sky or water (look at the backgrounds of the eight images): brightness is a property of the
# background as much as of the object, one reason a network can learn shortcuts.

# %% [markdown]
# ## Ethics checkpoint
#
# Who took these photos, who labelled them, and what is missing from them? Work through the prompt
# [a datasheet for CIFAR-10](../ethics/prompts/04-datasheet.md) before moving on to
# [02 · The baseline](02_baseline.ipynb).
