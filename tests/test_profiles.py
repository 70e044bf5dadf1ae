"""The quick/full switch: one environment variable, one CLI flag, and no silent defaults."""
from __future__ import annotations


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


def test_a_profile_is_stored_as_json_reads_it_back():
    """Results files store the profile; its pairs become lists, so a stored record reads back equal."""
    import json

    from course_utils.core.profiles import PROFILES

    for profile in PROFILES.values():
        stored = profile.as_dict()
        assert json.loads(json.dumps(stored)) == stored
        assert stored["name"] == profile.name and stored["collapse_epochs"] == list(profile.collapse_epochs)
        assert stored["description"] == profile.description and stored["epochs"] == profile.epochs
