"""The README's results table is generated from the committed results JSON, and stays in step with it."""
from __future__ import annotations

import json
from pathlib import Path

from workshop.report import REFERENCES, readme_blocks, results_table, update_readme
from shared import ROOT



def test_readme_tables_match_committed_results():
    blocks = dict(readme_blocks((ROOT / "README.md").read_text()))
    assert "results/full" in blocks, "README.md lost its results markers"
    blocks.update(readme_blocks((ROOT / "benchmarks" / "README.md").read_text()))
    assert "results/h100-jax" in blocks
    for folder, body in blocks.items():
        assert (ROOT / folder).is_dir(), f"README has a table for {folder}, which does not exist"
        assert body == results_table(ROOT / folder), \
            f"README table for {folder} is stale: run `python -m workshop report --write`"


def test_the_seed_tables_match_committed_results():
    from workshop.report import SEEDS, seeds_table

    blocks = SEEDS.findall((ROOT / "benchmarks" / "README.md").read_text())
    assert blocks, "benchmarks/README.md lost its seeds markers"
    for folder, body in blocks:
        assert body == seeds_table(ROOT / "results" / folder), \
            f"the seeds table of results/{folder} is stale: run `python -m workshop report --write`"


def test_the_paired_tables_match_the_stored_predictions():
    from workshop.report import PAIRED, paired_table

    blocks = PAIRED.findall((ROOT / "benchmarks" / "README.md").read_text())
    assert blocks, "benchmarks/README.md lost its paired-test markers"
    for folder, first, second, body in blocks:
        assert body == paired_table(ROOT / "results" / folder, first, second), \
            f"the paired table {first}/{second} of results/{folder} is stale: run `python -m workshop report --write`"


def test_the_seed_table_groups_runs_by_seed(tmp_path):
    from workshop.report import seeds_table

    for name, seed, accuracy in (("deeper", 42, 0.75), ("deeper_seed1", 1, 0.70), ("deeper_seed2", 2, 0.80)):
        run = {"experiment": name, "config": {"seed": seed}, "test_accuracy": accuracy}
        (tmp_path / f"{name}.json").write_text(json.dumps(run))
    row = seeds_table(tmp_path).splitlines()[2]
    assert row == "| deeper | 3 | 0.7500 | 0.7000 | 0.8000 | 10.0 points | 1: 0.7000, 2: 0.8000, 42: 0.7500 |"


def test_a_seeds_folder_takes_seed_42_from_the_results_beside_it(tmp_path):
    from workshop.report import seeds_table

    for folder, name, seed, accuracy in (("full", "deeper_slice", 42, 0.5), ("full", "baseline", 42, 0.6),
                                         ("full-seeds", "deeper_slice_seed1", 1, 0.4),
                                         ("full-seeds", "deeper_slice_seed2", 2, 0.6)):
        (tmp_path / folder).mkdir(exist_ok=True)
        run = {"experiment": name, "config": {"seed": seed}, "test_accuracy": accuracy}
        (tmp_path / folder / f"{name}.json").write_text(json.dumps(run))
    rows = seeds_table(tmp_path / "full-seeds").splitlines()[2:]
    # a run with no other seed (baseline) is not listed; the slice run has its three seeds
    assert rows == ["| deeper_slice | 3 | 0.5000 | 0.4000 | 0.6000 | 20.0 points | 1: 0.4000, 2: 0.6000, 42: 0.5000 |"]


def test_a_seeds_folder_pairs_seed_42_from_the_results_beside_it(tmp_path):
    import numpy as np

    from workshop.report import paired_table

    label = np.array([0, 1, 2, 3, 4, 5])
    # seed 42 in full/: the first run alone right on images 0 and 1, the second alone on image 2
    # seed 1 in full-seeds/: the second run alone right on images 3, 4 and 5
    stored = {("full", "a", ""): [0, 1, 2, 3, 4, 5], ("full", "b", ""): [9, 9, 2, 3, 4, 5],
              ("full-seeds", "a", "_seed1"): [0, 1, 2, 9, 9, 9], ("full-seeds", "b", "_seed1"): [0, 1, 2, 3, 4, 5]}
    stored[("full", "a", "")][2] = 9
    for (folder, name, suffix), predicted in stored.items():
        (tmp_path / folder).mkdir(exist_ok=True)
        np.savez(tmp_path / folder / f"{name}{suffix}.predictions.npz", label=label, predicted=np.array(predicted))
        (tmp_path / folder / f"{name}{suffix}.json").write_text("{}")
    rows = paired_table(tmp_path / "full-seeds", "a", "b").splitlines()[2:]
    # 6 images: seed 1 has a right on 3 (0.5000), b on all 6; seed 42 has a right on 5, b on 4
    assert [row.split(" | ")[:5] for row in rows] == [["| 1", "0.5000", "1.0000", "0", "3"],
                                                      ["| 42", "0.8333", "0.6667", "2", "1"]]


def test_update_readme_refreshes_every_marked_block(tmp_path):
    for folder, accuracy in (("full", 0.5), ("gpu", 0.75)):
        (tmp_path / "results" / folder).mkdir(parents=True)
        run = {"experiment": "deeper", "parameters": 1676842, "epochs_completed": 20, "test_accuracy": accuracy,
               "train_seconds": 30.0, "images_per_second_median": 4.0e4, "peak_rss_mb": 3000.0,
               "data": {"source": "x.tar.gz", "kind": "path", "sha256": "cd" * 32, "train_images": 50000},
               "versions": {"keras": "3.15.1"}, "machine": {"cpus": 16, "platform": "Linux", "accelerator": "H100"}}
        (tmp_path / "results" / folder / "deeper.json").write_text(json.dumps(run))
    readme = tmp_path / "README.md"
    readme.write_text("a\n<!-- results:start -->\nold\n<!-- results:end -->\nb\n"
                      "<!-- results:gpu:start -->\nold\n<!-- results:gpu:end -->\nc\n")
    update_readme(readme, root=tmp_path)
    blocks = dict(readme_blocks(readme.read_text()))
    assert "0.5000" in blocks["results/full"] and "0.7500" in blocks["results/gpu"]
    assert "30 s" in blocks["results/gpu"] and "one H100 GPU and 16 CPU cores" in blocks["results/gpu"]
    assert readme.read_text().startswith("a\n") and readme.read_text().endswith("c\n")


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
    cost = [line for line in table.splitlines() if line.startswith("| baseline")][1]
    assert cost == "| baseline | 21.0 min | 650 | 1.46 GB |"
    assert "Data: cifar10-jpeg.tar.gz (sha256 abababababab)." in table  # one data for all: one sentence
    (tmp_path / "deeper.json").write_text(json.dumps({**run, "experiment": "deeper",
                                                      "data": {**run["data"], "sha256": "cd" * 32}}))
    two = results_table(tmp_path)
    assert "Data:" not in two and "| baseline | 21.0 min | 650 | 1.46 GB | cifar10-jpeg.tar.gz (sha256 abababababab) |" in two
    assert max(len(line) for line in two.splitlines() if line.startswith("| run |")) <= 90
    assert REFERENCES["deeper"]["rerun"] == 0.758 and REFERENCES["augmented_mild"]["rerun"] == 0.788
    # The 0.788 re-run used the mild settings: the original (strong) settings have no published figure.
    assert REFERENCES["augmented"] is None


def test_collapse_reproductions_are_not_rows(tmp_path):
    (tmp_path / "collapse_from_trained.json").write_text(json.dumps({"experiment": "collapse_from_trained",
                                                                     "kind": "collapse_demo"}))
    assert "No finished runs" in results_table(tmp_path)


def test_no_results_says_so(tmp_path):
    assert "No finished runs" in results_table(tmp_path)
