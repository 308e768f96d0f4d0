"""Bringing people in: a 1,000-member import vs 1,000 ``terrain member add`` calls.

A season run from the shell took about 1.5 s per ``member add`` (issue 19): the
import of a file must make that a single step. Two figures, from the same run:

- ``import 1,000 members (CSV)`` vs ``1,000 member add calls``: the whole
  ``terrain member import`` command on a 1,000-row CSV (name, email, phone, an
  X handle, tags) into a fresh workspace, against ``terrain member add`` called
  once per member through the same command line, in process (no interpreter
  start-up counted: the floor is kind to the loop). The loop is timed on its
  first ``SAMPLE`` calls and extrapolated to 1,000 (each call costs the same:
  open the workspace, check, add, close). Goal: the import at least 20×
  faster.
- ``import 1,000 members (CSV)`` vs the issue's budget of 3 s (a fixed
  figure, not measured: goal ≤ 1×).

``TERRAIN_BENCH_MEMBERS_N`` changes the number of members.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks._harness import Result, at_least, at_most

N = int(os.environ.get("TERRAIN_BENCH_MEMBERS_N", "1000"))
SAMPLE = min(N, 100)
GOAL = 20.0
BUDGET_S = 3.0


def _rows(n: int) -> list[dict[str, str]]:
    return [
        {
            "name": f"Person {i:04d}",
            "email": f"person{i}@velo-lyon.fr",
            "phone": f"+33 6 00 00 {i:04d}",
            "handle:x": f"person_{i}",
            "tags": "vélo; ville",
        }
        for i in range(n)
    ]


def _workspace(folder: Path) -> Path:
    from click.testing import CliRunner

    from terrain.cli import main

    root = folder / "velo"
    args = ["init", str(root), "--community-id", "velo", "--name", "Vélo", "--timezone",
            "Europe/Paris"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return root


def _import(folder: Path, source: Path) -> float:
    from click.testing import CliRunner

    from terrain.cli import main

    root = _workspace(folder)
    start = time.perf_counter()
    result = CliRunner().invoke(
        main, ["member", "import", str(source), "--workspace", str(root), "--json"]
    )
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    return elapsed


def _adds(folder: Path, rows: list[dict[str, str]]) -> float:
    from click.testing import CliRunner

    from terrain.cli import main

    root = _workspace(folder)
    runner = CliRunner()
    start = time.perf_counter()
    for i, row in enumerate(rows):
        args = [
            "member", "add", f"p-{i}", "--name", row["name"], "--email", row["email"],
            "--phone", row["phone"], "--handle", f"x={row['handle:x']}", "--tag", "vélo",
            "--tag", "ville", "--workspace", str(root),
        ]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    return time.perf_counter() - start


def run() -> list[Result]:
    from terrain.workflows import csv_bytes

    work = Path(tempfile.mkdtemp(prefix="terrain-bench-data-"))
    try:
        rows = _rows(N)
        source = work / "members.csv"
        source.write_bytes(csv_bytes(["name", "email", "phone", "handle:x", "tags"], rows))
        ours = min(_import(work / f"import-{attempt}", source) for attempt in range(3))
        sample = _adds(work / "adds", rows[:SAMPLE])
        loop = sample * N / SAMPLE
        return [
            at_least(
                f"import {N:,} members (CSV) vs member add",
                ours,
                loop,
                f"{N:,} `terrain member add` calls in process (timed on {SAMPLE}, "
                "extrapolated)",
                GOAL,
                detail="one transaction, history recorded; best of 3",
            ),
            at_most(
                f"import {N:,} members (CSV), the budget",
                ours,
                BUDGET_S,
                "the issue's budget (3 s, a fixed figure)",
                1.0,
            ),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
