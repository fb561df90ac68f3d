"""What the benchmark scripts measure with: the best of several runs, and peak memory."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

__all__ = ["best_of", "peak_of"]


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    """Return the shortest time of ``repeat`` runs of ``run``, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def peak_of(run: Callable[[], object]) -> int:
    """Return the peak memory, in bytes, that ``run`` allocates (tracemalloc)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
