"""The interval and the paired test behind every comparison, checked against SciPy's own implementations."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from workshop.stats import discordant, mcnemar_exact, wilson_interval


@pytest.mark.parametrize("correct, n", [(6684, 10000), (0, 10), (10, 10), (50, 100), (1, 3)])
def test_the_wilson_interval_is_scipys(correct, n):
    expected = stats.binomtest(correct, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson_interval(correct, n) == pytest.approx((expected.low, expected.high), abs=1e-9)


@pytest.mark.parametrize("b, c", [(0, 0), (3, 0), (10, 14), (120, 160), (500, 500)])
def test_the_exact_mcnemar_test_is_a_binomial_test_on_the_discordant_images(b, c):
    expected = 1.0 if b + c == 0 else stats.binomtest(min(b, c), b + c, 0.5).pvalue
    assert mcnemar_exact(b, c) == pytest.approx(expected, rel=1e-9)


def test_discordant_counts_only_the_images_one_model_alone_got_right():
    truth = np.array([0, 1, 2, 3, 4, 5])
    first = np.array([0, 1, 9, 9, 4, 9])   # right on 0, 1, 4
    second = np.array([0, 9, 2, 9, 9, 9])  # right on 0, 2
    assert discordant(truth, first, second) == (2, 1)  # first alone: 1 and 4; second alone: 2
