"""Numbers from our own runs quoted in the ethics companion, and the values they must match.

A model answer that quotes a number from our runs tags it, right after the number, with an HTML
comment naming the value in ``results/full/``: ``0.7531<!-- ours: deeper.test_accuracy -->`` or
``196<!-- ours: deeper.confusion_matrix.5.3 -->``. The first part of the path is the results file
(``results/full/deeper.json``), the rest are keys, or list indices, inside it. The comment is
invisible when the page is rendered and visible to anyone editing it. A percentage
(``75.3%<!-- ours: ... -->``) is compared with the value times 100. ``tests/test_ethics.py`` checks
every tag; ``tests/test_claims.py`` rejects numbers that match a result of ours but carry no tag.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from shared import ROOT

RESULTS = ROOT / "results" / "full"
TAGGED = re.compile(r"(?<![\w.])(?P<number>\d+(?:\.\d+)?)(?P<percent>\s?%)?\s*"
                    r"<!--\s*ours:\s*(?P<path>[A-Za-z_][\w-]*(?:\.[\w-]+)+)\s*-->")


def tagged_numbers(text: str) -> list[tuple[str, bool, str]]:
    """(number as written, whether it is a percentage, results path) for every tagged number."""
    return [(m.group("number"), bool(m.group("percent")), m.group("path")) for m in TAGGED.finditer(text)]


def without_tagged_numbers(text: str) -> str:
    """``text`` with each tagged number and its tag removed (they are checked separately)."""
    return TAGGED.sub(" ", text)


def result_value(path: str, results_dir: Path = RESULTS):
    """The value at ``path`` (``experiment.key.key...``) in ``results_dir/<experiment>.json``."""
    experiment, *keys = path.split(".")
    value = json.loads((results_dir / f"{experiment}.json").read_text(encoding="utf-8"))
    for key in keys:
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def matches(number: str, percent: bool, value: float) -> bool:
    """Whether ``number`` is ``value`` (times 100 for a percentage) rounded to the decimals written."""
    decimals = len(number.split(".")[1]) if "." in number else 0
    shown = value * 100 if percent else value
    return f"{shown:.{decimals}f}" == number


def tag_problems(text: str, results_dir: Path = RESULTS) -> list[str]:
    """Every tagged number in ``text`` that does not match its value in ``results_dir``."""
    problems = []
    for number, percent, path in tagged_numbers(text):
        try:
            value = result_value(path, results_dir)
        except (OSError, KeyError, IndexError, ValueError) as exc:
            problems.append(f"{number}: no value at {path} ({exc.__class__.__name__}: {exc})")
            continue
        if not isinstance(value, (int, float)) or not matches(number, percent, float(value)):
            problems.append(f"{number}{'%' if percent else ''}: {path} is {value!r}")
    return problems


def _our_runs(results_dir: Path) -> list[dict]:
    """The results of every run in ``results_dir`` but the collapse demonstrations: their accuracy is
    chance by design (0.1), which would flag every "10%" in a text."""
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(results_dir.glob("*.json"))]
    return [r for r in runs if r.get("kind") != "collapse_demo"]


def our_accuracies(results_dir: Path = RESULTS) -> list[float]:
    """Test and per-class accuracies of every run in ``results_dir`` (collapse demonstrations left out)."""
    values = [v for r in _our_runs(results_dir)
              for v in [r.get("test_accuracy"), *(r.get("per_class_accuracy") or {}).values()]]
    return [float(v) for v in values if isinstance(v, (int, float))]


def our_losses(results_dir: Path = RESULTS) -> list[float]:
    """Test losses of every run in ``results_dir`` (collapse demonstrations left out)."""
    return [float(r["test_loss"]) for r in _our_runs(results_dir) if isinstance(r.get("test_loss"), (int, float))]
