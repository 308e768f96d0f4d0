"""docs/time.rst runs as written: its commands and examples, in order, under two clocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clocks import clocks
from tests.docs._rst_runner import count_directives, run_page

PAGE = Path(__file__).resolve().parents[2] / "docs" / "time.rst"
RUN_CLOCKS = clocks("spring-forward-day", "leap-day")


@pytest.mark.parametrize("clock", RUN_CLOCKS)
def test_the_time_page_runs_as_written(tmp_path: Path, clock: str) -> None:
    session = run_page(PAGE, tmp_path, {"TERRAIN_NOW": RUN_CLOCKS[clock]})
    assert len(session.ran) == count_directives(PAGE.read_text(encoding="utf-8"))
    assert {block.kind for block in session.ran} == {"console", "python"}
