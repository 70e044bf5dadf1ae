"""One process at a time per run: two trainings of the same run would mix their checkpoints and logs.

The lock is the operating system's (``filelock``): it dies with the process that holds it, so a
crashed run never leaves a stale lock, and taking it is atomic.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


@contextmanager
def run_lock(run_dir: Path):
    """Hold ``run_dir``'s lock for the block; refuse at once, in one line, if another process holds it."""
    path = Path(run_dir).parent / f".{Path(run_dir).name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), is_singleton=True)  # one lock object per path in a process: re-entrant
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise RuntimeError(f"{run_dir} is being trained by another process; wait for it to finish "
                           "(its result will then be reused) or stop it") from None
    try:
        yield
    finally:
        lock.release()
