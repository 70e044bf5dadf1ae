"""What defines a run: its config, the named experiments and demos, and where runs are kept."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..core.profiles import Profile, get_profile

@dataclass(frozen=True)
class ExperimentConfig:
    """Everything that defines a run; two runs with equal configs and data are the same run."""

    name: str
    model: str                 # "baseline" or "deeper"
    augmentation: str | None = None  # None, or the settings of course_utils.training.augment: "original", "mild"
    dropout: bool = True
    scaling: str = "in_model"  # "in_model": Rescaling(1/255) is the network's first layer, batches carry raw
    #                            pixels; "outside": batches divided by 255, as the original code did;
    #                            "none": raw 0-255 pixels and no scaling at all (the original's bug)
    epochs: int | None = None  # None: the profile's epochs times epochs_factor
    epochs_factor: int = 1     # 2: twice the profile's epochs (40 in the full profile)
    batch_size: int = 128
    validation_split: float = 0.2
    train_images: int | None = None  # None: all training images; else the first N (a demo slice)
    seed: int = 42
    continues: str | None = None  # an experiment whose finished run this one trains on from (weights,
    #                               optimizer state and history), e.g. 20 more epochs of "augmented"
    precision: str = "fp32"    # "bf16": Keras's mixed_bfloat16 policy (bfloat16 maths, float32 weights and softmax)


EXPERIMENTS = {
    "baseline": ExperimentConfig("baseline", model="baseline"),
    "deeper": ExperimentConfig("deeper", model="deeper"),
    "augmented": ExperimentConfig("augmented", model="deeper", augmentation="original"),
    "augmented_mild": ExperimentConfig("augmented_mild", model="deeper", augmentation="mild"),
    # 20 more epochs of the augmented run: its first 20 epochs are the augmented run's.
    "augmented_40": ExperimentConfig("augmented_40", model="deeper", augmentation="original", epochs_factor=2,
                                     continues="augmented"),
}

# Short runs on a slice of the training set, shared by the explainer and experiment notebooks.
# Their size comes from the profile (demo_images, demo_epochs); see demo_config().
# Like the experiments, they divide by 255 inside the model (Rescaling); the raw-pixel run has no
# Rescaling layer and takes the pixels as they are.
DEMOS = {
    "deeper_slice": {"model": "deeper"},
    "deeper_slice_raw_pixels": {"model": "deeper", "scaling": "none"},
    "deeper_slice_no_dropout": {"model": "deeper", "dropout": False},
}


def demo_config(name: str, profile: str | Profile | None = None) -> ExperimentConfig:
    """The config of demo ``name`` sized for ``profile`` (a slice of demo_images, demo_epochs)."""
    profile = profile if isinstance(profile, Profile) else get_profile(profile)
    return ExperimentConfig(name, train_images=profile.demo_images, epochs=profile.demo_epochs, **DEMOS[name])



def resolve(experiment: str | ExperimentConfig, profile: Profile, knobs: dict | None = None) -> ExperimentConfig:
    """``experiment``'s config with the profile's epochs and training images filled in, then the
    notebook's own ``knobs`` (``epochs``, ``train_images``, ``batch_size``); a config that the knobs
    change is a run of its own, named after the change (``baseline-epochs5``)."""
    config = EXPERIMENTS[experiment] if isinstance(experiment, str) else experiment
    if config.epochs is None:
        config = replace(config, epochs=profile.epochs * config.epochs_factor)
    if config.train_images is None and profile.train_images is not None:
        config = replace(config, train_images=profile.train_images)
    changes = {key: value * config.epochs_factor if key == "epochs" else value
               for key, value in (knobs or {}).items() if value is not ...}
    changes = {key: value for key, value in changes.items() if getattr(config, key) != value}
    if not changes:
        return config
    suffix = "-".join(f"{KNOB_LABELS[key]}{'all' if value is None else value}" for key, value in changes.items())
    return replace(config, name=f"{config.name}-{suffix}", **changes)


KNOB_LABELS = {"epochs": "epochs", "train_images": "images", "batch_size": "batch"}


def profile_of(profile: str | Profile | None, data) -> Profile:
    """The profile a run uses: the one given, else the one the data was loaded for, else the environment's."""
    if isinstance(profile, Profile):
        return profile
    if profile is None and data is not None and data.profile is not None:
        return data.profile
    return get_profile(profile)


SCALINGS = ("in_model", "outside", "none")


def stored_config(results: dict) -> dict:
    """A results file's config in today's fields.

    Older files had ``augment`` (now ``augmentation``) and ``normalise`` (True: the batches were
    divided by 255 outside the model, today's ``scaling="outside"``; False: ``"none"``).
    """
    config = dict(results.get("config") or {})
    if "augment" in config:
        config["augmentation"] = "original" if config.pop("augment") else None
    if "normalise" in config:
        config["scaling"] = "outside" if config.pop("normalise") else "none"
    config.setdefault("epochs_factor", 1)
    config.setdefault("continues", None)
    config.setdefault("precision", "fp32")
    return config


PRECISIONS = {"fp32": "float32", "bf16": "mixed_bfloat16"}


def with_seed(config: ExperimentConfig, seed: int | None) -> ExperimentConfig:
    """``config`` with another seed, under its own name (``deeper_seed3``), continuing the same seed."""
    if seed is None or seed == config.seed:
        return config
    return replace(config, name=f"{config.name}_seed{seed}", seed=seed,
                   continues=f"{config.continues}_seed{seed}" if config.continues else None)


def base_config(name: str, like: ExperimentConfig) -> ExperimentConfig:
    """The experiment ``name`` (as ``continues`` names it) in ``like``'s precision and seed."""
    import re

    base = EXPERIMENTS[re.sub(r"(_bf16)?(_seed\d+)?$", "", name)]
    return with_seed(with_precision(base, like.precision), like.seed if like.seed != base.seed else None)


def with_precision(config: ExperimentConfig, precision: str) -> ExperimentConfig:
    """``config`` in another precision, under its own name (``deeper_bf16``), continuing the same precision."""
    from dataclasses import replace

    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}: choose one of {', '.join(PRECISIONS)}")
    if precision == config.precision:
        return config
    suffix = "" if precision == "fp32" else f"_{precision}"
    return replace(config, name=config.name + suffix, precision=precision,
                   continues=config.continues + suffix if config.continues else None)


