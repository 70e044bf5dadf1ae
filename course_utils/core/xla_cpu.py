"""Two XLA settings for the JAX backend: YNNPACK on the CPU, and compiled programs kept on disk.

**YNNPACK.** One compiler setting made short JAX runs about 2.5 times faster on a CPU.

On a 2-core CPU (jaxlib 0.10.2, 2026-11-29, the machine shared with a training run) JAX trained the
deeper network on the bundled sample for 3 epochs in 199 s with XLA's default CPU code, and in 76 s
with matrix products, element-wise and reduction ops handed to the YNNPACK library (an XLA flag
still marked experimental); with augmentation, 214 s and 84 s. Test accuracy after those epochs:
0.261 both ways without augmentation, 0.220 and 0.231 with it. On a fixed batch order the first
epoch's losses agreed to three decimals (2.3260 and 2.3262); later epochs drift apart.
After the first epoch the gain was much smaller, 287 against 259 images/s for the deeper network
(``benchmarks/benchmark.py --all``, idle, 2026-11-30, which measures it on your machine), so most of
the difference lay in the first epoch, which compiles. XLA reads its flags once, when JAX first
starts its CPU backend, so this runs when ``course_utils`` is imported, before Keras is.
It changes nothing when:

- the backend is not JAX (TensorFlow's own XLA may not know the flag and would stop at start-up);
- the jaxlib installed is older than 0.10, which may not know it either;
- ``XLA_FLAGS`` already chooses YNNPACK fusions: to switch this off, set
  ``XLA_FLAGS=--xla_cpu_experimental_ynn_fusion_type=`` (an empty list) before starting Python.

**The compilation cache.** JAX compiles every new function and input shape with XLA, and on a CPU
that takes seconds: a fresh process that trained and scored the deeper network on 300 images
spent 18.6 s in ``fit`` and ``evaluate``, and 3.4 s when the programs came from JAX's persistent
cache (2026-11-30, this 2-core machine shared with a training run). Every notebook kernel and every
``reproduce`` is a fresh process, so the cache is on for JAX, in ``~/.cache/course_utils/jax-compiled``
(beside the data cache, see ``core/home.py``), holding every program however quick its compile.
The cache is keyed by the program, the JAX version and the flags, so an upgrade never reuses a
stale entry. Set ``JAX_COMPILATION_CACHE_DIR`` yourself to put it elsewhere, or to an empty value
to switch it off.
"""
from __future__ import annotations

import json
import os
from importlib import metadata

from .home import cache_dir, keras_dir

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
