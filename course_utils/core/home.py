"""Where runs and results live: one home for the command line, the notebooks and the tests.

The home is ``COURSE_HOME`` if set, else the project folder that holds this package (a clone), else
the project folder around the working folder, else the working folder itself (an installed wheel).
Runs go to ``<home>/runs/<folder>/``, results to ``<home>/results/<folder>/``, where ``<folder>`` is
the profile's name, except that a run on the bundled sample in the full profile (offline, say) goes
to ``full-on-sample``: a sample run never lands where the full-data results are kept.
"""
from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "COURSE_HOME"
ENV_CACHE = "COURSE_UTILS_CACHE"


def _project_root(start: Path) -> Path | None:
    here = start.resolve()
    return next((folder for folder in (here, *here.parents)
                 if (folder / "pyproject.toml").is_file() and (folder / "course_utils").is_dir()), None)


def project_folder() -> Path:
    """The project that holds this package (a clone), else the working folder: where README.md lives."""
    return _project_root(Path(__file__).parent) or _project_root(Path.cwd()) or Path.cwd().resolve()


class NoHomeError(OSError):
    """A path starts with ``~`` but this process has no home folder (no HOME, no user entry)."""


def user_home() -> Path | None:
    """The user's home folder, or None where there is none: no HOME and no passwd entry (some containers)."""
    try:
        return Path.home()
    except (RuntimeError, KeyError):
        return None


def expand_user(path: str | os.PathLike) -> Path:
    """``path`` with a leading ``~`` expanded; :class:`NoHomeError`, in one line, where there is no home."""
    path = Path(path)
    try:
        return path.expanduser()
    except (RuntimeError, KeyError):
        raise NoHomeError(f"{path} starts with ~ but this process has no home folder (HOME is not set and the "
                          f"user has no passwd entry); set HOME, or {ENV_HOME} for runs and results, "
                          "or give the full path") from None


def course_home() -> Path:
    """The folder that holds ``runs/`` and ``results/`` (see the module docstring)."""
    if os.environ.get(ENV_HOME):
        return expand_user(os.environ[ENV_HOME]).resolve()
    return _project_root(Path(__file__).parent) or _project_root(Path.cwd()) or Path.cwd().resolve()


def run_folder(profile: str, data_kind: str) -> str:
    """``quick`` or ``full``; ``full-on-sample`` for a full-profile run that fell back to the sample."""
    return f"{profile}-on-sample" if profile != "quick" and data_kind == "sample" else profile


def runs_dir() -> Path:
    return course_home() / "runs"


def results_dir() -> Path:
    return course_home() / "results"


def cache_dir() -> Path:
    """Where decoded data is cached: ``COURSE_UTILS_CACHE`` if set, else ``~/.cache/course_utils``."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE])
    user = user_home()
    if user is not None:
        return user / ".cache" / "course_utils"
    import tempfile  # no home (some containers): the cache is only a cache

    return Path(tempfile.gettempdir()) / "course_utils-cache"


KERAS_FALLBACK = Path("/tmp") / ".keras"  # Keras's own choice where there is no writable home


def keras_dir() -> Path:
    """Where Keras keeps ``keras.json``, found as Keras finds it: ``KERAS_HOME``, else ``~/.keras``,
    else, with no writable home, ``/tmp/.keras``."""
    if os.environ.get("KERAS_HOME"):
        return Path(os.environ["KERAS_HOME"])
    user = user_home()
    return user / ".keras" if user is not None and os.access(user, os.W_OK) else KERAS_FALLBACK


def keras_settings_without_a_home() -> bool:
    """With no home, the older Keras that TensorFlow bundles (and imports) writes ``./~/.keras`` into
    the working folder: point ``KERAS_HOME`` at Keras's own fallback instead. True when it was set."""
    if "KERAS_HOME" in os.environ or user_home() is not None:
        return False
    os.environ["KERAS_HOME"] = str(KERAS_FALLBACK)
    return True
