"""Two XLA settings for the JAX backend: YNNPACK on the CPU, and compiled programs kept on disk.

**YNNPACK.** Matrix products, element-wise and reduction ops are handed to the YNNPACK library (an
XLA flag still marked experimental): on a small CPU it mostly shortens the first epoch, which
compiles (``benchmarks/README.md`` has the measurements). XLA reads its flags once, when JAX first
starts its CPU backend, so :func:`course_utils.core.startup.before_keras` sets it before Keras is
imported. It changes nothing when the backend is not JAX (TensorFlow's own XLA may not know the
flag), when jaxlib is older than 0.10, or when ``XLA_FLAGS`` already chooses YNNPACK fusions (set
``XLA_FLAGS=--xla_cpu_experimental_ynn_fusion_type=`` to switch it off).

**The compilation cache.** JAX compiles every new function and input shape, which takes seconds on a
CPU, and every notebook kernel and every ``reproduce`` is a fresh process; so for JAX the persistent
cache is on, in ``~/.cache/course_utils/jax-compiled`` beside the data cache, keeping every program.
It is keyed by the program, the JAX version and the flags, so an upgrade never reuses a stale entry.
Set ``JAX_COMPILATION_CACHE_DIR`` yourself to put it elsewhere, or to an empty value to switch it off.
"""
from __future__ import annotations

import json
import os
from importlib import metadata

from .keras_home import keras_dir
from .user_home import cache_dir

FLAG = "--xla_cpu_experimental_ynn_fusion_type"
FUSIONS = "dot,eltwise,reduce"
CACHE_DIR_ENV = "JAX_COMPILATION_CACHE_DIR"
MIN_SECONDS_ENV = "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"  # JAX's default, 1 s, skips most


def _backend() -> str:
    """The Keras backend that will be used, read the way Keras reads it, without importing Keras."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    try:
        return json.loads((keras_dir() / "keras.json").read_text()).get("backend", "tensorflow")
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def _jaxlib_at_least(major: int, minor: int) -> bool:
    try:
        parts = metadata.version("jaxlib").split(".")
        return (int(parts[0]), int(parts[1])) >= (major, minor)
    except (metadata.PackageNotFoundError, ValueError, IndexError):
        return False


def use_ynnpack_on_jax_cpu() -> bool:
    """Add the YNNPACK flag to ``XLA_FLAGS`` when the backend is JAX; True when it was added."""
    flags = os.environ.get("XLA_FLAGS", "")
    if _backend() != "jax" or FLAG in flags or not _jaxlib_at_least(0, 10):
        return False
    os.environ["XLA_FLAGS"] = f"{flags} {FLAG}={FUSIONS}".strip()
    return True


def use_compilation_cache_on_jax() -> bool:
    """Point JAX's persistent compilation cache at the course's cache when the backend is JAX.

    True when it was set; a ``JAX_COMPILATION_CACHE_DIR`` already in the environment (empty included)
    is the user's choice and is left alone.
    """
    if _backend() != "jax" or CACHE_DIR_ENV in os.environ:
        return False
    os.environ[CACHE_DIR_ENV] = str(cache_dir() / "jax-compiled")
    os.environ.setdefault(MIN_SECONDS_ENV, "0")
    return True
