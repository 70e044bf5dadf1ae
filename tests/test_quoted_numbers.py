"""Every result a notebook's prose quotes must appear in that notebook's saved outputs.

A "quoted result" is a number in a markdown cell written as a percentage (``76.3%``), with decimals
(``0.788``, ``2.3024``), or with a unit of time or a difference (``62 minutes``, ``27 points``).
Inline code, links and bare whole numbers (``20 epochs``, ``32 filters``) are not checked. The
number counts as shown when some number in the notebook's outputs gives it when rounded to the
same decimals (``0.7630`` shows ``76.3%`` and ``76%``). A figure from elsewhere (a paper, the
original notebook) is quoted in prose only after a code cell prints it, with its source. The
exercises are left out: their numbers are the givens of a problem, not results.
"""
from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest

from workshop.times import SENTENCE as TIME_SENTENCE
from shared import ROOT

NOTEBOOKS = ROOT / "notebooks"
STEMS = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.py"))

NUMBER = r"[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
UNITS = r"%|\s?(?:percentage points|points|pt|minutes|min|hours|h|seconds|s|million)\b"
QUOTED = re.compile(rf"(?<![\w.,/^])({NUMBER})(\s?(?:{UNITS}))?(?![\w.]\d)")
IGNORED = re.compile(r"`[^`]*`|\]\([^)]*\)|https?://\S+|<[^>]+>|\$[^$]*\$|arXiv:\S+")


def _value(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-").replace("+", ""))


def quoted_numbers(markdown: str) -> list[tuple[str, float, int, str]]:
    """(as written, value, decimals, unit) for each quoted result in ``markdown``."""
    found = []
    for match in QUOTED.finditer(IGNORED.sub(" ", markdown)):
        number, unit = match.group(1), (match.group(2) or "").strip()
        decimals = len(number.split(".")[1]) if "." in number else 0
        if not unit and not decimals:
            continue
        found.append((match.group(0).strip(), abs(_value(number)), decimals, unit))
    return found


def output_numbers(nb) -> list[float]:
    """Every number in the text of the notebook's saved outputs, as printed (percentages as printed)."""
    values = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [v for k, v in output.get("data", {}).items() if k.startswith("text/")]
            for text in texts:
                text = "".join(text) if isinstance(text, list) else str(text)
                for match in re.finditer(NUMBER, text):
                    value = abs(_value(match.group(0)))
                    values.append(value)
    return values


def shown(value: float, decimals: int, unit: str, printed: list[float]) -> bool:
    """Whether some printed number gives ``value`` when rounded to ``decimals``.

    A printed fraction also counts as a percentage (0.763 shows 76.3%), seconds as minutes or hours,
    and a count as millions (4,200,842 shows 4.2 million).
    """
    tolerance = 0.5 * 10 ** -decimals + 1e-9
    for u in printed:
        if unit == "%":
            candidates = (u, u * 100)
        elif unit == "million":
            candidates = (u / 1e6,)
        else:
            candidates = (u, u * 100, u / 60, u / 3600)
        if any(abs(c - value) <= tolerance for c in candidates):
            return True
    return False


def unsupported(stem: str) -> list[str]:
    """The quoted results of ``stem``'s prose that its outputs do not show. The header's measured time
    sentence is left out: tests/test_times.py checks it against results/series/."""
    script = jupytext.read(NOTEBOOKS / f"{stem}.py")
    printed = output_numbers(jupytext.read(NOTEBOOKS / f"{stem}.ipynb"))
    missing, in_exercises = [], False
    for index, cell in enumerate(script.cells):
        if cell.cell_type != "markdown":
            continue
        headings = re.findall(r"(?m)^## (.+)$", cell.source)
        if headings:
            in_exercises = headings[-1].strip().lower() == "exercises"
        if in_exercises or cell.source.lstrip().startswith("<!--"):
            continue
        for written, value, decimals, unit in quoted_numbers(TIME_SENTENCE.sub(" ", cell.source)):
            if not shown(value, decimals, unit, printed):
                missing.append(f"cell {index}: {written!r}")
    return missing


def test_checker_reads_numbers_as_a_reader_would():
    found = quoted_numbers("It reached 76.3% (0.7630) after `x / 255` in 20 epochs, 27 points short; "
                           "see [run](results/full/x.json), 1,676,842 parameters, 62 minutes, 4.2 million "
                           "weights (arXiv:1904.11486).")
    assert found == [("76.3%", 76.3, 1, "%"), ("0.7630", 0.763, 4, ""), ("27 points", 27.0, 0, "points"),
                     ("62 minutes", 62.0, 0, "minutes"), ("4.2 million", 4.2, 1, "million")]
    assert shown(76.3, 1, "%", [0.7630]) and shown(76.0, 0, "%", [76.34]) and not shown(75.8, 1, "%", [0.763])
    assert shown(62.0, 0, "minutes", [3723.0])  # seconds printed, minutes quoted
    assert shown(4.2, 1, "million", [4_200_842]) and not shown(4.2, 1, "million", [4.2])


@pytest.mark.parametrize("stem", STEMS)
def test_every_quoted_result_is_in_the_outputs(stem):
    missing = unsupported(stem)
    assert not missing, (f"{stem}: prose quotes numbers its outputs do not show (print them in a cell, "
                         f"or rewrite the sentence): " + "; ".join(missing))
