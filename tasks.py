#!/usr/bin/env python3
"""Set-up and the two jobs of this repository, with nothing but Python (3.11, 3.12 or 3.13) installed.

    python3 tasks.py series    # run the notebook series headless (quick profile, bundled data)
    python3 tasks.py test      # what CI runs: the whole suite, notebooks included, on TensorFlow, and the
                               # Keras-using tests and notebook 02 again on JAX
    python3 tasks.py test --backend jax         # one backend only, notebook 02 on it (--backend torch
                                                # first installs PyTorch)
    python3 tasks.py test tests/test_data.py  # chosen tests only (on TensorFlow unless --backend says)
    python3 tasks.py test --one-at-a-time     # the runs in turn, output live (the default runs two at once)
    python3 tasks.py test --jobs 3            # three runs at once

Maintainers (CONTRIBUTING.md):
    python3 tasks.py record-times  # make the last complete series run's times the committed record
    python3 tasks.py export    # after editing a notebook cell marked #@save: regenerate the package's copy
    python3 tasks.py editions  # write the student and the instructor edition under build/
    python3 tasks.py site      # build the course website (student edition, offline) into build/site/
    python3 tasks.py check-latest  # newest release of every dependency in a throw-away venv, then the tests
    python3 tasks.py check-bare-jupyter  # notebook 02 on a fresh Jupyter that installs the course itself (Colab's path)
    python3 tasks.py wheel-files   # the files of the wheel a student installs (CONTRIBUTING.md lists them)
    python3 tasks.py mutate        # mutation testing of the quick-to-test modules; survivors in build/

Each job creates ./.venv on first use and installs the project into it; later runs reuse it and
reinstall only when pyproject.toml changed. Extra arguments go to the job (e.g. --profile full).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
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
    if sys.version_info[:2] not in ((3, 11), (3, 12), (3, 13)):
        sys.exit(f"error: Python {sys.version.split()[0]} found; this course needs Python 3.11, 3.12 or 3.13 "
                 "(TensorFlow has no wheels for others): run this script with python3.11")
    python = ".".join(map(str, sys.version_info[:2]))
    wanted = f"{hashlib.sha256((ROOT / 'pyproject.toml').read_bytes()).hexdigest()} python{python}"
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not PYTHON.exists() or STAMP.exists() and not STAMP.read_text().strip().endswith(f" python{python}"):
        print(f"Creating the virtual environment {VENV.name}/ with Python {python} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("Installing the course and its dependencies (first time: a few minutes) ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(pip + ["install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run(pip + ["install", "--quiet", "--editable", f".[{EXTRAS}]"], check=True, cwd=ROOT)
    STAMP.write_text(wanted + "\n")


# Google's tcmalloc, where the system has it (Debian and Ubuntu: apt install libtcmalloc-minimal4), takes
# the place of glibc's malloc in every process a job starts: glibc's returns memory to the kernel so
# eagerly that training spends much of its time in page faults (benchmarks/allocator.py measures it).
# A LD_PRELOAD of your own, even an empty one, is left alone.
FAST_MALLOC = "libtcmalloc_minimal.so.4"


def fast_malloc() -> str | None:
    """tcmalloc's library name if the dynamic loader can find it (Linux only), else None."""
    if not sys.platform.startswith("linux"):
        return None
    from ctypes.util import find_library  # reads the loader's cache; loads nothing

    return FAST_MALLOC if find_library("tcmalloc_minimal") == FAST_MALLOC else None


def job_env() -> dict:
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")  # the notebook kernel is this venv's python
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("PYTHONUNBUFFERED", "1")
    if "LD_PRELOAD" not in env and (library := fast_malloc()):
        env["LD_PRELOAD"] = library
        env.setdefault("TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD", str(1 << 40))  # no note on stderr for big arrays
    return env


def say_allocator(env: dict) -> None:
    """One line: which memory allocator the job's processes use."""
    if "LD_PRELOAD" in os.environ:
        print(f"memory allocator: LD_PRELOAD={os.environ['LD_PRELOAD']!r}, as set before this job", flush=True)
    elif env.get("LD_PRELOAD") == FAST_MALLOC:
        print(f"memory allocator: tcmalloc (LD_PRELOAD={FAST_MALLOC})", flush=True)
    elif sys.platform.startswith("linux"):
        print("memory allocator: glibc's malloc; with tcmalloc (Debian and Ubuntu: apt install libtcmalloc-minimal4) "
              "training is faster (benchmarks/README.md)", flush=True)


def workshop(command: str, args: list[str], env: dict | None = None) -> int:
    """``python -m workshop COMMAND ARGS`` in the venv (the maintainers' package; see workshop/cli.py)."""
    return subprocess.call([str(PYTHON), "-m", "workshop", command, *args], cwd=ROOT, env=env or job_env())


def run_series(args: list[str]) -> int:
    env = job_env()
    say_allocator(env)
    return workshop("series", args, env)


def run_record_times(args: list[str]) -> int:
    return workshop("times", ["--record", *args])


def run_editions(args: list[str]) -> int:
    return workshop("editions", args)


def run_site(args: list[str]) -> int:
    return workshop("site", args)


def wheel_files() -> list[str]:
    """The files of the course's wheel, built afresh into build/wheel (what ``pip install`` of it brings)."""
    import zipfile

    out = ROOT / "build" / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([str(PYTHON), "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(ROOT)], check=True)
    wheel = next(out.glob("course_utils-*.whl"))
    return sorted(name for name in zipfile.ZipFile(wheel).namelist() if ".dist-info/" not in name)


def run_mutate(args: list[str]) -> int:
    """mutmut over the modules ``[tool.mutmut]`` names, in a copy of the tracked files under build/mutate
    (mutmut writes its mutants/ where it runs); every surviving mutant's diff goes to
    build/mutate-survivors.txt, and the score is printed."""
    work = ROOT / "build" / "mutate"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, work / name)
    env = {**job_env(), "COURSE_PROFILE": "quick"}
    mutmut = str(BIN / "mutmut")
    subprocess.call([mutmut, "run", *args], cwd=work, env=env, stdout=subprocess.DEVNULL)
    listing = subprocess.run([mutmut, "results", "--all", "true"], cwd=work, env=env, capture_output=True,
                             text=True).stdout
    states = [line.rsplit(": ", 1) for line in listing.splitlines() if ": " in line]
    survived = [name.strip() for name, state in states if state.strip() == "survived"]
    killed = sum(state.strip() == "killed" for _, state in states)
    report = [subprocess.run([mutmut, "show", name], cwd=work, env=env, capture_output=True, text=True).stdout
              for name in survived]
    (ROOT / "build" / "mutate-survivors.txt").write_text("\n".join(report))
    others = sorted({state.strip() for _, state in states} - {"killed", "survived"})
    rest = "".join(f"; {sum(s.strip() == state for _, s in states)} {state}" for state in others)
    print(f"mutation score: {killed} of {len(states)} mutants killed; {len(survived)} survived{rest} "
          f"(their diffs: build/mutate-survivors.txt)")
    return 0


def run_wheel_files(args: list[str]) -> int:
    print("\n".join(wheel_files()))
    return 0


BACKENDS = ("tensorflow", "jax", "torch")
# What is run again on every other Keras backend: the unit tests that build, train, save or load
# Keras models or call Keras's data utilities, and the quick profile of the notebook that trains the
# network in view (02). Notebook 04 is not among them: its collapse runs take minutes on JAX and behave
# differently there (the loss is clipped; benchmarks/README.md), and tests/test_collapse.py runs the
# same code on JAX. The other test modules read and write text, JSON and files
# only (or, test_xla_cpu.py and test_data_parallel.py, start their own JAX child whatever the run's
# backend), so a second backend could not change their result; tests/test_environment.py checks that
# every test module is in one list or the other.
BACKEND_TESTS = ("test_augment.py", "test_collapse.py", "test_data.py", "test_experiment.py", "test_figures.py",
                 "test_measurements.py", "test_precision_parallel.py", "test_reliability.py")
BACKEND_FREE_TESTS = ("test_binding.py", "test_claims.py", "test_cli.py", "test_data_errors.py", "test_data_parallel.py", "test_editions.py",
                      "test_environment.py", "test_ethics.py", "test_layout.py", "test_model_cards.py",
                      "test_notebooks.py", "test_profiles.py", "test_quoted_numbers.py", "test_reliability_home.py",
                      "test_report.py", "test_series.py", "test_site.py", "test_stats.py", "test_times.py", "test_xla_cpu.py")
BACKEND_NOTEBOOKS = ("02_baseline.ipynb",)  # on JAX in CI, and with --backend NAME
# Notebooks that reuse each other's runs (03 and 12 reuse 02's and 03's, 04 reuses 03's, 05 all of
# them) run in this order in one pytest run; the others train only their own demos and run beside them.
CHAINED_NOTEBOOKS = ("02_baseline.ipynb", "03_deeper.ipynb", "04_augmented.ipynb", "05_comparison.ipynb",
                     "12_pooling.ipynb")
# Each test run's expected length in seconds, two at a time on a 2-core machine (CONTRIBUTING.md gives
# the measurement): the runs start longest first, each on the first worker to come free.
EXPECTED_SECONDS = {"notebooks chained": 350, "notebooks 02": 30, "unit tests": 290,
                    "site and other tests": 140, "notebooks others": 65}
WORKERS = 2  # test runs at a time (--jobs N); the machine has 2 cores and the runs are CPU-bound


def _split_backend(args: list[str]) -> tuple[list[str], list[str], int]:
    """``--backend NAME`` (repeatable), ``--jobs N`` and ``--one-at-a-time`` out of ``args``.

    The third value is the number of runs at a time; 0 means one at a time with the output live.

    No ``--backend``: an empty list (the caller picks the default).
    """
    backends, rest, jobs, it = [], [], WORKERS, iter(args)
    for arg in it:
        if arg == "--backend" or arg.startswith("--backend="):
            name = arg.split("=", 1)[1] if "=" in arg else next(it, "")
            if name not in BACKENDS:
                sys.exit(f"error: --backend {name!r}: choose one of {', '.join(BACKENDS)}")
            backends.append(name)
        elif arg == "--jobs" or arg.startswith("--jobs="):
            value = arg.split("=", 1)[1] if "=" in arg else next(it, "")
            if not value.isdigit() or int(value) < 1:
                sys.exit(f"error: --jobs {value!r}: give a whole number of test runs at a time, 1 or more")
            jobs = int(value)
        elif arg == "--one-at-a-time":
            jobs = 0  # 0: one at a time, output live
        else:
            rest.append(arg)
    return backends, rest, jobs


def _install_torch() -> None:
    if subprocess.call([str(PYTHON), "-c", "import torch"], stderr=subprocess.DEVNULL) != 0:
        print("Installing PyTorch for --backend torch (large: the index's wheels bring CUDA libraries) ...", flush=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "torch"], check=True)


def _backend_env(backend: str) -> dict:
    """Each backend its own test home (no run is reused across backends) and, for JAX, one
    compilation cache shared by all its test processes, which compile the same networks."""
    home = ROOT / "build" / f"test-home-{backend}"
    return {"KERAS_BACKEND": backend, "COURSE_HOME": str(home), "JAX_COMPILATION_CACHE_DIR": str(home / "jax-compiled")}


Stream = tuple[str, list[list[str]], dict, int]  # name, commands run in turn, environment changes, expected s


def _streams(backend: str, args: list[str]) -> list[Stream]:
    """The test runs of one backend: (name, commands run in turn, environment changes, expected seconds).

    TensorFlow runs every notebook and every test; another backend runs :data:`BACKEND_NOTEBOOKS` and
    :data:`BACKEND_TESTS`.
    """
    pytest = [str(PYTHON), "-m", "pytest", "--durations=20", *args]  # the slowest tests, for whoever trims CI time
    env = _backend_env(backend)
    folder = "build/instructor/notebooks"
    units = (f"{backend} unit tests", [pytest + [f"tests/{name}" for name in BACKEND_TESTS]], env,
             EXPECTED_SECONDS["unit tests"])
    if backend != "tensorflow":
        return [(f"{backend} notebooks {_numbers(BACKEND_NOTEBOOKS)}",
                 [pytest + [f"{folder}/{name}" for name in BACKEND_NOTEBOOKS]], env, EXPECTED_SECONDS["notebooks 02"]),
                units]
    others = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if p.name not in CHAINED_NOTEBOOKS)
    site = [str(PYTHON), "-m", "workshop", "site"]  # tests/test_site.py reads the built site
    return [(f"{backend} notebooks {_numbers(CHAINED_NOTEBOOKS)}",
             [pytest + [f"{folder}/{name}" for name in CHAINED_NOTEBOOKS]], env, EXPECTED_SECONDS["notebooks chained"]),
            units,
            (f"{backend} site and other tests", [site, pytest + [f"tests/{name}" for name in BACKEND_FREE_TESTS]], env,
             EXPECTED_SECONDS["site and other tests"]),
            (f"{backend} notebooks {_numbers(others)}", [pytest + [f"{folder}/{name}" for name in others]], env,
             EXPECTED_SECONDS["notebooks others"])]


def _schedule(backends: list[str], args: list[str]) -> list[Stream]:
    """Every backend's test runs, longest expected first (a stable sort: TensorFlow's first on a tie)."""
    return sorted((stream for backend in backends for stream in _streams(backend, args)),
                  key=lambda s: -s[3])


def _numbers(names) -> str:
    return "+".join(name[:2] for name in names)


def _run_stream(commands: list[list[str]], env: dict, log: Path | None) -> int:
    """Run the commands in turn (stopping at the first failure), into ``log`` or to the terminal."""
    out = open(log, "w") if log else None
    try:
        for command in commands:
            status = subprocess.call(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT if out else None)
            if status:
                return status
        return 0
    finally:
        if out:
            out.close()


def run_tests(args: list[str]) -> int:
    """The test suite on each backend: notebooks and unit tests as separate runs, two at a time.

    CI (no ``--backend``) runs TensorFlow and JAX; ``--backend NAME`` runs the backends named. Each
    backend but TensorFlow runs notebook 02 and the Keras unit tests (CONTRIBUTING.md has
    the measured times).
    ``--jobs N`` runs N at a time; ``--one-at-a-time`` runs them in turn with their output live.
    """
    import time
    from concurrent.futures import ThreadPoolExecutor

    backends, args, jobs = _split_backend(args)
    env = job_env()
    say_allocator(env)
    # Tests and nbval always use the quick profile and the bundled sample, whatever the shell says.
    env["COURSE_PROFILE"] = "quick"
    env.pop("CIFAR10_DIR", None)
    # nbval executes the instructor edition (every cell, solutions included), built afresh first; its
    # runs and results go to build/test-home-*, never into the committed results/.
    if run_editions([]) != 0:
        return 1
    # chosen tests are paths (with an optional ::name); other words are option values, such as -p's
    chosen = [a.split("::")[0] for a in args if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()]
    if chosen:
        if any((ROOT / c).resolve() in (ROOT / "tests", ROOT / "tests" / "test_site.py") for c in chosen) and run_site([]):
            return 1
        status = 0
        for backend in backends or ["tensorflow"]:
            print(f"== chosen tests on the {backend} backend", flush=True)
            status = _run_stream([[str(PYTHON), "-m", "pytest", *args]], {**env, **_backend_env(backend)}, None) or status
        return status
    # CI (no --backend): TensorFlow and JAX. PyTorch's wheels bring several GB of CUDA libraries, so it
    # is run on demand only.
    backends = backends or ["tensorflow", "jax"]
    if "torch" in backends:
        _install_torch()
    for backend in backends:  # the notebooks train afresh, as on CI's clean checkout: no run left from last time
        shutil.rmtree(ROOT / "build" / f"test-home-{backend}", ignore_errors=True)
    streams = _schedule(backends, args)
    logs = ROOT / "build" / "test-logs"
    logs.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    def say(line: str) -> None:  # one write per line: two threads' lines never run into each other
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def run(stream) -> tuple[str, int, float, Path | None]:
        name, commands, changes, _ = stream
        log = None if jobs == 0 else logs / (name.replace(" ", "-") + ".log")
        say(f"== {name}: started" + (f", output in {log.relative_to(ROOT)}" if log else ""))
        begun = time.monotonic()
        status = _run_stream(commands, {**env, **changes}, log)
        say(f"== {name}: {'passed' if status == 0 else 'FAILED'} in {time.monotonic() - begun:.0f} s")
        return name, status, time.monotonic() - begun, log

    with ThreadPoolExecutor(max_workers=jobs or 1) as pool:
        finished = list(pool.map(run, streams))
    for name, status, _, log in finished:
        if log:  # every run's whole output, one after the other, so CI's log reads in order
            print(f"\n======== {name} ({log.relative_to(ROOT)})\n" + log.read_text(errors="replace"), flush=True)
    print("\n".join(f"== {name}: {'passed' if status == 0 else 'FAILED'} in {seconds:.0f} s"
                    for name, status, seconds, _ in finished)
          + f"\n== all test runs: {time.monotonic() - started:.0f} s", flush=True)
    return 1 if any(status for _, status, _, _ in finished) else 0


def run_check_latest(args: list[str]) -> int:
    """The newest release of every dependency, upper bounds ignored, in a throw-away venv; then the tests."""
    import json
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + [d for d in project["optional-dependencies"]["dev"] if "course-utils" not in d]
    wanted += [d for extra in ("notebooks", "site") for d in project["optional-dependencies"][extra]]
    names = sorted({re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0] for d in wanted})
    latest = ROOT / "build" / "latest-venv"
    print(f"Creating {latest.relative_to(ROOT)} with the newest release of: {', '.join(names)}", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(latest)
    python = latest / BIN.name / PYTHON.name
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "install", "--quiet"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    subprocess.run(pip + ["--upgrade", *names], check=True)
    subprocess.run(pip + ["--no-deps", "--editable", "."], check=True, cwd=ROOT)
    versions = subprocess.run([str(python), "-m", "pip", "list", "--format=json"], capture_output=True, text=True,
                              check=True).stdout
    installed = {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(versions)}
    outside = []
    for spec in wanted:
        name = re.split(r"[<>=!~ ;\[]", spec, maxsplit=1)[0]
        upper = re.search(r"<\s*([0-9][0-9.]*)", spec)
        have = installed.get(name.lower().replace("_", "-"), "?")
        if upper and have != "?" and _version(have) >= _version(upper.group(1)):
            outside.append(f"{name} {have} (pyproject.toml allows <{upper.group(1)})")
    print("Newer than pyproject.toml allows: " + ("; ".join(outside) if outside else "nothing"), flush=True)
    env = job_env()
    env.update(PATH=str(python.parent) + os.pathsep + env["PATH"], COURSE_PROFILE="quick",
               COURSE_HOME=str(ROOT / "build" / "test-home-latest"), KERAS_BACKEND="tensorflow")
    env.pop("CIFAR10_DIR", None)
    if subprocess.call([str(python), "-m", "workshop", "editions"], cwd=ROOT, env=env) != 0:
        return 1
    status = subprocess.call([str(python), "-m", "pytest", "-q", "-rf", *(args or ["tests",
                              "build/instructor/notebooks", "--ignore=tests/test_site.py"])], cwd=ROOT, env=env)
    print("check-latest: " + ("every test passed with the newest releases" if status == 0 else
          "failures above; the suspects are the packages newer than pyproject.toml allows: "
          + ("; ".join(outside) or "none (a release inside the ranges broke something)")), flush=True)
    return status


def run_check_bare_jupyter(args: list[str]) -> int:
    """A student edition notebook on a Jupyter that has never seen the course, as on Colab.

    Builds the project's wheel, makes a fresh venv in build/bare-jupyter/ with nothing but Jupyter's
    notebook runner and a kernel, and executes notebook 02 (``--notebook`` picks another) top to
    bottom there in the quick profile, as the student edition runs on Colab once a repository is set:
    its install cell pip-installs the wheel (which brings TensorFlow from the package index: minutes).
    """
    import json

    name = args[args.index("--notebook") + 1] if "--notebook" in args else "02_baseline.ipynb"
    work = ROOT / "build" / "bare-jupyter"
    shutil.rmtree(work, ignore_errors=True)
    (work / "notebook").mkdir(parents=True)
    if run_editions([]) != 0:
        return 1
    print("Building the course's wheel ...", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "wheel"),
                    str(ROOT)], check=True)
    wheel = next((work / "wheel").glob("course_utils-*.whl"))
    print(f"Creating {work.relative_to(ROOT)}/venv with Jupyter's notebook runner and a kernel only ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(work / "venv")
    python = work / "venv" / BIN.name / PYTHON.name
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "nbclient",
                    "nbformat", "ipykernel"], check=True)
    notebook = json.loads((ROOT / "build" / "student" / "notebooks" / name).read_text(encoding="utf-8"))
    # the install cell the student edition gets once a repository is set, with this wheel instead
    first = next(i for i, c in enumerate(notebook["cells"]) if c["cell_type"] == "code")
    notebook["cells"].insert(first, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                                     "source": f'%pip install --quiet "{wheel}"'})
    path = work / "notebook" / name
    path.write_text(json.dumps(notebook), encoding="utf-8")
    env = {"PATH": str(python.parent) + os.pathsep + "/usr/bin:/bin", "HOME": str(work / "home"),
           "COURSE_HOME": str(work / "home"), "COURSE_PROFILE": "quick", "TF_CPP_MIN_LOG_LEVEL": "3"}
    runner = ("import sys, nbformat\nfrom nbclient import NotebookClient\n"
              "nb = nbformat.read(sys.argv[1], as_version=4)\n"
              "NotebookClient(nb, timeout=1800, kernel_name='python3', resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
              "nbformat.write(nb, sys.argv[1])\n"
              "code = [c for c in nb.cells if c.cell_type == 'code']\n"
              "print(''.join(o.get('text', '') for o in code[1].outputs).strip().splitlines()[0])\n")
    print(f"Executing {name} there (quick profile; the first cell installs the wheel) ...", flush=True)
    done = subprocess.run([str(python), "-c", runner, str(path), str(work / "notebook")], env=env, cwd=work / "notebook",
                          capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout + done.stderr[-4000:], file=sys.stderr)
        print(f"check-bare-jupyter: {name} FAILED on a bare Jupyter (executed copy: {path.relative_to(ROOT)})")
        return 1
    first_line = done.stdout.strip().splitlines()[-1]
    print(f"the setup cell said: {first_line}")
    print(f"check-bare-jupyter: {name} ran top to bottom on a bare Jupyter; executed copy: {path.relative_to(ROOT)}")
    return 0


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def run_export(args: list[str]) -> int:
    return workshop("export", args)


JOBS = {"series": run_series, "test": run_tests, "record-times": run_record_times, "export": run_export,
        "editions": run_editions, "site": run_site, "check-latest": run_check_latest,
        "check-bare-jupyter": run_check_bare_jupyter, "wheel-files": run_wheel_files, "mutate": run_mutate}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in JOBS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ensure_venv()
    return JOBS[argv[0]](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
