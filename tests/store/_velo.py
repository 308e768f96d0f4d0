"""The workspace the consent-store tests start from: a community and numbered members."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from terrain import Community, Member
from terrain.consent import Evidence
from terrain.store import Workspace
from tests.conftest import workspace_store

T0 = datetime(2026, 3, 12, 19, 30, tzinfo=UTC)
FORM = Evidence(kind="verbal", witness="Camille (organiser)")


@contextmanager
def velo(root: Path, store_url: str, *, members: int = 20) -> Iterator[Workspace]:
    """A new workspace in ``root`` on ``store_url`` (SQLite or PostgreSQL), with
    members ``m0`` … ``m{members - 1}``."""
    with Workspace.init(
        root, community=Community(id="velo", name="Vélo"), store_url=workspace_store(store_url)
    ) as w:
        for i in range(members):
            w.add(Member(id=f"m{i}", display_name=f"Member {i}"))
        yield w
