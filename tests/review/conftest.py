"""Fixtures of the review desk's tests: a copy of the desk's workspace per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from terrain.store import Workspace

from ._desk import desk_workspace


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("desk-template")


@pytest.fixture
def desk(tmp_path: Path, desk_template: Path) -> Iterator[Workspace]:
    """The desk's workspace, approval off, blurring off."""
    with Workspace.open(desk_workspace(tmp_path, desk_template)) as ws:
        yield ws


@pytest.fixture
def strict_desk(tmp_path: Path, desk_template: Path) -> Iterator[Workspace]:
    """The desk's workspace with approval, four eyes and blurring on."""
    root = desk_workspace(tmp_path, desk_template,
                          publish="approval = true\nfour_eyes = true\nblur_unconsented = true")
    with Workspace.open(root) as ws:
        yield ws
