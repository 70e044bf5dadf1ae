"""The series runner's summary of a profile's results folder."""
from __future__ import annotations

import json


def test_the_series_summary_reads_experiment_and_collapse_records(tmp_path):
    """A full-profile folder holds both kinds of results file; the summary must read both."""
    from course_utils.course.series import summarise

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
