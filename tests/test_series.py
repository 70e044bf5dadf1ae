"""The series runner's summary of a profile's results folder."""
from __future__ import annotations

import json
from shared import ROOT


def test_the_series_summary_reads_experiment_and_collapse_records(tmp_path):
    """A full-profile folder holds both kinds of results file; the summary must read both."""
    from workshop.series import summarise

    folder = tmp_path / "results" / "full"
    folder.mkdir(parents=True)
    common = {"test_accuracy": 0.5, "train_seconds": 60.0, "peak_rss_mb": 1000.0, "data": {"source": "x.tar.gz"}}
    (folder / "deeper.json").write_text(json.dumps({**common, "experiment": "deeper", "epochs_completed": 20,
                                                    "images_per_second_median": 300.0}))
    (folder / "collapse_from_trained.json").write_text(json.dumps(
        {**common, "experiment": "collapse_from_trained", "kind": "collapse_demo",
         "first_history": [{}] * 20, "continued_history": [{}] * 20}))
    summary, table = summarise(tmp_path, "full", [{"notebook": "04_augmented", "ok": True, "seconds": 5.0}])
    assert summary["results"]["collapse_from_trained"]["epochs_completed"] == 40
    assert "| collapse_from_trained | 0.5000 | 40 | 60 | - | 1000 | x.tar.gz |" in table
    assert "| deeper | 0.5000 | 20 | 60 | 300 | 1000 | x.tar.gz |" in table


def test_a_series_run_records_its_times_under_build_and_changes_no_tracked_file(tmp_path, monkeypatch):
    """The recording path of ``python3 tasks.py series``: a complete run writes its times beside the
    executed notebooks, never into results/series/ (a student's run once dirtied the checkout there)."""
    import subprocess
    from pathlib import Path

    from workshop import series

    root = ROOT
    before = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    committed = {p.name: p.read_bytes() for p in (root / "results" / "series").glob("*.json")}

    def executed(path, out_path, timeout):  # as if the notebook had run: the runner's own work is what is tested
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text("{}")
        return True, 1.5, None

    monkeypatch.setattr(series, "execute", executed)
    monkeypatch.chdir(root)
    assert series.run_series(profile="quick", out_dir=tmp_path / "series") == 0
    record = json.loads((tmp_path / "series" / "times-quick.json").read_text())
    assert record["profile"] == "quick" and set(record["notebooks"]) == {p.stem for p in series.notebooks(root)}
    assert {p.name: p.read_bytes() for p in (root / "results" / "series").glob("*.json")} == committed
    after = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    assert after == before, "the series runner changed the checkout"


def test_recording_copies_the_last_series_record_into_the_committed_folder(tmp_path):
    from workshop.times import record_from_build

    (tmp_path / "build").mkdir()
    record = {"profile": "quick", "date": "2026-12-04", "notebooks": {"01_explore_data": 12.0}}
    (tmp_path / "build" / "times-quick.json").write_text(json.dumps(record))
    written = record_from_build(tmp_path, tmp_path / "build")
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["results/series/quick.json"]
    assert json.loads(written[0].read_text()) == record


def test_each_notebook_kernel_is_shut_down_when_its_notebook_is_done(tmp_path):
    """The runner starts each kernel itself (local sockets, not TCP); it must also stop it, or every
    kernel lingers until the runner exits and then complains that its parent is gone."""
    import nbformat
    import psutil

    from workshop.series import execute

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    path = tmp_path / "one.ipynb"
    nbformat.write(notebook, path)
    ok, _, error = execute(path, tmp_path / "out.ipynb", timeout=120)
    assert ok and error is None
    assert nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs[0]["text"] == "42\n"
    alive = [p for p in psutil.Process().children(recursive=True) if p.is_running() and p.status() != "zombie"]
    assert not alive, f"kernels still running: {[p.cmdline()[:3] for p in alive]}"
