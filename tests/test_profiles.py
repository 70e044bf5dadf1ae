"""The quick/full switch: one environment variable, one CLI flag, and no silent defaults."""
from __future__ import annotations

import subprocess
import sys

import pytest

from course_utils.core.profiles import PROFILES, ProfileError, get_profile


def test_default_is_quick():
    assert get_profile().name == "quick"
    assert get_profile().data == "sample" and get_profile().epochs <= 2


def test_environment_variable_selects_full(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    profile = get_profile()
    assert profile.name == "full" and profile.epochs == 20 and profile.data == "full"


def test_argument_beats_environment(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert get_profile("quick").name == "quick"


@pytest.mark.parametrize("name", ["fast", "ful", "FULL "])
def test_unknown_profile_is_an_error(name, monkeypatch):
    if name.strip().lower() in PROFILES:  # case and spaces are forgiven, typos are not
        assert get_profile(name).name == "full"
        return
    monkeypatch.setenv("COURSE_PROFILE", name)
    with pytest.raises(ProfileError, match="unknown profile .* choose one of quick, full"):
        get_profile()


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
