"""Exit codes of the commands a student or a maintainer types: tasks.py, the series runner and the course CLI."""
from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from shared import ROOT


def _tasks(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tasks.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_tasks_without_a_known_job_prints_its_usage_and_exits_2():
    for args in ([], ["no-such-job"]):
        done = _tasks(*args)
        assert done.returncode == 2 and "python3 tasks.py series" in done.stderr, args


@pytest.mark.parametrize("args, message", [(["--backend", "theano"], "--backend 'theano': choose one of"),
                                           (["--jobs", "0"], "--jobs '0': give a whole number")])
def test_tasks_refuses_a_bad_option_in_one_line(args, message):
    import importlib.util

    spec = importlib.util.spec_from_file_location("tasks_module", ROOT / "tasks.py")
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    with pytest.raises(SystemExit) as stopped:
        tasks._split_backend(args)
    assert message in str(stopped.value.code) and "\n" not in str(stopped.value.code)


def test_the_series_runner_exits_2_when_no_notebook_matches_and_1_when_one_fails(tmp_path, monkeypatch, capsys):
    from workshop import series

    monkeypatch.chdir(ROOT)
    assert series.run_series(profile="quick", out_dir=tmp_path / "none", only=["99"]) == 2
    assert "no notebooks matched" in capsys.readouterr().out

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("raise ValueError('planted')")]
    (tmp_path / "notebooks").mkdir()
    nbformat.write(notebook, tmp_path / "notebooks" / "01_broken.ipynb")
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    assert series.run_series(profile="quick", out_dir=tmp_path / "out") == 1
    out = capsys.readouterr().out
    assert "FAILED 01_broken.ipynb" in out and "planted" in out
    assert (tmp_path / "out" / "01_broken.ipynb").exists()  # saved even though it failed


# ---- the course CLI's profile handling (moved from test_profiles.py)
def run_cli(*args, env_profile=None):
    env = {"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"}
    if env_profile:
        env["COURSE_PROFILE"] = env_profile
    return subprocess.run([sys.executable, "-m", "course_utils", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_cli_lists_profiles():
    out = run_cli("profiles")
    assert out.returncode == 0 and "quick" in out.stdout and "full" in out.stdout


def test_cli_flag_rejects_unknown_profile_in_one_line():
    out = run_cli("reproduce", "baseline", "--profile", "medium")
    assert out.returncode == 2
    assert out.stderr.strip() == ("error: unknown profile 'medium': choose one of quick, full "
                                  "(set COURSE_PROFILE or pass --profile)")


def test_cli_rejects_unknown_profile_from_environment():
    out = run_cli("reproduce", "baseline", env_profile="turbo")
    assert out.returncode == 2 and "unknown profile 'turbo'" in out.stderr
