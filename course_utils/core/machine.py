"""What a run was measured on: library versions, the device, and peak memory."""
from __future__ import annotations

import os
import platform
import resource
import sys

import keras
import numpy as np


def library_versions() -> dict:
    versions = {"python": platform.python_version(), "keras": keras.__version__,
                "backend": keras.backend.backend(), "numpy": np.__version__}
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        versions["tensorflow"] = tf.__version__
    elif keras.backend.backend() == "jax":
        import jax

        versions["jax"] = jax.__version__
    elif keras.backend.backend() == "torch":
        import torch

        versions["torch"] = torch.__version__
    return versions


def accelerator() -> str:
    """The device Keras trains on, e.g. "cpu" or "NVIDIA H100 80GB HBM3": run times depend on it."""
    if keras.backend.backend() == "jax":
        import jax

        device = jax.devices()[0]
        return "cpu" if device.platform == "cpu" else device.device_kind
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "gpu") if gpus else "cpu"
    if keras.backend.backend() == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    return "unknown"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)



def machine_info() -> dict:
    """The machine a run was measured on: run times only compare on the same hardware."""
    return {"platform": platform.platform(terse=True), "processor": platform.machine(), "cpus": os.cpu_count(),
            "accelerator": accelerator()}
