"""Refresh the stored outputs of the cells nbval compares (``# NBVAL_CHECK_OUTPUT``), nothing else.

Those cells print what does not depend on the data or the profile (layer shapes, parameter counts,
small worked examples), so a quick-profile execution gives the outputs a full run would. Every
other cell keeps the outputs of the committed full run::

    .venv/bin/python scripts/refresh_checked_outputs.py notebooks/11_convolution_and_shapes.ipynb

The notebook is executed on a copy in the quick profile (runs under build/refresh-home), and the
committed file is replaced atomically only if some checked output changed.
"""
from __future__ import annotations

import copy
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
MARK = "NBVAL_CHECK_OUTPUT"


def refresh(path: Path) -> int:
    committed = nbformat.read(path, as_version=4)
    run = copy.deepcopy(committed)
    os.environ.update(COURSE_PROFILE="quick", COURSE_HOME=str(ROOT / "build" / "refresh-home"))
    os.environ.pop("CIFAR10_DIR", None)
    NotebookClient(run, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    changed = 0
    for old, new in zip(committed.cells, run.cells):
        if old.cell_type != "code" or MARK not in old.source:
            continue
        # nbval refuses a cell that has outputs but no execution count ("unrun reference cell")
        if old.outputs != new.outputs or (old.outputs and old.execution_count is None):
            old.outputs, old.execution_count = new.outputs, new.execution_count
            changed += 1
    if changed:
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as tmp:
            nbformat.write(committed, tmp)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)
    print(f"{path}: {changed} checked cell(s) refreshed")
    return changed


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        refresh(Path(name))
