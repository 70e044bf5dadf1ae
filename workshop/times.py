"""How long each notebook takes, as the series runner measured it, written into the notebooks' headers.

    python -m workshop series --profile quick    # records build/series/times-quick.json
    python -m workshop series --profile full     # records build/series/times-full.json (real data only)
    python -m workshop times --record            # copies them to results/series/, rewrites the headers

A complete series run (every notebook, none failed) records each notebook's seconds with the
machine and the date, under ``build/``: running the series never changes a tracked file. A
maintainer makes a record the committed one with ``times --record`` (``python3 tasks.py
record-times``). Each notebook's header then opens its time paragraph with a sentence made from the
committed records, so no time in a header is typed by hand; ``tests/test_times.py`` checks that the
headers say what the records say.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

from course_utils.core.atomic import write_json_atomic, write_text_atomic
from course_utils.core.machine import machine_info

# The sentence as written into a header: wrapped over comment lines, so any run of spaces, line breaks
# and "# " may stand between its words.
SENTENCE = re.compile(r"\*\*Time:\*\*\s.*?\(measured(?:\s|#)+by(?:\s|#)+the(?:\s|#)+series(?:\s|#)+runner[^)]*\)\.",
                      flags=re.S)


def record_times(out: Path, profile: str, runs: list[dict]) -> Path:
    """Write ``out/times-<profile>.json`` from a complete series run; return its path."""
    from course_utils.data.loading import load_dataset

    data = load_dataset(profile=profile, progress=False)
    if profile == "full" and data.kind == "sample":
        raise ValueError("the full profile ran on the bundled sample (no CIFAR10_DIR?): its times are not recorded")
    record = {"profile": profile, "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
              "machine": machine_info(), "data": data.describe(),
              "notebooks": {r["notebook"].removesuffix(".ipynb"): r["seconds"] for r in runs}}
    return write_json_atomic(Path(out) / f"times-{profile}.json", record)


def record_from_build(root: Path, source: Path) -> list[Path]:
    """Make the records a series run left in ``source`` the committed ones; return the files written."""
    found = sorted(Path(source).glob("times-*.json"))
    if not found:
        raise ValueError(f"no series record in {source}: run python3 tasks.py series (both profiles) first")
    written = []
    for path in found:
        record = json.loads(path.read_text())
        written.append(write_json_atomic(root / "results" / "series" / f"{record['profile']}.json", record))
    return written


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def _machine(record: dict) -> str:
    machine = record["machine"]
    accelerator = machine.get("accelerator", "cpu")
    return f"{machine['cpus']} CPU cores" if accelerator == "cpu" else f"one {accelerator}"


def time_sentence(stem: str, records: dict[str, dict]) -> str | None:
    """The measured sentence for notebook ``stem``, or None while a profile has no record of it."""
    quick, full = records.get("quick", {}), records.get("full", {})
    if stem not in quick.get("notebooks", {}) or stem not in full.get("notebooks", {}):
        return None
    where = [f"{_machine(quick)}, {quick['date']}", f"{_machine(full)}, {full['date']}"]
    where = ", and on ".join(dict.fromkeys(where))  # one machine and date named once
    return (f"**Time:** {_duration(quick['notebooks'][stem])} in the quick profile and "
            f"{_duration(full['notebooks'][stem])} in the full profile once its runs exist (measured by the "
            f"series runner on {where}).")


# the measured sentence, its line breaks anywhere: amounts and units, then the cores of the first machine
MEASURED = re.compile(r"\s+".join([r"\*\*Time:\*\*", r"(\d+)", r"(s|min)", "in", "the", "quick", "profile", "and",
                                  r"(\d+)", r"(s|min)", "in", "the", "full", "profile", "once", "its", "runs", "exist",
                                  r"\(measured", "by", "the", "series", "runner", "on", r"(\d+)", r"CPU"]) + r"[^)]*\)\.")


def _roughly(amount: str, unit: str) -> str:
    minutes = int(amount) / 60 if unit == "s" else int(amount)
    return "under a minute" if minutes < 1 else "about a minute" if minutes < 1.5 else f"about {minutes:.0f} minutes"


def student_time(text: str) -> str:
    """The header's measured sentence as a student reads it: rounded to minutes, without the record's
    dates (the measurement itself stays in the instructor edition and in ``results/series/``)."""
    return MEASURED.sub(lambda m: (f"**Time:** {_roughly(m[1], m[2])} in the quick profile and "
                                   f"{_roughly(m[3], m[4])} in the full profile once its runs exist, "
                                   f"on a computer with {m[5]} CPU cores."), text)


def load_records(root: Path) -> dict[str, dict]:
    folder = root / "results" / "series"
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def write_header_times(root: Path) -> list[Path]:
    """Rewrite the measured sentence of every notebook header (the ``.py`` scripts); return those changed."""
    records, changed = load_records(root), []
    for script in sorted((root / "notebooks").glob("[0-9][0-9]_*.py")):
        sentence = time_sentence(script.stem, records)
        # UTF-8 whatever the machine's locale (test: an ASCII locale writes the same); mutmut's other
        # spelling of the codec's name would be the same codec
        text = script.read_text(encoding="utf-8")  # pragma: no mutate
        if sentence is None or "**Time:** " not in text:
            continue
        if SENTENCE.search(text):
            new = SENTENCE.sub(lambda _: _wrap(sentence), text, count=1)
        else:  # the first time: the measured sentence goes before the hand-written rest of the paragraph
            new = text.replace("**Time:** ", _wrap(sentence) + "\n# ", 1)
        if new != text:
            write_text_atomic(script, new)
            changed.append(script)
    return changed


def _wrap(sentence: str, width: int = 98) -> str:
    """The sentence as percent-script comment lines (the first line's '# ' is already in the file)."""
    words, lines, line = sentence.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n# ".join(lines)


__all__ = ["load_records", "record_from_build", "record_times", "time_sentence", "write_header_times", "write_json_atomic"]
