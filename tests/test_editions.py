"""Two editions from one source: the student edition holds no solution and no instructor text."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import pytest

from workshop.editions import build_editions, is_teacher_only, keep_resolvable_links, without_asserts
from workshop.handouts import INSTRUCTOR_MARKER, split_instructor
from shared import ROOT, run_where_the_locale_is_ascii

SCRIPTS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


@pytest.fixture
def editions(tmp_path):
    # Built for each test (a fifth of a second): mutmut credits a module-scoped fixture to the first
    # test that asks for it only, and would run that test alone against a mutant of build_editions.
    return build_editions(tmp_path)


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



def test_every_relative_link_in_the_student_markdown_resolves_inside_the_student_edition(editions):
    """The model cards link to essays and the datasheet, which students do not get before grading:
    in the student edition such links keep only their text."""
    student = editions["student"].resolve()
    pages = sorted(student.rglob("*.md"))
    assert any(p.parent.name == "model-cards" for p in pages)
    dead = []
    for page in pages:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                continue  # http, https, mailto
            resolved = (page.parent / target).resolve()
            if not resolved.exists() or student not in resolved.parents:
                dead.append(f"{page.relative_to(student).as_posix()} -> {target}")
    assert dead == []
    card = (student / "ethics" / "model-cards" / "baseline.md").read_text(encoding="utf-8")
    assert "see Benchmarks are brittle and" in card, "a dead link keeps its text"

@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_every_notebook_has_exercises_with_solutions(script):
    cells = jupytext.read(script).cells
    exercises = [c for c in cells if c.cell_type == "markdown" and re.search(r"(?m)^#+ Exercise \d", c.source)]
    solutions = [c for c in cells if is_teacher_only({"cell_type": c.cell_type, "source": c.source})
                 and "instructor" not in c.source.splitlines()[0]]
    assert 2 <= len(exercises) <= 4, f"{script.stem}: {len(exercises)} exercises (2 to 4 wanted)"
    assert len(solutions) >= len(exercises), f"{script.stem}: every exercise needs a worked solution"


HEADING = re.compile(r"(?m)^#{1,6} ")
EXERCISE = re.compile(r"(?m)^#{1,6} (Exercise \d+)")
YOUR_ANSWER = "*Your answer:*"


def _exercises_without_a_place_to_work(notebook: dict) -> list[str]:
    """The exercises whose heading is followed, before the next heading, by prose only: no code cell
    and no markdown cell that starts with ``*Your answer:*``."""
    missing, current, place = [], None, False
    for cell in notebook["cells"]:
        text = _text(cell)
        if cell["cell_type"] == "markdown" and HEADING.search(text):
            if current and not place:
                missing.append(current)
            found = EXERCISE.findall(text)
            missing += found[:-1]  # two exercise headings in one cell: all but the last have no place
            current, place = (found[-1] if found else None), False
        elif current and (cell["cell_type"] == "code" or text.lstrip().startswith(YOUR_ANSWER)):
            place = True
    if current and not place:
        missing.append(current)
    return missing


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_every_exercise_gives_the_student_a_place_to_work(editions, script):
    notebook = json.loads((editions["student"] / "notebooks" / f"{script.stem}.ipynb").read_text(encoding="utf-8"))
    assert EXERCISE.search("\n".join(_text(c) for c in notebook["cells"] if c["cell_type"] == "markdown"))
    missing = _exercises_without_a_place_to_work(notebook)
    assert not missing, f"{script.stem}: {sorted(missing)} end in a question with nowhere to answer it"


def test_the_place_to_work_check_finds_a_bare_question():
    cell = lambda kind, text: {"cell_type": kind, "source": text}
    notebook = {"cells": [cell("markdown", "## Exercises\n\n### Exercise 1: a\n\nWhy?"),
                          cell("markdown", "### Exercise 2: b\n\nHow many?"), cell("code", "answer = None"),
                          cell("markdown", "### Exercise 3: c\n\nWhy not?"), cell("markdown", YOUR_ANSWER),
                          cell("markdown", "### Exercise 4: d\n\nSay why."), cell("markdown", "More prose."),
                          cell("markdown", "## Ethics checkpoint"), cell("code", "print()")]}
    assert _exercises_without_a_place_to_work(notebook) == ["Exercise 1", "Exercise 4"]


@pytest.mark.parametrize("stem", ["02_baseline", "03_deeper", "04_augmented"])
def test_students_see_the_network_compile_and_fit(editions, stem):
    notebook = json.loads((editions["student"] / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    code = "\n".join(_text(cell) for cell in notebook["cells"] if cell["cell_type"] == "code")
    for needle in ("Sequential(", ".compile(", ".fit("):
        assert needle in code, f"{stem}: the student edition should show {needle} in a code cell"


# --- the install cell of a hosted Jupyter (Colab, Binder) -----------------------------------------

def _code(notebook: dict) -> list[str]:
    return [_text(c) for c in notebook["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_source_notebooks_open_on_the_lesson(script):
    """The first code cell a student reads is the course's setup, not packaging."""
    first = next(c.source for c in jupytext.read(script).cells if c.cell_type == "code")
    assert first.startswith("from course_utils import setup"), f"{script.name}: {first.splitlines()[0]!r}"
    assert "pip" not in first


def test_only_the_student_edition_gets_one_install_cell(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_SITE_REPOSITORY", "https://github.com/example-org/cifar10-course")
    built = build_editions(tmp_path)
    want = '%pip install --quiet "course-utils @ git+https://github.com/example-org/cifar10-course"'
    for path in sorted((built["student"] / "notebooks").glob("*.ipynb")):
        code = _code(json.loads(path.read_text(encoding="utf-8")))
        assert code[0].splitlines()[-1] == want and code[1].startswith("from course_utils import setup"), path.name
        assert sum("%pip" in cell for cell in code) == 1, path.name
    for path in sorted((built["instructor"] / "notebooks").glob("*.ipynb")):  # nbval runs these
        assert not any("%pip" in cell for cell in _code(json.loads(path.read_text(encoding="utf-8")))), path.name


def test_no_install_cell_while_no_repository_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_SITE_REPOSITORY", raising=False)
    built = build_editions(tmp_path)
    for path in sorted((built["student"] / "notebooks").glob("*.ipynb")):
        assert not any("%pip" in cell for cell in _code(json.loads(path.read_text(encoding="utf-8")))), path.name


def _tiny_wheel(folder: Path) -> Path:
    """A wheel of a stand-in ``course_utils`` (one module), so pip installs it with no network."""
    import base64
    import hashlib
    import zipfile

    files = {"course_utils/__init__.py": "def setup():\n    return 'set up'\n",
             "course_utils-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: course-utils\nVersion: 0.1\n",
             "course_utils-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = [f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()},"
              f"{len(text.encode())}" for name, text in files.items()]
    files["course_utils-0.1.dist-info/RECORD"] = "\n".join(record + ["course_utils-0.1.dist-info/RECORD,,"]) + "\n"
    wheel = folder / "course_utils-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def test_the_install_cell_installs_the_course_in_a_bare_environment(tmp_path):
    """IPython's ``%pip install ARGS`` runs ``python -m pip install ARGS`` in the kernel's environment:
    the same arguments, with a wheel for the repository, install the course in a fresh venv."""
    import shlex
    import subprocess
    import venv

    from workshop.editions import install_cell

    venv.EnvBuilder(with_pip=True).create(tmp_path / "bare")
    python = tmp_path / "bare" / "bin" / "python"
    wheel = _tiny_wheel(tmp_path)
    magic = install_cell(str(wheel))["source"].splitlines()[-1]
    assert magic.startswith("%pip install ")
    args = shlex.split(magic.removeprefix("%pip "))
    env = {"PIP_NO_INDEX": "1", "PATH": "/usr/bin:/bin"}
    subprocess.run([str(python), "-m", "pip", *args], check=True, capture_output=True, env=env, cwd=tmp_path)
    done = subprocess.run([str(python), "-c", "from course_utils import setup; print(setup())"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "set up", done.stderr


def test_the_student_edition_carries_no_test_markers(tmp_path):
    """Neither nbval's markers nor the tags that bind a prose number to its source (a student who
    opens a markdown cell would read them); the instructor edition, run by nbval, keeps both."""
    built = build_editions(tmp_path)
    for path in sorted((built["student"] / "notebooks").glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        assert "NBVAL_" not in text and "<!-- from:" not in text, path.name
    for marker in ("NBVAL_CHECK_OUTPUT", "<!-- from:"):
        assert [p for p in (built["instructor"] / "notebooks").glob("*.ipynb")
                if marker in p.read_text(encoding="utf-8")], marker
    student = json.loads((built["student"] / "notebooks" / "02_baseline.ipynb").read_text(encoding="utf-8"))
    prose = "".join("".join(c["source"]) for c in student["cells"] if c["cell_type"] == "markdown")
    assert "4,200,842 parameters" in prose  # the number stays, only its tag goes


def test_the_student_edition_gives_each_notebooks_time_in_round_minutes(tmp_path):
    """The measured sentence (seconds, dates, 'the series runner') is for maintainers; a student reads
    'under a minute' or 'about N minutes', the same amounts rounded."""
    built = build_editions(tmp_path)
    quick = json.loads((ROOT / "results" / "series" / "quick.json").read_text(encoding="utf-8"))["notebooks"]
    for path in sorted((built["student"] / "notebooks").glob("*.ipynb")):
        header = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
        assert "series runner" not in header and "(measured" not in header, path.name
        minutes = quick[path.stem] / 60
        said = "under a minute" if minutes < 1 else "about a minute" if minutes < 1.5 else f"about {round(minutes)} minutes"
        assert f"**Time:** {said} in the quick profile and " in header, (path.name, header[:300])
        assert "once its runs exist, on a computer with 2 CPU cores." in header, path.name
    instructor = (built["instructor"] / "notebooks" / "02_baseline.ipynb").read_text(encoding="utf-8")
    assert "series runner" in instructor, "the instructor edition keeps the measured sentence"


@pytest.mark.parametrize("amounts, said", [
    (("59 s", "60 s"), ("under a minute", "about a minute")),
    (("89 s", "90 s"), ("about a minute", "about 2 minutes")),
    (("3 min", "12 min"), ("about 3 minutes", "about 12 minutes")),
])
def test_a_measured_time_reads_in_round_minutes_however_it_is_wrapped(amounts, said):
    from workshop.times import student_time

    measured = (f"**Time:** {amounts[0]} in the quick profile and {amounts[1]} in the full profile once its\n"
                "runs exist (measured by the series runner on 4 CPU cores, 2026-12-05).\nIt trains nothing.")
    assert student_time(measured) == (f"**Time:** {said[0]} in the quick profile and {said[1]} in the full "
                                      "profile once its runs exist, on a computer with 4 CPU cores.\nIt trains nothing.")
    typed = "**Time:** a few minutes, whatever the machine."
    assert student_time(typed) == typed


def test_the_student_edition_has_no_teaching_cell_asserts_but_keeps_each_check(tmp_path):
    """Asserts check the course in CI; a student gets the printed result and, in exercises, check()."""
    import ast

    built = build_editions(tmp_path)
    for path in sorted((built["student"] / "notebooks").glob("*.ipynb")):
        student = json.loads(path.read_text(encoding="utf-8"))
        instructor = json.loads((built["instructor"] / "notebooks" / path.name).read_text(encoding="utf-8"))
        sources = ["".join(c["source"]) for c in student["cells"] if c["cell_type"] == "code"]
        asserts = [line for text in sources for line in text.splitlines() if line.lstrip().startswith("assert ")]
        assert asserts == [], f"{path.name}: {asserts[:2]}"
        for text in sources:
            if not any(line.lstrip().startswith(("%", "!")) for line in text.splitlines()):
                ast.parse(text)  # what is left still runs
        calls = lambda cells: sum("".join(c["source"]).count("check(") for c in cells if c["cell_type"] == "code")
        teacher_calls = sum("".join(c["source"]).count("check(") for c in instructor["cells"]
                            if c["cell_type"] == "code" and not is_teacher_only(c))
        assert calls(student["cells"]) == teacher_calls, f"{path.name}: a check() call was lost"


def test_without_asserts_drops_a_wrapped_assert_and_keeps_the_check():
    source = ("x = 1\nassert x == 1, (\n    'one')\nassert check(x, 'abc', 'x')\nprint(x)  # assert stays in a comment\n")
    assert without_asserts(source) == "x = 1\ncheck(x, 'abc', 'x')\nprint(x)  # assert stays in a comment\n"
    assert without_asserts("%time assert 1\n") == "%time assert 1\n"  # not plain Python: untouched


def test_without_asserts_drops_asserts_inside_blocks_that_keep_a_statement():
    source = ("for x in range(3):\n    y = x + 1\n    assert y > x\n"
              "def f(v):\n    assert v\n    return v\n"
              "while False:\n    assert 0\n"
              "if z:\n    pass\nelse:\n    w = 2\n    assert w\n"
              "try:\n    pass\nfinally:\n    v = 3\n    assert v\n"
              "z = 1; assert z\n")
    assert without_asserts(source) == ("for x in range(3):\n    y = x + 1\n"
                                       "def f(v):\n    return v\n"
                                       "while False:\n    assert 0\n"  # alone in its block: kept
                                       "if z:\n    pass\nelse:\n    w = 2\n"
                                       "try:\n    pass\nfinally:\n    v = 3\n"
                                       "z = 1; assert z\n")  # shares its line: kept


def test_without_asserts_leaves_a_line_it_shares_and_reads_lines_as_python_does():
    assert without_asserts("for x in 'ab':\n    assert x; y = x\n    print(y)\n") == \
        "for x in 'ab':\n    assert x; y = x\n    print(y)\n"  # y = x must stay
    assert without_asserts("x = 1\nassert x  # checked in CI\nprint(x)\n") == "x = 1\nprint(x)\n"
    assert without_asserts("assert  check(1, 'ab', 'x')\n") == "check(1, 'ab', 'x')\n"
    text = "s = 'a\u2028b'\nassert s\nprint('×', s)\n"  # U+2028 is no line break to Python
    assert without_asserts(text) == "s = 'a\u2028b'\nprint('×', s)\n"
    assert without_asserts("x = '×'; assert x\n") == "x = '×'; assert x\n"


def test_without_asserts_reads_past_magics_and_shell_lines():
    source = ("%matplotlib inline\nassert 1 + 1 == 2\n!ls data\nx = 2\nassert x == 2\n"
              "assert check(x, 'ab', 'assert x > 0')\n")
    assert without_asserts(source) == "%matplotlib inline\n!ls data\nx = 2\ncheck(x, 'ab', 'assert x > 0')\n"
    indented = "if True:\n    %time x = 1\nassert x\n"  # a magic inside a block: not plain Python
    assert without_asserts(indented) == indented


@pytest.mark.parametrize("cell, teacher", [
    ({"cell_type": "code", "source": "#@solution\nx = 1"}, True),
    ({"cell_type": "code", "source": ["# @solution\n", "x = 1"]}, True),
    ({"cell_type": "code", "source": ["\n", "#@solution\n", "x = 1"]}, True),
    ({"cell_type": "code", "source": "x = 1  #@solution"}, False),
    ({"cell_type": "code", "source": "<!-- solution -->"}, False),
    ({"cell_type": "markdown", "source": ["\n", "<!-- solution -->\n", "Because..."]}, True),
    ({"cell_type": "markdown", "source": "  <!-- instructor -->  \nAsk them first."}, True),
    ({"cell_type": "markdown", "source": "#@solution"}, False),
    ({"cell_type": "markdown", "source": "Text\n<!-- solution -->"}, False),
])
def test_which_cells_are_teacher_only(cell, teacher):
    assert is_teacher_only(cell) is teacher


def test_links_are_kept_only_when_they_lead_somewhere(tmp_path):
    site = tmp_path / "student"
    (site / "cards").mkdir(parents=True)
    (site / "notes.md").write_text("x", encoding="utf-8")
    (tmp_path / "outside.md").write_text("x", encoding="utf-8")
    page = site / "cards" / "card.md"
    kept = ["[web](https://example.org/a)", "[Web](HTTPS://example.org/b)", "[mail](mailto:a@example.org)",
            "[here](#results)", "[notes](../notes.md)", "[part](../notes.md#part-2)", "![figure](gone.png)"]
    cut = {"[essay](../essays/bias.md)": "essay", "[outside](../../outside.md)": "outside"}
    text = " ".join(kept + list(cut))
    assert keep_resolvable_links(text, page, site) == " ".join(kept + list(cut.values()))


# --- a small course of its own, to check the build from end to end -----------------------------------

def _notebook(*cells: tuple[str, str]) -> dict:
    return {"cells": [{"cell_type": kind, "id": f"c{i}", "metadata": {}, "source": text,
                       **({"execution_count": None, "outputs": []} if kind == "code" else {})}
                      for i, (kind, text) in enumerate(cells)],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _small_course(root: Path, repository: str = "") -> Path:
    """A course with one notebook, one prompt, a rubric, a bibliography, a model card, an essay and a
    datasheet; non-ASCII text throughout."""
    import nbformat

    files = {
        "pyproject.toml": f'[tool.course.site]\nrepository = "{repository}"\n',
        "ethics/prompts/01-faces.md": "# Faces — prompt\n\nWho is in the photo?\n\n\n<!-- instructor-only -->\nLook for consent.\n",
        "ethics/rubric.md": "# Rubric\n\nClarity: 2 points\n<!-- instructor-only: notes -->\nGive 0 for copying.\n",
        "ethics/bibliography.md": "# Bibliography\n\n### krizhevsky2009\n- Title: Learning … tiny images\n",
        "ethics/model-cards/baseline.md": ("# Baseline — card\n\nSee [the essay](../essays/bias.md) and "
                                           "[the sources](../bibliography.md).\n\n<!-- instructor-only -->\nAnswers.\n"),
        "ethics/essays/bias.md": "# Bias — a model answer\n",
        "ethics/datasheet-cifar10.md": "# Datasheet\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    notebook = _notebook(("markdown", "# Pixels — and what they mean"),
                         ("code", "from course_utils import setup\n# NBVAL_CHECK_OUTPUT\nx = 255\nassert x == 255\nprint(x)"),
                         ("markdown", "### Exercise 1: why ÷ 255?"),
                         ("code", "#@solution\nprint(x / 255)"),
                         ("markdown", "<!-- instructor -->\nStudents forget this."))
    (root / "notebooks").mkdir()
    written = nbformat.writes(nbformat.from_dict(notebook)) + "\n"  # as Jupyter saves it
    (root / "notebooks" / "01_pixels.ipynb").write_text(written, encoding="utf-8")
    return root


def test_a_small_course_builds_into_both_editions(tmp_path, monkeypatch):
    import nbformat

    monkeypatch.delenv("COURSE_SITE_REPOSITORY", raising=False)
    root = _small_course(tmp_path / "course", repository="https://github.com/example-org/course")
    monkeypatch.chdir(tmp_path)  # a relative out_dir is under the course, wherever the command runs
    built = build_editions("out", root=root)
    out = root / "out"
    assert built == {"student": out / "student", "instructor": out / "instructor"}
    files = lambda edition: sorted(p.relative_to(edition).as_posix() for p in edition.rglob("*") if p.is_file())
    assert files(out / "instructor") == ["ethics/bibliography.md", "ethics/datasheet-cifar10.md",
                                         "ethics/essays/bias.md", "ethics/model-cards/baseline.md",
                                         "ethics/prompts/01-faces.md", "ethics/rubric.md", "notebooks/01_pixels.ipynb"]
    assert files(out / "student") == ["ethics/bibliography.md", "ethics/model-cards/baseline.md",
                                      "ethics/prompts/01-faces.md", "ethics/rubric.md", "notebooks/01_pixels.ipynb"]
    for name in ("ethics/essays/bias.md", "ethics/rubric.md", "notebooks/01_pixels.ipynb"):  # byte for byte
        assert (out / "instructor" / name).read_bytes() == (root / name).read_bytes(), name
    student = lambda name: (out / "student" / name).read_text(encoding="utf-8")
    assert student("ethics/prompts/01-faces.md") == "# Faces — prompt\n\nWho is in the photo?\n"
    assert student("ethics/rubric.md") == "# Rubric\n\nClarity: 2 points\n"
    assert student("ethics/bibliography.md") == (root / "ethics/bibliography.md").read_text(encoding="utf-8")
    assert student("ethics/model-cards/baseline.md") == ("# Baseline — card\n\nSee the essay and "
                                                         "[the sources](../bibliography.md).\n")
    text = student("notebooks/01_pixels.ipynb")
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    assert [(c.cell_type, c.source) for c in notebook.cells] == [
        ("markdown", "# Pixels — and what they mean"),
        ("code", "# On Colab or Binder, install the course first (skip this cell on your own machine)\n"
                 '%pip install --quiet "course-utils @ git+https://github.com/example-org/course"'),
        ("code", "from course_utils import setup\nx = 255\nprint(x)"),
        ("markdown", "### Exercise 1: why ÷ 255?")]


def test_a_rebuild_leaves_nothing_of_the_last_build(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_SITE_REPOSITORY", raising=False)
    root = _small_course(tmp_path / "course")
    built = build_editions(root=root)
    assert built == {"student": root / "build" / "student", "instructor": root / "build" / "instructor"}
    for edition in built.values():
        (edition / "stale.md").write_text("from an older build", encoding="utf-8")
    (root / "ethics" / "essays" / "bias.md").unlink()
    built = build_editions(root=root)
    assert not [p for p in (root / "build").rglob("*") if p.name in ("stale.md", "bias.md")]
    cells = json.loads((built["student"] / "notebooks" / "01_pixels.ipynb").read_text(encoding="utf-8"))["cells"]
    assert not any("%pip" in "".join(c["source"]) for c in cells), "no repository set: no install cell"


def test_the_editions_build_where_the_locale_is_not_utf8(tmp_path):
    """On a machine whose locale encoding is not UTF-8, the course's UTF-8 files read and write the same."""
    root = _small_course(tmp_path / "course")
    build_editions(tmp_path / "here", root=root)  # in this process too, so mutmut knows the test
    run_where_the_locale_is_ascii("import sys; from pathlib import Path; from workshop.editions import build_editions; "
                                  "build_editions(Path(sys.argv[1]), root=Path(sys.argv[2]))",
                                  str(tmp_path / "there"), str(root))
    for path in sorted((tmp_path / "here").rglob("*.*")):
        assert (tmp_path / "there" / path.relative_to(tmp_path / "here")).read_bytes() == path.read_bytes(), path.name


def test_the_student_edition_model_cards_give_away_no_model_answer(tmp_path):
    """Prompts 2, 3 and 5 ask what the model's results say about people and what the network could
    become; the cards' answers to that stay in the instructor edition (and off the website)."""
    answers = ("would be a face recognition system", "say nothing about fairness to people")
    built = build_editions(tmp_path)
    cards = sorted((built["student"] / "ethics" / "model-cards").glob("*.md"))
    assert len(cards) >= 5
    for card in cards:
        text = card.read_text(encoding="utf-8")
        assert not [a for a in answers if a in text] and "instructor-only" not in text, card.name
    for card in sorted((ROOT / "ethics" / "model-cards").glob("[a-z]*.md")):
        if card.name != "README.md":
            assert all(a in card.read_text(encoding="utf-8") for a in answers), card.name
