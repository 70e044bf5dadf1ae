"""The user's own home folder, which some containers lack, and the data cache kept under it."""
from __future__ import annotations

import os
from pathlib import Path

ENV_CACHE = "COURSE_UTILS_CACHE"


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
                          "user has no passwd entry); set HOME, or COURSE_HOME for runs and results, "
                          "or give the full path") from None


def cache_dir() -> Path:
    """Where decoded data is cached: ``COURSE_UTILS_CACHE`` if set, else ``~/.cache/course_utils``."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE])
    user = user_home()
    if user is not None:
        return user / ".cache" / "course_utils"
    import tempfile  # no home (some containers): the cache is only a cache
    return Path(tempfile.gettempdir()) / "course_utils-cache"
