"""Model cards for the course's trained models, rendered from the results file of each run.

    python -m workshop model-cards [--results results/full] [--out ethics/model-cards]

The cards follow "Model Cards for Model Reporting" (Mitchell et al., 2019). Every number on a card
is read, or computed, from the results JSON that :func:`course_utils.training.experiment.run_experiment`
wrote, so a card can always be regenerated and never holds a number typed by hand. A model whose
results file is missing, unreadable or inconsistent gets no card, and the reason is printed.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from course_utils.core.atomic import write_text_atomic
from course_utils.core.course_home import project_folder
from .card_sections import (ETHICAL_CONSIDERATIONS, USE_FACTORS_METRICS, CardFacts, caveats, class_tables,
                            data_sections, header, model_details, quantitative)

# The model answers to those prompts, for instructors: the student edition leaves out everything
# after the marker line (workshop/editions.py), as it does for the prompts' instructor notes.
INSTRUCTOR_NOTES = [
    "<!-- instructor-only: everything below this line is left out of the student edition -->",
    "",
    "## For instructors: the answers this card would give away",
    "",
    "- **People:** the model has never been evaluated on anything to do with people and must "
    "not be; see [What \"bias\" means](../essays/what-bias-means.md) for why class-level results "
    "say nothing about fairness to people.",
    "- **Misuse:** the same architecture trained on faces would be a face recognition system, "
    "which raises the questions in [Faces: measurement and law](../essays/faces-measurement-and-law.md).",
]

MODELS = ("baseline", "deeper", "augmented", "augmented_mild", "augmented_40")
REQUIRED_KEYS = (
    "experiment", "config", "parameters", "profile", "data", "history", "epochs_completed",
    "test_loss", "test_accuracy", "per_class_accuracy", "confusion_matrix", "train_seconds",
    "finished_utc",
)
# Per-class accuracies are stored rounded to 4 decimals; a larger gap to the confusion matrix
# means the file was edited or corrupted, and a card built from it would show invented numbers.
_CONSISTENCY_TOLERANCE = 6e-5


def _check(results: dict) -> list[list[int]]:
    """Raise ValueError unless ``results`` has what a card needs, consistently; return the matrix."""
    missing = [key for key in REQUIRED_KEYS if key not in results]
    if missing:
        raise ValueError(f"results lack {', '.join(missing)}")
    per_class = results["per_class_accuracy"]
    matrix = results["confusion_matrix"]
    if len(matrix) != len(per_class) or any(len(row) != len(per_class) for row in matrix):
        raise ValueError(f"confusion matrix is not {len(per_class)}x{len(per_class)}")
    if not sum(map(sum, matrix)):
        raise ValueError("the confusion matrix counts no test images")
    for i, (name, accuracy) in enumerate(per_class.items()):
        total = sum(matrix[i])
        derived = matrix[i][i] / total if total else 0.0
        if abs(derived - accuracy) > _CONSISTENCY_TOLERANCE:
            raise ValueError(f"per-class accuracy of {name} ({accuracy}) does not match the "
                             f"confusion matrix ({matrix[i][i]}/{total})")
    return matrix


def _confusions(names: list[str], matrix: list[list[int]], top: int = 3) -> list[tuple[str, str, int, float]]:
    pairs = []
    for i, row in enumerate(matrix):
        total = sum(row)
        for j, count in enumerate(row):
            if i != j and count:
                pairs.append((names[i], names[j], count, count / total if total else 0.0))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))[:top]


def render_model_card(results: dict, source: str | None = None) -> str:
    """The markdown model card for one run's ``results`` (see the module docstring).

    ``source`` is the results file's path, printed on the card so a reader can find the run.
    Raises ValueError when the results are incomplete or inconsistent.
    """
    matrix = _check(results)
    c = CardFacts(results, matrix, source)
    lines = (header(c) + model_details(c) + USE_FACTORS_METRICS + data_sections(c) + quantitative(c)
             + class_tables(c, _confusions(c.names, matrix)) + ETHICAL_CONSIDERATIONS + caveats(c) + INSTRUCTOR_NOTES)
    return "\n".join(lines)


def write_model_cards(results_dir: str | Path = "results/full", out_dir: str | Path = "ethics/model-cards",
                      models: tuple[str, ...] = MODELS, log: Callable[[str], None] = print) -> list[Path]:
    """Write ``<out_dir>/<model>.md`` for every model whose results file exists; return the paths.

    A missing, unreadable or inconsistent results file is reported through ``log`` and skipped: no
    card is written for it, and an existing card is left as it was.
    """
    results_dir, out_dir = Path(results_dir), Path(out_dir)
    written = []
    for name in models:
        path = results_dir / f"{name}.json"
        if not path.is_file():
            log(f"model-cards: no results for {name} at {path.as_posix()}; no card written")
            continue
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
            if results.get("experiment") != name:
                raise ValueError(f"the file is for experiment {results.get('experiment')!r}")
            text = render_model_card(results, source=_shown_path(path))
        except (ValueError, AttributeError, TypeError, KeyError) as exc:  # JSONDecodeError is a ValueError
            log(f"model-cards: cannot use {path.as_posix()} ({exc}); no card written for {name}")
            continue
        written.append(write_text_atomic(out_dir / f"{name}.md", text))
        log(f"model-cards: wrote {(out_dir / f'{name}.md').as_posix()}")
    return written


def _shown_path(path: Path) -> str:
    """The results file as a card names it: relative to the project, never this machine's absolute path."""
    try:
        return path.resolve().relative_to(project_folder().resolve()).as_posix()
    except ValueError:
        return path.name
