"""Publisher workers on PostgreSQL: throughput with 1, 2 and 4 worker processes.

The same measure as :mod:`benchmarks.bench_workers` (``terrain worker``
processes, the HTTP fake answering in 50 ms, the ratio to one worker measured
in the same run), with the workspace's store on a PostgreSQL server started
for the run (the test suite's throwaway server: ``tests/pg.py``, which runs
with ``fsync`` off, so the figure is about the claims and locks, not the
disk). Skipped, with a note, when no PostgreSQL server binaries are installed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks._harness import Result
from benchmarks.bench_workers import POSTS, scaling


def run() -> list[Result]:
    from tests import pg

    reason = pg.missing_reason()
    if reason is not None:
        print(f"  skipped the PostgreSQL workers benchmark: {reason}", file=sys.stderr)
        return []
    results: list[Result] = []
    with pg.running_server() as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        databases = [pg.fresh_database(server) for _ in range(3)]
        urls = iter([db.__enter__() for db in databases])
        try:
            results = scaling(folder, lambda: next(urls), f"PostgreSQL, {POSTS} posts", (2, 4))
        finally:
            for db in databases:
                db.__exit__(None, None, None)
    return results
