"""Helpers for benchmarks: each figure is compared with a floor (or peer)
measured in the same run, so ratios stay meaningful on any machine."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
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
    #: share of the machine's CPU other processes used while it was measured
    #: (``None``: not known); above :data:`BUSY` the figure is not trusted
    others_busy: float | None = None

    @property
    def trusted(self) -> bool:
        """Whether the machine was quiet enough for the verdict to mean something."""
        return self.others_busy is None or self.others_busy <= BUSY

    @property
    def verdict(self) -> str:
        """``ok``, ``MISS``, or ``ok?`` / ``MISS?`` when the machine was busy."""
        word = "ok" if self.ok else "MISS"
        return word if self.trusted else f"{word}?"

    def as_dict(self) -> dict[str, Any]:
        """The figures rounded (4 significant digits, ratio to 0.01), for a stable JSON diff."""
        data = asdict(self)
        data["ours"] = _round(self.ours)
        data["floor"] = _round(self.floor)
        data["ratio"] = round(self.ratio, 2) if math.isfinite(self.ratio) else None
        data["verdict"] = self.verdict
        data["trusted"] = self.trusted
        if self.others_busy is not None:
            data["others_busy"] = round(self.others_busy, 2)
        return data


#: Above this share of the machine's CPU used by *other* processes during a
#: measurement, its verdict is printed with a ``?`` and not counted.
BUSY = 0.25


class CpuWatch:
    """How much of the machine's CPU *other* processes used since it started.

    Reads the kernel's busy time of every core (``/proc/stat``) and takes away
    this process's own CPU time, its finished children's (``os.times``) and that
    of every process below it still running (``/proc/PID/stat``: a worker, a
    server, the ``forkserver`` that multiprocessing starts in a process with
    threads, and what it reaped of its own workers); what is left is other work
    that slowed our figure and its floor unequally. (Counting only the children
    this process reaped made the thumbnail row "not trusted" in every ``make
    bench``: its workers were the forkserver's children, their CPU "other".)
    """

    def __init__(self) -> None:
        self._start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        import os

        try:
            with open("/proc/stat", encoding="ascii") as handle:
                fields = [float(x) for x in handle.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        tick = os.sysconf("SC_CLK_TCK")
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)
        busy = (sum(fields[:8]) - idle) / tick
        t = os.times()
        ours = t.user + t.system + t.children_user + t.children_system
        return busy, ours + _descendants_cpu(os.getpid(), tick), time.monotonic()

    def others_busy(self) -> float | None:
        """Share (0–1) of all cores used by other processes since the start."""
        import os

        end = self._sample()
        if self._start is None or end is None:
            return None
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        elapsed = end[2] - self._start[2]
        if elapsed <= 0:
            return None
        others = (end[0] - self._start[0]) - (end[1] - self._start[1])
        return max(0.0, min(1.0, others / (elapsed * (os.cpu_count() or cores))))


def _descendants_cpu(root: int, tick: float) -> float:
    """CPU seconds of the processes below ``root`` still running: each one's own time
    and that of the children it reaped (``/proc/PID/stat`` utime, stime, cutime,
    cstime), so every process is counted once, by itself or by whoever reaped it."""
    import os

    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as handle:
                text = handle.read()
        except OSError:
            continue  # ended meanwhile
        fields = text[text.rindex(")") + 2:].split()  # after "pid (name) "
        parents[int(name)] = int(fields[1])
        times[int(name)] = sum(float(x) for x in fields[11:15]) / tick
    below: set[int] = set()
    frontier = [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        below.update(children)
        frontier.extend(children)
    return sum(times[pid] for pid in below)


def load_note() -> str:
    """The 1-minute load average, for details."""
    import os

    if not hasattr(os, "getloadavg"):
        return "load unknown"
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def _round(value: float, digits: int = 4) -> float:
    """``value`` to ``digits`` significant digits (0 stays 0)."""
    if not value or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def machine_info() -> dict[str, Any]:
    """What the figures depend on: Python, OS, CPU, cores (no host name, no user)."""
    import os
    import platform
    import sys

    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "machine": platform.machine(),
        "processor": _cpu_model() or platform.processor(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        # other work on the machine slows floor and ours unequally: a high load explains noise
        "load_average_1m": round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None,
        "system": f"{platform.system()} {platform.release()}",
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def best_of(
    fn: Callable[[], object],
    *,
    repeat: int = 5,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """The smallest time of ``repeat`` calls of ``fn`` (seconds), wall clock by default.

    ``clock=time.process_time`` measures CPU time instead: for single-threaded
    work it is less disturbed by other jobs on a busy machine.
    """
    times = []
    for _ in range(repeat):
        gc.collect()
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


def best_of_each(fns: dict[str, Callable[[], object]], *, repeat: int = 5) -> dict[str, float]:
    """:func:`best_of` (wall clock) of each of ``fns``, run in turn, round after round.

    What a floor is compared with is measured in the same seconds as the floor: a
    burst of load from another job slows both, where measuring one ``repeat``
    times and then the other let it fall on one side only (on a shared 2-core
    machine, ``terrain --help`` against its import floor read 0.81× in one
    ``make bench`` and 1.39× in the next, for the same code).
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(found) for name, found in times.items()}


def median_of_each(
    measures: Sequence[Callable[[], float]], *, rounds: int = 5
) -> list[float]:
    """The median of ``rounds`` figures of each of ``measures``, run in turn, round after
    round; each call returns its own figure (seconds, or seconds per item).

    For sizes of a ladder, or a workspace and its grown copy: measured one after the
    other (three of the small, then three of the big), a burst of load from another
    job falls on one side only, and the ratio read 0.97× in one ``make bench`` and
    1.57× in the next for the same code. Alternating puts both sides in the same
    seconds; the median (not the best) keeps a figure honest when one round is slowed.
    """
    found: list[list[float]] = [[] for _ in measures]
    for _ in range(rounds):
        for figures, measure in zip(found, measures, strict=True):
            gc.collect()
            figures.append(measure())
    return [statistics.median(figures) for figures in found]


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
