"""The model at the switch, kept so that a collapse run whose first cell another run trained starts there
(notebook 04's clipped-loss run and its trained start share theirs). Starting from the copy ends exactly
as training the cell again would: it is the checkpoint an interrupted run resumes from."""
from __future__ import annotations

import json
from pathlib import Path

import keras

from ..core.atomic import atomic_path, file_sha256, write_json_atomic
from .checkpoints import seed_states
from .records import load_model_safely


def first_cell_key(stamp: dict) -> dict:
    """What the first cell depends on: two runs with equal keys train it to the same model."""
    config = stamp["config"]
    return {"start": config["start"], "first_epochs": config["first_epochs"], "seed": config["seed"],
            "batch_size": config["batch_size"], "validation_split": config["validation_split"],
            **{k: v for k, v in stamp.items() if k != "config"}}


def start_at_a_saved_switch(run_dir: Path, state: dict) -> tuple[dict, keras.Model | None]:
    """A fresh run whose first cell another run beside it already trained starts from that run's copy of
    the model at the switch (the file's hash checked); otherwise it starts from nothing."""
    key = first_cell_key(state["stamp"])
    if not key["first_epochs"]:
        return state, None
    for record_path in sorted(run_dir.parent.glob("*/switch.json")):
        record = json.loads(record_path.read_text())
        saved = record_path.parent / "switch.keras"
        if record.get("key") != key or not saved.is_file() or file_sha256(saved) != record.get("sha256"):
            continue
        model = load_model_safely(saved)
        for variable, value in zip(seed_states(model), record["seed_states"]):
            variable.assign(keras.ops.convert_to_tensor(value, dtype=variable.dtype))
        state.update(first=record["first"], first_test=record["first_test"],
                     first_cell_from=record_path.parent.name, shared_start=True)
        return state, model
    return state, None


def save_switch(run_dir: Path, state: dict, model: keras.Model) -> None:
    """Keep the model at the switch (optimizer and generators included) for runs with the same first cell."""
    with atomic_path(run_dir / "switch.keras", suffix=".keras") as tmp:
        model.save(tmp)
    write_json_atomic(run_dir / "switch.json", {
        "key": first_cell_key(state["stamp"]), "sha256": file_sha256(run_dir / "switch.keras"),
        "seed_states": [keras.ops.convert_to_numpy(v).tolist() for v in seed_states(model)],
        "first": state["first"], "first_test": state["first_test"]})
