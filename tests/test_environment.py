"""The environment jobs run in: environment.yml and pip install the same thing; tasks.py's test runs and allocator."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from shared import ROOT



def load():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    return project, env


def test_conda_supplies_only_python_and_pip():
    _, env = load()
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert sorted(re.split(r"[=<>]", d)[0] for d in conda) == ["pip", "python"], \
        "libraries belong in pyproject.toml, not environment.yml"


def test_python_version_is_one_the_project_supports():
    project, env = load()
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    version = python.split("=")[1]
    assert project["requires-python"] == ">=3.11,<3.14" and version in ("3.11", "3.12", "3.13")
    assert "(3, 11), (3, 12), (3, 13)" in (ROOT / "tasks.py").read_text()


def test_pip_section_installs_the_project_with_the_same_extras_as_tasks_py():
    _, env = load()
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip == ["--editable .[dev]"]
    tasks = (ROOT / "tasks.py").read_text()
    assert 'EXTRAS = "dev"' in tasks


def test_every_dependency_has_a_tested_range():
    project, _ = load()
    deps = project["dependencies"] + project["optional-dependencies"]["notebooks"] + \
        [d for d in project["optional-dependencies"]["dev"] if not d.startswith("course-utils")]
    for dep in deps:
        assert ">=" in dep and "<" in dep.split(">=")[1], f"{dep} needs a lower and an upper bound"
    names = {re.split(r"[<>=\[ ]", d)[0] for d in deps}
    for needed in ("tensorflow", "keras", "numpy", "matplotlib", "jupyterlab", "nbval", "jupytext", "pytest"):
        assert needed in names


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 tasks.py test" in readme and "python3 tasks.py series" in readme
    lines = ci.strip().splitlines()
    assert "python3 tasks.py test" in lines
    after = "\n".join(lines[lines.index("python3 tasks.py test") + 1:])
    assert "git status --porcelain" in after and "exit 1" in after, "CI must fail when the suite leaves the tree dirty"


def _tasks():
    import importlib.util

    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    return tasks


def test_every_test_module_says_whether_a_second_backend_reruns_it():
    """tasks.py test --backend jax reruns BACKEND_TESTS; a new module must be put in one of the two lists."""
    tasks = _tasks()
    modules = {p.name for p in (ROOT / "tests").glob("test_*.py")}
    rerun, free = set(tasks.BACKEND_TESTS), set(tasks.BACKEND_FREE_TESTS)
    assert not rerun & free, f"in both lists: {sorted(rerun & free)}"
    assert rerun | free == modules, (f"not classified in tasks.py: {sorted(modules - rerun - free)}; "
                                     f"listed but missing: {sorted((rerun | free) - modules)}")


def test_every_notebook_runs_once_per_backend_and_the_chained_ones_in_order():
    """tasks.py test runs the notebooks that reuse each other's runs in one pytest run, in order, and
    the rest in another; none may be left out or run twice, and JAX's must exist."""
    tasks = _tasks()
    notebooks = sorted(p.name.replace(".py", ".ipynb") for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    runs = [command[-1][command[-1].index("--durations=20") + 1:] for _, command, _, _ in tasks._streams("tensorflow", [])
            if not any(path.startswith("tests/") for path in command[-1])]
    named = [Path(path).name for run in runs for path in run]
    assert sorted(named) == notebooks, f"run twice or left out: {sorted(set(named) ^ set(notebooks))}"
    assert [Path(p).name for p in runs[0]] == list(tasks.CHAINED_NOTEBOOKS)
    assert list(tasks.CHAINED_NOTEBOOKS) == sorted(tasks.CHAINED_NOTEBOOKS)  # a notebook runs after those it reuses
    assert tasks.BACKEND_NOTEBOOKS == ("02_baseline.ipynb",)  # on JAX in CI, and --backend NAME
    streams = tasks._streams("jax", [])
    assert [name for name, _, _, _ in streams] == ["jax notebooks 02", "jax unit tests"]
    assert [Path(p).name for p in streams[0][1][-1] if p.endswith(".ipynb")] == list(tasks.BACKEND_NOTEBOOKS)


def test_ci_runs_every_test_module_on_tensorflow_and_the_keras_ones_on_jax():
    """The CI schedule (no --backend): each TensorFlow test module in exactly one run, BACKEND_TESTS
    again on JAX, the site built before the run that reads it, and the runs longest expected first."""
    tasks = _tasks()
    streams = tasks._schedule(["tensorflow", "jax"], [])
    modules = {backend: sorted(Path(p).name for _, commands, env, _ in streams if env["KERAS_BACKEND"] == backend
                               for p in commands[-1] if p.startswith("tests/"))
               for backend in ("tensorflow", "jax")}
    assert modules["tensorflow"] == sorted(p.name for p in (ROOT / "tests").glob("test_*.py"))
    assert modules["jax"] == sorted(tasks.BACKEND_TESTS)
    site = next(commands for _, commands, _, _ in streams if "tests/test_site.py" in commands[-1])
    assert site[0][-2:] == ["workshop", "site"]
    expected = [seconds for _, _, _, seconds in streams]
    assert expected == sorted(expected, reverse=True)


def test_jobs_and_backends_are_read_from_the_command_line():
    tasks = _tasks()
    assert tasks._split_backend(["--backend", "jax", "-x"]) == (["jax"], ["-x"], tasks.WORKERS)
    assert tasks._split_backend(["--jobs=3"]) == ([], [], 3)
    assert tasks._split_backend(["--one-at-a-time"]) == ([], [], 0)
    with pytest.raises(SystemExit, match="--jobs 'two'"):
        tasks._split_backend(["--jobs", "two"])


def test_jobs_use_tcmalloc_where_the_loader_finds_it_and_never_override_a_preload(monkeypatch):
    tasks = _tasks()
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    monkeypatch.setattr(tasks, "fast_malloc", lambda: tasks.FAST_MALLOC)
    assert tasks.job_env()["LD_PRELOAD"] == "libtcmalloc_minimal.so.4"
    monkeypatch.setenv("LD_PRELOAD", "")  # the user's own choice, an empty one included
    assert tasks.job_env()["LD_PRELOAD"] == ""
    monkeypatch.delenv("LD_PRELOAD")
    monkeypatch.setattr(tasks, "fast_malloc", lambda: None)
    assert "LD_PRELOAD" not in tasks.job_env()


def test_a_job_process_runs_on_tcmalloc_exactly_when_it_is_installed(monkeypatch):
    """CI installs it (.ci/run); a machine without it runs on glibc's malloc, and the job says so."""
    tasks = _tasks()
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    if not sys.platform.startswith("linux"):
        assert tasks.fast_malloc() is None and "LD_PRELOAD" not in tasks.job_env()
        return
    maps = subprocess.run([sys.executable, "-c", "print(open('/proc/self/maps').read())"], env=tasks.job_env(),
                          capture_output=True, text=True, check=True).stdout
    assert ("libtcmalloc_minimal" in maps) == (tasks.fast_malloc() is not None)
    if "CI" in os.environ:
        assert tasks.fast_malloc() is not None, ".ci/run installs libtcmalloc-minimal4"


def test_each_job_says_which_allocator_its_processes_use(monkeypatch, capsys):
    tasks = _tasks()
    monkeypatch.setattr(tasks.sys, "platform", "linux")
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    monkeypatch.setattr(tasks, "fast_malloc", lambda: tasks.FAST_MALLOC)
    tasks.say_allocator(tasks.job_env())
    monkeypatch.setattr(tasks, "fast_malloc", lambda: None)
    tasks.say_allocator(tasks.job_env())
    monkeypatch.setenv("LD_PRELOAD", "")
    tasks.say_allocator(tasks.job_env())
    assert capsys.readouterr().out.splitlines() == [
        "memory allocator: tcmalloc (LD_PRELOAD=libtcmalloc_minimal.so.4)",
        "memory allocator: glibc's malloc; with tcmalloc (Debian and Ubuntu: apt install libtcmalloc-minimal4) "
        "training is faster (benchmarks/README.md)",
        "memory allocator: LD_PRELOAD='', as set before this job"]


def test_the_allocator_benchmark_says_in_one_line_when_tcmalloc_is_missing(monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("allocator_benchmark", ROOT / "benchmarks" / "allocator.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    monkeypatch.setattr(benchmark, "fast_malloc", lambda: None)
    with pytest.raises(SystemExit, match=r"finds no libtcmalloc_minimal\.so\.4: install it .*apt install "
                                         r"libtcmalloc-minimal4\), then run this again"):
        benchmark.main(["--pairs", "1"])


def test_the_readme_is_a_front_door_and_the_maintainers_notes_live_elsewhere():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme) <= 10_000, f"README.md has {len(readme):,} characters (at most 10,000): move detail to CONTRIBUTING.md"
    assert "CONTRIBUTING.md" in readme
    for page in ("CONTRIBUTING.md", "benchmarks/README.md"):
        assert (ROOT / page).is_file(), page
