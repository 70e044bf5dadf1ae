"""Checkpoints that a kill, a Ctrl-C or a full disk cannot corrupt.

After every epoch :class:`SafeCheckpoint` saves the whole model (weights and optimizer state) to a
temporary file, flushes it to disk, renames it to ``epoch-NNN.keras`` and only then records its
size and SHA-256 in ``epoch-NNN.json``. :func:`restore` trusts a checkpoint only when its file
matches its record; a damaged one is renamed ``*.bad-<time>`` with a printed note, and the run goes
on from the newest good one, or from scratch. The two newest checkpoints are kept, so a damaged
last one still leaves one to resume from. If a checkpoint cannot be written (a full disk), the
previous ones stay as they were and training goes on, with a note.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import keras

from ..core.atomic import atomic_path, file_sha256, write_json_atomic

KEEP = 2


def _write_checkpoint(model: keras.Model, path: Path) -> None:
    """Save ``model`` to ``path`` (a temporary file that :func:`save` renames when it is complete)."""
    model.save(path)


def save(model: keras.Model, folder: Path, epoch: int) -> Path:
    """Write ``epoch-NNN.keras`` and its record atomically; return the checkpoint's path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"epoch-{epoch:03d}.keras"
    with atomic_path(target, suffix=".keras") as tmp:
        _write_checkpoint(model, tmp)
    write_json_atomic(folder / f"epoch-{epoch:03d}.json",
                      {"epoch": epoch, "file": target.name, "bytes": target.stat().st_size, "sha256": file_sha256(target),
                       "seed_states": [keras.ops.convert_to_numpy(v).tolist() for v in seed_states(model)]})
    for old in sorted(folder.glob("epoch-*.json"))[:-KEEP]:
        (folder / old.name.replace(".json", ".keras")).unlink(missing_ok=True)
        old.unlink(missing_ok=True)
    return target


def _good(record_path: Path) -> Path | None:
    """The checkpoint a record names, if it exists and matches its size and checksum."""
    try:
        record = json.loads(record_path.read_text())
        path = record_path.parent / record["file"]
        if path.stat().st_size == record["bytes"] and file_sha256(path) == record["sha256"]:
            return path
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _set_aside(record_path: Path) -> None:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path in (record_path, record_path.with_suffix(".keras")):
        if path.exists():
            path.rename(path.with_name(f"{path.name}.bad-{stamp}"))
    print(f"NOTE: checkpoint {record_path.with_suffix('.keras')} is damaged or incomplete; set aside as "
          f"*.bad-{stamp}, resuming from an earlier one if there is one")


def seed_states(model: keras.Model) -> list:
    """The state of every random seed generator in ``model`` (dropout, augmentation), in layer order.

    ``model.save`` does not keep them: a reloaded model would draw other dropout masks and warps than
    the run it continues, so a checkpoint records them beside the file.
    """
    return [v for v in model.variables if v.path.endswith("seed_generator_state")]


def copy_state(source: keras.Model, target: keras.Model) -> None:
    """Give ``target`` the weights and the optimizer state of ``source`` (the same network)."""
    target.set_weights(source.get_weights())
    for model in (source, target):
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
    for mine, theirs in zip(target.optimizer.variables, source.optimizer.variables, strict=True):
        mine.assign(theirs)


def restore(model: keras.Model, folder: Path) -> int:
    """Load the newest good checkpoint in ``folder`` into ``model``; return its epoch (0: none)."""
    for leftover in Path(folder).glob(".epoch-*"):  # the temporary file of a write that was cut short
        leftover.unlink(missing_ok=True)
    for record_path in sorted(Path(folder).glob("epoch-*.json"), reverse=True):
        path = _good(record_path)
        if path is None:
            _set_aside(record_path)
            continue
        copy_state(keras.saving.load_model(path, safe_mode=True), model)
        record = json.loads(record_path.read_text())
        states = seed_states(model)
        if len(record.get("seed_states", [])) == len(states):
            for variable, value in zip(states, record["seed_states"]):
                variable.assign(keras.ops.convert_to_tensor(value, dtype=variable.dtype))
        else:
            print(f"NOTE: {record_path.name} holds no random-generator states (an older checkpoint): the run "
                  "resumes, but with other dropout masks and warps than an uninterrupted run")
        return record["epoch"]
    return 0


def saved_epoch(folder: Path) -> int:
    """The epoch of the newest good checkpoint in ``folder`` (0: none), without loading it."""
    for record_path in sorted(Path(folder).glob("epoch-*.json"), reverse=True):
        if _good(record_path) is not None:
            return json.loads(record_path.read_text())["epoch"]
    return 0


class SafeCheckpoint(keras.callbacks.Callback):
    """Save an atomic, verifiable checkpoint after every epoch (see the module docstring)."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = Path(folder)

    def on_epoch_end(self, epoch, logs=None):
        try:
            save(self.model, self.folder, epoch + 1)
        except OSError as exc:
            print(f"NOTE: could not save the checkpoint of epoch {epoch + 1} in {self.folder} ({exc.strerror or exc}); "
                  "the previous checkpoints are kept and training goes on; free some disk space")


def clear(folder: Path) -> None:
    """Remove the checkpoints of a finished run (its model is saved on its own)."""
    for path in Path(folder).glob("epoch-*"):
        path.unlink(missing_ok=True)
    if Path(folder).is_dir() and not any(Path(folder).iterdir()):
        os.rmdir(folder)
