"""run_experiment: results JSON contents, reuse of finished runs, safe reloading, and resuming after a kill."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils.data import load_dataset
from course_utils.training.experiment import ExperimentConfig, run_experiment
from course_utils.training.networks import build_baseline, build_deeper

TINY = ExperimentConfig("tiny", model="baseline", epochs=1, train_images=640, batch_size=64)


def test_original_parameter_counts():
    assert build_baseline().count_params() == 4_200_842
    assert build_deeper().count_params() == 1_676_842
    assert build_deeper(dropout=False).count_params() == 1_676_842


def test_results_json_records_everything(sample, tmp_path):
    result = run_experiment(TINY, profile="quick", data=sample, runs_dir=tmp_path / "runs",
                            results_dir=tmp_path / "results", verbose=0)
    saved = json.loads((tmp_path / "results" / "quick" / "tiny.json").read_text())
    assert saved == result.results
    for key in ("history", "test_loss", "test_accuracy", "per_class_accuracy", "confusion_matrix",
                "train_seconds", "images_per_second_median", "peak_rss_mb", "versions", "profile", "data"):
        assert key in saved, key
    assert saved["versions"]["backend"] in ("tensorflow", "jax", "torch") and saved["versions"]["keras"].startswith("3.")
    assert saved["data"]["sha256"] == sample.sha256 and saved["profile"]["name"] == "quick"
    # Run times only compare on the same hardware, so the device is recorded (CI has no GPU).
    assert saved["machine"]["accelerator"] == "cpu" and saved["machine"]["cpus"] >= 1
    matrix = np.array(saved["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == 1000
    assert saved["test_accuracy"] == pytest.approx(np.trace(matrix) / 1000, abs=1e-6)
    # per class, from the stored predictions and the labels, not from the matrix the code derives it by
    predicted, truth = result.probabilities().argmax(axis=1), sample.y_test.ravel()
    per_class = [np.mean(predicted[truth == c] == c) for c in range(10)]
    assert list(saved["per_class_accuracy"].values()) == pytest.approx(per_class, abs=1e-4)
    assert [row["epoch"] for row in saved["history"]] == [1]
    assert not list((tmp_path / "results" / "quick").glob(".*"))  # no temporary files left

    # Reloaded with safe_mode on, the model gives the same predictions that were saved; it takes raw
    # pixels, because dividing by 255 is its own first layer.
    model = result.model()
    assert model.layers[0].name == "rescale"
    x = sample.x_test[:32].astype("float32")
    assert np.allclose(model.predict(x, verbose=0), result.probabilities()[:32], atol=1e-5)


def test_finished_run_is_reused_not_retrained(sample, tmp_path):
    kwargs = dict(profile="quick", data=sample, runs_dir=tmp_path / "runs", results_dir=tmp_path / "r", verbose=0)
    first = run_experiment(TINY, **kwargs)
    again = run_experiment(TINY, **kwargs)
    assert again.reused and again.results == first.results
    changed = run_experiment(ExperimentConfig(**{**asdict(TINY), "seed": 7}), **kwargs)
    assert not changed.reused and changed.results["config"]["seed"] == 7


RESUME_SCRIPT = """
import pathlib, sys, time
from course_utils.training import checkpoints
from course_utils.training.experiment import ExperimentConfig, run_experiment

def mid_second_epoch(self, batch, logs=None):  # the hook: tell the parent, then wait to be killed
    if self.epoch_now == 1 and batch == 2:  # the third batch of the second epoch
        print("in-epoch-2", flush=True)
        time.sleep(600)
checkpoints.SafeCheckpoint.on_epoch_begin = lambda self, epoch, logs=None: setattr(self, "epoch_now", epoch)
checkpoints.SafeCheckpoint.on_train_batch_end = mid_second_epoch
from course_utils.data import load_dataset
config = ExperimentConfig("resume", model="baseline", epochs=3, train_images=640, batch_size=32)
run_experiment(config, profile="quick", data=load_dataset("sample", progress=False),
               runs_dir=sys.argv[1] + "/runs", results_dir=sys.argv[1] + "/results", verbose=0)
"""


def _wait_for_line(stream, wanted: str, seconds: float) -> bool:
    """Read ``stream`` line by line until one is ``wanted``; False at its end or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([stream], [], [], left)
        line = stream.readline() if ready else ""
        if not line:
            return False
        if line.strip() == wanted:
            return True
    return False


def test_killed_run_resumes_from_last_finished_epoch(sample, tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    log = tmp_path / "runs" / "quick" / "resume" / "history.jsonl"
    first_checkpoint = tmp_path / "runs" / "quick" / "resume" / "checkpoints" / "epoch-001.json"
    child = subprocess.Popen([sys.executable, "-c", RESUME_SCRIPT, str(tmp_path)], env=env,
                             stdout=subprocess.PIPE, text=True)
    # the child's hook prints a line in epoch 2; wait for that line (no sleeping, no polling)
    assert _wait_for_line(child.stdout, "in-epoch-2", seconds=300), "the child never reached its second epoch"
    child.send_signal(signal.SIGKILL)
    child.wait()
    before = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(before) == 1 and first_checkpoint.exists(), "killed during epoch 2: one epoch is saved"
    assert not (tmp_path / "results" / "quick" / "resume.json").exists()

    # The same run again, in this process (a second child would only import Keras once more): it
    # resumes from what the killed one left on disk.
    config = ExperimentConfig("resume", model="baseline", epochs=3, train_images=640, batch_size=32)
    run_experiment(config, profile="quick", data=sample, runs_dir=tmp_path / "runs", results_dir=tmp_path / "results",
                   verbose=0)
    results = json.loads((tmp_path / "results" / "quick" / "resume.json").read_text())
    assert [row["epoch"] for row in results["history"]] == [1, 2, 3]
    assert results["resumed_after_epoch"] == len(before)
    # The epochs finished before the kill were not trained again: their records are untouched.
    for old in before:
        assert results["history"][old["epoch"] - 1] == old
    saved = Path(tmp_path / "runs" / "quick" / "resume" / "checkpoints")
    assert not saved.exists() or not any(saved.iterdir())  # the checkpoints are cleaned up on success


def test_a_continued_run_starts_from_the_finished_one(sample, tmp_path, monkeypatch):
    """augmented_40 trains on from augmented: same weights, same optimizer state, its history first."""
    import course_utils.training.experiment as experiment

    monkeypatch.setitem(experiment.EXPERIMENTS, "tiny", TINY)
    kwargs = dict(profile="quick", data=sample, runs_dir=tmp_path / "runs", results_dir=tmp_path / "r", verbose=0)
    base = run_experiment(TINY, **kwargs)
    longer = ExperimentConfig("tiny_2", model="baseline", epochs=2, train_images=640, batch_size=64, continues="tiny")
    result = run_experiment(longer, **kwargs)
    history = result.results["history"]
    assert [row["epoch"] for row in history] == [1, 2] and history[0] == {**base.history[0], "from": "tiny"}
    assert result.results["continued_from"] == {"experiment": "tiny", "epochs": 1}
    steps = -(-int(640 * 0.8) // 64)
    iterations = keras.ops.convert_to_numpy(result.model().optimizer.iterations)
    assert int(iterations) == 2 * steps  # the optimizer went on counting

    other = ExperimentConfig("tiny_deeper", model="deeper", epochs=2, train_images=640, batch_size=64, continues="tiny")
    with pytest.raises(ValueError, match="cannot continue tiny: they differ in model"):
        run_experiment(other, **kwargs)


def test_a_run_continues_one_whose_image_count_comes_from_the_profile(sample, tmp_path, monkeypatch):
    """As augmented_40 continues augmented: neither names an image count, the profile gives both one."""
    from dataclasses import replace

    import course_utils.training.experiment as experiment
    from course_utils.core.profiles import get_profile

    sized = replace(get_profile("quick"), train_images=640)

    base = ExperimentConfig("tiny_profiled", model="baseline", epochs=1, batch_size=64)  # train_images from the profile
    monkeypatch.setitem(experiment.EXPERIMENTS, "tiny_profiled", base)
    kwargs = dict(profile=sized, data=sample, runs_dir=tmp_path / "runs", results_dir=tmp_path / "r", verbose=0)
    longer = ExperimentConfig("tiny_profiled_2", model="baseline", epochs=2, batch_size=64, continues="tiny_profiled")
    result = run_experiment(longer, **kwargs)
    assert result.results["continued_from"] == {"experiment": "tiny_profiled", "epochs": 1}
    assert result.results["config"]["train_images"] == 640


def test_old_results_files_still_match_their_config():
    """Files written before 'augment' became 'augmentation' are read in today's fields."""
    from course_utils.training.experiment import stored_config

    old = {"config": {**asdict(ExperimentConfig("deeper", model="deeper")), "augment": False}}
    del old["config"]["augmentation"], old["config"]["epochs_factor"], old["config"]["continues"]
    assert stored_config(old) == asdict(ExperimentConfig("deeper", model="deeper"))
    old["config"]["augment"] = True
    assert stored_config(old)["augmentation"] == "original"


def test_the_notebook_path_reuses_resumes_or_names_a_changed_network_apart(sample, tmp_path, capsys):
    """start_run + model.fit + finish: the same network is reused; another one becomes a new run."""
    from dataclasses import replace

    import keras

    from course_utils.training.experiment import build_model, start_run
    from course_utils.training.networks import compile_like_original

    kwargs = dict(profile="quick", runs_dir=tmp_path / "runs", results_dir=tmp_path / "r")
    keras.utils.set_random_seed(42)
    model = build_model(TINY)
    run = start_run(TINY, model, sample, **kwargs)
    assert run.status == "new" and "new run" in capsys.readouterr().out
    model.fit(run.train, validation_data=run.validation, epochs=run.epochs, initial_epoch=run.initial_epoch,
              callbacks=run.callbacks, verbose=0)
    first = run.finish(model)
    assert first.results["network"]["fingerprint"] == run.fingerprint and not first.reused

    fresh = build_model(TINY)  # same network, new weights: the finished run is found and loaded into it
    again = start_run(TINY, fresh, sample, **kwargs)
    assert again.status == "finished" and again.initial_epoch == again.epochs
    history = fresh.fit(again.train, epochs=again.epochs, initial_epoch=again.initial_epoch, verbose=0)
    assert history.history == {}  # nothing left to train
    reused = again.finish(fresh)
    assert reused.reused and reused.results == first.results
    x = sample.x_test[:8].astype("float32")
    assert np.allclose(fresh.predict(x, verbose=0), first.probabilities()[:8], atol=1e-5)

    changed = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255),
                                keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    compile_like_original(changed)
    other = start_run(TINY, changed, sample, **kwargs)
    said = capsys.readouterr().out
    assert other.status == "new" and other.config.name == f"tiny-{other.fingerprint}"
    assert "differs from the course's" in said and f"saved as tiny-{other.fingerprint}" in said
    assert replace(other.config, name="tiny") == run.config


def test_the_fingerprint_follows_the_network_not_its_weights_or_compiler():
    import keras

    from course_utils.training.networks import build_baseline, compile_like_original
    from course_utils.training.records import network_fingerprint

    a = compile_like_original(build_baseline())
    b = compile_like_original(build_baseline())
    assert network_fingerprint(a) == network_fingerprint(b)  # new random weights, same network
    b.compile(optimizer=keras.optimizers.RMSprop(), loss="categorical_crossentropy", metrics=["accuracy"],
              jit_compile=True)
    assert network_fingerprint(a) == network_fingerprint(b)  # XLA on or off: a backend's choice
    b.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy", metrics=["accuracy"])
    assert network_fingerprint(a) != network_fingerprint(b)
    assert network_fingerprint(compile_like_original(build_baseline(rescale=False))) != network_fingerprint(a)


def test_each_epoch_says_how_long_the_rest_of_the_run_should_take(tmp_path, capsys):
    from course_utils.training.records import EpochLog, time_left

    assert time_left([80.0, 100.0, 90.0], 9) == "about 14 min left (9 epochs of about 90 s)"
    assert time_left([30.0], 2) == "about 60 s left (2 epochs of about 30 s)"
    log = EpochLog(tmp_path / "history.jsonl", train_images=100)
    log.set_params({"epochs": 3})
    for epoch in range(3):
        log.on_epoch_begin(epoch)
        log.on_epoch_end(epoch, {"loss": 1.0})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines  # nothing after the last epoch
    assert lines[0].endswith("left (2 epochs of about 0 s)") and lines[1].endswith("left (1 epoch of about 0 s)")
    assert len((tmp_path / "history.jsonl").read_text().splitlines()) == 3


def test_a_notebooks_knobs_are_what_fit_uses_and_make_a_run_of_their_own(sample, tmp_path, capsys):
    """EPOCHS, TRAIN_IMAGES and BATCH_SIZE in a notebook's first cell: the profile's values change
    nothing; another value is what the run trains with, under a name of its own, so the course's
    run of that experiment is never overwritten."""
    from course_utils.core.profiles import get_profile
    from course_utils.training.experiment import resolve, start_run

    quick = get_profile("quick")
    assert sample.profile is None or sample.profile.name == "quick"
    same = {"epochs": quick.epochs, "train_images": quick.train_images, "batch_size": 128}
    assert resolve("baseline", quick, same) == resolve("baseline", quick)
    changed = resolve("baseline", quick, {"epochs": 1, "train_images": 640, "batch_size": 64})
    assert (changed.name, changed.epochs, changed.train_images, changed.batch_size) == (
        "baseline-epochs1-images640-batch64", 1, 640, 64)
    assert resolve("augmented_40", quick, {"epochs": 3}).epochs == 6  # twice the knob, as twice the profile's

    keras.utils.set_random_seed(42)
    model = build_baseline()
    from course_utils.training.networks import compile_like_original
    compile_like_original(model)
    run = start_run("baseline", model, sample, epochs=1, train_images=640, batch_size=64, profile="quick",
                    runs_dir=tmp_path / "runs", results_dir=tmp_path / "results")
    assert "saved as baseline-epochs1-images640-batch64" in capsys.readouterr().out
    assert run.epochs == 1 and len(run.train) == 512 // 64  # 640 images, a fifth held out, batches of 64
    model.fit(run.train, validation_data=run.validation, epochs=1, initial_epoch=run.initial_epoch,
              callbacks=run.callbacks, verbose=0)
    result = run.finish(model)
    assert (tmp_path / "results" / "quick" / "baseline-epochs1-images640-batch64.json").exists()
    assert result.results["config"]["batch_size"] == 64 and result.results["epochs_completed"] == 1
    assert not (tmp_path / "results" / "quick" / "baseline.json").exists()


def test_a_seed_is_a_run_of_its_own_and_a_continuation_continues_the_same_seed():
    from course_utils.training.config import EXPERIMENTS, base_config, with_precision, with_seed

    assert with_seed(EXPERIMENTS["deeper"], 42) is EXPERIMENTS["deeper"] and with_seed(EXPERIMENTS["deeper"], None)
    longer = with_seed(EXPERIMENTS["augmented_40"], 3)
    assert (longer.name, longer.seed, longer.continues) == ("augmented_40_seed3", 3, "augmented_seed3")
    base = base_config(longer.continues, longer)
    assert (base.name, base.seed, base.augmentation) == ("augmented_seed3", 3, "original")
    bf16 = with_seed(with_precision(EXPERIMENTS["augmented_40"], "bf16"), 2)
    assert bf16.continues == "augmented_bf16_seed2"
    assert base_config(bf16.continues, bf16).name == "augmented_bf16_seed2"
    assert base_config("augmented", EXPERIMENTS["augmented_40"]) == EXPERIMENTS["augmented"]


def test_each_run_stores_its_predictions_beside_its_results(sample, tmp_path):
    """label, predicted class and its probability for every test image, in the dataset's order: the
    confusion matrix and accuracy of the results JSON follow from them."""
    from course_utils.training.records import read_predictions

    result = run_experiment(TINY, profile="quick", data=sample, runs_dir=tmp_path / "runs",
                            results_dir=tmp_path / "results", verbose=0)
    stored = read_predictions(tmp_path / "results" / "quick" / "tiny.predictions.npz")
    assert np.array_equal(stored["label"], sample.y_test.ravel())
    probabilities = result.probabilities()
    assert np.array_equal(stored["predicted"], probabilities.argmax(axis=1))
    assert np.allclose(stored["confidence"], probabilities.max(axis=1), atol=1e-3)
    matrix = np.zeros((10, 10), dtype=int)
    for truth, guess in zip(sample.y_test.ravel(), stored["predicted"]):
        matrix[truth, guess] += 1
    assert matrix.tolist() == result.results["confusion_matrix"]
    assert result.results["test_accuracy"] == pytest.approx(np.mean(stored["predicted"] == stored["label"]), abs=1e-6)


def test_a_finished_run_is_not_reused_for_other_data(sample, tmp_path):
    """Same config, same network, same profile, but other images (another sha256): trained again."""
    from dataclasses import replace

    kwargs = dict(profile="quick", runs_dir=tmp_path / "runs", results_dir=tmp_path / "results", verbose=0)
    first = run_experiment(TINY, data=sample, **kwargs)
    assert run_experiment(TINY, data=sample, **kwargs).reused
    flipped = replace(sample, x_train=sample.x_train[:, :, ::-1].copy(), sha256="other-" + sample.sha256)
    again = run_experiment(TINY, data=flipped, **kwargs)
    assert not again.reused and again.results["data"]["sha256"] == flipped.sha256 != first.results["data"]["sha256"]
