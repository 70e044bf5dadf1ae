"""The first cell of every notebook: seeds, plotting defaults, quiet logs, and a provenance line."""
from __future__ import annotations

import logging
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path


def quiet_logs() -> None:
    """Hide TensorFlow's start-up chatter so students see their own output."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("absl").setLevel(logging.ERROR)
    # tf.function's "triggered tf.function retracing" notice fires when a notebook predicts with
    # several models in turn; it is advice for library authors, not the student's output.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=".*Skipping variable loading for optimizer.*")


@contextmanager
def native_stderr_silenced():
    """Send C-level stderr to /dev/null for a moment (Python exceptions still raise as usual).

    TensorFlow's C++ runtime prints start-up notices ("Could not find cuda drivers", absl's
    "log messages before InitializeLog") straight to file descriptor 2, before TF_CPP_MIN_LOG_LEVEL
    takes effect, and Jupyter saves them in the notebook as if they were the student's output.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def project_root(start: str | os.PathLike | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: the working folder) holding ``pyproject.toml``."""
    here = Path(start or Path.cwd()).resolve()
    return next((folder for folder in (here, *here.parents) if (folder / "pyproject.toml").is_file()), None)


def setup(seed: int = 42, data_source=None):
    """Seed everything, set plot defaults, load the data, print versions/profile/source; return the Dataset."""
    # JupyterLab and nbval start a notebook's kernel in notebooks/, but run_experiment() keeps its
    # runs/ and results/ relative to the working folder: work from the project root so notebooks,
    # the command line and every other notebook share (and reuse) the same runs.
    from .core.startup import before_keras

    before_keras()  # Keras and JAX read these settings once, when they start
    root = project_root()
    if root is not None:
        os.chdir(root)
    quiet_logs()
    with native_stderr_silenced():
        import keras
        import keras.src.backend  # noqa: F401  (loads the backend, which prints the notices)
        # the first operation starts the devices, where TensorFlow prints its CUDA probe's errors
        keras.ops.convert_to_numpy(keras.ops.zeros((1,)))
    import matplotlib as mpl

    from .data.loading import load_dataset
    from .core.machine import library_versions
    from .core.profiles import get_profile

    keras.utils.set_random_seed(seed)
    mpl.rcParams.update({"figure.dpi": 110, "axes.grid": True, "grid.alpha": 0.3,
                         "axes.spines.top": False, "axes.spines.right": False, "font.size": 11})
    profile = get_profile()  # made once here, then carried by the data to every run
    data = load_dataset(data_source, profile=profile, progress=False)
    versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
    print(f"{versions}\nprofile: {profile.name} ({profile.description})\ndata: {data.describe()}")
    return data


def quick_profile_note(profile) -> None:
    """Under a result: in the quick profile, one plain sentence on what its numbers can show."""
    if getattr(profile, "name", profile) == "quick":
        print("Quick profile: these numbers come from a few minutes of training on a small sample, so they "
              "show the code at work, not what the networks can do; the full-profile figures are in the "
              "notebooks as committed and in the README's results table.")


def answer_hash(answer) -> str:
    """A short hash of an answer in a canonical form: numbers to 3 decimals, sequences as lists.

    Exercises store this hash, not the answer, so a student can check without being told.
    """
    import hashlib
    import json

    def canonical(value):
        if hasattr(value, "tolist"):  # NumPy arrays and scalars
            value = value.tolist()
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float)):
            return round(float(value), 3)
        if isinstance(value, dict):
            return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
        if isinstance(value, (list, tuple)):
            return [canonical(v) for v in value]
        return str(value)

    return hashlib.sha256(json.dumps(canonical(answer), sort_keys=True).encode()).hexdigest()[:16]


def check(answer, expected: str, what: str = "your answer", hints: dict[str, str] | None = None) -> bool | None:
    """Say whether ``answer`` is right without revealing the right one; ``None`` means not answered yet.

    ``hints`` maps the hash of a common wrong answer to a hint. Returns True when right and None
    otherwise, so that a cell ending in ``check(...)`` shows only the message, never a stray ``False``.
    """
    if answer is None:
        print(f"{what}: not answered yet (replace None with your answer and run the cell again)")
        return None
    digest = answer_hash(answer)
    hint = (hints or {}).get(digest)
    print(f"{what}: " + ("right" if digest == expected else f"not right yet: {hint}" if hint else "not right yet, try again"))
    return True if digest == expected else None
