"""Binding each number a notebook's prose quotes to the output or result it comes from.

A quoted figure carries a tag right after it, invisible on the rendered page:

- ``76.3%<!-- from: out:deeper -->``: a line of the notebook's saved outputs that contains
  ``deeper`` prints a number that gives 76.3% at the decimals written (0.7630 or 76.3);
- ``0.7531<!-- from: run:deeper.test_accuracy -->``: the value at that path of
  ``results/full/deeper.json`` (as in the ethics companion's ``ours:`` tags);
- ``50,000<!-- from: set:training images -->``: not a measurement but a setting, a definition or
  arithmetic on them (the data's size, chance at 1 in 10, a dropout rate); the words after ``set:``
  say which, so a reviewer can check it, and the tag vouches for nothing else.

Counts and unitless figures are tagged like any other (``9,999<!-- from: out:bird -->``,
``281<!-- from: out:ratio -->-fold``). A sentence that compares two tagged figures with a word of
direction ("beat", "above", "rose", "fell", ...) must agree with them, and a figure that says how far
one run beat or trailed another must have the sign the word claims. :func:`problems` lists what
does not hold; ``tests/test_binding.py`` proves it catches the mistakes it is meant to catch.
"""
from __future__ import annotations

import re
from pathlib import Path

from ours import RESULTS, result_value

NUMBER = r"[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
TAG = re.compile(rf"(?<![\w.,])(?P<number>{NUMBER})(?P<unit>\s?%|\s?(?:points|percentage points))?\s*"
                 r"<!--\s*from:\s*(?P<kind>out|run|set):(?P<label>[^>]*?)\s*-->")
FIRST_LARGER = re.compile(r"\b(beat|beats|above|higher than|more than|ahead of|better than|exceeds?)\b")
FIRST_SMALLER = re.compile(r"\b(below|lower than|less than|behind|worse than|trails?)\b")
RISES = re.compile(r"\b(rose|rises|grew|grows|increased|climbed)\b")
FALLS = re.compile(r"\b(fell|falls|dropped|drops|shrank|shrinks|decreased)\b")


def _value(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-").replace("+", ""))


def _gives(number: str, percent: bool, printed: float, printed_percent: bool) -> bool:
    """Whether ``printed`` rounds to ``number`` at the decimals written (sign aside). A quoted percentage
    comes from a printed percentage or from a fraction times 100; any other figure from the same kind."""
    decimals = len(number.split(".")[1]) if "." in number else 0
    wanted = f"{abs(_value(number)):.{decimals}f}"
    if percent == "points":  # a difference of percentages: printed as points, as a percentage or as a fraction
        return wanted in (f"{abs(printed):.{decimals}f}", f"{abs(printed) * 100:.{decimals}f}")
    if printed_percent and not percent:
        return False
    shown = abs(printed) * (100 if percent and not printed_percent else 1)
    return f"{shown:.{decimals}f}" == wanted


def source_value(number: str, percent: bool, kind: str, label: str, outputs: list[str],
                 results_dir: Path = RESULTS) -> tuple[float | None, str]:
    """The signed value the tag points to, or None and why not."""
    if kind == "set":
        return (_value(number), "") if re.search(r"[a-z]{3}", label) else (None, "set: names no setting")
    if kind == "run":
        try:
            value = result_value(label, results_dir)
        except (OSError, KeyError, IndexError, ValueError) as exc:
            return None, f"no value at run:{label} ({exc.__class__.__name__})"
        if isinstance(value, (int, float)) and _gives(number, percent, float(value), False):
            return float(value), ""
        return None, f"run:{label} is {value!r}"
    lines = [line for text in outputs for line in text.splitlines() if label in " ".join(line.split())]
    if not lines:
        return None, f"no output line contains {label!r}"
    for line in lines:
        for match in re.finditer(rf"({NUMBER})(\s?%)?", line):
            if _gives(number, percent, _value(match.group(1)), bool(match.group(2))):
                return _value(match.group(1)), ""
    return None, f"no output line with {label!r} shows {number}"


BLOCK = re.compile(r"\n\s*\n|\n(?=\s*(?:#{1,6}\s|[-*+]\s|\d+\.\s|\||>))")


def sentences(markdown: str) -> list[str]:
    """Sentences, never running on across a paragraph, heading, list item, table row or quote."""
    return [sentence for block in BLOCK.split(markdown)
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z(])", " ".join(block.split())) if sentence]


UNTAGGED = re.compile(rf"(?<![\w.,/^])({NUMBER})(\s?%|\s?(?:points|percentage points)\b|-fold\b)?(?![\w.]\d)")
IGNORED = re.compile(r"`[^`]*`|\]\([^)]*\)|https?://\S+|\$[^$]*\$|arXiv:\S+")


def untagged(markdown: str) -> list[str]:
    """Figures quoted without a tag: percentages, decimals, points, -fold ratios and counts with commas
    (bare whole numbers such as "20 epochs" are settings, not results)."""
    text = IGNORED.sub(" ", TAG.sub(" ", markdown))
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    return [m.group(0) for m in UNTAGGED.finditer(text) if m.group(2) or "." in m.group(1) or "," in m.group(1)]


def problems(markdown: str, outputs: list[str], results_dir: Path = RESULTS, require_tags: bool = True) -> list[str]:
    """Every tagged figure in ``markdown`` its source does not give, every direction that is wrong, and
    (with ``require_tags``) every quoted figure without a tag."""
    found = [f"{figure}: no tag says where it comes from" for figure in untagged(markdown)] if require_tags else []
    for sentence in sentences(markdown):
        tagged = []
        for m in TAG.finditer(sentence):
            unit = (m.group("unit") or "").strip()
            percent = "points" if "points" in unit else bool(unit)
            value, why = source_value(m.group("number"), percent, m.group("kind"), m.group("label"), outputs,
                                      results_dir)
            if value is None:
                found.append(f"{m.group('number')}{(m.group('unit') or '').strip()}: {why}")
            tagged.append((m, value))
        found += _direction(sentence, tagged)
    return found


def _direction(sentence: str, tagged: list) -> list[str]:
    """Two figures and a word of direction between them: the order must agree. One figure after a
    word of winning or losing (a margin): its source's sign must agree."""
    if any(value is None for _, value in tagged) or not tagged:
        return []
    if len(tagged) == 1:
        (m, value), = tagged
        before = sentence[: m.start()]
        if (FIRST_LARGER.search(before) and value < 0) or (FIRST_SMALLER.search(before) and value > 0):
            return [f"{m.group('number')}: the sentence says one run led, its source's sign says the other did"]
        return []
    (a, x), (b, y) = tagged[0], tagged[1]
    between = sentence[a.end(): b.start()]
    words = [FIRST_LARGER, FALLS, FIRST_SMALLER, RISES]
    where = between if any(w.search(between) for w in words) else sentence[: a.start()]  # "rose from A to B"
    larger_first = FIRST_LARGER.search(where) or FALLS.search(where)
    smaller_first = FIRST_SMALLER.search(where) or RISES.search(where)
    if (larger_first and not abs(x) > abs(y)) or (smaller_first and not abs(x) < abs(y)):
        word = (larger_first or smaller_first).group(0)
        return [f"'{word}' between {a.group('number')} and {b.group('number')} says the opposite of their values"]
    return []
