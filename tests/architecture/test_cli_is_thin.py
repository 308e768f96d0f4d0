"""The command line parses, calls one library function, and prints: nothing more."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.imports import SRC, plant
from tests.architecture.thin_cli import violations

#: Verbs that the issue-15 branch (consent, in flight) rewrites: cleared when it lands.
#: Nothing may be added here.
PENDING: set[str] = set()


def _problems(src: Path = SRC) -> list[str]:
    return [v for v in violations(src) if v.split(":")[0] not in PENDING]


def test_the_cli_never_touches_the_database_and_leaves_each_task_to_one_workflow() -> None:
    problems = _problems()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "def f(ws):\n    with ws.db.transaction():\n        pass\n",
            "uses the database of a workspace (.db)",
        ),
        ("def f(ws):\n    with ws.transaction():\n        pass\n", "uses transaction"),
        ("from terrain.store import Database\n", "imports Database"),
        ("def f():\n    from terrain.store._db import Database\n", "imports terrain.store._db"),
        ("import sqlite3\n", "imports sqlite3"),
        ('Q = "SELECT data FROM records WHERE id = ?"\n', "holds SQL"),
        (
            "def f(ws, a, b):\n    ws.put(a)\n    ws.put(b)\n",
            "f() writes to the workspace 2 times",
        ),
        (
            "def f(ws, items):\n    for item in items:\n        ws.add(item)\n",
            "f() writes to the workspace in a loop",
        ),
        (
            "def f(ws, Event, attrs):\n    e = ws.get(Event, 'ev')\n"
            "    ws.put(attrs.evolve(e, title='x'))\n",
            "f() reads the workspace (ws.get) and writes to it",
        ),
        (
            "def f(ws, helper, x):\n    y = helper(ws, x)\n    ws.put(y)\n",
            "f() reads the workspace (helper) and writes to it",
        ),
    ],
)
def test_a_planted_violation_is_reported_with_its_place(
    planted: Path, code: str, expected: str
) -> None:
    assert _problems(planted) == []
    plant(planted, "terrain.cli._member", code)
    found = _problems(planted)
    assert any(expected in p and p.startswith("src/terrain/cli/_member.py:") for p in found), found


def test_one_write_alone_is_one_library_call(planted: Path) -> None:
    """``terrain member add``: build the model from the options, ``ws.add`` it, print."""
    plant(planted, "terrain.cli._member", "def f(ws, Member):\n    ws.add(Member('a', 'A'))\n")
    assert _problems(planted) == []
