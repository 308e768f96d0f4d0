"""The tutorial runs: every command and example of docs/tutorial.rst, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clocks import clocks
from tests.docs._rst_runner import count_directives, parse_blocks, run_page

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "tutorial.rst"


#: The tutorial is the slowest page (a process per command): two clocks, a day clocks
#: change and a leap day (or the one CI sets with TERRAIN_NOW).
RUN_CLOCKS = clocks("fall-back-day", "leap-day")
#: Under the first clock each command is the console script in a fresh interpreter,
#: exactly as a reader runs it; under the others (and in the other pages) commands
#: are forked from a process that imported terrain already (tests/_forkserver.py).
REAL_PROCESSES = next(iter(RUN_CLOCKS))


@pytest.mark.parametrize("clock", RUN_CLOCKS)
def test_tutorial_from_meetup_to_recap_runs_as_written(tmp_path: Path, clock: str) -> None:
    """A reader who types what the page shows gets what the page shows, whatever the day."""
    session = run_page(
        TUTORIAL,
        tmp_path,
        {"TERRAIN_NOW": RUN_CLOCKS[clock]},
        real_processes=clock == REAL_PROCESSES,
    )
    text = TUTORIAL.read_text(encoding="utf-8")
    assert len(session.ran) == count_directives(text), "a code block of the tutorial was skipped"
    kinds = {block.kind for block in session.ran}
    assert kinds == {"console", "python", "file"}
    commands = [c.text for b in session.ran for c in b.commands]
    for verb in (
        "init",
        "member add",
        "event add",
        "content import",
        "content people",
        "consent grant",
        "consent refuse",
        "publish",
        "log",
        "consent withdraw",
        "takedown",
    ):
        assert any(c.startswith(f"terrain {verb}") for c in commands), f"no `terrain {verb}`"
    assert (tmp_path / "velo-lyon" / "outbox" / "outbox").is_dir()


def test_tutorial_blocks_are_all_runnable() -> None:
    """Parsing alone finds every block (a quick failure before the slow run)."""
    text = TUTORIAL.read_text(encoding="utf-8")
    assert len(parse_blocks(text, "tutorial.rst")) == count_directives(text)
