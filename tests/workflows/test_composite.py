"""The stored before/after image is a content whose people are both photos' people.

So the consent gate judges the image by everyone it shows, and a takedown of
a person finds it: nobody in a source photo is ever missing from the image,
and someone reviewed in one photo but not in the other stays unreviewed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from terrain.content import Appearance, Content
from terrain.workflows._project import _composite_people

AT = datetime(2026, 4, 28, 10, tzinfo=UTC)
people = st.lists(st.tuples(st.sampled_from(["lea", "karim", "ines", "tom"]), st.booleans()))


def photo(content_id: str, shown: list[tuple[str, bool]], reviewed: bool) -> Content:
    unique = dict(shown)  # one appearance per member in the whole photo
    return Content(
        id=content_id,
        kind="photo",
        created_at=AT,
        appearances=[Appearance(m, reviewed=r) for m, r in unique.items()],
        people_reviewed=reviewed,
    )


@given(before=people, later=people, reviewed=st.tuples(st.booleans(), st.booleans()))
def test_the_composite_shows_everyone_its_photos_show(
    before: list[tuple[str, bool]], later: list[tuple[str, bool]], reviewed: tuple[bool, bool]
) -> None:
    sources = [photo("c1", before, reviewed[0]), photo("c2", later, reviewed[1])]
    appearances, all_reviewed = _composite_people(sources)
    shown = {a.member_id: a for a in appearances}
    assert set(shown) == {m for c in sources for m in c.member_ids}
    for member_id, appearance in shown.items():
        seen = [a.reviewed for c in sources for a in c.appearances if a.member_id == member_id]
        assert appearance.reviewed == all(seen)
        assert appearance.media_id is None  # the whole image shows them
    assert all_reviewed == (reviewed[0] and reviewed[1])
