"""Two editions from one source: the student edition holds no solution and no instructor text."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import pytest

from course_utils.course.editions import build_editions, is_teacher_only
from course_utils.course.handouts import INSTRUCTOR_MARKER, split_instructor

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    return build_editions(tmp_path_factory.mktemp("build"))


def _text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _student_files(student: Path) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in student.rglob("*") if p.is_file()}


def _teacher_lines() -> set[str]:
    """Every substantial line of a solution or instructor cell, or of an instructor part, that no
    student-facing cell also contains (``keras.Input(shape=(32, 32, 3)),`` is in both, legitimately)."""
    lines, visible = set(), set()
    for script in SCRIPTS:
        for cell in jupytext.read(script).cells:
            own = {line.strip() for line in cell.source.splitlines() if len(line.strip()) > 30}
            if is_teacher_only({"cell_type": cell.cell_type, "source": cell.source}):
                lines |= own
            else:
                visible |= own
    lines -= visible
    for path in [*(ROOT / "ethics" / "prompts").glob("*.md"), ROOT / "ethics" / "rubric.md"]:
        _, instructor = split_instructor(path.read_text(encoding="utf-8"))
        lines |= {line.strip() for line in instructor.splitlines() if len(line.strip()) > 30}
    return lines


def test_the_student_edition_holds_no_solution_or_instructor_text(editions):
    files = _student_files(editions["student"])
    assert any(p.suffix == ".ipynb" for p in files) and any(p.suffix == ".md" for p in files)
    teacher = _teacher_lines()
    assert len(teacher) > 50, "the notebooks and prompts should hold solutions and instructor notes"
    for path, text in files.items():
        assert INSTRUCTOR_MARKER not in text and "#@solution" not in text, path
        assert "<!-- solution -->" not in text and "<!-- instructor -->" not in text, path
        searchable = text
        if path.suffix == ".ipynb":  # JSON escapes quotes and backslashes; compare the cells' own text
            searchable = "\n".join(_text(cell) for cell in json.loads(text)["cells"])
        leaked = [line for line in teacher if line in searchable]
        assert not leaked, f"{path.relative_to(editions['student'])} shows instructor text: {leaked[:2]}"
    assert not list(editions["student"].rglob("essays")), "model essays are handed out after grading"
    assert not (editions["student"] / "ethics" / "datasheet-cifar10.md").exists()


def test_the_instructor_edition_is_everything(editions):
    for script in SCRIPTS:
        source = json.loads((ROOT / "notebooks" / f"{script.stem}.ipynb").read_text(encoding="utf-8"))
        built = json.loads((editions["instructor"] / "notebooks" / f"{script.stem}.ipynb").read_text(encoding="utf-8"))
        assert built == source
    assert (editions["instructor"] / "ethics" / "essays" / "what-bias-means.md").exists()


def test_student_links_lead_somewhere(editions):
    for notebook in (editions["student"] / "notebooks").glob("*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for target in LINK.findall(_text(cell)):
                if "://" in target or target.startswith("mailto:"):
                    continue
                assert (notebook.parent / target).exists(), f"{notebook.name} links to {target}, not in the student edition"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_every_notebook_has_exercises_with_solutions(script):
    cells = jupytext.read(script).cells
    exercises = [c for c in cells if c.cell_type == "markdown" and re.search(r"(?m)^#+ Exercise \d", c.source)]
    solutions = [c for c in cells if is_teacher_only({"cell_type": c.cell_type, "source": c.source})
                 and "instructor" not in c.source.splitlines()[0]]
    assert 2 <= len(exercises) <= 4, f"{script.stem}: {len(exercises)} exercises (2 to 4 wanted)"
    assert len(solutions) >= len(exercises), f"{script.stem}: every exercise needs a worked solution"


@pytest.mark.parametrize("stem", ["02_baseline", "03_deeper", "04_augmented"])
def test_students_see_the_network_compile_and_fit(editions, stem):
    notebook = json.loads((editions["student"] / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    code = "\n".join(_text(cell) for cell in notebook["cells"] if cell["cell_type"] == "code")
    for needle in ("Sequential(", ".compile(", ".fit("):
        assert needle in code, f"{stem}: the student edition should show {needle} in a code cell"
