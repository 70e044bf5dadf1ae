"""The reproduction of the original augmented run: what it records, reuse, and resuming after a crash."""
from __future__ import annotations

import json
import math

import pytest

import course_utils.training.collapse as collapse
from course_utils.training.collapse import COLLAPSE_DEMOS, CollapseConfig, collapse_config, run_collapse
from course_utils.data import load_dataset
from course_utils.core.profiles import get_profile
from shared import ROOT, sample_slice

TINY = CollapseConfig("tiny", start="trained", first_epochs=1, continue_epochs=2, batch_size=64,
                      probe_images=64, logged_steps=12)


@pytest.fixture(scope="module")
def small(sample):
    return sample_slice(sample, 640, 200)


def _run(config, small, tmp_path, **kwargs):
    return run_collapse(config, profile="quick", data=small, runs_dir=tmp_path / "runs",
                        results_dir=tmp_path / "results", **kwargs)


def test_configs_follow_the_original_sequence():
    full = get_profile("full")
    trained = collapse_config("collapse_from_trained", full)
    assert (trained.first_epochs, trained.continue_epochs, trained.batch_size) == (20, 20, 128)
    assert trained.settings == "original" and trained.validation_split == 0.2
    untrained = collapse_config("collapse_from_untrained", full)
    assert untrained.first_epochs == 0 and untrained.continue_epochs == 20
    assert set(COLLAPSE_DEMOS) == {"collapse_from_trained", "collapse_from_untrained", "collapse_clipped_loss"}
    clipped = collapse_config("collapse_clipped_loss", full)
    assert clipped == collapse_config(CollapseConfig("collapse_clipped_loss", loss="clipped"), full)
    assert trained.loss == untrained.loss == "keras"
    quick = collapse_config("collapse_from_trained", get_profile("quick"))
    assert (quick.first_epochs, quick.continue_epochs) == get_profile("quick").collapse_epochs
    with pytest.raises(ValueError, match="start must be"):
        collapse_config(CollapseConfig("x", start="pretrained"), full)
    with pytest.raises(ValueError, match="loss must be"):
        collapse_config(CollapseConfig("x", loss="hinge"), full)


def test_the_clipped_loss_is_keras_2s_formula_on_hand_made_probabilities():
    """Keras 2: -sum(y * log(clip(p, 1e-7, 1 - 1e-7))). A confidently wrong row costs -ln(1e-7), not more."""
    import numpy as np
    import keras

    y = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], dtype="float32")
    p = np.array([[0.2, 0.5, 0.3], [1e-12, 1 - 2e-12, 1e-12], [0.0, 1.0, 0.0]], dtype="float32")
    got = keras.ops.convert_to_numpy(collapse.clipped_crossentropy(y, p))
    assert np.allclose(got, [-math.log(0.5), -math.log(1e-7), -math.log(1e-7)], rtol=1e-4)
    cap = keras.ops.convert_to_numpy(keras.losses.categorical_crossentropy(y, p))
    if keras.backend.backend() == "jax":  # Keras 3 on JAX clips the same way
        assert np.allclose(cap, got, rtol=1e-4)


def test_cross_entropy_losses_come_from_logits_and_from_clipped_probabilities():
    """On a network whose logits are set by hand: one image right with a margin of 40, one wrong by 40."""
    import numpy as np
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, name="hidden"),
                              keras.layers.Dense(2, activation="softmax", name="classes")])
    model.get_layer("hidden").set_weights([np.eye(2, dtype="float32"), np.zeros(2, "float32")])
    model.get_layer("classes").set_weights([np.eye(2, dtype="float32"), np.zeros(2, "float32")])
    x = np.array([[40.0, 0.0], [40.0, 0.0]], dtype="float32")
    losses = collapse.cross_entropy_losses(model, x, np.array([0, 1]))
    wrong = 40 + math.log1p(math.exp(-40))   # -log softmax of the losing logit
    assert losses["from_logits"] == pytest.approx((math.log1p(math.exp(-40)) + wrong) / 2, rel=1e-9)
    assert losses["clipped"] == pytest.approx(-math.log(1e-7) / 2, rel=1e-6)


def test_untrained_start_skips_the_first_cell(small, tmp_path):
    config = CollapseConfig("tiny_untrained", start="untrained", continue_epochs=1, batch_size=64,
                            probe_images=32, logged_steps=5)
    r = _run(config, small, tmp_path)
    assert r["first_history"] == [] and r["first_test"] is None
    assert len(r["continued_history"]) == 1 and len(r["step_losses"]) == 5


def test_a_crash_resumes_and_the_run_records_the_switch_and_what_follows(small, tmp_path, monkeypatch):
    """Killed after its first continued epoch, the run resumes there; its JSON holds every measurement."""
    real_save = collapse._save_state

    def crash_after_first_continued_epoch(run_dir, state, model):
        real_save(run_dir, state, model)
        if len(state["continued"]) == 1:
            raise KeyboardInterrupt("simulated Ctrl-C")

    monkeypatch.setattr(collapse, "_save_state", crash_after_first_continued_epoch)
    with pytest.raises(KeyboardInterrupt):
        _run(TINY, small, tmp_path)
    assert not (tmp_path / "results" / "quick" / "tiny.json").exists()
    state = json.loads((tmp_path / "runs" / "quick" / "tiny" / "state.json").read_text())
    assert len(state["first"]) == 1 and len(state["continued"]) == 1
    kept = sorted(p.name for p in (tmp_path / "runs" / "quick" / "tiny").glob("*.keras"))
    assert kept == sorted([state["checkpoint"], "switch.keras"])  # the latest epoch's, and the switch's

    monkeypatch.setattr(collapse, "_save_state", real_save)
    r = _run(TINY, small, tmp_path)
    assert r["resumed_at_epochs"] == [2]
    saved = json.loads((tmp_path / "results" / "quick" / "tiny.json").read_text())
    assert saved == r and r["kind"] == "collapse_demo"
    import numpy as np

    from course_utils.training.records import read_predictions

    stored = read_predictions(tmp_path / "results" / "quick" / "tiny.predictions.npz")
    assert (stored["label"] == small.y_test.ravel()).all()
    counts = [int(n) for n in np.bincount(stored["predicted"], minlength=10)]
    assert counts == list(r["predicted_class_counts"].values())  # in class order
    assert len(r["first_history"]) == 1 and "val_accuracy" in r["first_history"][0]
    assert 0 <= r["first_test"]["accuracy"] <= 1
    assert [row["epoch"] for row in r["continued_history"]] == [1, 2]
    assert r["steps_per_epoch"] == 640 // 64
    assert len(r["step_losses"]) == 12 and all(math.isfinite(v) for v in r["step_losses"])
    # Raw pixels are 255 times the scaled ones: the first layer's pre-activations grow with them.
    raw, scaled = r["at_switch"]["raw"], r["at_switch"]["scaled"]
    assert raw["conv1_preactivation_rms"] > 50 * scaled["conv1_preactivation_rms"]
    assert raw["weights"]["conv1"]["kernel_rms_change"] == 0.0
    steps = [p["step"] for p in r["probes"]]
    assert steps == sorted(steps) and steps[0] == 1 and steps[-1] == 20
    last = r["probes"][-1]
    for key in ("conv1_dead_filters", "dense_dead_units", "logit_range", "probe_loss", "top_answer_share"):
        assert key in last, key
    assert last["weights"]["dense"]["kernel_rms_change"] > 0  # measured against the weights at the switch
    assert sum(r["predicted_class_counts"].values()) == 200 and r["ln_10"] == pytest.approx(math.log(10))
    assert math.isfinite(r["test_loss"]) and 0 <= r["test_accuracy"] <= 1
    assert not list((tmp_path / "results" / "quick").glob(".*"))  # no temporary files left behind
    assert _run(TINY, small, tmp_path) == r  # a finished run is read back, not retrained


def test_reproduce_knows_the_collapse_and_both_settings(capsys):
    from course_utils.cli import _reproduce_names, main

    assert _reproduce_names(["collapse"]) == ["collapse_from_trained", "collapse_from_untrained", "collapse_clipped_loss"]
    assert _reproduce_names(["all"]) == ["baseline", "deeper", "augmented", "augmented_mild", "augmented_40"]
    assert _reproduce_names(["augmented_mild", "collapse_from_untrained", "augmented_mild"]) == [
        "augmented_mild", "collapse_from_untrained"]
    assert main(["reproduce", "augmented_strong"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown run 'augmented_strong'") and "collapse_from_trained" in err
    assert len(err.splitlines()) == 1


def test_a_profile_slice_is_trained_on_recorded_and_part_of_reuse(small, tmp_path, monkeypatch):
    """A profile that names N training images (the quick one does) trains the collapse on the first N,
    records N, and a finished run is reused only for the same N."""
    from dataclasses import replace

    sliced = replace(get_profile("quick"), train_images=320)
    config = CollapseConfig("tiny_slice", start="untrained", continue_epochs=1, batch_size=64,
                            probe_images=32, logged_steps=3)
    where = {"runs_dir": tmp_path / "runs", "results_dir": tmp_path / "results"}
    r = run_collapse(config, profile=sliced, data=small, **where)
    assert (r["train_images"], r["steps_per_epoch"]) == (320, 5)
    assert run_collapse(config, profile=sliced, data=small, **where) == r  # reused, not retrained
    monkeypatch.setattr(collapse, "_run", lambda *args: "trained again")
    assert run_collapse(config, profile=replace(sliced, train_images=640), data=small, **where) == "trained again"


@pytest.mark.parametrize("stop, loss", [(1, "keras"), (2, "keras"), (2, "clipped")],
                         ids=["after its first cell", "after its first continued epoch", "clipped loss"])
def test_a_resumed_collapse_run_ends_as_one_left_alone(small, tmp_path, monkeypatch, stop, loss):
    """Killed after a saved epoch of either cell and resumed (the process's generators used meanwhile):
    the same histories, step losses, probes and test numbers as a run left alone."""
    import random

    import keras
    import numpy as np

    from dataclasses import replace

    config = replace(TINY, loss=loss, continue_epochs=3)
    alone = _run(config, small, tmp_path / "alone")
    real_save = collapse._save_state

    def crash(run_dir, state, model):
        real_save(run_dir, state, model)
        if len(state["first"]) + len(state["continued"]) == stop:
            raise KeyboardInterrupt("simulated Ctrl-C")

    monkeypatch.setattr(collapse, "_save_state", crash)
    with pytest.raises(KeyboardInterrupt):
        _run(config, small, tmp_path / "killed")
    monkeypatch.setattr(collapse, "_save_state", real_save)
    keras.utils.set_random_seed(7)
    random.random(), np.random.random()
    resumed = _run(config, small, tmp_path / "killed")
    assert resumed["resumed_at_epochs"] == [stop]
    for key in ("test_loss", "test_loss_from_logits", "test_loss_clipped", "test_accuracy", "first_test",
                "step_losses", "probes"):
        assert resumed[key] == alone[key], key
    assert "training" in alone["probes"][0] and "probe_loss_clipped" in alone["probes"][0]
    for key in ("first_history", "continued_history"):
        strip = [[{k: v for k, v in row.items() if k not in ("seconds", "images_per_second")} for row in r[key]]
                 for r in (resumed, alone)]
        assert strip[0] == strip[1], key


def test_ctrl_c_in_a_collapse_reproduction_names_the_epoch_it_saved(small, tmp_path, monkeypatch, capsys):
    """The collapse run keeps its own record (state.json): Ctrl-C after its second saved epoch says so."""
    from course_utils import cli

    real_save = collapse._save_state

    def crash(run_dir, state, model):
        real_save(run_dir, state, model)
        if len(state["first"]) + len(state["continued"]) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(collapse, "_save_state", crash)
    monkeypatch.setitem(collapse.COLLAPSE_DEMOS, "tiny", TINY)
    monkeypatch.setattr("course_utils.data.loading.load_dataset", lambda *a, **k: small)
    assert cli.main(["reproduce", "tiny", "--profile", "quick"]) == 130
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("stopped")]
    assert err == ["stopped: tiny is saved after epoch 2; run the same command again to resume from there"]


def test_the_committed_full_runs_collapse_from_trained_and_not_from_untrained():
    """As the original did: the trained start ends at ln 10 with one answer for nearly every image;
    the untrained start, given the same raw pixels from the beginning, learns."""
    import json
    from pathlib import Path

    folder = ROOT / "results" / "full"
    share = {}
    for name in ("collapse_from_trained", "collapse_from_untrained"):
        r = json.loads((folder / f"{name}.json").read_text())
        counts = list(r["predicted_class_counts"].values())
        share[name] = (r["test_loss"], r["test_accuracy"], max(counts) / sum(counts))
    loss, accuracy, top = share["collapse_from_trained"]
    assert abs(loss - math.log(10)) < 0.01 and top > 0.9 and abs(accuracy - 0.1) < 0.01
    loss, accuracy, top = share["collapse_from_untrained"]
    assert accuracy > 0.2 and top < 0.5


def test_the_continued_cell_trains_and_is_scored_on_raw_pixels(small, tmp_path, monkeypatch):
    """The original's second cell reloaded CIFAR-10: training batches and test images were 0-255, never
    divided by 255. Dividing either would make a different experiment that the tests must notice."""
    import keras
    import numpy as np

    batches = collapse.RawAugmentedBatches(small.x_train, small.y_train, 64, 3, "original", seed=42)
    images, labels = batches[0]
    assert images.shape == (64, 32, 32, 3) and labels.shape == (64, 10)
    assert images.max() > 200 and images.dtype == np.float32  # raw pixels, warped

    seen = []
    evaluate = keras.Model.evaluate

    def spy(self, x=None, *args, **kwargs):
        seen.append(float(np.max(x)) if isinstance(x, np.ndarray) else None)
        return evaluate(self, x, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "evaluate", spy)
    r = _run(CollapseConfig("tiny_raw", start="untrained", continue_epochs=1, batch_size=64, probe_images=32,
                            logged_steps=3), small, tmp_path)
    assert seen and seen[-1] > 200, f"the final score was taken on pixels up to {seen[-1]}, not raw ones"
    assert r["test_loss"] == pytest.approx(evaluate(keras.saving.load_model(
        next((tmp_path / "runs").rglob("checkpoint-*.keras")), safe_mode=True),
        small.x_test.astype("float32"), keras.utils.to_categorical(small.y_test, 10), verbose=0)[0], rel=1e-5)


def test_a_run_with_the_same_first_cell_starts_at_the_others_switch_and_ends_the_same(small, tmp_path, monkeypatch):
    """The clipped-loss run shares the trained start's first cell: started from the copy that run left at
    the switch, it trains only its second cell and ends bit for bit as when it trains both itself."""
    from dataclasses import replace

    import keras

    clipped = replace(TINY, name="tiny_clipped", loss="clipped")
    alone = _run(clipped, small, tmp_path / "alone")
    _run(TINY, small, tmp_path / "shared")
    fits = []
    real_fit = keras.Model.fit
    monkeypatch.setattr(keras.Model, "fit", lambda self, *a, **k: fits.append(k["epochs"]) or real_fit(self, *a, **k))
    shared = _run(clipped, small, tmp_path / "shared")
    assert (alone["first_cell_from"], shared["first_cell_from"]) == (None, "tiny")
    assert len(fits) == clipped.continue_epochs and shared["resumed_at_epochs"] is None
    for key in ("first_history", "first_test", "test_loss", "test_loss_clipped", "test_accuracy", "step_losses",
                "probes", "at_switch", "predicted_class_counts"):
        if key == "first_history":
            strip = [[{k: v for k, v in row.items() if k not in ("seconds", "images_per_second")} for row in r[key]]
                     for r in (shared, alone)]
            assert strip[0] == strip[1]
        else:
            assert shared[key] == alone[key], key
    other_seed = _run(replace(clipped, name="tiny_clipped_seed_1", seed=1), small, tmp_path / "shared")
    assert other_seed["first_cell_from"] is None  # a different first cell is trained, not borrowed
