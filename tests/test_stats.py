"""The interval and the paired test behind every comparison, checked against SciPy's own implementations."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from course_utils.training.stats import discordant, mcnemar_exact, wilson_interval


@pytest.mark.parametrize("correct, n", [(6684, 10000), (0, 10), (10, 10), (50, 100), (1, 3), (1, 1), (0, 1)])
def test_the_wilson_interval_is_scipys(correct, n):
    expected = stats.binomtest(correct, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson_interval(correct, n) == pytest.approx((expected.low, expected.high), abs=1e-9)


def test_an_interval_of_no_images_is_refused():
    with pytest.raises(ValueError, match="^an interval needs at least one test image$"):
        wilson_interval(0, 0)


def test_an_interval_never_passes_one():
    """All right on 16 images: the formula's upper end is 1 in exact arithmetic, 1 + 2e-16 in floats."""
    assert wilson_interval(16, 16)[1] == 1.0 and wilson_interval(0, 16)[0] == 0.0


@pytest.mark.parametrize("b, c", [(0, 0), (1, 0), (3, 0), (10, 14), (120, 160), (500, 500)])
def test_the_exact_mcnemar_test_is_a_binomial_test_on_the_discordant_images(b, c):
    expected = 1.0 if b + c == 0 else stats.binomtest(min(b, c), b + c, 0.5).pvalue
    assert mcnemar_exact(b, c) == pytest.approx(expected, rel=1e-9)


def test_discordant_counts_only_the_images_one_model_alone_got_right():
    truth = np.array([0, 1, 2, 3, 4, 5, 6])
    first = np.array([0, 1, 9, 9, 4, 5, 6])   # right on 0, 1, 4, 5, 6
    second = np.array([0, 9, 2, 9, 9, 9, 9])  # right on 0, 2
    # first alone: 1, 4, 5, 6; second alone: 2 (both right: 0; both wrong: 3)
    assert discordant(truth, first, second) == (4, 1)
    with pytest.raises(ValueError):
        discordant(truth, first, second[:-1])  # predictions of other images: refused, not cut short


def test_notebook_05_teaches_the_same_interval_and_test():
    """Notebook 05 writes both functions out for the student; they must give what the report uses."""
    from math import comb

    import jupytext

    from shared import ROOT

    cells = [c.source for c in jupytext.read(ROOT / "notebooks" / "05_comparison.py").cells if c.cell_type == "code"]
    namespace = {"np": np, "comb": comb}
    for name in ("def wilson_interval", "def mcnemar_exact"):
        source = next(c for c in cells if name in c)
        exec(source[source.index(name):].split("\n\n\n")[0], namespace)  # the function alone
    for correct, n in ((6684, 10000), (3, 40)):
        assert namespace["wilson_interval"](correct, n) == pytest.approx(wilson_interval(correct, n), abs=1e-12)
    for b, c in ((944, 767), (10, 30), (0, 0)):
        assert namespace["mcnemar_exact"](b, c) == pytest.approx(mcnemar_exact(b, c), rel=1e-12)


def test_compare_seeds_reads_seed_42_beside_the_other_seeds(tmp_path, capsys):
    from course_utils.training.stats import compare_seeds

    label = np.arange(8) % 10
    wrong = label + 1
    # seed 42 (in full/): a right on all 8, b on the first 5; seed 1 (in full-seeds/): a on 2, b on 6
    stored = {("full", "a", ""): label, ("full", "b", ""): np.r_[label[:5], wrong[5:]],
              ("full-seeds", "a", "_seed1"): np.r_[label[:2], wrong[2:]],
              ("full-seeds", "b", "_seed1"): np.r_[label[:6], wrong[6:]]}
    for (folder, run, suffix), predicted in stored.items():
        (tmp_path / folder).mkdir(exist_ok=True)
        np.savez(tmp_path / folder / f"{run}{suffix}.predictions.npz", label=label, predicted=predicted)
    scores = compare_seeds({"A": "a", "B": "b"}, seeds=(42, 1), results=str(tmp_path / "full"))
    assert scores == {"A": [1.0, 0.25], "B": [0.625, 0.75]}
    lines = capsys.readouterr().out.splitlines()
    # seed 42: only A right on images 5-7 (3), only B right on none; seed 1: only B right on 2-5 (4)
    assert "only A right 3, only B right 0" in lines[0] and "only A right 0, only B right 4" in lines[1]
    assert lines[2] == "A over 2 seeds: mean 62.50%, from 25.00% to 100.00%"
    assert compare_seeds({"A": "a", "B": "b"}, results=str(tmp_path / "elsewhere")) == {}


def _seed_runs(folder, label, predictions: dict) -> None:
    for (sub, run), predicted in predictions.items():
        (folder / sub).mkdir(parents=True, exist_ok=True)
        np.savez(folder / sub / f"{run}.predictions.npz", label=label, predicted=predicted)


def test_compare_seeds_reads_the_course_folders_by_default_and_says_when_they_are_missing(tmp_path, monkeypatch,
                                                                                           capsys):
    from course_utils.training.stats import compare_seeds

    monkeypatch.chdir(tmp_path)
    assert compare_seeds({"A": "a", "B": "b"}) == {}
    assert capsys.readouterr().out == ("results/full-seeds is not here: clone the course's repository to read "
                                       "the seed runs\n")
    label = np.arange(4)
    _seed_runs(tmp_path / "results", label, {("full", "a"): label, ("full", "b"): label + 1,
                                             ("full-seeds", "a_seed1"): label + 1, ("full-seeds", "b_seed1"): label})
    assert compare_seeds({"A": "a", "B": "b"}, seeds=(42, 1)) == {"A": [1.0, 0.0], "B": [0.0, 1.0]}


def test_compare_seeds_refuses_predictions_that_would_need_unpickling(tmp_path):
    """A predictions file holding Python objects would run code when loaded: it is refused."""
    from course_utils.training.stats import compare_seeds

    label = np.arange(4)
    _seed_runs(tmp_path, label, {("full", "a"): label, ("full-seeds", "x"): label,
                                 ("full", "b"): np.array([0, 1, 2, "3"], dtype=object)})
    with pytest.raises(ValueError, match="allow_pickle"):
        compare_seeds({"A": "a", "B": "b"}, seeds=(42,), results=str(tmp_path / "full"))
