"""Helpers for benchmarks: each figure is compared with a floor (or peer)
measured in the same run, so ratios stay meaningful on any machine."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Result:
    """One line of the table: our figure, the floor's, their ratio, the goal."""

    name: str
    ours: float
    floor: float
    floor_name: str
    unit: str
    ratio: float
    goal: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def best_of(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """The smallest wall-clock time of ``repeat`` calls of ``fn`` (seconds)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """The median wall-clock time of ``repeat`` calls of ``fn`` (seconds)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def at_most(
    name: str,
    ours: float,
    floor: float,
    floor_name: str,
    goal: float,
    *,
    unit: str = "s",
    detail: str = "",
) -> Result:
    """``ours / floor`` must be at most ``goal`` (we may be this much slower)."""
    ratio = ours / floor if floor else float("inf")
    return Result(name, ours, floor, floor_name, unit, ratio, f"≤ {goal:g}×", ratio <= goal, detail)


def at_least(
    name: str,
    ours: float,
    floor: float,
    floor_name: str,
    goal: float,
    *,
    unit: str = "s",
    detail: str = "",
) -> Result:
    """``floor / ours`` must be at least ``goal`` (we must be this much faster)."""
    ratio = floor / ours if ours else float("inf")
    return Result(name, ours, floor, floor_name, unit, ratio, f"≥ {goal:g}×", ratio >= goal, detail)
