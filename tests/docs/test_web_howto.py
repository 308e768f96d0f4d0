"""docs/howto/collect-consent-at-the-door.rst runs as written, commands and examples in order."""

from __future__ import annotations

from pathlib import Path

from tests.docs._rst_runner import count_directives, run_page

PAGE = Path(__file__).resolve().parents[2] / "docs" / "howto" / "collect-consent-at-the-door.rst"


def test_the_door_consent_how_to_runs_as_written(tmp_path: Path) -> None:
    session = run_page(PAGE, tmp_path, {"TERRAIN_NOW": "2026-11-02T10:00:00+01:00"})
    assert len(session.ran) == count_directives(PAGE.read_text(encoding="utf-8"))
