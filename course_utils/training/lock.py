"""One process at a time per run: two trainings of the same run would mix their checkpoints and logs."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def run_lock(run_dir: Path):
    """Refuse to train a run that another live process is training (they would mix their logs)."""
    lock = run_dir.parent / f".{run_dir.name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        owner = lock.read_text().strip() or "0"
        if owner.isdigit() and int(owner) != os.getpid() and _alive(int(owner)):
            raise RuntimeError(f"{run_dir} is being trained by process {owner}; wait for it to finish "
                               "(its result will then be reused) or stop it") from None
        lock.unlink(missing_ok=True)  # left by a process that died: take it over
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
