"""What a process sets before it imports Keras: ``setup()`` and the command line call :func:`before_keras`.

Importing ``course_utils`` changes no environment variable; this call sets, where they apply, Keras's
fallback settings folder (no home) and, on JAX, XLA's YNNPACK flag and the compilation cache
(``core/xla_cpu.py``). Keras and JAX read them once, so it must come before the first ``import keras``.
"""
from __future__ import annotations

from .keras_home import use_keras_fallback_home
from .xla_cpu import use_compilation_cache_on_jax, use_ynnpack_on_jax_cpu


def before_keras() -> None:
    """Make the settings above; calling it again changes nothing."""
    use_keras_fallback_home()
    use_ynnpack_on_jax_cpu()
    use_compilation_cache_on_jax()
