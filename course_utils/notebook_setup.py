"""The first cell of every notebook: seeds, plotting defaults, quiet logs, and a provenance line."""
from __future__ import annotations

import logging
import os
import warnings


def quiet_logs() -> None:
    """Hide TensorFlow's start-up chatter so students see their own output."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("absl").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=".*Skipping variable loading for optimizer.*")


def setup(seed: int = 42, data_source=None):
    """Seed everything, set plot defaults, load the data, print versions/profile/source; return the Dataset."""
    quiet_logs()
    import keras
    import matplotlib as mpl

    from .data import load_dataset
    from .experiment import library_versions
    from .profiles import get_profile

    keras.utils.set_random_seed(seed)
    mpl.rcParams.update({"figure.dpi": 80, "axes.grid": True, "grid.alpha": 0.3,
                         "axes.spines.top": False, "axes.spines.right": False, "font.size": 11})
    profile = get_profile()
    data = load_dataset(data_source, profile=profile.name, progress=False)
    versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
    print(f"{versions}\nprofile: {profile.name} ({profile.description})\ndata: {data.describe()}")
    return data
