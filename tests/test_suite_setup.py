"""The test suite's own machinery (tests/conftest.py): what makes `make test` fast must
not change what it runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import LONG_FIRST, computed_once

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", LONG_FIRST)
def test_every_file_the_suite_starts_with_exists(path: str) -> None:
    """A renamed file would silently lose its place at the front of the run."""
    assert (ROOT / path).is_file(), f"{path} is in LONG_FIRST but is no file: update the list"


def test_the_long_files_run_first_and_every_test_still_runs(request: pytest.FixtureRequest) -> None:
    """Reordering moves tests, it drops none: the session holds each collected test once."""
    items = request.session.items
    assert len({item.nodeid for item in items}) == len(items)
    ranks = [
        LONG_FIRST.index(p) if (p := i.nodeid.split("::")[0]) in LONG_FIRST else None for i in items
    ]
    seen = [r for r in ranks if r is not None]
    assert seen == sorted(seen), "the long files are not in LONG_FIRST's order"
    if seen:  # a run of a few files may hold none of them
        first_other = next((n for n, r in enumerate(ranks) if r is None), len(ranks))
        assert all(r is None for r in ranks[first_other:]), "a long file runs after the rest"


def test_a_value_computed_once_is_computed_once(tmp_path_factory: pytest.TempPathFactory) -> None:
    calls: list[Path] = []

    def compute(folder: Path) -> str:
        calls.append(folder)
        assert folder.is_dir()
        return "indexed: ✓"

    name = f"once-{id(calls)}"
    assert computed_once(tmp_path_factory, name, compute) == "indexed: ✓"
    assert computed_once(tmp_path_factory, name, compute) == "indexed: ✓"
    assert len(calls) == 1
