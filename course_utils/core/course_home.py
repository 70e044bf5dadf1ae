"""Where the course keeps its runs and results: one home for the command line, the notebooks and the tests.

The home is ``COURSE_HOME`` if set, else the project that holds this package (a clone) or the working
folder, or, where that is read-only (a JupyterHub share), ``~/.local/share/cifar10-course`` with a note.
Runs go to ``<home>/runs/<folder>/``, results to ``<home>/results/<folder>/``: ``<folder>`` is the
profile's name, or ``full-on-sample`` for a full-profile run on the bundled sample, which so never
lands where the full-data results are kept.
"""
from __future__ import annotations

import os
from pathlib import Path

from .user_home import expand_user, user_home

ENV_HOME = "COURSE_HOME"
COURSE_HOME_HINT = (f"set {ENV_HOME} to a folder you can write to (runs and results go there), "
                    "or check the free disk space")
_told: set[Path] = set()  # read-only folders the note has been printed for, once per process


def _project_root(start: Path) -> Path | None:
    here = start.resolve()
    return next((folder for folder in (here, *here.parents)
                 if (folder / "pyproject.toml").is_file() and (folder / "course_utils").is_dir()), None)


def project_folder() -> Path:
    """The project that holds this package (a clone), else the working folder: where README.md lives."""
    return _project_root(Path(__file__).parent) or _project_root(Path.cwd()) or Path.cwd().resolve()


def writable(folder: Path) -> bool:
    """Whether this process may create files in ``folder`` and in its ``runs/`` and ``results/``."""
    return all(os.access(path, os.W_OK) for path in (folder, folder / "runs", folder / "results") if path.exists())


def personal_home() -> Path | None:
    """The user's own course folder, used where the course folder is read-only (None with no home)."""
    user = user_home()
    return None if user is None else user / ".local" / "share" / "cifar10-course"


def course_home() -> Path:
    """The folder that holds ``runs/`` and ``results/`` (see the module docstring)."""
    if os.environ.get(ENV_HOME):
        return expand_user(os.environ[ENV_HOME]).resolve()
    folder, own = project_folder(), personal_home()
    if writable(folder) or own is None:
        return folder
    if folder not in _told:
        _told.add(folder)
        print(f"NOTE: the course folder {folder} is read-only here, so runs and results go to {own} "
              f"(set {ENV_HOME} to choose another folder)")
    return own


def run_folder(profile: str, data_kind: str) -> str:
    """``quick`` or ``full``; ``full-on-sample`` for a full-profile run that fell back to the sample."""
    return f"{profile}-on-sample" if profile != "quick" and data_kind == "sample" else profile


def runs_dir() -> Path:
    return course_home() / "runs"


def results_dir() -> Path:
    return course_home() / "results"
