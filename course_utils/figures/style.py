"""One legend for a whole figure, under its panels, where it cannot cover a curve or a bar."""
from __future__ import annotations

import numpy as np


def legend_below(fig, axes, ncols: int | None = None, fontsize: int = 9) -> None:
    """Gather the labelled lines and bars of ``axes`` into one legend under the figure, then lay it out."""
    handles, labels = [], []
    for ax in np.atleast_1d(axes).ravel():
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if not handles:
        fig.tight_layout()
        return
    ncols = ncols or min(len(labels), 4)
    rows = -(-len(labels) // ncols)
    share = min(0.4, (0.24 * rows + 0.1) / fig.get_figheight())  # the strip the legend needs, in inches
    fig.legend(handles, labels, loc="lower center", ncols=ncols, fontsize=fontsize, frameon=False)
    fig.tight_layout(rect=(0, share, 1, 1))
