"""Each notebook's header states the time the series runner measured, in both profiles, not a typed one."""
from __future__ import annotations

from pathlib import Path

import pytest

from workshop.times import _wrap, load_records, time_sentence
from shared import ROOT

SCRIPTS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def test_both_profiles_were_measured_on_every_notebook():
    records = load_records(ROOT)
    assert set(records) >= {"quick", "full"}, "run python3 tasks.py series in both profiles to record the times"
    for profile in ("quick", "full"):
        assert set(records[profile]["notebooks"]) == {p.stem for p in SCRIPTS}, profile
    assert "sample" not in records["full"]["data"], "the full profile's times must come from the real data"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_the_header_states_the_measured_time(script):
    sentence = time_sentence(script.stem, load_records(ROOT))
    assert sentence is not None
    assert "# " + _wrap(sentence) in script.read_text(encoding="utf-8"), \
        f"{script.name}: run python -m workshop times --write"


def test_writing_the_times_twice_changes_nothing_the_second_time(tmp_path):
    """The measured sentence is found again however it was wrapped, so a second write replaces it
    instead of adding a copy (it once did: the sentence's words are split over comment lines)."""
    import shutil

    from workshop.times import write_header_times

    shutil.copytree(ROOT / "results" / "series", tmp_path / "results" / "series")
    (tmp_path / "notebooks").mkdir()
    for script in SCRIPTS:
        text = script.read_text(encoding="utf-8")
        (tmp_path / "notebooks" / script.name).write_text(text, encoding="utf-8")
    write_header_times(tmp_path)
    first = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "notebooks").glob("*.py")}
    assert write_header_times(tmp_path) == []
    assert {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "notebooks").glob("*.py")} == first
    assert all(text.count("(measured by") == 1 for text in first.values())


def test_a_stale_header_is_rewritten_and_reported(tmp_path):
    """The writer's first write changes what is stale, and says which scripts it changed."""
    import shutil

    from workshop.times import write_header_times

    shutil.copytree(ROOT / "results" / "series", tmp_path / "results" / "series")
    (tmp_path / "notebooks").mkdir()
    for script in SCRIPTS:
        shutil.copy2(script, tmp_path / "notebooks" / script.name)
    target = tmp_path / "notebooks" / SCRIPTS[0].name
    records = load_records(ROOT)
    right = "# " + _wrap(time_sentence(SCRIPTS[0].stem, records))
    stale = right.replace("in the quick profile", "in the quick profile (stale)", 1)
    target.write_text(target.read_text(encoding="utf-8").replace(right, stale), encoding="utf-8")
    assert stale in target.read_text(encoding="utf-8")
    assert write_header_times(tmp_path) == [target]
    assert right in target.read_text(encoding="utf-8") and "(stale)" not in target.read_text(encoding="utf-8")
