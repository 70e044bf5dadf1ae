#!/usr/bin/env python3
"""Set-up and the two jobs of this repository, with nothing but Python 3.11 installed.

    python3 tasks.py series    # run the notebook series headless (quick profile, bundled data)
    python3 tasks.py test      # run the test suite, notebooks included (what CI runs)
    python3 tasks.py export    # after editing a notebook cell marked #@save: regenerate the package's copy
    python3 tasks.py editions  # write the student and the instructor edition under build/
    python3 tasks.py site      # build the course website (student edition, offline) into build/site/

Each job creates ./.venv on first use and installs the project into it; later runs reuse it and
reinstall only when pyproject.toml changed. Extra arguments go to the job (e.g. --profile full).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"
EXTRAS = "dev"  # environment.yml installs the same extras; tests/test_environment.py checks it


def ensure_venv() -> None:
    """Create .venv if needed and (re)install the project when pyproject.toml changed."""
    if sys.version_info[:2] not in ((3, 11), (3, 12)):
        sys.exit(f"error: Python {sys.version.split()[0]} found; this course needs Python 3.11 or 3.12 "
                 "(TensorFlow has no wheels for others): run this script with python3.11")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not PYTHON.exists():
        print(f"Creating the virtual environment {VENV.name}/ ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("Installing the course and its dependencies (first time: a few minutes) ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(pip + ["install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run(pip + ["install", "--quiet", "--editable", f".[{EXTRAS}]"], check=True, cwd=ROOT)
    STAMP.write_text(wanted + "\n")


def job_env() -> dict:
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")  # the notebook kernel is this venv's python
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run_series(args: list[str]) -> int:
    return subprocess.call([str(PYTHON), "-m", "course_utils", "series", *args], cwd=ROOT, env=job_env())


def run_editions(args: list[str]) -> int:
    return subprocess.call([str(PYTHON), "-m", "course_utils", "editions", *args], cwd=ROOT, env=job_env())


def run_site(args: list[str]) -> int:
    return subprocess.call([str(PYTHON), "-m", "course_utils", "site", *args], cwd=ROOT, env=job_env())


def run_tests(args: list[str]) -> int:
    env = job_env()
    # Tests and nbval always use the quick profile and the bundled sample, whatever the shell says.
    env["COURSE_PROFILE"] = "quick"
    env.pop("CIFAR10_DIR", None)
    # nbval executes the instructor edition (every cell, solutions included), built afresh first; its
    # runs and results go to build/test-home, never into the committed results/.
    if run_editions([]) != 0 or run_site([]) != 0:  # the site is read by tests/test_site.py
        return 1
    env["COURSE_HOME"] = str(ROOT / "build" / "test-home")
    chosen = [a for a in args if not a.startswith("-")]
    targets = [] if chosen else ["tests", "build/instructor/notebooks"]
    return subprocess.call([str(PYTHON), "-m", "pytest", *args, *targets], cwd=ROOT, env=env)


def run_export(args: list[str]) -> int:
    return subprocess.call([str(PYTHON), "-m", "course_utils", "export", *args], cwd=ROOT, env=job_env())


JOBS = {"series": run_series, "test": run_tests, "export": run_export, "editions": run_editions, "site": run_site}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in JOBS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ensure_venv()
    return JOBS[argv[0]](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
