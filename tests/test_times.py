"""Each notebook's header states the time the series runner measured, in both profiles, not a typed one."""
from __future__ import annotations

from pathlib import Path

import pytest

from course_utils.course.times import _wrap, load_records, time_sentence

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
# Open work (issue 12): the full-data series is still running; until both records are committed these
# tests report as expected failures instead of hiding. Remove this marker when results/series/ is filled.
pytestmark = pytest.mark.xfail(not (ROOT / "results" / "series" / "full.json").exists(),
                               reason="results/series/full.json not recorded yet (full series run pending)", strict=False)


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
        f"{script.name}: run python -m course_utils times --write"
