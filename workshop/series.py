"""The main job: execute every notebook headless and write a summary of what came out.

    python -m workshop series                    # quick profile: bundled sample, minutes
    python -m workshop series --profile full     # full data (CIFAR10_DIR), the real experiments

Executed copies go to ``build/series/`` (the committed notebooks are left alone unless
``--inplace``), with ``summary.md``, ``summary.json`` and the times record beside them.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path

from course_utils.core.course_home import course_home
from course_utils.core.atomic import atomic_path, write_json_atomic, write_text_atomic
from course_utils.core.machine import machine_info
from course_utils.core.profiles import get_profile
from course_utils.notebook import project_root
from .times import record_times


def notebooks(root: Path, only: list[str] | None = None) -> list[Path]:
    """The series' notebooks in reading order (their two-digit prefixes), optionally filtered."""
    found = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if only:
        found = [nb for nb in found if any(nb.name.startswith(prefix) for prefix in only)]
    return found


def execute(path: Path, out_path: Path, timeout: int) -> tuple[bool, float, str | None]:
    """Run one notebook top to bottom with this environment's kernel; save it even if it fails."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    started, error = time.perf_counter(), None
    # On POSIX the kernel talks over local sockets in a private folder, not over TCP without encryption.
    with tempfile.TemporaryDirectory(prefix="course-kernel-") as sockets:
        ipc = {"transport": "ipc", "ip": os.path.join(sockets, "kernel")} if os.name == "posix" else {}
        kernel = KernelManager(kernel_name="python3", **ipc)
        client = NotebookClient(nb, km=kernel, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except CellExecutionError as exc:
            lines = re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).strip().splitlines()  # drop terminal colours
            error = (lines[-1] if lines else type(exc).__name__)[:300]
        finally:  # a kernel manager passed in is not shut down by nbclient: its kernel would outlive the run
            if kernel.has_kernel:
                kernel.shutdown_kernel(now=False)
    with atomic_path(out_path, suffix=".ipynb") as tmp:
        nbformat.write(nb, tmp)
    return error is None, time.perf_counter() - started, error


def summarise(root: Path, profile: str, runs: list[dict]) -> tuple[dict, str]:
    """Collect the notebook timings and every results JSON of this profile into one summary."""
    results = {}
    for path in sorted((root / "results" / profile).glob("*.json")):
        r = json.loads(path.read_text())
        if r.get("kind") == "collapse_demo":  # both cells of the original run: their epochs together
            r = {**r, "epochs_completed": len(r["first_history"]) + len(r["continued_history"]),
                 "images_per_second_median": None}
        results[r["experiment"]] = {k: r[k] for k in ("test_accuracy", "epochs_completed", "train_seconds",
                                                      "images_per_second_median", "peak_rss_mb")}
        results[r["experiment"]]["data_source"] = r["data"].get("name") or r["data"]["source"]
    lines = [f"# Series run ({profile} profile)", "", "| notebook | status | seconds |", "|---|---|---|"]
    lines += [f"| {r['notebook']} | {'ok' if r['ok'] else 'FAILED: ' + r['error']} | {r['seconds']:.0f} |"
              for r in runs]
    lines += ["", "| run | test accuracy | epochs | training s | images/s | peak RSS MB | data |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {name} | {r['test_accuracy']:.4f} | {r['epochs_completed']} | {r['train_seconds']:.0f} | "
              f"{'-' if r['images_per_second_median'] is None else format(r['images_per_second_median'], '.0f')} | "
              f"{r['peak_rss_mb']:.0f} | {r['data_source']} |"
              for name, r in results.items()]
    return {"profile": profile, "notebooks": runs, "results": results}, "\n".join(lines) + "\n"


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root) if path.is_relative_to(root) else path)


def run_series(profile: str | None = None, out_dir: str | os.PathLike = "build/series",
               only: list[str] | None = None, inplace: bool = False) -> int:
    """Execute the notebooks in order; return 0 if all ran, 1 otherwise (after writing the summary)."""
    from tqdm.auto import tqdm

    profile = get_profile(profile).name
    os.environ["COURSE_PROFILE"] = profile  # the kernels inherit it
    root = project_root() or Path.cwd()
    out = Path(out_dir) if Path(out_dir).is_absolute() else root / out_dir
    todo = notebooks(root, only)
    if not todo:
        print("error: no notebooks matched; run from the repository (notebooks/NN_name.ipynb)")
        return 2
    timeout = 600 if profile == "quick" else 6 * 3600
    runs = []
    for path in tqdm(todo, desc=f"Executing notebooks ({profile})", unit="nb"):
        target = path if inplace else out / path.name
        ok, seconds, error = execute(path, target, timeout)
        runs.append({"notebook": path.name, "ok": ok, "seconds": round(seconds, 1), "error": error})
        tqdm.write(f"{'ok    ' if ok else 'FAILED'} {path.name} ({seconds:.0f} s){'' if ok else ': ' + error}")
    summary, table = summarise(course_home(), profile, runs)  # where the notebooks' runs were recorded
    summary["machine"] = machine_info()
    write_json_atomic(out / "summary.json", summary)
    if all(r["ok"] for r in runs) and not only:
        print(f"timings recorded in {_shown(record_times(out, profile, runs), root)} "
              "(maintainers: python3 tasks.py record-times makes them the committed ones)")
    write_text_atomic(out / "summary.md", table)
    print(f"\n{table}\nExecuted notebooks and the summary are in {_shown(out, root)}/")
    return 0 if all(r["ok"] for r in runs) else 1
