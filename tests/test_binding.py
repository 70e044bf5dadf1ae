"""The prose check that binds each quoted figure to its source (tests/binding.py) catches what it must.

The outputs below stand for a notebook's saved outputs; every figure in them is invented for the
test. Each mutation is a realistic slip in a sentence that was right, and each must be reported.
"""
from __future__ import annotations

import json
import re

import jupytext
import pytest

from binding import problems, untagged
from test_quoted_numbers import NOTEBOOKS, STEMS
from workshop.times import SENTENCE as TIME_SENTENCE

OUTPUTS = [
    "trained first then 20 epochs: test loss 2.3040, test accuracy 10.00%; 'bird' for 9,999 of 10,000 test images\n"
    "untrained     then 20 epochs: test loss 1.6123, test accuracy 42.93%; 'frog' for 1,874 of 10,000 test images\n",
    "deeper          test accuracy 0.7542\naugmented_mild  test accuracy 0.7571\naugmented       test accuracy 0.5980\n"
    "mild minus reference: -1.8 points\nraw against scaled, pre-activation ratio 281.0\n",
]
RIGHT = (
    "The trained start ended at 10.00%<!-- from: out:trained first --> with 'bird' for "
    "9,999<!-- from: out:trained first --> of the test images, while the untrained one learned to "
    "42.93%<!-- from: out:untrained -->. The mild settings scored 75.71%<!-- from: out:augmented_mild --> "
    "and the original settings 59.8%<!-- from: out:augmented  -->. The mild run trails the reference by "
    "1.8<!-- from: out:mild minus reference --> points. Its pre-activations grew "
    "281<!-- from: out:ratio -->-fold. The mild run's 75.71%<!-- from: out:augmented_mild --> is above "
    "the deeper net's 75.42%<!-- from: out:deeper -->, and the deeper net reached "
    "0.7542<!-- from: run:deeper.test_accuracy --> in its results."
)


@pytest.fixture
def results(tmp_path):
    (tmp_path / "deeper.json").write_text(json.dumps({"test_accuracy": 0.7542}))
    (tmp_path / "augmented_mild.json").write_text(json.dumps({"test_accuracy": 0.7571}))
    return tmp_path


def test_the_right_paragraph_passes(results):
    assert problems(RIGHT, OUTPUTS, results) == []


MUTATIONS = {
    # the three sentences a review planted in notebook 04, which the old check let through
    "planted: runs swapped": ("The untrained start collapsed to 10.00% while the trained one learned to 42.93%.",
                              "The untrained start collapsed to 10.00%<!-- from: out:untrained --> while the "
                              "trained one learned to 42.93%<!-- from: out:trained first -->."),
    "planted: settings swapped": ("The mild settings scored 59.8% and the original settings 76.9%.",
                                  "The mild settings scored 59.8%<!-- from: out:augmented_mild --> and the "
                                  "original settings 75.7%<!-- from: out:augmented  -->."),
    "planted: margin's sign": ("The mild settings beat the reference by 1.8 points.",
                               "The mild settings beat the reference by 1.8<!-- from: out:mild minus reference --> "
                               "points."),
    # five more kinds
    "swapped run in a results tag": ("", "the deeper net reached 0.7571<!-- from: run:deeper.test_accuracy -->."),
    "flipped direction": ("", "The mild run's 75.71%<!-- from: out:augmented_mild --> is below the deeper net's "
                              "75.42%<!-- from: out:deeper -->."),
    "wrong count": ("", "'bird' for 9,998<!-- from: out:trained first --> of the test images."),
    "wrong unit": ("", "The deeper net scored 0.75%<!-- from: out:deeper -->."),
    "figure from another notebook": ("", "The baseline reached 66.77%<!-- from: out:baseline -->."),
    "untagged count and ratio": ("", "'bird' for 9,999 of 10,000 images; pre-activations grew 281-fold."),
    "a setting tag that names no setting": ("", "The deeper net scored 75.42%<!-- from: set: -->."),
    "rise said of a fall": ("", "Accuracy rose from 75.71%<!-- from: out:augmented_mild --> to "
                                "59.8%<!-- from: out:augmented -->."),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_each_mutation_is_caught(name, results):
    untagged_form, tagged_form = MUTATIONS[name]
    for sentence in (untagged_form, tagged_form):
        if sentence:
            assert problems(sentence, OUTPUTS, results), f"{name}: {sentence!r} passed"


def test_settings_are_not_results_but_counts_and_ratios_are():
    assert untagged("It trains for 20 epochs on 32 filters, batches of 128.") == []
    assert untagged("It gave 9,999 answers, 281-fold, 2.30 and 76.9% and 1.8 points.") == \
        ["9,999", "281-fold", "2.30", "76.9%", "1.8 points"]


def notebook_prose_and_outputs(stem: str) -> tuple[str, list[str]]:
    """The markdown a student reads as results (exercises, whose numbers are givens, and the measured
    time sentence, which tests/test_times.py checks, left out) and the saved outputs' text."""
    script = jupytext.read(NOTEBOOKS / f"{stem}.py")
    prose, in_exercises = [], False
    for cell in script.cells:
        if cell.cell_type != "markdown":
            continue
        headings = re.findall(r"(?m)^## (.+)$", cell.source)
        if headings:
            in_exercises = headings[-1].strip().lower() == "exercises"
        if not in_exercises and not cell.source.lstrip().startswith("<!--"):
            prose.append(TIME_SENTENCE.sub(" ", cell.source))
    outputs = []
    for cell in jupytext.read(NOTEBOOKS / f"{stem}.ipynb").cells:
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [v for k, v in output.get("data", {}).items() if k == "text/plain"]
            outputs += ["".join(t) if isinstance(t, list) else str(t) for t in texts]
    return "\n\n".join(prose), outputs


@pytest.mark.parametrize("stem", STEMS)
def test_every_figure_in_a_notebooks_prose_is_bound_to_its_source(stem):
    found = problems(*notebook_prose_and_outputs(stem))
    assert not found, (f"{stem}: figures in the prose that no tag binds or whose source disagrees "
                       f"(tag each as tests/binding.py describes): " + "; ".join(found))


def test_a_sentence_ends_at_a_heading_or_list_item_and_points_bind_to_printed_percentages():
    outputs = ["without dropout: gap +27.1%", "deeper: test accuracy 75.42%", "baseline   : 66.77%"]
    across = "The list below\n\n## Results\n\n- deeper 75.42%<!-- from: out:deeper -->\n- baseline 66.77%<!-- from: out:baseline -->"
    assert problems(across, outputs) == []  # "below" is a pointer in another block, not a comparison
    within = "The baseline 75.42%<!-- from: out:deeper --> fell below 66.77%<!-- from: out:baseline -->."
    assert problems(within.replace("fell below", "rose above"), outputs)  # same block: still checked
    assert problems("A gap of 27.1 points<!-- from: out:without dropout -->.", outputs) == []
    assert problems("A gap of 27.1 points<!-- from: out:deeper -->.", outputs)
