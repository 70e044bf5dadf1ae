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


def course_home() -> Path:
    """The folder that holds ``runs/`` and ``results/`` (see the module docstring)."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]).expanduser().resolve()
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
    try:
        return Path.home() / ".cache" / "course_utils"
    except (RuntimeError, KeyError):  # no HOME and no user entry (some containers)
        import tempfile

        return Path(tempfile.gettempdir()) / "course_utils-cache"
