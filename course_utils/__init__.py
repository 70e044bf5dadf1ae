"""Helpers for the CIFAR-10 notebooks: what a student calls but need not read.

The networks, ``compile`` and ``fit``, pooling, convolution and dropout are written out in the
notebooks themselves; this package holds the rest. Notebooks import from here, the top level::

    from course_utils import setup, load_cifar10, run_experiment, plot_learning_curves

Map of the package. Imports run one way (``tests/test_layout.py`` checks it): ``cli.py`` and
``notebook.py`` use the four folders below them, ``training`` and ``figures`` use only ``data`` and
``core``, ``data`` uses only ``core``, and ``core`` nothing of the package. The maintainers' tools
(site, editions, model cards, series runner) are the repository's ``workshop`` package, not this one.

- ``cli.py``    the student's command line: ``python -m course_utils reproduce RUN``.
- ``notebook.py`` the first cell of every notebook: ``setup()`` (seeds, plot defaults, provenance).
- ``training/`` running experiments: configs, scaled batches, the recorded and resumable run, the
  one-warp augmentation layer, the reproduction of the original collapse, measurements of trained
  models, and ``networks.py``, generated from the notebooks' ``#@save`` cells.
- ``figures/``  every plotting function, one module per topic.
- ``data/``     CIFAR-10 from any source, the restricted unpickler, the cache, the bundled sample.
- ``core/``     what everything shares: profiles, atomic file writes, machine and version facts.

Names are loaded on first use, so ``import course_utils`` stays quick until a notebook asks for one,
and importing it changes no environment variable (``setup()`` makes the settings Keras needs).
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "notebook": ["answer_hash", "check", "quick_profile_note", "setup"],
    "data": ["CLASS_NAMES", "DataError", "Dataset", "load_cifar10", "load_dataset"],
    "core.profiles": ["PROFILES", "Profile", "ProfileError", "get_profile"],
    "training.config": ["EXPERIMENTS", "ExperimentConfig", "demo_config"],
    "training.batches": ["prepare"],
    "training.experiment": ["run_experiment", "start_run"],
    "training.collapse": ["run_collapse"],
    "training.stats": ["compare_seeds", "discordant", "mcnemar_exact", "wilson_interval"],
    "training.augment": ["MILD_SETTINGS", "ORIGINAL_SETTINGS", "build_augmenter", "sharpness", "warp_steps"],
    "training.networks": ["JIT_COMPILE", "build_augmented", "build_baseline", "build_deeper", "compile_like_original"],
    "training.measurements": ["feature_maps", "layer_shapes", "most_active_channels", "neighbour_correlation",
                         "pooling_shift_change", "scale_mismatch", "shift_images", "shift_sensitivity"],
    "figures": ["plot_accuracy_comparison", "plot_class_balance", "plot_collapse", "plot_confusion_matrix",
                "plot_convolution_example", "plot_dropout_passes", "plot_feature_maps", "plot_filter_responses",
                "plot_images", "plot_layer_sizes", "plot_learning_curves", "plot_max_pool_example",
                "plot_misclassified", "plot_neighbour_pixels", "plot_one_hot", "plot_per_class_accuracy",
                "plot_pixel_histograms", "plot_pooling_shift_change", "plot_sample_grid", "plot_sharpness",
                "plot_shift_sensitivity", "plot_shifted_images"],
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_HOME)
__version__ = "0.1.0"


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'course_utils' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
