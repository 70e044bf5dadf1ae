"""The README's results table is generated from the committed results JSON, and stays in step with it."""
from __future__ import annotations

import json
import re
from pathlib import Path

from course_utils.report import END, REFERENCES, START, results_table

ROOT = Path(__file__).resolve().parents[1]


def test_readme_table_matches_committed_results():
    text = (ROOT / "README.md").read_text()
    block = re.search(re.escape(START) + r"\n(.*?)" + re.escape(END), text, flags=re.S)
    assert block, "README.md lost its results markers"
    assert block.group(1) == results_table(ROOT / "results" / "full"), \
        "README results table is stale: run `python -m course_utils report --write`"


def test_table_shows_each_run_beside_the_published_figure(tmp_path):
    run = {"experiment": "baseline", "parameters": 4200842, "epochs_completed": 20, "test_accuracy": 0.6713,
           "train_seconds": 1260.0, "images_per_second_median": 650.4, "peak_rss_mb": 1500.0,
           "data": {"source": "../shared/data/cifar10-jpeg.tar.gz", "kind": "path", "sha256": "ab" * 32,
                    "train_images": 50000},
           "versions": {"keras": "3.15.1", "backend": "tensorflow"},
           "machine": {"cpus": 2, "platform": "Linux"}}
    (tmp_path / "baseline.json").write_text(json.dumps(run))
    table = results_table(tmp_path)
    row = next(line for line in table.splitlines() if line.startswith("| baseline"))
    assert "4,200,842 | 50,000 | 20" in row and "0.6713" in row and "0.664 (book, 20 ep.)" in row
    assert "21.0 min" in row and "650" in row and "1.46 GB" in row and "sha256 abababababab" in row
    assert REFERENCES["deeper"]["rerun"] == 0.758 and REFERENCES["augmented"]["rerun"] == 0.788


def test_no_results_says_so(tmp_path):
    assert "No finished runs" in results_table(tmp_path)
