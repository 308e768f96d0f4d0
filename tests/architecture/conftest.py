"""A copy of ``src/`` to plant violations in, shared by the architecture tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.architecture.imports import SRC


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A copy of ``src/`` (add code to a module with :func:`~tests.architecture.imports.plant`)."""
    copy = tmp_path / "src"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy
