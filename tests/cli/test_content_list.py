"""`terrain content list` prints, from the content index, exactly what the whole
contents say: the same lines as formatting each content read in full."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Community, Content, Event, Member
from terrain.content import PeopleReview
from terrain.store import Workspace
from terrain.testing.strategies import contents
from tests._photos import reviewed_photo

from .conftest import Run

T0 = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)
MEMBERS = ["lea", "samir", "tom", "m-10", "m-9"]


def _velo(root: Path) -> Path:
    with Workspace.init(root, community=Community(id="velo", name="Vélo")) as ws:
        for member in MEMBERS:
            ws.add(Member(id=member, display_name=member.title()))
        ws.add(Event(id="ev", title="Meetup", starts_at=T0, ends_at=T0 + timedelta(hours=2)))
    return root


def _as_before(content: Content) -> str:
    """The line of ``content`` as the listing printed it from the whole content."""
    reviewed = "reviewed" if content.review_is_current else "unreviewed"
    return (f"{content.id:<20} {content.kind.value:<6} {reviewed:<10} "
            f"{', '.join(sorted(content.member_ids)) or '-'}  {content.title}")


def test_the_listing_prints_each_content_with_its_people_sorted(
    tmp_path: Path, run: Run
) -> None:
    root = _velo(tmp_path / "velo")
    with Workspace.open(root) as ws:
        ws.add(reviewed_photo("p-1", "tom", "lea", event_id="ev"))
        ws.add(attrs.evolve(reviewed_photo("p-2"), title="Vélo & ville", people_reviewed=False))
    listed = run("content", "list", workspace=root)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines() == [
        "p-1                  photo  reviewed   lea, tom  ",
        "p-2                  photo  unreviewed -  Vélo & ville",
    ]
    one = run("content", "list", "--event", "ev", workspace=root)
    assert one.stdout.splitlines() == ["p-1                  photo  reviewed   lea, tom  "]


@st.composite
def _field_contents(draw: st.DrawFn, content_id: str) -> Content:
    content = draw(contents(member_ids=MEMBERS, content_id=content_id))
    content = attrs.evolve(content, event_id=draw(st.sampled_from([None, "ev"])),
                           project_id=None, workshop_id=None)
    if draw(st.booleans()):  # its last review confirms who is in it now
        people = draw(st.permutations(list(content.people)))
        content = attrs.evolve(content, reviews=(
            *content.reviews, PeopleReview(by="Camille", at=T0, people=people)))
    return content


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), count=st.integers(min_value=0, max_value=5))
def test_the_text_listing_is_the_listing_of_the_whole_contents(
    run: Run, data: st.DataObject, count: int
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = _velo(Path(folder) / "velo")
        with Workspace.open(root) as ws:
            for n in range(count):
                ws.put(data.draw(_field_contents(f"c-{n}")))
            whole = ws.list(Content)
        for args, shown in (((), whole), (("--event", "ev"), [c for c in whole
                                                               if c.event_id == "ev"])):
            listed = run("content", "list", *args, workspace=root)
            assert listed.exit_code == 0, listed.output
            expected = [_as_before(c) for c in shown] or [
                "No content yet: import photos with `terrain content import PHOTOS`."]
            assert listed.stdout.splitlines() == expected
