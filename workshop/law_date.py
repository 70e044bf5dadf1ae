"""The date the ethics pages state the law "as of": one setting, and the command that moves it.

    python -m workshop law-date             # print the setting and where the pages say it
    python -m workshop law-date 2027-02-01  # after re-checking the law: move every "as of" to that date

The setting is ``law_as_of`` in ``[tool.course.ethics]`` of ``pyproject.toml``; ``tests/test_claims.py``
checks that every "as of <day> <Month> <year>" in ``ethics/`` says it.
"""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

from course_utils.core.atomic import write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
AS_OF = re.compile(r"\b([Aa]s of) (\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})\b")


def _read(path: Path) -> str:
    # UTF-8 whatever the machine's locale (test: an ASCII locale moves the date); mutmut's other
    # spelling of the codec's name would be the same codec.
    return path.read_text(encoding="utf-8")  # pragma: no mutate


def settings(root: Path = ROOT) -> dict:
    """``law_as_of`` and ``oldest_check`` as dates."""
    table = tomllib.loads(_read(root / "pyproject.toml"))["tool"]["course"]["ethics"]
    return {key: dt.date.fromisoformat(table[key]) for key in ("law_as_of", "oldest_check")}


def spoken(date: dt.date) -> str:
    """``29 November 2026``: the form the pages use."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def pages(root: Path = ROOT) -> list[Path]:
    return sorted((root / "ethics").rglob("*.md")) + [root / "ethics" / "claims.csv"]


def stated_dates(text: str) -> list[dt.date]:
    """Every date the text states the law "as of"."""
    return [dt.date(int(y), MONTHS.index(m) + 1, int(d)) for _, d, m, y in AS_OF.findall(text)]


def move_law_date(new: dt.date, root: Path = ROOT, today: dt.date | None = None) -> list[Path]:
    """Write ``new`` as the setting and into every page that stated the old date; return the files changed."""
    if new > (today or dt.date.today()):
        raise ValueError(f"{new} is in the future: the law can only have been checked up to today")
    old = settings(root)["law_as_of"]
    changed = []
    for path in pages(root):
        text = _read(path)
        moved = AS_OF.sub(lambda m: f"{m.group(1)} {spoken(new)}" if stated_dates(m.group(0)) == [old] else m.group(0), text)
        if moved != text:
            write_text_atomic(path, moved)
            changed.append(path)
    pyproject = root / "pyproject.toml"
    text = _read(pyproject)
    write_text_atomic(pyproject, re.sub(r'(?m)^law_as_of = "[0-9-]+"', f'law_as_of = "{new.isoformat()}"', text))
    return [pyproject, *changed]
