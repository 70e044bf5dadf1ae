"""glibc's malloc against tcmalloc, on what the course runs: one quick-profile training, whole process.

    python benchmarks/allocator.py                        # TensorFlow and JAX, 5 pairs each
    python benchmarks/allocator.py --backend jax --pairs 3

Each measurement is a fresh ``python -m course_utils reproduce <experiment> --force`` in a throw-away
course home (the quick profile: the bundled sample, 2 epochs), so start-up, compilation, training,
scoring and saving are all in it; JAX's compilation cache is off, so each process compiles. The two
allocators take turns (tcmalloc, glibc, tcmalloc, ...), so a machine that slows down during the call
slows both alike, and the ratio is taken pair by pair. It prints medians of wall time, CPU time (user
and system, from the operating system's accounting of the finished child), peak memory and page
faults (memory the kernel had to map in), and the median ratios. tcmalloc is Debian's and Ubuntu's
``libtcmalloc-minimal4``; ``tasks.py`` preloads it for every job where the loader finds it. Results go
to ``results/benchmarks/allocator-<machine>.json``; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.benchmark import machine_name  # noqa: E402
from tasks import FAST_MALLOC, fast_malloc  # noqa: E402


def measure(backend: str, experiment: str, allocator: str) -> dict:
    """One fresh training process; its wall and CPU seconds and peak memory."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "COURSE_PROFILE", "CIFAR10_DIR")}
    env.update(KERAS_BACKEND=backend, JAX_COMPILATION_CACHE_DIR="", TF_CPP_MIN_LOG_LEVEL="3")
    if allocator == "tcmalloc":
        env.update(LD_PRELOAD=FAST_MALLOC, TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD=str(1 << 40))
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryFile("w+") as out:
        env["COURSE_HOME"] = home
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "course_utils", "reproduce", experiment, "--force"],
                                 cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own accounting, peak memory included
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        printed = out.read()
    if child.returncode:
        sys.exit(f"error: {backend} {experiment} with {allocator} failed:\n{printed[-2000:]}")
    return {"wall_s": round(wall, 2), "user_s": round(usage.ru_utime, 2), "sys_s": round(usage.ru_stime, 2),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mib": round(usage.ru_maxrss / 1024, 1),  # Linux counts it in kB
            "page_faults": usage.ru_minflt,  # memory the kernel had to map in: what glibc's malloc costs
            "last_line": printed.strip().splitlines()[-1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", choices=("tensorflow", "jax"),
                        help="repeatable; default: both")
    parser.add_argument("--experiment", default="deeper", help="what reproduce trains (default: deeper)")
    parser.add_argument("--pairs", type=int, default=5, help="measured pairs per backend (default: 5)")
    args = parser.parse_args(argv)
    if fast_malloc() is None:
        sys.exit(f"error: the dynamic loader finds no {FAST_MALLOC}: install it (Debian and Ubuntu: "
                 "apt install libtcmalloc-minimal4), then run this again")
    report = {"machine": machine_name(), "experiment": args.experiment, "profile": "quick",
              "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "backends": {}}
    for backend in args.backend or ["tensorflow", "jax"]:
        measure(backend, args.experiment, "glibc")  # warm-up, not counted: file caches, the data cache
        runs = {"tcmalloc": [], "glibc": []}
        for i in range(args.pairs):
            for allocator in runs:
                runs[allocator].append(measure(backend, args.experiment, allocator))
                print(f"{backend} pair {i + 1}/{args.pairs} {allocator:8}: {runs[allocator][-1]['wall_s']:6.1f} s wall, "
                      f"{runs[allocator][-1]['cpu_s']:6.1f} s CPU", flush=True)
        medians = {a: {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "user_s", "sys_s", "cpu_s", "peak_mib", "page_faults")}
                   for a, rs in runs.items()}
        ratios = {k: round(statistics.median(t[k] / g[k] for t, g in zip(runs["tcmalloc"], runs["glibc"])), 3)
                  for k in ("wall_s", "cpu_s")}
        report["backends"][backend] = {"runs": runs, "medians": medians, "tcmalloc_over_glibc": ratios}
        print(f"\n{backend}, {args.experiment}, {args.pairs} pairs: median of each")
        print(f"{'':10} {'wall s':>8} {'user s':>8} {'sys s':>8} {'CPU s':>8} {'peak MiB':>9} {'page faults':>12}")
        for allocator, m in medians.items():
            print(f"{allocator:10} {m['wall_s']:8.1f} {m['user_s']:8.1f} {m['sys_s']:8.1f} {m['cpu_s']:8.1f} {m['peak_mib']:9.0f} {m['page_faults']:12,.0f}")
        print(f"tcmalloc / glibc, pair by pair: wall {ratios['wall_s']:.2f}, CPU {ratios['cpu_s']:.2f}\n", flush=True)
    out = ROOT / "results" / "benchmarks" / f"allocator-{report['machine']}.json"
    tmp = out.with_suffix(".json.tmp")
    with open(tmp, "w") as handle:
        json.dump(report, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(out)
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
