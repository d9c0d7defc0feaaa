"""What the benchmarks share: the median time of a repeated action."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

__all__ = ["median_ms"]


def median_ms(action: Callable[[], object], repeat: int = 20) -> float:
    """The median of ``repeat`` runs of ``action``, in milliseconds."""
    samples: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e3
