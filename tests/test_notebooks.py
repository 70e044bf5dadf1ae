"""Static checks of every notebook in notebooks/ (no kernel: nbval re-executes them separately).

(a) every percent script ``NN_slug.py`` has its ``NN_slug.ipynb`` and vice versa, with the same cells;
(b) no saved output holds an error, a traceback, a home path or the user's name;
(c) each notebook has the series' header, a first code cell calling ``setup()``, a "What we learned"
    section and an "Ethics checkpoint" linking a prompt in ``../ethics/prompts/``; its relative links resolve;
(d) no code cell uses an API that Keras 3 removed or that disables TLS checks (quote them in markdown).

The header (see ../shared/STYLE.md) is the first cell, in markdown: a ``# `` title, one sentence,
what the student can do after it ("After this notebook you can ..."), the time in the quick and the
full profile, and links to the previous/next notebook and the ethics prompt.
"""
from __future__ import annotations

import getpass
import re
from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SCRIPTS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
IPYNBS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
STEMS = sorted({p.stem for p in SCRIPTS} | {p.stem for p in IPYNBS})

FORBIDDEN_IN_CODE = ("np_utils", "keras.layers.core", "fit_generator", "_create_unverified_context")
HOME_PATH = re.compile(r"/home/[^/\s\"']+|/Users/[^/\s\"']+|/root/|[A-Za-z]:\\+Users\\+")
TRACEBACK = "Traceback (most recent call last)"
LINK = re.compile(r"\]\(([^)\s]+)\)")
ABSL_LINE = re.compile(r"^[EWIF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.]+:\d+\]", re.M)


def _read(path: Path):
    return jupytext.read(path)


def _cells(path: Path) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in _read(path).cells]


def _markdown(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


def _output_texts(nb):
    """Every text an output carries (streams, text/* and JSON data, error fields); images are skipped."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                yield index, "error output: " + output.get("ename", "") + ": " + output.get("evalue", "")
                yield index, "\n".join(output.get("traceback", []))
            if "text" in output:
                yield index, "".join(output["text"]) if isinstance(output["text"], list) else output["text"]
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    yield index, "".join(value) if isinstance(value, list) else str(value)


def test_there_are_notebooks():
    assert SCRIPTS and IPYNBS, f"no NN_slug.py / NN_slug.ipynb pairs found in {NOTEBOOKS}"


@pytest.mark.parametrize("stem", STEMS)
def test_pair_exists_and_is_in_sync(stem):
    script, notebook = NOTEBOOKS / f"{stem}.py", NOTEBOOKS / f"{stem}.ipynb"
    assert script.exists(), f"{notebook.name} has no percent script: run jupytext --set-formats ipynb,py:percent"
    assert notebook.exists(), f"{script.name} has no notebook: run jupytext --sync notebooks/{script.name}"
    from_script, from_notebook = _cells(script), _cells(notebook)
    for i, (a, b) in enumerate(zip(from_script, from_notebook)):
        assert a == b, f"cell {i} differs between {script.name} and {notebook.name}: run jupytext --sync"
    assert len(from_script) == len(from_notebook), f"{stem}: different cell counts; run jupytext --sync"


@pytest.mark.parametrize("stem", [p.stem for p in IPYNBS])
def test_saved_outputs_are_clean(stem):
    nb = _read(NOTEBOOKS / f"{stem}.ipynb")
    user = getpass.getuser()
    home = str(Path.home())
    for index, text in _output_texts(nb):
        assert not text.startswith("error output"), f"{stem} cell {index}: {text}"
        assert TRACEBACK not in text, f"{stem} cell {index} saved a traceback"
        leak = HOME_PATH.search(text)
        assert not leak, f"{stem} cell {index} output shows a home path: {leak.group(0)!r}"
        assert home == "/" or home not in text, f"{stem} cell {index} output shows the home folder"
        # An install path (a warning's file name, say) names the machine's folders, as a home path does.
        assert "site-packages" not in text, f"{stem} cell {index} output shows an install path"
        # C++ log lines (absl: "E0000 00:00:... cuda_platform.cc:52] failed call to cuInit") are the
        # runtime's chatter, not the student's output: setup() silences them.
        assert not ABSL_LINE.search(text), f"{stem} cell {index} saved a C++ log line: {ABSL_LINE.search(text).group(0)!r}"
        if len(user) >= 3:
            assert not re.search(rf"\b{re.escape(user)}\b", text), f"{stem} cell {index} shows the user name"


@pytest.mark.parametrize("stem", [p.stem for p in SCRIPTS])
def test_structure(stem):
    nb = _read(NOTEBOOKS / f"{stem}.py")
    header = nb.cells[0]
    assert header.cell_type == "markdown", f"{stem}: the first cell must be the markdown header"
    text = header.source
    assert re.match(r"#\s+\S", text), f"{stem}: the header starts with a '# ' title"
    assert re.search(r"(?i)after this notebook|you will be able to", text), f"{stem}: say what the student can do after it"
    assert "**Time:**" in text, f"{stem}: give the time (tests/test_times.py checks it against the measured record)"
    assert re.search(r"\]\(\d\d_[\w-]+\.ipynb\)", text), f"{stem}: link the previous or next notebook"
    assert re.search(r"\]\(\.\./ethics/prompts/[\w.-]+\.md\)", text), f"{stem}: link its ethics prompt"

    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert code and "from course_utils import setup" in code[0] and re.search(r"\bsetup\(", code[0]), \
        f"{stem}: the first code cell imports and calls setup() from course_utils"

    markdown = _markdown(nb)
    learned = [i for i, m in enumerate(markdown) if re.search(r"(?im)^#+\s*what we learned", m)]
    ethics = [i for i, m in enumerate(markdown) if re.search(r"(?im)^#+\s*ethics checkpoint", m)]
    assert learned, f"{stem}: add a 'What we learned' section"
    assert ethics, f"{stem}: add an 'Ethics checkpoint' section"
    assert learned[-1] <= ethics[-1], f"{stem}: 'What we learned' comes before the ethics checkpoint"
    tail = "\n".join(markdown[ethics[-1]:])
    tail = tail[re.search(r"(?im)^#+\s*ethics checkpoint", tail).start():]
    assert "](../ethics/prompts/" in tail, f"{stem}: the ethics checkpoint links its prompt in ../ethics/prompts/"


@pytest.mark.parametrize("stem", [p.stem for p in SCRIPTS])
def test_relative_links_resolve(stem):
    nb = _read(NOTEBOOKS / f"{stem}.py")
    missing = sorted({target for m in _markdown(nb) for target in LINK.findall(m)
                      if "://" not in target and not target.startswith(("#", "mailto:"))
                      and not (NOTEBOOKS / target.split("#")[0]).exists()})
    assert not missing, f"{stem} links to files that do not exist: {missing}"


@pytest.mark.parametrize("stem", STEMS)
def test_no_removed_or_unsafe_api_in_code(stem):
    for path in (NOTEBOOKS / f"{stem}.py", NOTEBOOKS / f"{stem}.ipynb"):
        if not path.exists():
            continue
        for index, cell in enumerate(_read(path).cells):
            if cell.cell_type != "code":
                continue
            found = [name for name in FORBIDDEN_IN_CODE if name in cell.source]
            assert not found, f"{path.name} cell {index} uses {found}: quote old code in markdown only"


@pytest.mark.parametrize("stem", [p.stem for p in SCRIPTS])
def test_every_figure_has_a_text_alternative(stem):
    """A reader who cannot see a figure gets one sentence: the markdown cell after it starts with it."""
    cells = _read(NOTEBOOKS / f"{stem}.py").cells
    for index, cell in enumerate(cells):
        if cell.cell_type == "code" and re.search(r"^\s*fig = ", cell.source, flags=re.M):
            following = cells[index + 1] if index + 1 < len(cells) else None
            assert following is not None and following.cell_type == "markdown", \
                f"{stem} cell {index}: a figure needs a markdown cell after it"
            text = following.source.replace("<!-- solution -->", "").lstrip()
            assert text.startswith("*Figure:"), f"{stem} cell {index}: start the next cell with *Figure: ...*"


WARNING_MARKS = ("WARNING:", "Warning:", "warnings.warn", "retracing", "DeprecationWarning", "UserWarning")


@pytest.mark.parametrize("stem", STEMS)
def test_committed_outputs_carry_no_library_warning(stem):
    """A student reads the outputs as the lesson: a library's warning there is noise (or a bug to fix)."""
    found = []
    for i, cell in enumerate(_read(NOTEBOOKS / f"{stem}.ipynb").cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            if output.get("name") == "stderr" or any(mark in text for mark in WARNING_MARKS):
                found.append(f"cell {i}: {text.strip()[:120]!r}")
    assert not found, f"{stem}.ipynb: {found}"


TRAINING = ("02_baseline", "03_deeper", "04_augmented", "10_normalisation_and_one_hot", "13_dropout")


@pytest.mark.parametrize("stem", TRAINING)
def test_the_knobs_are_in_view_and_reach_the_runs(stem):
    """The first code cell names EPOCHS, TRAIN_IMAGES and BATCH_SIZE from the profile the data carries,
    and every run the notebook trains is given them (so a changed value is what fit uses)."""
    code = [cell.source for cell in _read(NOTEBOOKS / f"{stem}.py").cells if cell.cell_type == "code"]
    for knob in ("EPOCHS", "TRAIN_IMAGES", "BATCH_SIZE"):
        assert re.search(rf"(?m)^{knob} = ", code[0]), f"{stem}: the first code cell does not set {knob}"
    calls = re.findall(r"(?:start_run|run_experiment)\((?:[^()]|\([^()]*\))*\)", "\n".join(code))
    trained = [call for call in calls if "results_only=True" not in call]
    assert trained, stem
    for call in trained:
        assert "epochs=EPOCHS" in call and "train_images=TRAIN_IMAGES" in call and "batch_size=BATCH_SIZE" in call, call


def test_check_says_right_or_not_and_hints_at_the_common_mistakes(capsys):
    """Unanswered and wrong answers return None (a cell ending in check() shows no stray False); a wrong
    answer with a known mistake gets its hint; the hints in the notebooks are keyed by those mistakes."""
    from course_utils import answer_hash, check

    right = answer_hash(1216)
    hints = {answer_hash(1200): "each filter also has one bias"}
    assert check(None, right, "n", hints) is None and "not answered yet" in capsys.readouterr().out
    assert check(1200, right, "n", hints) is None and "each filter also has one bias" in capsys.readouterr().out
    assert check(7, right, "n", hints) is None and "try again" in capsys.readouterr().out
    assert check(1216, right, "n", hints) is True and "right" in capsys.readouterr().out
    expected = {"01_explore_data": [(50_000 * 3072 / 2**20, 50_000 * 3072 * 4 / 2**20)],  # MiB, not MB
                "11_convolution_and_shapes": [(32 - 5) / 2 + 1, 5 * 5 * 3 * 16]}      # no floor; no bias
    for stem, mistakes in expected.items():
        source = (NOTEBOOKS / f"{stem}.py").read_text(encoding="utf-8")
        for mistake in mistakes:
            assert f'"{answer_hash(mistake)}"' in source, f"{stem}: no hint for the answer {mistake}"


@pytest.mark.parametrize("stem", TRAINING + ("05_comparison",))
def test_quick_numbers_say_what_they_cannot_show(stem):
    """In the quick profile the networks train for minutes: every notebook that reports their results
    prints the plain sentence saying so (and where the full-run figures are) under them."""
    code = "\n".join(c.source for c in _read(NOTEBOOKS / f"{stem}.py").cells if c.cell_type == "code")
    assert "quick_profile_note(data.profile)" in code, stem


def test_the_quick_note_speaks_only_in_the_quick_profile(capsys):
    from course_utils import get_profile, quick_profile_note

    quick_profile_note(get_profile("full"))
    assert capsys.readouterr().out == ""
    quick_profile_note(get_profile("quick"))
    out = capsys.readouterr().out
    assert "few minutes of training" in out and "README" in out


MAX_CODE_LINE = 88


@pytest.mark.parametrize("stem", [p.stem for p in SCRIPTS])
def test_code_lines_fit_the_reading_width(stem):
    """A student reads the code in JupyterLab or on a web page, where a long line scrolls sideways:
    every line of a code cell fits in 88 characters (markdown cells are prose and wrap by themselves)."""
    long_lines = []
    for index, cell in enumerate(_read(NOTEBOOKS / f"{stem}.py").cells):
        if cell.cell_type != "code":
            continue
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if len(line) > MAX_CODE_LINE:
                long_lines.append(f"cell {index} line {number}: {len(line)} characters")
    assert not long_lines, f"{stem}: code lines longer than {MAX_CODE_LINE} characters: {long_lines}"
