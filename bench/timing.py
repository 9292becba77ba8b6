"""How the benchmarks time: the median of several runs, and two contenders timed in turn within one
run (which goes first alternates), so a shared, noisy machine weighs on both alike."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from rich.console import Console


def median(fn: Callable[[], object], runs: int) -> float:
    """Median seconds of `runs` calls of fn."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def alternating(first: tuple[str, Callable[[], object]], second: tuple[str, Callable[[], object]], runs: int,
                status: Console | None = None) -> dict[str, float]:
    """Median seconds of each contender over `runs` rounds, the order swapped every round."""
    times: dict[str, list[float]] = {first[0]: [], second[0]: []}
    for i in range(runs):
        for name, fn in (first, second) if i % 2 == 0 else (second, first):
            t0 = time.perf_counter()
            if status is not None:
                with status.status(f"run {i + 1} of {runs}: {name}"):
                    fn()
            else:
                fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}
