"""Hostile and unlucky inputs: each case below lost work, hung, or ran code before it was fixed."""
from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import threading
import tracemalloc
from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils.data import DataError, Dataset, load_dataset
from course_utils.data import loading
from course_utils.training import checkpoints
from course_utils.training.config import ExperimentConfig
from course_utils.training.experiment import run_experiment
from course_utils.training.records import RunResult
from shared import ROOT, TESTS, sample_slice

TINY = ExperimentConfig("tiny", model="baseline", epochs=2, train_images=320, batch_size=64)


def _within(seconds, call):
    """Run ``call`` in a thread; fail if it has not returned (or raised) within ``seconds``."""
    outcome = {}

    def target():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (hangs)"
    return outcome


# --------------------------------------------------------------------------- 1. Keras floor, code in a model file
def test_keras_floor_has_the_published_fixes():
    text = (ROOT / "pyproject.toml").read_text()
    assert '"keras>=3.14,' in text
    major, minor = (int(p) for p in keras.__version__.split(".")[:2])
    assert (major, minor) >= (3, 14)


def test_a_model_with_a_lambda_layer_in_a_run_folder_is_refused(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Dense(2)])
    run_dir = tmp_path / "runs" / "quick" / "tiny"
    run_dir.mkdir(parents=True)
    model.save(run_dir / "model.keras")
    with pytest.raises(DataError, match=r"model\.keras.*refused.*Lambda"):
        RunResult(TINY, {}, run_dir).model()


# --------------------------------------------------------------------------- 2. resource limits on what we decode
def test_a_gzip_bomb_is_refused_without_filling_memory(tmp_path):
    bomb = tmp_path / "bomb.tar.gz"
    with tarfile.open(bomb, "w:gz", compresslevel=1) as tar:
        info = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
        info.size = 300_000_000  # zeros: compresses to almost nothing
        tar.addfile(info, io.BytesIO(bytes(info.size)))
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="larger than any CIFAR-10 file"):
            load_dataset(bomb, cache_dir=tmp_path / "cache", progress=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000, f"{peak / 1e6:.0f} MB allocated while refusing the archive"


def test_too_many_images_are_refused(tmp_path, monkeypatch):
    # The cap is lowered for the test: an archive of 70,001 empty members took 28 s to write and read.
    from course_utils.data import formats, guards

    assert 60_000 < guards.MAX_IMAGES == formats.MAX_IMAGES <= 100_000  # CIFAR-10's 60,000 and a margin
    for module in (guards, formats):
        monkeypatch.setattr(module, "MAX_IMAGES", 50)
    archive = tmp_path / "many.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for i in range(guards.MAX_IMAGES + 1):
            info = tarfile.TarInfo(f"train/cat/{i}.png")
            info.size = 0
            tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(DataError, match="more than .* images"):
        load_dataset(archive, cache_dir=tmp_path / "cache", progress=False)


def linked_copy(batches_dir: Path, tmp_path: Path) -> Path:
    """A batches folder whose files are links to the good ones, so a test can swap one out."""
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for path in batches_dir.iterdir():
        (folder / path.name).symlink_to(path)
    return folder


def test_a_fifo_batch_file_does_not_hang(batches_dir, tmp_path):
    folder = linked_copy(batches_dir, tmp_path)
    (folder / "data_batch_2").unlink()
    os.mkfifo(folder / "data_batch_2")
    outcome = _within(10, lambda: load_dataset(folder, progress=False))
    assert isinstance(outcome.get("error"), DataError) and "not a regular file" in str(outcome["error"])


def test_a_link_to_dev_zero_is_refused(batches_dir, tmp_path):
    folder = linked_copy(batches_dir, tmp_path)
    (folder / "test_batch").unlink()
    (folder / "test_batch").symlink_to("/dev/zero")
    outcome = _within(10, lambda: load_dataset(folder, progress=False))
    assert isinstance(outcome.get("error"), DataError) and "not a regular file" in str(outcome["error"])
    archive_link = tmp_path / "data.tar.gz"
    archive_link.symlink_to("/dev/zero")
    outcome = _within(10, lambda: load_dataset(archive_link, progress=False))
    assert isinstance(outcome.get("error"), DataError)


# --------------------------------------------------------------------------- 3. checkpoints
KILL_SCRIPT = """
import os, signal, sys
from course_utils.training import checkpoints
from course_utils.training.config import ExperimentConfig
from course_utils.training.experiment import run_experiment
from course_utils.data import load_dataset
real = checkpoints._write_checkpoint
def write(model, path, *args):
    real(model, path, *args)                     # the temporary file is written ...
    if os.environ.get("KILL_AT") and os.environ["KILL_AT"] in path.name:
        os.kill(os.getpid(), signal.SIGKILL)    # ... and the process dies before the rename
checkpoints._write_checkpoint = write
sys.path.insert(0, sys.argv[2])
from shared import sample_slice
data = sample_slice(load_dataset("sample", progress=False), 320, 100)  # as the tests' own runs
config = ExperimentConfig("tiny", model="baseline", epochs=3, train_images=320, batch_size=64)
run_experiment(config, profile="quick", data=data, runs_dir=sys.argv[1] + "/runs", results_dir=sys.argv[1] + "/r",
               verbose=0)
"""


def test_a_kill_during_the_checkpoint_write_loses_at_most_one_epoch(sample, tmp_path):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KILL_AT": "epoch-002"}
    killed = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(tmp_path), str(TESTS)], env=env,
                            timeout=300)
    assert killed.returncode == -signal.SIGKILL
    run_dir = tmp_path / "runs" / "quick" / "tiny"
    assert [p.name for p in sorted((run_dir / "checkpoints").glob("epoch-*.keras"))] == ["epoch-001.keras"]
    # The same run again, in this process (a second child would only import Keras once more): it
    # resumes from what the killed one left on disk.
    config = ExperimentConfig("tiny", model="baseline", epochs=3, train_images=320, batch_size=64)
    run_experiment(config, profile="quick", data=sample_slice(sample, 320, 100), runs_dir=tmp_path / "runs", results_dir=tmp_path / "r",
                   verbose=0)
    results = json.loads((tmp_path / "r" / "quick" / "tiny.json").read_text())
    assert results["resumed_after_epoch"] == 1 and [r["epoch"] for r in results["history"]] == [1, 2, 3]


def test_a_damaged_checkpoint_is_set_aside_and_the_previous_one_used(sample, tmp_path, capsys):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="rmsprop", loss="mse")
    saver = checkpoints.SafeCheckpoint(tmp_path)
    saver.set_model(model)
    saver.on_epoch_end(0)
    saver.on_epoch_end(1)
    second = tmp_path / "epoch-002.keras"
    second.write_bytes(second.read_bytes()[:100])  # truncated after its record was written
    epoch = checkpoints.restore(model, tmp_path)
    assert epoch == 1 and "set aside" in capsys.readouterr().out
    assert list(tmp_path.glob("epoch-002.keras.bad-*"))


def _full_disk(where: str, real):
    """A write that fails with ENOSPC at once, or once half of the checkpoint's (or its record's)
    temporary file is on disk."""
    def half(path: Path) -> None:
        assert path.name.startswith(".") and path.stat().st_size > 0  # the temporary file, partly written
        os.truncate(path, path.stat().st_size // 2)

    def full(*args, **kwargs):
        if where == "in the checkpoint":  # args: the model, the temporary file
            real(*args, **kwargs)
            half(Path(args[1]))
        elif where == "in its record":  # args: the record's path, its contents
            with checkpoints.atomic_path(args[0]) as tmp:
                tmp.write_text(json.dumps(args[1]))
                half(tmp)
                raise OSError(errno.ENOSPC, "No space left on device")
        raise OSError(errno.ENOSPC, "No space left on device")
    return full


@pytest.mark.parametrize("where, patched", [("at once", "_write_checkpoint"), ("in the checkpoint", "_write_checkpoint"),
                                            ("in its record", "write_json_atomic")])
def test_a_full_disk_keeps_the_previous_checkpoint(tmp_path, monkeypatch, capsys, where, patched):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="rmsprop", loss="mse")
    saver = checkpoints.SafeCheckpoint(tmp_path)
    saver.set_model(model)
    saver.on_epoch_end(0)
    before = (tmp_path / "epoch-001.keras").read_bytes()
    monkeypatch.setattr(checkpoints, patched, _full_disk(where, getattr(checkpoints, patched)))
    saver.on_epoch_end(1)
    assert "could not save" in capsys.readouterr().out
    assert (tmp_path / "epoch-001.keras").read_bytes() == before and not list(tmp_path.glob(".*"))
    assert checkpoints.restore(model, tmp_path) == 1


# --------------------------------------------------------------------------- 4. the decoded-data cache
def test_a_damaged_or_wrong_cache_is_rebuilt(image_tree, tmp_path):
    archive = tmp_path / "tree.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(image_tree, arcname="tree")
    cache = tmp_path / "cache"
    first = load_dataset(archive, cache_dir=cache, progress=False)
    (cached,) = cache.glob("*.npz")
    cached.write_bytes(cached.read_bytes()[:200])  # truncated
    assert load_dataset(archive, cache_dir=cache, progress=False).sha256 == first.sha256
    with np.load(cached) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["y_train"] = np.zeros_like(arrays["y_train"])  # valid file, other contents
    np.savez(cached, **arrays)
    again = load_dataset(archive, cache_dir=cache, progress=False)
    assert again.sha256 == first.sha256 and np.array_equal(again.y_train, first.y_train)


# --------------------------------------------------------------------------- 5. results and history
def test_a_missing_results_file_is_rebuilt_not_retrained(sample, tmp_path):
    kwargs = dict(profile="quick", data=sample_slice(sample, 320, 100), runs_dir=tmp_path / "runs", results_dir=tmp_path / "r",
                  verbose=0)
    first = run_experiment(TINY, **kwargs)
    (tmp_path / "r" / "quick" / "tiny.json").unlink()
    again = run_experiment(TINY, **kwargs)
    assert again.results["resumed_after_epoch"] is None
    assert [r["epoch"] for r in again.results["history"]] == [1, 2]
    assert again.results["history"] == first.results["history"]  # not trained again
    lines = (tmp_path / "runs" / "quick" / "tiny" / "history.jsonl").read_text().splitlines()
    assert len(lines) == 2


def test_a_half_written_history_line_or_results_file_is_named_and_repaired(sample, tmp_path, capsys):
    kwargs = dict(profile="quick", data=sample_slice(sample, 320, 100), runs_dir=tmp_path / "runs", results_dir=tmp_path / "r",
                  verbose=0)
    run_experiment(TINY, **kwargs)
    history = tmp_path / "runs" / "quick" / "tiny" / "history.jsonl"
    history.write_text(history.read_text() + '{"epoch": 3, "acc')
    results = tmp_path / "r" / "quick" / "tiny.json"
    results.write_text(results.read_text()[:50])
    again = run_experiment(TINY, **kwargs)
    said = capsys.readouterr().out
    assert "tiny.json" in said and "history.jsonl" in said
    assert [r["epoch"] for r in again.results["history"]] == [1, 2]


# --------------------------------------------------------------------------- 6/7. where runs and results go
def test_a_run_on_the_sample_never_writes_into_results_full(sample, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_HOME", str(tmp_path))
    run_experiment(TINY, profile="full", data=sample_slice(sample, 320, 100), verbose=0)
    assert not (tmp_path / "results" / "full").exists()
    assert list((tmp_path / "results" / "full-on-sample").glob("tiny.json"))


def test_runs_live_at_the_project_root_wherever_the_command_starts(sample, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notebooks").mkdir()
    first = run_experiment(TINY, profile="quick", data=sample_slice(sample, 320, 100), verbose=0)
    monkeypatch.chdir(tmp_path / "notebooks")
    again = run_experiment(TINY, profile="quick", data=sample_slice(sample, 320, 100), verbose=0)
    assert again.reused and first.run_dir == again.run_dir
    assert first.run_dir.is_relative_to(tmp_path / "home")


def test_no_test_writes_into_the_work_tree():
    from course_utils.core.course_home import course_home

    assert not course_home().is_relative_to(ROOT), "tests must run with COURSE_HOME in a temporary folder"


# --------------------------------------------------------------------------- 8. locks
def test_a_run_held_by_another_process_is_refused_in_one_line(sample, tmp_path):
    from filelock import FileLock

    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom filelock import FileLock\n"
                               "lock = FileLock(sys.argv[1]); lock.acquire(); print('held', flush=True); time.sleep(60)",
                               str(tmp_path / "runs" / "quick" / ".tiny.lock")], stdout=subprocess.PIPE, text=True)
    (tmp_path / "runs" / "quick").mkdir(parents=True, exist_ok=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RuntimeError, match="is being trained by another process") as info:
            run_experiment(TINY, profile="quick", data=sample_slice(sample, 320, 100), runs_dir=tmp_path / "runs",
                           results_dir=tmp_path / "r", verbose=0)
        assert "\n" not in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    # the holder died: its lock died with it, and the run goes ahead
    assert run_experiment(TINY, profile="quick", data=sample_slice(sample, 320, 100), runs_dir=tmp_path / "runs",
                          results_dir=tmp_path / "r", verbose=0).results["epochs_completed"] == 2
    assert FileLock(str(tmp_path / "runs" / "quick" / ".tiny.lock")).acquire(timeout=0)


# --------------------------------------------------------------------------- 9. bad input
@pytest.mark.parametrize("labels", [np.array([[0.5]] * 10), np.array([[np.nan]] * 10), np.array([[3.0]] * 9 + [[12.0]])])
def test_labels_that_are_not_class_numbers_are_refused(labels):
    x = np.zeros((10, 32, 32, 3), np.uint8)
    with pytest.raises(DataError, match="labels"):
        Dataset(x, labels, x, np.zeros((10, 1), np.uint8), kind="path", source="arrays", sha256="x")


def test_macos_resource_forks_are_skipped_with_a_note(image_tree, capsys):
    (image_tree / "train" / "cat" / "._0000.png").write_bytes(b"\x00\x05\x16\x07 resource fork")
    data = load_dataset(image_tree, progress=False)
    assert len(data.x_train) == 40 and "._" in capsys.readouterr().out


def test_a_truncated_model_file_is_not_reused(sample, tmp_path, capsys):
    kwargs = dict(profile="quick", data=sample_slice(sample, 320, 100), runs_dir=tmp_path / "runs", results_dir=tmp_path / "r",
                  verbose=0)
    run_experiment(TINY, **kwargs)
    model_file = tmp_path / "runs" / "quick" / "tiny" / "model.keras"
    model_file.write_bytes(model_file.read_bytes()[:1000])
    again = run_experiment(TINY, **kwargs)
    assert not again.reused and "model.keras" in capsys.readouterr().out
    again.model()  # a good model again


# --------------------------------------------------------------------------- 10. the command line
# (no home folder, and paths that are not UTF-8: tests/test_reliability_home.py)
def _cli_error(monkeypatch, capsys, exc):
    from course_utils import cli

    def fail(*args, **kwargs):
        raise exc
    monkeypatch.setattr("course_utils.data.loading.load_dataset", fail)
    code = cli.main(["reproduce", "baseline", "--profile", "quick"])
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize("exc, code", [
    (PermissionError(13, "Permission denied", "/data/cifar"), 3),
    (NotADirectoryError(20, "Not a directory", "/data/cifar.tar.gz/x"), 3),
    (OSError(errno.ENOSPC, "No space left on device"), 3),
    (RuntimeError("runs/quick/baseline is being trained by another process; wait for it or stop it"), 4),
])
def test_the_command_line_ends_user_errors_in_one_line(monkeypatch, capsys, exc, code):
    got, lines = _cli_error(monkeypatch, capsys, exc)
    assert got == code and len(lines) == 1 and lines[0].startswith("error: "), lines


def test_decompression_bombs_and_odd_paths_end_in_one_line(monkeypatch, capsys):
    from PIL import Image

    got, lines = _cli_error(monkeypatch, capsys, Image.DecompressionBombError("image too large"))
    assert got == 2 and len(lines) == 1
    got, lines = _cli_error(monkeypatch, capsys, DataError("b'\\xff'.tar.gz \udcff is not readable"))
    assert got == 2 and len(lines) == 1


def test_a_bug_still_shows_its_traceback(monkeypatch, capsys):
    with pytest.raises(KeyError):
        _cli_error(monkeypatch, capsys, KeyError("a bug"))


def test_help_lists_the_exit_codes():
    result = subprocess.run([sys.executable, "-m", "course_utils", "--help"], capture_output=True, text=True, timeout=120)
    for code in ("0", "1", "2", "3", "4"):
        assert f"  {code} " in result.stdout


# --------------------------------------------------------------------------- 11. what a student meets
def test_ctrl_c_during_reproduce_ends_in_one_line_that_says_what_is_saved(sample, monkeypatch, capsys):
    """Ctrl-C after the first epoch's checkpoint: no traceback, one line naming the saved epoch; running
    the same command again resumes after it."""
    from course_utils import cli
    from course_utils.training import checkpoints, config

    monkeypatch.setitem(config.EXPERIMENTS, "tiny", TINY)
    saved = checkpoints.SafeCheckpoint.on_epoch_end

    def then_ctrl_c(self, epoch, logs=None):  # the hook: Ctrl-C arrives right after epoch 1 is saved
        saved(self, epoch, logs)
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoints.SafeCheckpoint, "on_epoch_end", then_ctrl_c)
    assert cli.main(["reproduce", "tiny", "--profile", "quick", "--data", "sample"]) == 130
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip() and "Decoding" not in line]
    assert err == ["stopped: tiny is saved after epoch 1; run the same command again to resume from there"]
    monkeypatch.setattr(checkpoints.SafeCheckpoint, "on_epoch_end", saved)
    assert cli.main(["reproduce", "tiny", "--profile", "quick", "--data", "sample"]) == 0
    out = capsys.readouterr().out
    assert "tiny: test accuracy" in out and "after 2 epochs" in out


def test_a_read_only_course_folder_sends_runs_to_the_users_own_folder(monkeypatch, tmp_path, capsys):
    """A course shared read-only (a JupyterHub): runs and results go to ~/.local/share/cifar10-course,
    and a note says so once."""
    from course_utils.core import course_home

    monkeypatch.delenv("COURSE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    project = course_home.project_folder()
    monkeypatch.setattr(course_home, "writable", lambda folder: folder != project)
    monkeypatch.setattr(course_home, "_told", set())
    assert course_home.course_home() == tmp_path / "me" / ".local" / "share" / "cifar10-course"
    assert course_home.runs_dir() == tmp_path / "me" / ".local" / "share" / "cifar10-course" / "runs"
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("NOTE")]
    assert len(notes) == 1 and "read-only" in notes[0] and "COURSE_HOME" in notes[0]


def test_a_course_home_that_refuses_writes_ends_in_one_line_naming_course_home(monkeypatch, capsys, tmp_path):
    from course_utils import cli
    from course_utils.core.course_home import course_home

    home = course_home()

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(home / "runs"))
    monkeypatch.setattr("course_utils.training.experiment.Run.__init__", refused)
    code = cli.main(["reproduce", "baseline", "--profile", "quick", "--data", "sample"])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    assert code == 3 and len(lines) == 1 and "COURSE_HOME" in lines[0] and str(home / "runs") in lines[0], lines


# --------------------------------------------------------------------------- 12. exact resume
EXACT = ExperimentConfig("exact", model="deeper", augmentation="original", epochs=3, train_images=320,
                         batch_size=64)  # dropout and the warp layer: both draw random numbers


def _without_times(history):
    return [{k: v for k, v in row.items() if k not in ("seconds", "images_per_second")} for row in history]


@pytest.mark.parametrize("where", ["after epoch 1", "during epoch 2", "after epoch 2"])
def test_a_killed_and_resumed_run_ends_bit_for_bit_as_one_left_alone(sample, tmp_path, monkeypatch, where):
    """Killed at an epoch boundary or mid-epoch (a hook raises, as Ctrl-C would), then resumed in a
    process whose random generators were used meanwhile: same weights, history and test numbers."""
    import random

    from course_utils.training import checkpoints

    def run(home):
        return run_experiment(EXACT, profile="quick", data=sample, runs_dir=home / "runs",
                              results_dir=home / "results", verbose=0)

    alone = run(tmp_path / "alone")
    saved = checkpoints.SafeCheckpoint.on_epoch_end
    stop_epoch = {"after epoch 1": 1, "during epoch 2": 1, "after epoch 2": 2}[where]

    def kill_after_save(self, epoch, logs=None):
        saved(self, epoch, logs)
        if epoch + 1 == stop_epoch and where != "during epoch 2":
            raise KeyboardInterrupt

    def kill_mid_epoch(self, batch, logs=None):
        if self.params and getattr(self, "_epoch", 0) == 1 and batch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(checkpoints.SafeCheckpoint, "on_epoch_end", kill_after_save)
    if where == "during epoch 2":
        monkeypatch.setattr(checkpoints.SafeCheckpoint, "on_epoch_begin",
                            lambda self, epoch, logs=None: setattr(self, "_epoch", epoch), raising=False)
        monkeypatch.setattr(checkpoints.SafeCheckpoint, "on_train_batch_end", kill_mid_epoch, raising=False)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "killed")
    monkeypatch.undo()
    monkeypatch.setenv("COURSE_HOME", str(tmp_path / "home"))
    keras.utils.set_random_seed(7)  # the resuming process has used its generators differently
    random.random(), np.random.random()
    resumed = run(tmp_path / "killed")

    assert resumed.results["resumed_after_epoch"] == stop_epoch
    assert resumed.results["test_loss"] == alone.results["test_loss"]
    assert resumed.results["test_accuracy"] == alone.results["test_accuracy"]
    assert _without_times(resumed.results["history"]) == _without_times(alone.results["history"])
    for mine, theirs in zip(resumed.model().get_weights(), alone.model().get_weights(), strict=True):
        assert np.array_equal(mine, theirs)
