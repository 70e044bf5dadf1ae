"""No home folder and paths that are not UTF-8: the package still starts, and a user's mistake ends in one line.

Some containers run Python with no ``HOME`` and no passwd entry for the user, where ``Path.home()``
raises; a folder name may hold bytes that are not UTF-8. Both ended in raw tracebacks before.
"""
from __future__ import annotations

import os
import pwd
import subprocess
import sys
import tempfile

import pytest

from course_utils.core import course_home, user_home

NO_PASSWD_ENTRY = '''
import pwd


def _no_entry(uid):
    raise KeyError(f"getpwuid(): uid not found: {uid}")


pwd.getpwuid = _no_entry
'''
LEFT_OUT = ("HOME", "COURSE_UTILS_CACHE", "KERAS_HOME", "KERAS_BACKEND", "JAX_COMPILATION_CACHE_DIR")


@pytest.fixture
def homeless_env(tmp_path):
    """The environment of a process with no HOME and no user entry: ``Path.home()`` raises there."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(NO_PASSWD_ENTRY)
    env = {k: v for k, v in os.environ.items() if k not in LEFT_OUT}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(shim), os.environ.get("PYTHONPATH")) if p)
    probe = subprocess.run([sys.executable, "-c", "import pathlib; pathlib.Path.home()"], env=env,
                           capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert "Could not determine home directory" in probe.stderr, "the shim did not take away the home"
    return env


@pytest.fixture
def no_home(monkeypatch):
    """This process without a home, as in ``homeless_env``."""
    import keras  # noqa: F401 - imported without a home, TensorFlow would write ./~/.keras here

    monkeypatch.delenv("HOME", raising=False)

    def no_entry(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")
    monkeypatch.setattr(pwd, "getpwuid", no_entry)


@pytest.mark.parametrize("backend", [None, "jax"])
@pytest.mark.parametrize("command", [["-c", "import course_utils"], ["-m", "course_utils", "--help"],
                                     ["-m", "course_utils", "profiles"]], ids=["import", "help", "profiles"])
def test_the_package_and_the_cli_start_with_no_home(homeless_env, tmp_path, command, backend):
    """With no backend set, ``import course_utils`` reads Keras's settings from its home; with JAX, it
    also puts the compilation cache beside the data cache: neither may need a home."""
    env = {**homeless_env, **({"KERAS_BACKEND": backend} if backend else {})}
    result = subprocess.run([sys.executable, *command], capture_output=True, text=True, env=env,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    if command[-1] == "profiles":
        assert "quick" in result.stdout


def test_keras_settings_stay_out_of_the_working_folder_with_no_home(homeless_env, tmp_path):
    """TensorFlow's bundled Keras, imported with no home, made a folder named ``~`` in the working folder."""
    env = {**homeless_env, "KERAS_BACKEND": "tensorflow"}
    code = "from course_utils.core.startup import before_keras; before_keras(); import keras"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "~").exists()


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_importing_the_package_changes_no_environment_variable(homeless_env, tmp_path, backend):
    """``import course_utils`` (and a name from it) leaves os.environ as it found it; ``setup()`` and the
    command line make Keras's and JAX's settings by a call."""
    code = ("import os, json; before = dict(os.environ); import course_utils; course_utils.check; "
            "print(json.dumps(sorted(set(os.environ.items()) ^ set(before.items()))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**homeless_env, "KERAS_BACKEND": backend}, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"importing course_utils changed {result.stdout.strip()}"


def test_a_path_that_needs_a_home_ends_in_one_line(no_home, capsys):
    from course_utils import cli

    code = cli.main(["reproduce", "baseline", "--profile", "quick", "--data", "~/cifar-10-python.tar.gz"])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert code == 3 and len(lines) == 1, lines
    assert "~/cifar-10-python.tar.gz" in lines[0] and "HOME" in lines[0] and "COURSE_HOME" in lines[0]


def test_a_course_home_with_a_tilde_and_no_home_names_the_fix(no_home, monkeypatch):
    monkeypatch.setenv(course_home.ENV_HOME, "~/course")
    with pytest.raises(user_home.NoHomeError, match="set HOME"):
        course_home.course_home()
    assert user_home.user_home() is None
    monkeypatch.delenv(user_home.ENV_CACHE)
    assert user_home.cache_dir().is_relative_to(tempfile.gettempdir())  # the data cache does without one


# --------------------------------------------------------------------------- a path that is not UTF-8
def test_a_path_that_is_not_utf8_ends_in_one_clear_line(tmp_path, capsys):
    """``--data`` names a real folder whose name holds the byte 0xff (Python decodes it to U+DCFF)."""
    from course_utils import cli

    folder = tmp_path / os.fsdecode(b"data\xff")
    folder.mkdir()
    (folder / "notes.txt").write_text("not CIFAR-10")
    code = cli.main(["reproduce", "baseline", "--profile", "quick", "--data", str(folder)])
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert "data\\xff" in lines[0], lines  # the byte as it is on disk, not Python's U+DCFF stand-in
    (out + err).encode("utf-8")  # printable on any UTF-8 terminal, however strict


def test_a_path_that_is_not_utf8_is_printable(tmp_path):
    from course_utils.data.loading import display_path

    shown = display_path(tmp_path / os.fsdecode(b"data\xff") / "cifar-10-batches-py")
    assert shown.endswith("data\\xff/cifar-10-batches-py") and shown.encode("utf-8")
