"""Model cards for the course's trained models, rendered from the results file of each run.

    python -m course_utils model-cards [--results results/full] [--out ethics/model-cards]

The cards follow "Model Cards for Model Reporting" (Mitchell et al., 2019). Every number on a card
is read, or computed, from the results JSON that :func:`course_utils.training.experiment.run_experiment`
wrote, so a card can always be regenerated and never holds a number typed by hand. A model whose
results file is missing, unreadable or inconsistent gets no card, and the reason is printed.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Callable

from ..core.atomic import write_text_atomic

MODELS = ("baseline", "deeper", "augmented", "augmented_mild", "augmented_40")
REQUIRED_KEYS = (
    "experiment", "config", "parameters", "profile", "data", "history", "epochs_completed",
    "test_loss", "test_accuracy", "per_class_accuracy", "confusion_matrix", "train_seconds",
    "finished_utc",
)
ARCHITECTURES = {
    "baseline": "one convolutional block: Conv2D (32 filters, 3x3, same padding, ReLU), 2x2 max "
                "pooling, dropout 0.25, then a dense layer of 512 ReLU units, dropout 0.5 and a "
                "10-way softmax",
    "deeper": "two convolutional blocks: two Conv2D layers of 32 filters, 2x2 max pooling, dropout "
              "0.25, then two Conv2D layers of 64 filters (the second without padding), 2x2 max "
              "pooling, dropout 0.25, then a dense layer of 512 ReLU units, dropout 0.5 and a "
              "10-way softmax",
}
# Per-class accuracies are stored rounded to 4 decimals; a larger gap to the confusion matrix
# means the file was edited or corrupted, and a card built from it would show invented numbers.
_CONSISTENCY_TOLERANCE = 6e-5


def _f4(x: float) -> str:
    return f"{x:.4f}"


def _count(n: int | float) -> str:
    return f"{int(n):,}"


def _check(results: dict) -> list[list[int]]:
    """Raise ValueError unless ``results`` has what a card needs, consistently; return the matrix."""
    missing = [key for key in REQUIRED_KEYS if key not in results]
    if missing:
        raise ValueError(f"results lack {', '.join(missing)}")
    per_class = results["per_class_accuracy"]
    matrix = results["confusion_matrix"]
    if len(matrix) != len(per_class) or any(len(row) != len(per_class) for row in matrix):
        raise ValueError(f"confusion matrix is not {len(per_class)}x{len(per_class)}")
    for i, (name, accuracy) in enumerate(per_class.items()):
        total = sum(matrix[i])
        derived = matrix[i][i] / total if total else 0.0
        if abs(derived - accuracy) > _CONSISTENCY_TOLERANCE:
            raise ValueError(f"per-class accuracy of {name} ({accuracy}) does not match the "
                             f"confusion matrix ({matrix[i][i]}/{total})")
    return matrix


def _data_sentence(data: dict) -> str:
    kind, source = data.get("kind"), str(data.get("source"))
    if kind == "sample":
        return ("the 6,000-image sample bundled with `course_utils` (500 training and 100 test "
                "images per class, drawn from the JPEG copy of CIFAR-10)")
    if kind == "keras" or source.endswith("cifar-10-python.tar.gz") or "batches-py" in source:
        return "the original CIFAR-10 python batches (`cifar-10-python.tar.gz`)"
    if "jpg" in source.lower() or "jpeg" in source.lower():
        return ("a JPEG re-encoding of CIFAR-10 with the original train/test split; JPEG is lossy, "
                "so pixel values differ slightly from the original files")
    return "a local copy of CIFAR-10 (see the source below)"


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
    name = results["experiment"]
    config, profile, data = results["config"], results["profile"], results["data"]
    per_class = results["per_class_accuracy"]
    names = list(per_class)
    history = results["history"]
    accuracy = float(results["test_accuracy"])
    n_test = sum(sum(row) for row in matrix)
    n_correct = sum(matrix[i][i] for i in range(len(matrix)))
    se = math.sqrt(accuracy * (1 - accuracy) / n_test) if n_test else float("nan")
    best = max(names, key=lambda c: per_class[c])
    worst = min(names, key=lambda c: per_class[c])
    macro = sum(per_class.values()) / len(per_class)
    augmentation = results.get("augmentation")
    architecture = ARCHITECTURES.get(config.get("model"), f"the `{config.get('model')}` network")
    epochs_planned = config.get("epochs")

    lines = [
        f"# Model card: {name}",
        "",
        f"<!-- Generated by `python -m course_utils model-cards` from {source or 'a results file'}; "
        "do not edit by hand. -->",
        "",
        "*Follows \"Model Cards for Model Reporting\" [@mitchell2019]. Every number below is read or "
        "computed from the results file of one training run, named under Model details.*",
        "",
    ]
    if profile.get("name") != "full" or data.get("kind") == "sample":
        lines += [
            f"> **Not a full run.** These numbers come from the `{profile.get('name')}` profile "
            f"({profile.get('description', 'see course_utils/profiles.py')}). They show that the code "
            "works; they are not comparable with results on the full dataset.",
            "",
        ]
    if epochs_planned and results["epochs_completed"] < epochs_planned:
        lines += [f"> **Incomplete run:** {results['epochs_completed']} of {epochs_planned} planned "
                  "epochs were completed.", ""]

    lines += [
        "## Model details",
        "",
        f"- **Model:** `{name}`, a Keras convolutional image classifier for the ten CIFAR-10 classes; "
        f"{architecture}. The networks follow Gulli and Pal, chapter 3 [@gulli2017].",
        f"- **Parameters:** {_count(results['parameters'])}",
        f"- **Training setup:** RMSprop, categorical cross-entropy, batch size {config.get('batch_size')}, "
        f"{results['epochs_completed']} epochs, validation split {config.get('validation_split')}, "
        f"seed {config.get('seed')}, dropout {'on' if config.get('dropout', True) else 'off'}, "
        f"pixels {'scaled to 0-1' if config.get('normalise', True) else 'left at 0-255'}.",
        "- **Augmentation:** " + (
            ", ".join(f"{k} {v}" for k, v in augmentation.items())
            + (f" (settings `{config['augmentation']}`" if isinstance(config.get("augmentation"), str) else " (")
            + "random, training only" + (f"; {results['augmentation_layer']}" if results.get("augmentation_layer") else "")
            + ")" if augmentation else "none"),
        *([f"- **Continued run:** its first {results['continued_from']['epochs']} epochs are the "
            f"`{results['continued_from']['experiment']}` run, trained on from there with the same weights "
            "and optimizer state."] if results.get("continued_from") else []),
        f"- **Run:** profile `{profile.get('name')}`, finished {results['finished_utc']}"
        + (f", results file `{source}`" if source else "") + ".",
        "- **Software:** " + ", ".join(f"{k} {v}" for k, v in sorted(results.get("versions", {}).items())),
        "- **Made by:** the course maintainers, for teaching. Licence: that of this repository.",
        "",
        "## Intended use",
        "",
        "- **Primary use:** teaching. Students train, compare and inspect this model to learn how "
        "convolutional networks, data augmentation and evaluation work.",
        "- **Primary users:** students and instructors of this course.",
        "- **No decisions about people.** The model must not be used to make or support any "
        "decision about a person.",
        "",
        "### Out-of-scope uses",
        "",
        "- Any real-world deployment, including sorting, monitoring or filtering images for an "
        "organisation.",
        "- Recognising, identifying or describing people, faces, emotions or any personal "
        "attribute. CIFAR-10 has no class for people.",
        "- Evidence about how a model will perform outside this test set, or about fairness.",
        "",
        "## Factors",
        "",
        "- **Groups evaluated:** the ten object classes. There are no demographic or other "
        "person-related groups in the data, so no such factor can be evaluated.",
        "- **Instrumentation and environment:** 32x32 pixel web photographs; performance on "
        "larger, differently captured or corrupted images is unknown and likely lower.",
        "",
        "## Metrics",
        "",
        "- **Accuracy** on the test set, overall and per class, with the share of each class "
        "predicted as each other class (the confusion matrix).",
        "- **Uncertainty:** a 95% interval from the binomial approximation "
        "(accuracy ± 1.96 × standard error). It covers the sampling of test images only, not "
        "the variation between training runs with different seeds.",
        "",
        "## Evaluation data",
        "",
        f"- **Test set:** {_count(n_test)} images, "
        + ", ".join(f"{c} {_count(sum(matrix[i]))}" for i, c in enumerate(names)) + ".",
        f"- **Source:** {_data_sentence(data)}; `{data.get('source')}`, "
        f"array SHA-256 `{str(data.get('sha256'))[:16]}...`"
        + (f". Note recorded with the data: {data['note']}" if data.get("note") else "") + ".",
        "- About 3.3% of CIFAR-10's test images have near-duplicates in its training set "
        "[@barz2020], which flatters every score below.",
        "",
        "## Training data",
        "",
        f"- {_count(data.get('train_images', 0))} training images from the same source "
        f"({'the first ' + _count(config['train_images']) + ' of them, ' if config.get('train_images') else ''}"
        f"{round((1 - float(config.get('validation_split', 0))) * 100)}% used for fitting and the rest "
        "held out for validation after a seeded shuffle). See the "
        "[datasheet](../datasheet-cifar10.md) for where the images come from.",
        "",
        "## Quantitative analyses",
        "",
        f"- **Test accuracy:** {_f4(accuracy)} ({_count(n_correct)} of {_count(n_test)} test images "
        f"correct; 95% interval about {_f4(accuracy - 1.96 * se)} to {_f4(accuracy + 1.96 * se)})",
        f"- **Test loss:** {_f4(float(results['test_loss']))}",
        f"- **Mean of per-class accuracies:** {_f4(macro)}; best class **{best}** "
        f"({_f4(per_class[best])}), worst class **{worst}** ({_f4(per_class[worst])}), "
        f"a gap of {_f4(per_class[best] - per_class[worst])}.",
    ]
    if history:
        last = history[-1]
        best_epoch = max(history, key=lambda row: row.get("val_accuracy", float("-inf")))
        lines += [
            f"- **Final epoch ({last['epoch']}):** training accuracy {_f4(last['accuracy'])}, "
            f"validation accuracy {_f4(last['val_accuracy'])}; best validation accuracy "
            f"{_f4(best_epoch['val_accuracy'])} at epoch {best_epoch['epoch']}.",
        ]
    lines += [
        f"- **Training time:** {results['train_seconds']:.0f} s over {results['epochs_completed']} epochs"
        + (f", median {results['images_per_second_median']:,.0f} images per second"
           if results.get("images_per_second_median") is not None else "")
        + (f", peak memory {results['peak_rss_mb']:,.0f} MB" if results.get("peak_rss_mb") is not None else "")
        + (f", on {results['machine'].get('platform')} with {results['machine'].get('cpus')} CPUs"
           if isinstance(results.get("machine"), dict) else "") + ".",
        "",
        "### Per-class accuracy",
        "",
        "| Class | Test images | Correct | Accuracy |",
        "|---|---:|---:|---:|",
    ]
    for i, c in enumerate(names):
        lines.append(f"| {c} | {_count(sum(matrix[i]))} | {_count(matrix[i][i])} | {_f4(per_class[c])} |")
    per_class_se = math.sqrt(macro * (1 - macro) / (n_test / len(names))) if n_test else float("nan")
    lines += [
        "",
        f"With about {_count(n_test / len(names))} test images per class, each per-class accuracy has a "
        f"standard error of roughly {_f4(per_class_se)}; treat smaller differences between classes "
        "or models with caution.",
        "",
        "### Most confused pairs",
        "",
        "| True class | Predicted as | Images | Share of the true class |",
        "|---|---|---:|---:|",
    ]
    for true, predicted, count, share in _confusions(names, matrix):
        lines.append(f"| {true} | {predicted} | {_count(count)} | {_f4(share)} |")
    lines += [
        "",
        "## Ethical considerations",
        "",
        "- **Data:** CIFAR-10 is a labelled subset of 80 Million Tiny Images, collected from web "
        "search results without the consent of photographers or anyone pictured; the parent "
        "collection was withdrawn in 2020 after offensive labels were found "
        "[@mit2020tinyimages; @prabhu2020]. See the [datasheet](../datasheet-cifar10.md).",
        "- **People:** the model has never been evaluated on anything to do with people and must "
        "not be; see [What \"bias\" means](../essays/what-bias-means.md) for why class-level results "
        "say nothing about fairness to people.",
        "- **Misuse:** the same architecture trained on faces would be a face recognition system, "
        "which raises the questions in [Faces: measurement and law](../essays/faces-measurement-and-law.md).",
        "",
        "## Caveats and recommendations",
        "",
        f"- **Data copy:** this run used {_data_sentence(data)}. Always report the data source with a "
        "number.",
        "- **Near-duplicates:** some test images have near-copies in the training set [@barz2020], "
        "and a newly collected CIFAR-10 test set lowered published models' accuracy by 4 to 10 "
        "points [@recht2018]. Expect lower accuracy on new images.",
        "- **Tiny images:** every input is 32x32 pixels; the model knows nothing about larger or "
        "differently framed photographs.",
        "- **One run:** these numbers come from one seed. Differences between models smaller than "
        "the intervals above may not be real; see "
        "[Benchmarks are brittle](../essays/benchmarks-are-brittle.md) and "
        "[prompt 6](../prompts/06-disaggregated-evaluation.md).",
        "",
    ]
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
            text = render_model_card(results, source=path.as_posix())
        except (ValueError, AttributeError, TypeError, KeyError) as exc:  # JSONDecodeError is a ValueError
            log(f"model-cards: cannot use {path.as_posix()} ({exc}); no card written for {name}")
            continue
        written.append(write_text_atomic(out_dir / f"{name}.md", text))
        log(f"model-cards: wrote {(out_dir / f'{name}.md').as_posix()}")
    return written
