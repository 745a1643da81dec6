"""Seeded bootstrap intervals for disparities, resampling confusion counts, not rows.

Each group's rows fall into the four confusion cells; a bootstrap resample of the
group's rows is a multinomial draw of its row count over those cells. Drawing the
counts directly costs O(replicates x groups) whatever the number of rows, so thousands
of replicates take milliseconds. Group sizes stay fixed (a stratified bootstrap).

With sample weights each cell keeps its mean weight: a resampled cell's weighted
count is its drawn row count times the cell's mean weight. This is exact when weights
are constant within a cell and a close approximation otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from riskcheck.fairness.counts import metrics_from_counts
from riskcheck.fairness.disparity import Comparison, disparity_values
from riskcheck.fairness.spec import BootstrapSpec

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: Cells (replicates x groups x 4) drawn per chunk; fixed, so draws never depend on memory.
_CHUNK_CELLS = 4_000_000
#: Fewest defined replicates, as a share, for an interval to be reported.
_MIN_DEFINED_SHARE = 0.5

Interval = tuple[float | None, float | None]


def bootstrap_intervals(
    names: Sequence[str],
    weighted: npt.NDArray[np.float64],
    rows: npt.NDArray[np.int64],
    eligible: Mapping[str, npt.NDArray[np.bool_]],
    comparison: Comparison,
    settings: BootstrapSpec,
) -> dict[str, Interval]:
    """Percentile intervals for each named disparity at ``settings.confidence``."""
    import numpy as np

    if settings.replicates == 0:
        return {name: (None, None) for name in names}
    rng = np.random.default_rng(settings.seed)
    size = rows.sum(axis=1)
    probabilities = rows / size[:, None]
    mean_weight = np.zeros_like(weighted)
    np.divide(weighted, rows, out=mean_weight, where=rows > 0)
    groups = len(size)
    chunk = max(1, _CHUNK_CELLS // (groups * 4))
    collected: dict[str, list[npt.NDArray[np.float64]]] = {name: [] for name in names}
    done = 0
    while done < settings.replicates:
        count = min(chunk, settings.replicates - done)
        draws = rng.multinomial(size, probabilities, size=(count, groups))
        counts = draws * mean_weight
        metrics = metrics_from_counts(counts)
        overall = metrics_from_counts(counts.sum(axis=1))
        values = disparity_values(names, metrics, overall, eligible, comparison)
        for name in names:
            collected[name].append(values[name])
        done += count
    alpha = 1.0 - settings.confidence
    intervals: dict[str, Interval] = {}
    for name in names:
        replicates = np.concatenate(collected[name])
        defined = replicates[~np.isnan(replicates)]
        if len(defined) < _MIN_DEFINED_SHARE * settings.replicates or len(defined) == 0:
            intervals[name] = (None, None)
            continue
        low, high = np.quantile(defined, [alpha / 2, 1 - alpha / 2])
        intervals[name] = (float(low), float(high))
    return intervals
