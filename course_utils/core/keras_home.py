"""Where Keras keeps its settings file, and what to do where the user has no writable home."""
from __future__ import annotations

import os
from pathlib import Path

from .user_home import user_home

KERAS_FALLBACK = Path("/tmp") / ".keras"  # Keras's own choice where there is no writable home


def keras_dir() -> Path:
    """Where Keras keeps ``keras.json``, found as Keras finds it: ``KERAS_HOME``, else ``~/.keras``,
    else, with no writable home, ``/tmp/.keras``."""
    if os.environ.get("KERAS_HOME"):
        return Path(os.environ["KERAS_HOME"])
    user = user_home()
    return user / ".keras" if user is not None and os.access(user, os.W_OK) else KERAS_FALLBACK


def use_keras_fallback_home() -> bool:
    """Point ``KERAS_HOME`` at Keras's own fallback where the process has no home folder.

    Without one, the older Keras that TensorFlow bundles (and imports) writes ``./~/.keras`` into the
    working folder. Call it before Keras is imported (``setup()`` and the command line do); True when
    it set the variable.
    """
    if "KERAS_HOME" in os.environ or user_home() is not None:
        return False
    os.environ["KERAS_HOME"] = str(KERAS_FALLBACK)
    return True
