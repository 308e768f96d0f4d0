"""Contents and members are read from the store each time, decoded once per stored text.

A publication's consent gate reads the photos of each post and the people in
them right before each call: a record whose JSON has not changed is not decoded
again, and one changed (by this or another workspace object) is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Content, Member
from terrain.store import Workspace
from tests._photos import reviewed_photo
from tests.store._velo import velo

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    with velo(tmp_path / "velo", store_url) as w:
        w.add(reviewed_photo("p1", "m1", "m2"))
        yield w


def test_a_member_whose_stored_text_is_unchanged_is_not_decoded_again(ws: Workspace) -> None:
    first = ws.members(["m1", "m2"])
    again = ws.members(["m1", "m2"])
    assert again["m1"] is first["m1"]
    assert again["m2"] is first["m2"]
    assert ws.get(Member, "m1") is first["m1"]
    assert ws.get(Content, "p1") is ws.get(Content, "p1")


def test_a_member_changed_by_another_workspace_object_is_read_as_changed(
    ws: Workspace,
) -> None:
    before = ws.members(["m1"])["m1"]
    with Workspace.open(ws.root) as other:
        other.put(attrs.evolve(before, display_name="Léa"))
    after = ws.members(["m1"])["m1"]
    assert after.display_name == "Léa"
    assert before.display_name != "Léa"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["rename", "read", "get", "handle"]), st.integers(0, 19),
                  st.booleans()),
        min_size=1, max_size=10,
    )
)
def test_members_read_through_the_cache_are_the_members_stored(
    ws: Workspace, steps: list[tuple[str, int, bool]]
) -> None:
    """Whatever is written, by this or another workspace object, a member read from
    ``ws`` is exactly the one a fresh workspace reads."""
    with Workspace.open(ws.root) as other:
        for k, (verb, n, mine) in enumerate(steps):
            writer = ws if mine else other
            member_id = f"m{n}"
            if verb == "rename":
                old = writer.get(Member, member_id)
                writer.put(attrs.evolve(old, display_name=f"Member {n} ({k})"))
            elif verb == "handle":
                old = writer.get(Member, member_id)
                writer.put(attrs.evolve(old, handles={"x": f"m_{n}_{k}"}))
            seen = ws.members([member_id])[member_id] if verb != "get" else ws.get(
                Member, member_id
            )
            with Workspace.open(ws.root) as fresh:
                assert seen == fresh.get(Member, member_id)
