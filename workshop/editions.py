"""Two editions of the course from one source: the student edition and the instructor edition.

    python3 tasks.py editions       # or: python -m workshop editions [--out build]

One set of notebooks holds the exercises *and* their worked solutions, marked cell by cell:

- a code cell whose first line is ``#@solution`` is a solution;
- a markdown cell whose first line is ``<!-- solution -->`` is a written solution, and one whose
  first line is ``<!-- instructor -->`` is a note for instructors.

``build/instructor/`` gets everything: the notebooks as they are and the whole ethics companion.
``build/student/`` gets the notebooks without those cells (their outputs kept), and of the ethics
companion only what students may see before they hand in: each prompt and the rubric down to their
``<!-- instructor-only`` line, the bibliography and the model cards. The model essays and the
datasheet are model answers; instructors hand them out after grading. A link in a student file to a
page the student edition lacks (a model card's link to an essay or the datasheet) keeps only its
text, so the student edition has no dead links. CI runs nbval on the
instructor edition, so no solution can stop working unnoticed, and a test reads every student file
for solution or instructor text.
"""
from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

from course_utils.core.atomic import write_text_atomic
from .handouts import INSTRUCTOR_MARKER, split_instructor, student_part
from .launch import LaunchSettings, read_settings
from .times import student_time

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_CODE = "#@solution"
SOLUTION_TEXT = "<!-- solution -->"
INSTRUCTOR_TEXT = "<!-- instructor -->"
STUDENT_ETHICS = ("bibliography.md", "model-cards")
MD_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")


def keep_resolvable_links(text: str, page: Path, root: Path) -> str:
    """``text`` (of the file ``page``) with each relative link whose target is not a file under ``root``
    reduced to its label; web links and in-page anchors are kept."""
    def fix(match: re.Match) -> str:
        label, target = match.groups()
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^#", target):
            return match.group(0)
        resolved = (page.parent / target.split("#")[0]).resolve()
        return match.group(0) if resolved.exists() and root.resolve() in resolved.parents else label
    return MD_LINK.sub(fix, text)


def _read(path: Path) -> str:
    # The course's files are UTF-8 whatever the machine's locale (test: an ASCII locale builds both
    # editions); mutmut's other spelling of the codec's name would be the same codec.
    return path.read_text(encoding="utf-8")  # pragma: no mutate


def _first_line(cell: dict) -> str:
    # nbformat stores a cell's source as one string or as a list of lines; "".join reads both
    return "".join(cell["source"]).lstrip().partition("\n")[0].strip()


def is_teacher_only(cell: dict) -> bool:
    """Whether a notebook cell is a solution or an instructor note (left out of the student edition)."""
    first = _first_line(cell)
    if cell.get("cell_type") == "code":
        return first.replace(" ", "") == SOLUTION_CODE
    return first in (SOLUTION_TEXT, INSTRUCTOR_TEXT)


def install_cell(source: str) -> dict:
    """The one cell a hosted Jupyter (Colab, Binder) runs first: pip installs the course from ``source``."""
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "id": "install-course",  # pragma: no mutate  (any id unique in the notebook will do)
            "source": f"# On Colab or Binder, install the course first (skip this cell on your own machine)\n"
                      f"%pip install --quiet \"{source}\""}


def with_install_cell(notebook: dict, settings: LaunchSettings) -> dict:
    """The notebook with :func:`install_cell` before its first code cell, where a repository is set."""
    source = settings.install_source()
    if source is None:
        return notebook
    cells = list(notebook["cells"])
    first = next(i for i, cell in enumerate(cells) if cell["cell_type"] == "code")
    return {**notebook, "cells": cells[:first] + [install_cell(source)] + cells[first:]}


def without_asserts(source: str) -> str:
    """``source`` without its ``assert`` statements, which check the course for CI, not for the student;
    ``assert check(...)`` keeps its ``check(...)``, which answers the student. An assert inside a loop or
    a function goes too, unless it is all its block holds (the cell would no longer run). Unchanged
    when the cell is not plain Python."""
    lines = re.findall(r"[^\n]*\n|[^\n]+", source)  # line breaks as Python counts them in a cell
    plain = "".join("\n" if line.startswith(("%", "!")) else line for line in lines)  # a magic is no Python
    try:
        tree = ast.parse(plain)
    except SyntaxError:
        return source

    def own_lines(node: ast.stmt) -> bool:  # nothing else on its first or last line (ast counts bytes)
        before = lines[node.lineno - 1].encode()[:node.col_offset].decode().strip()
        after = lines[node.end_lineno - 1].encode()[node.end_col_offset:].decode().strip()
        return not before and (not after or after.startswith("#"))

    found = []
    for block in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(block, field, None)
            asserts = [s for s in statements if isinstance(s, ast.Assert)] if isinstance(statements, list) else []
            if asserts and (len(asserts) < len(statements) or block is tree):
                found += [s for s in asserts if own_lines(s)]
    for node in sorted(found, key=lambda n: n.lineno, reverse=True):
        first, last = node.lineno - 1, node.end_lineno
        call = node.test
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "check":
            lines[first] = re.sub(r"assert\s+", "", lines[first], count=1)
        else:
            del lines[first:last]
    return "".join(lines)


# A prose number's source, for the maintainers' tests (tests/binding.py): "12%<!-- from: out:x -->"
SOURCE_TAG = re.compile(r"<!--\s*from:[^>]*-->")


def student_notebook(notebook: dict) -> dict:
    """A copy of an ``.ipynb`` (as JSON) without its solution and instructor cells, without the
    ``# NBVAL_...`` lines that tell the test runner which outputs to compare, without the asserts
    that check the course (see :func:`without_asserts`) or the tags that bind a prose number to its
    source, and with the header's time in round minutes."""
    cells = []
    for cell in notebook["cells"]:
        if is_teacher_only(cell):
            continue
        text = "".join(cell["source"])
        if cell["cell_type"] == "code":
            text = "".join(line for line in text.splitlines(keepends=True) if not line.strip().startswith("# NBVAL_"))
            cell = {**cell, "source": without_asserts(text)}
        elif cell["cell_type"] == "markdown":  # student_time leaves a cell without the header's time as it is
            cell = {**cell, "source": student_time(SOURCE_TAG.sub("", text))}
        cells.append(cell)
    return {**notebook, "cells": cells}


def _write_json(path: Path, data: dict) -> None:
    # Jupyter's own layout: the instructor edition's notebooks are the sources byte for byte (tested);
    # mutmut's one mutant that survives that test, ensure_ascii=None, is the same as False
    write_text_atomic(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")  # pragma: no mutate


def build_editions(out_dir: str | Path = "build", root: Path = ROOT) -> dict[str, Path]:
    """Write both editions under ``out_dir``; return ``{"student": path, "instructor": path}``."""
    out = root / out_dir  # an absolute out_dir stays as it is
    student, instructor = out / "student", out / "instructor"
    for edition in (student, instructor):
        shutil.rmtree(edition, ignore_errors=True)
    shutil.copytree(root / "ethics", instructor / "ethics")
    settings = read_settings(root / "pyproject.toml")
    for path in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        notebook = json.loads(_read(path))
        _write_json(instructor / "notebooks" / path.name, notebook)  # run by nbval: never installs anything
        _write_json(student / "notebooks" / path.name, with_install_cell(student_notebook(notebook), settings))
    for path in sorted((root / "ethics" / "prompts").glob("*.md")) + [root / "ethics" / "rubric.md"]:
        part, _ = split_instructor(_read(path))
        write_text_atomic(student / path.relative_to(root), part.rstrip() + "\n")
    for name in STUDENT_ETHICS:
        source = root / "ethics" / name
        target = student / "ethics" / name
        if source.is_dir():
            shutil.copytree(source, target)
            for page in target.rglob("*.md"):  # a model card's answers to the prompts stay with instructors
                write_text_atomic(page, student_part(_read(page)))
        else:  # its folder holds the rubric already
            shutil.copy2(source, target)
    for page in sorted(student.rglob("*.md")):
        text = _read(page)
        kept = keep_resolvable_links(text, page, student)
        if kept != text:
            write_text_atomic(page, kept)
    return {"student": student, "instructor": instructor}


__all__ = ["INSTRUCTOR_MARKER", "SOLUTION_CODE", "SOLUTION_TEXT", "INSTRUCTOR_TEXT", "build_editions",
           "is_teacher_only", "keep_resolvable_links", "install_cell", "student_notebook", "with_install_cell"]
