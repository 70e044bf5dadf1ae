"""The two ways to run the series: ``quick`` (sample data, minutes on a laptop) and ``full``.

Chosen by ``COURSE_PROFILE`` or a ``--profile`` flag; an unknown name is an error, never a
silent fallback, so a typo cannot turn a full reproduction into a two-minute demo.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass

ENV_PROFILE = "COURSE_PROFILE"
DEFAULT_PROFILE = "quick"


@dataclass(frozen=True)
class Profile:
    name: str
    data: str              # "sample": the bundled sample; "full": CIFAR10_DIR or the Keras download
    epochs: int            # epochs for each experiment (the originals use 20)
    train_images: int | None  # first N training images (validation is 20% of them); None: all
    demo_images: int       # size of the small slices the explainer demos train on
    demo_epochs: int       # epochs for those demos
    collapse_epochs: tuple[int, int]  # the collapse reproduction: epochs of its first cell, then of the second
    description: str

    def as_dict(self) -> dict:
        """The profile as a results JSON stores it (pairs as lists, so a record reads back equal)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


PROFILES = {
    # Minutes per notebook on a laptop CPU. Its runs fit 1,536 of the sample's 5,000 training images
    # and validate on 384: whole batches of 128, and one validation batch (EVAL_BATCH is 500), so no
    # epoch ends in a smaller batch, which JAX would compile a second program for. CI re-executes every
    # notebook in it on TensorFlow, and notebook 02 on JAX as well.
    "quick": Profile("quick", data="sample", epochs=2, train_images=1920, demo_images=1000, demo_epochs=2,
                     # 30 epochs on the slice, then 25 of its 15 raw, warped batches: the settings that took the
                     # trained start to one answer at a loss within 0.01 of ln 10 for seeds 42, 1 and 2
                     # (benchmarks/README.md)
                     collapse_epochs=(30, 25),
                     description="bundled sample (first 1,920 of its 5,000 training images), 2 epochs: minutes on a laptop CPU"),
    "full": Profile("full", data="full", epochs=20, train_images=None, demo_images=10000, demo_epochs=10,
                    collapse_epochs=(20, 20),
                    description="all 60,000 images, 20 epochs as in the original experiments"),
}


class ProfileError(ValueError):
    """An unknown profile name."""


def get_profile(name: str | None = None) -> Profile:
    """Return the profile called ``name``, else the one ``COURSE_PROFILE`` names, else ``quick``."""
    if name is None:
        name = os.environ.get(ENV_PROFILE) or DEFAULT_PROFILE
    key = name.strip().lower()
    if key not in PROFILES:
        raise ProfileError(f"unknown profile {name!r}: choose one of {', '.join(PROFILES)} "
                           f"(set {ENV_PROFILE} or pass --profile)")
    return PROFILES[key]
