"""Each notebook's header states the time the series runner measured, in both profiles, not a typed one."""
from __future__ import annotations

from pathlib import Path

import pytest

from workshop.times import _wrap, load_records, time_sentence
from shared import ROOT, run_where_the_locale_is_ascii

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


# The small pieces of the sentence, each checked against values worked out by hand.

def _record(profile, date="2026-12-05", cpus=2, accelerator="cpu", notebooks=None):
    return {"profile": profile, "date": date, "machine": {"cpus": cpus, "accelerator": accelerator},
            "notebooks": notebooks if notebooks is not None else {"02_baseline": 14.0}}


@pytest.mark.parametrize("seconds, text", [(14.0, "14 s"), (89.4, "89 s"), (89.6, "90 s"), (90.0, "2 min"),
                                           (149.0, "2 min"), (151.0, "3 min"), (600.0, "10 min")])
def test_durations_are_seconds_below_a_minute_and_a_half_then_minutes(seconds, text):
    from workshop.times import _duration

    assert _duration(seconds) == text


def test_a_sentence_names_each_machine_and_date_once():
    same = {"quick": _record("quick"), "full": _record("full", notebooks={"02_baseline": 600.0})}
    assert time_sentence("02_baseline", same) == (
        "**Time:** 14 s in the quick profile and 10 min in the full profile once its runs exist (measured by the "
        "series runner on 2 CPU cores, 2026-12-05).")
    apart = {"quick": _record("quick"),
             "full": _record("full", date="2026-12-01", accelerator="NVIDIA H100", notebooks={"02_baseline": 95.0})}
    assert time_sentence("02_baseline", apart).endswith(
        "(measured by the series runner on 2 CPU cores, 2026-12-05, and on one NVIDIA H100, 2026-12-01).")
    assert "2 min in the full profile" in time_sentence("02_baseline", apart)


def test_a_machine_recorded_before_accelerators_were_is_a_cpu():
    older = {"quick": _record("quick"), "full": _record("full")}
    del older["quick"]["machine"]["accelerator"], older["full"]["machine"]["accelerator"]
    assert time_sentence("02_baseline", older).endswith("(measured by the series runner on 2 CPU cores, 2026-12-05).")


def test_no_sentence_while_a_profile_lacks_the_notebook():
    quick_only = {"quick": _record("quick")}
    assert time_sentence("02_baseline", quick_only) is None
    assert time_sentence("02_baseline", {"full": _record("full")}) is None
    assert time_sentence("02_baseline", {"quick": {"date": "2026-12-05"}, "full": _record("full")}) is None
    assert time_sentence("02_baseline", {**quick_only, "full": _record("full", notebooks={})}) is None
    assert time_sentence("03_deeper", {"quick": _record("quick"), "full": _record("full")}) is None


def test_wrapped_lines_stay_within_the_width_and_keep_every_word():
    sentence = " ".join(f"w{i}" * (i % 7 + 1) for i in range(60))
    lines = _wrap(sentence, width=30).split("\n# ")
    assert all(len(line) <= 30 for line in lines)
    assert " ".join(lines).split() == sentence.split()
    # greedy: no line could have taken the next line's first word
    assert all(len(a) + 1 + len(b.split()[0]) > 30 for a, b in zip(lines, lines[1:]))
    assert len(_wrap("a " * 49 + "a").split("\n")) == 2  # 99 characters at the default width of 98


def test_a_header_without_the_sentence_gets_it_before_the_hand_written_rest(tmp_path):
    from workshop.times import write_header_times
    from course_utils.core.atomic import write_json_atomic

    for profile in ("quick", "full"):
        write_json_atomic(tmp_path / "results" / "series" / f"{profile}.json", _record(profile))
    (tmp_path / "notebooks").mkdir()
    first = tmp_path / "notebooks" / "01_explore_data.py"  # no record of it: left alone, and the next is written
    first.write_text("# **Time:** by hand.\n", encoding="utf-8")
    script = tmp_path / "notebooks" / "02_baseline.py"
    later = "#\n# ## Exercise\n#\n# **Time:** about 10 minutes.\n"  # a second '**Time:**' is not the header's
    script.write_text("# # Baseline\n#\n# **Time:** the full run needs the real data.\n" + later, encoding="utf-8")
    assert write_header_times(tmp_path) == [script]
    sentence = time_sentence("02_baseline", load_records(tmp_path))
    assert script.read_text(encoding="utf-8") == (
        "# # Baseline\n#\n# " + _wrap(sentence) + "\n# the full run needs the real data.\n" + later)
    assert first.read_text(encoding="utf-8") == "# **Time:** by hand.\n"


def test_only_the_headers_sentence_is_rewritten(tmp_path):
    """A later cell that quotes a measured sentence (another notebook's, say) keeps its words."""
    from workshop.times import write_header_times
    from course_utils.core.atomic import write_json_atomic

    for profile in ("quick", "full"):
        write_json_atomic(tmp_path / "results" / "series" / f"{profile}.json", _record(profile))
    (tmp_path / "notebooks").mkdir()
    quoted = ("# Notebook 04's header reads: **Time:** 4 min in the quick profile and 2 min in the full profile "
              "once its runs exist (measured by the series runner on 2 CPU cores, 2026-12-01).\n")
    stale = quoted.replace("# Notebook 04's header reads: ", "# ")
    script = tmp_path / "notebooks" / "02_baseline.py"
    script.write_text("# # Baseline\n#\n" + stale + "#\n" + quoted, encoding="utf-8")
    assert write_header_times(tmp_path) == [script]
    sentence = time_sentence("02_baseline", load_records(tmp_path))
    assert script.read_text(encoding="utf-8") == "# # Baseline\n#\n# " + _wrap(sentence) + "\n#\n" + quoted


def test_a_record_holds_the_run_and_refuses_the_sample_in_the_full_profile(tmp_path, monkeypatch):
    import json
    from datetime import datetime as real_datetime, timezone

    from course_utils.data import loading
    from workshop import times

    class Clock(real_datetime):
        """Late on 31 December in UTC, already 1 January where the machine is: the record takes UTC."""
        @classmethod
        def now(cls, tz=None):
            utc = real_datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)
            return utc if tz is timezone.utc else real_datetime(2027, 1, 1, 9, 30)

    sample, asked = loading.load_dataset("sample", progress=False), []
    monkeypatch.setattr(loading, "load_dataset", lambda **kwargs: asked.append(kwargs) or sample)
    monkeypatch.setattr(times, "datetime", Clock)
    written = times.record_times(tmp_path, "quick", [{"notebook": "02_baseline.ipynb", "seconds": 13.8},
                                                     {"notebook": "03_deeper.ipynb", "seconds": 17.4}])
    assert asked == [{"profile": "quick", "progress": False}]
    assert written == tmp_path / "times-quick.json"
    record = json.loads(written.read_text())
    assert record["profile"] == "quick" and record["date"] == "2026-12-31"
    assert record["notebooks"] == {"02_baseline": 13.8, "03_deeper": 17.4}
    assert record["data"] == sample.describe() and record["machine"]["cpus"] >= 1
    # the full profile that fell back to the sample, as it does offline, is refused with the fix named
    refusal = r"^the full profile ran on the bundled sample \(no CIFAR10_DIR\?\): its times are not recorded$"
    with pytest.raises(ValueError, match=refusal):
        times.record_times(tmp_path, "full", [])
    assert asked[-1] == {"profile": "full", "progress": False}
    assert not (tmp_path / "times-full.json").exists()


def test_recording_copies_each_profile_and_needs_a_series_run(tmp_path):
    import json

    from workshop.times import record_from_build
    from course_utils.core.atomic import write_json_atomic

    with pytest.raises(ValueError, match="no series record in"):
        record_from_build(tmp_path, tmp_path / "build")
    write_json_atomic(tmp_path / "build" / "times-quick.json", _record("quick"))
    write_json_atomic(tmp_path / "build" / "times-full.json", _record("full"))
    written = record_from_build(tmp_path, tmp_path / "build")
    assert written == [tmp_path / "results" / "series" / "full.json", tmp_path / "results" / "series" / "quick.json"]
    assert json.loads(written[1].read_text()) == _record("quick")


def test_the_times_are_written_where_the_locale_is_not_utf8(tmp_path):
    """The scripts hold non-ASCII text; where the locale's encoding is not UTF-8 they are rewritten the same."""
    import shutil

    from workshop.times import write_header_times

    assert any(ord(ch) > 127 for script in SCRIPTS for ch in script.read_text(encoding="utf-8"))
    for copy in ("here", "there"):
        shutil.copytree(ROOT / "results" / "series", tmp_path / copy / "results" / "series")
        (tmp_path / copy / "notebooks").mkdir()
        for script in SCRIPTS:  # stale sentences, so that each script is read and written again
            text = script.read_text(encoding="utf-8").replace("**Time:** ", "**Time:** 1 minute. ", 1)
            (tmp_path / copy / "notebooks" / script.name).write_text(text, encoding="utf-8")
    changed = write_header_times(tmp_path / "here")  # in this process too, so mutmut knows the test
    assert len(changed) == len(SCRIPTS)
    printed = run_where_the_locale_is_ascii("import sys; from pathlib import Path; "
                                            "from workshop.times import write_header_times; "
                                            "print(len(write_header_times(Path(sys.argv[1]))))", str(tmp_path / "there"))
    assert printed.strip() == str(len(SCRIPTS))
    for script in SCRIPTS:
        name = Path("notebooks") / script.name
        assert (tmp_path / "there" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), script.name
