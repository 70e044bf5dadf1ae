"""Is a difference real? The interval of one accuracy, and the paired test of two models.

- :func:`wilson_interval`: the 95% Wilson score interval of an accuracy from ``correct`` of ``n`` test
  images (it stays inside 0-1 and is accurate near 0 and 1, where the ± 1.96 standard errors is not).
- :func:`mcnemar_exact`: two models scored on the same test images differ only on the images that one
  gets right and the other wrong (``b`` and ``c``); under "no difference" each such image is a fair
  coin, so the two-sided exact binomial test of ``min(b, c)`` out of ``b + c`` gives the p-value.
- :func:`compare_seeds`: both, seed by seed, for two runs whose predictions the course stored.
"""
from __future__ import annotations

import math
from pathlib import Path

Z95 = 1.959963984540054  # the standard normal's 97.5% point


def wilson_interval(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of the proportion ``correct / n``."""
    if n <= 0:
        raise ValueError("an interval needs at least one test image")
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # The clamps only absorb rounding (the bounds lie in 0-1 exactly), so a mutant that loosens them
    # is equivalent (tasks.py mutate).
    return max(0.0, centre - half), min(1.0, centre + half)


def mcnemar_exact(b: int, c: int) -> float:
    """The exact two-sided McNemar p-value for ``b`` and ``c`` discordant images."""
    n, k = b + c, min(b, c)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def discordant(truth, first, second) -> tuple[int, int]:
    """``(b, c)``: images only the first model got right, and images only the second got right."""
    b = c = 0
    for t, x, y in zip(truth, first, second, strict=True):
        b += int(x == t and y != t)
        c += int(y == t and x != t)
    return b, c


def compare_seeds(runs: dict[str, str], seeds=(42, 1, 2, 3), results: str = "results/full") -> dict:
    """Print two runs' test accuracies and McNemar's test seed by seed, then each run's mean and range.

    ``runs`` maps a label to a run's name; seed 42's predictions are read from ``results``, the other
    seeds' from ``results``-seeds. Returns each label's accuracies, or ``{}`` without those folders."""
    import numpy as np

    if not Path(f"{results}-seeds").is_dir():
        print(f"{results}-seeds is not here: clone the course's repository to read the seed runs")
        return {}
    (first, _), (second, _) = runs.items()
    scores: dict[str, list[float]] = {name: [] for name in runs}
    for seed in seeds:
        folder, suffix = (results, "") if seed == 42 else (f"{results}-seeds", f"_seed{seed}")
        # allow_pickle=False is numpy's default, so leaving it out or passing None changes nothing (the
        # mutants mutmut makes of it); True is what the test with an object array catches
        stored = {name: np.load(Path(folder) / f"{run}{suffix}.predictions.npz", allow_pickle=False)  # pragma: no mutate
                  for name, run in runs.items()}
        label = stored[first]["label"]
        for name in runs:
            scores[name].append(float(np.mean(stored[name]["predicted"] == label)))
        b, c = discordant(label, stored[first]["predicted"], stored[second]["predicted"])
        print(f"seed {seed:>2}: {first} {scores[first][-1]:.2%}, {second} {scores[second][-1]:.2%}; only {first} "
              f"right {b}, only {second} right {c}, McNemar p = {mcnemar_exact(b, c):.2g}")
    for name, values in scores.items():
        print(f"{name} over {len(values)} seeds: mean {np.mean(values):.2%}, "
              f"from {min(values):.2%} to {max(values):.2%}")
    return scores
