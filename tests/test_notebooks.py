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
from shared import ROOT

NOTEBOOKS = ROOT / "notebooks"
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


# Where each concept is explained, and how a code or markdown cell shows that it uses it. A notebook
# read before the one that explains a concept must link that notebook in the section where it first
# uses the concept (or earlier); the reading order is the README's ("after" column).
CONCEPTS = {
    "convolution (Conv2D)": ("11_convolution_and_shapes", r"\bConv2D\(", None),
    "flatten and dense sizes": ("11_convolution_and_shapes", r"\b(?:Flatten|Dense)\(", None),
    "the output-size rule": ("11_convolution_and_shapes", None, r"(?i)output-size rule"),
    "receptive field": ("11_convolution_and_shapes", None, r"(?i)receptive field"),
    "max pooling": ("12_pooling", r"\bMaxPooling2D\(", None),
    "dropout": ("13_dropout", r"\bDropout\(", None),
    "cross-entropy": ("10_normalisation_and_one_hot", r"crossentropy", None),
    "one-hot labels": ("01_explore_data", r"to_categorical", None),
    "dividing by 255": ("01_explore_data", r"\bRescaling\(|/ ?255\b", None),
    "the deeper network": ("03_deeper", r"\bbuild_deeper\(", None),
    "intervals and paired tests": ("05_comparison", r"\b(?:wilson_interval|mcnemar_exact|compare_seeds)\(", None),
}
README = NOTEBOOKS.parent / "README.md"


def reading_order() -> dict[str, float]:
    """Position of each notebook in the README's reading path: 01-05 in turn, and each explainer
    right after the notebook in its 'after' column (explainers after the same one in number order)."""
    rows = re.findall(r"^\| `(\d\d_\w+)` \|.*\| (\d\d|-) \|$", README.read_text(), re.M)
    assert rows, "README.md: the notebook table (| `NN_name` | ... | after |) is missing"
    order = {}
    for stem, after in rows:
        main = int(stem[:2]) <= 9
        order[stem] = int(stem[:2]) if main else int(after) + int(stem[:2]) / 100
    return order


def concepts_used_before_explained(cells: list[tuple[str, str]], stem: str, order: dict[str, float]) -> list[str]:
    """Concepts a notebook uses before its reader has met the notebook that explains them, without
    a link to that notebook in the section of first use or before it."""
    found = []
    for concept, (home, code_pattern, text_pattern) in CONCEPTS.items():
        if home == stem or order[home] < order[stem]:
            continue
        first = next((i for i, (kind, source) in enumerate(cells)
                      if (kind == "code" and code_pattern and re.search(code_pattern, source))
                      or (kind == "markdown" and text_pattern and re.search(text_pattern, source))), None)
        if first is None:
            continue
        end = next((i for i in range(first + 1, len(cells))
                    if cells[i][0] == "markdown" and re.match(r"##?\s", cells[i][1])), len(cells))
        linked = any(kind == "markdown" and f"]({home}.ipynb" in source for kind, source in cells[:end])
        if not linked:
            found.append(f"{concept} (cell {first}) is explained in {home}, read later: link it there")
    return found


@pytest.mark.parametrize("stem", [p.stem for p in SCRIPTS])
def test_no_concept_is_used_before_its_notebook_or_a_link_to_it(stem):
    found = concepts_used_before_explained(_cells(NOTEBOOKS / f"{stem}.py"), stem, reading_order())
    assert not found, f"{stem}: " + "; ".join(found)


def test_the_concept_order_check_catches_a_missing_link():
    order = reading_order()
    assert set(order) == set(STEMS), "README.md's notebook table lists every notebook once"
    assert order["02_baseline"] < order["10_normalisation_and_one_hot"] < order["03_deeper"] < order["11_convolution_and_shapes"]
    cells = _cells(NOTEBOOKS / "02_baseline.py")
    without = [(kind, source.replace("](12_pooling.ipynb)", "](05_comparison.ipynb)")) for kind, source in cells]
    assert any("max pooling" in f for f in concepts_used_before_explained(without, "02_baseline", order))
    # a link only after the section where the concept is first used does not count
    moved = [(k, s.replace("](13_dropout.ipynb)", "")) for k, s in cells] + [("markdown", "see [13](13_dropout.ipynb)")]
    assert any("dropout" in f for f in concepts_used_before_explained(moved, "02_baseline", order))
    # 10, read after 02, trains 03's network: without its link to 03 it fails
    ten = [(k, s.replace("](03_deeper.ipynb)", "")) for k, s in _cells(NOTEBOOKS / "10_normalisation_and_one_hot.py")]
    assert any("deeper network" in f for f in concepts_used_before_explained(ten, "10_normalisation_and_one_hot", order))
    # an explainer may use what an earlier one explained without linking it
    assert concepts_used_before_explained([("code", "layers.Conv2D(1, 3)")], "12_pooling", order) == []


NUMBER_IN_OUTPUT = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?%?")


def _distinctive(value: float) -> bool:
    """A number that would give an answer away: a fraction, or a whole number from 100 up. Small whole
    numbers (a width of 14, 2 seeds) turn up in any output by coincidence, so they are not checked."""
    return value != round(value) or abs(value) >= 100


def _candidates(text: str):
    """What a printed text could hand a student as an answer: each distinctive number (a percentage
    also as a fraction), each pair of neighbouring ones on a line, and each word."""
    for line in text.splitlines():
        values = []
        for token in NUMBER_IN_OUTPUT.findall(line):
            value = float(token.rstrip("%").replace(",", ""))
            if _distinctive(value):
                values.append(value)
                yield value
            if token.endswith("%") and _distinctive(value / 100):
                yield value / 100
        yield from zip(values, values[1:])
        yield from re.findall(r"[A-Za-z]{3,}", line)


def giveaways(nb) -> list[str]:
    """Exercises whose answer (by its check() hash) is printed in an output above the exercises."""
    from course_utils.notebook import answer_hash

    heading = next(i for i, cell in enumerate(nb.cells)
                   if cell.cell_type == "markdown" and re.search(r"(?m)^##\s+Exercises", cell.source))
    expected = {m.group(1): m.group(2) for cell in nb.cells[heading:] if cell.cell_type == "code"
                and "#@solution" not in cell.source
                for m in re.finditer(r"check\(\s*\w+,\s*\"([0-9a-f]{16})\",\s*\"([^\"]+)\"", cell.source)}
    shown = {}
    for index, cell in enumerate(nb.cells[:heading]):
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [v for k, v in output.get("data", {}).items() if k == "text/plain"]
            for text in texts:
                for candidate in _candidates("".join(text) if isinstance(text, list) else str(text)):
                    shown.setdefault(answer_hash(candidate), (index, candidate))
    return [f"'{what}': its answer {shown[digest][1]!r} is printed by cell {shown[digest][0]}"
            for digest, what in expected.items() if digest in shown]


@pytest.mark.parametrize("stem", [p.stem for p in IPYNBS])
def test_no_exercise_answer_is_printed_above_it(stem):
    found = giveaways(_read(NOTEBOOKS / f"{stem}.ipynb"))
    assert not found, f"{stem}: " + "; ".join(found)


def test_the_giveaway_check_catches_a_printed_answer():
    import nbformat

    nb = _read(NOTEBOOKS / "01_explore_data.ipynb")
    assert giveaways(nb) == []
    planted = nbformat.v4.new_code_cell("print(...)", outputs=[nbformat.v4.new_output(
        "stream", name="stdout", text="uint8     153.6 MB\nfloat32   614.4 MB\n")])
    nb.cells.insert(3, planted)
    assert giveaways(nb) == []  # each size alone is not the answer, the pair is; on separate lines: not caught
    planted.outputs[0]["text"] = "uint8 153.6 MB, float32 614.4 MB\n"
    assert giveaways(nb) and "memory of the training set" in giveaways(nb)[0]
    nb = _read(NOTEBOOKS / "11_convolution_and_shapes.ipynb")
    nb.cells[4].outputs.append(nbformat.v4.new_output("stream", name="stdout", text="Conv2D(16, 5): 1,216 parameters\n"))
    assert any("Conv2D(16, 5)" in found for found in giveaways(nb))
