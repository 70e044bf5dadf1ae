"""Learning curves: training and validation, per epoch, for one run or several.

    fig = plot_learning_curves(result.history, title="Baseline")
    fig = plot_learning_curves({"baseline": a.history, "deeper": b.history}, metrics=("accuracy",))
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .style import legend_below

_METRIC_LABELS = {"accuracy": "accuracy", "loss": "loss (categorical cross-entropy)"}


def _history_rows(history) -> list[dict]:
    """Per-epoch dicts from a ``RunResult.history`` list, a ``RunResult``, or a Keras ``History``."""
    if hasattr(history, "history"):  # RunResult (list of rows) or keras.callbacks.History (dict of lists)
        history = history.history
    if isinstance(history, Mapping):  # {"accuracy": [...], "val_accuracy": [...]}
        n = max((len(v) for v in history.values()), default=0)
        return [{"epoch": i + 1, **{k: v[i] for k, v in history.items() if i < len(v)}} for i in range(n)]
    return list(history)


def _is_single_history(histories) -> bool:
    if hasattr(histories, "history"):
        return True
    if isinstance(histories, Mapping):  # a Keras History.history dict holds lists of numbers
        first = next(iter(histories.values()), [])
        return bool(first) and isinstance(first[0], (int, float, np.floating))
    return True


def plot_learning_curves(histories, title: str = "", metrics: Sequence[str] = ("accuracy", "loss"),
                         chance: float | None = None):
    """Training (solid) and validation (dashed) curves per epoch, one panel per metric.

    ``histories`` is one history -- a list of per-epoch dicts with keys ``epoch``, ``accuracy``,
    ``val_accuracy``, ``loss``, ``val_loss`` as in ``RunResult.history`` (a ``RunResult`` or a Keras
    ``History`` works too) -- or a dict ``name -> history`` to compare runs in one figure, one
    colour per run. ``chance`` (e.g. 0.1) draws that level as a dotted line on accuracy panels.
    """
    named = {"": histories} if _is_single_history(histories) else dict(histories)
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 4), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, metric in zip(axes[0], metrics):
        for i, (name, history) in enumerate(named.items()):
            rows = _history_rows(history)
            epochs = [row.get("epoch", k + 1) for k, row in enumerate(rows)]
            prefix = f"{name} " if name else ""
            colour = colours[i % len(colours)]
            for key, style, label in ((metric, "-", "training"), (f"val_{metric}", "--", "validation")):
                values = [row.get(key) for row in rows]
                if any(v is not None for v in values):
                    ax.plot(epochs, [np.nan if v is None else v for v in values], style, color=colour,
                            marker="o" if len(rows) <= 3 else None, label=prefix + label)
        if chance is not None and "accuracy" in metric:
            ax.axhline(chance, color="grey", linestyle=":", label=f"chance ({chance:.0%})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(_METRIC_LABELS.get(metric, metric))
        ax.set_title(metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        fig.suptitle(title)
    legend_below(fig, axes, ncols=min(max(len(named), 2), 5))  # one column per run: training above validation
    return fig
