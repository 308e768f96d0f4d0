"""A content's summary read from its stored JSON says what the whole content says."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from terrain._validation import key_problem
from terrain.content import Appearance, Content, ContentSummary, PeopleReview
from terrain.serialization import to_json
from terrain.testing.strategies import contents

T0 = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)


def stored(content: Content) -> dict[str, Any]:
    """The JSON object the workspace stores for ``content``."""
    found: dict[str, Any] = json.loads(to_json(content))
    return found


def _photo(*people: str, reviews: tuple[PeopleReview, ...] = ()) -> Content:
    return Content(
        id="p1", kind="photo", created_at=T0, title="Atelier vélo",
        appearances=[Appearance(member_id=p, reviewed=True) for p in people],
        people_reviewed=True, reviews=reviews,
    )


@given(contents(), st.booleans(), st.randoms(use_true_random=False))
def test_the_summary_of_stored_data_is_the_summary_of_the_content(
    content: Content, confirm: bool, random: Any
) -> None:
    if confirm:  # a last review of exactly the people shown, in any order
        people = list(content.people)
        random.shuffle(people)
        review = PeopleReview(by="Camille", at=T0, people=people)
        content = attrs.evolve(content, reviews=(*content.reviews, review))
    assert ContentSummary.of_stored(stored(content)) == ContentSummary.of(content)


def test_a_content_whose_people_changed_since_the_last_review_is_not_reviewed() -> None:
    review = PeopleReview(by="Camille", at=T0, people=[("lea", None)])
    summary = ContentSummary.of_stored(stored(_photo("lea", "samir", reviews=(review,))))
    assert summary is not None
    assert not summary.review_is_current
    assert summary.member_ids == {"lea", "samir"}


def test_a_review_of_the_same_people_in_another_order_is_current() -> None:
    review = PeopleReview(by="Camille", at=T0, people=[("samir", None), ("lea", None)])
    summary = ContentSummary.of_stored(stored(_photo("lea", "samir", reviews=(review,))))
    assert summary is not None
    assert summary.review_is_current


@pytest.mark.parametrize(
    "change",
    [
        {"id": 7},
        {"kind": "painting"},
        {"title": None},
        {"people_reviewed": "yes"},
        {"appearances": [{"member_id": 3}]},
        {"appearances": "lea"},
        {"reviews": [{"people": [["lea"]]}]},
        {"reviews": {"people": []}},
    ],
)
def test_data_not_in_the_shape_terrain_writes_gives_no_summary(change: dict[str, Any]) -> None:
    """The workspace then reads the whole content, which names the problem."""
    data = {**stored(_photo("lea")), **change}
    assert ContentSummary.of_stored(data) is None


@given(contents(), st.text(max_size=40) | st.sampled_from(
    ["../../etc/passwd", "/etc/passwd", "photos/a\x00.jpg", "a\\b.jpg", "photos//a.jpg", ""]
))
def test_a_stored_media_key_the_model_refuses_is_never_summarised(
    content: Content, key: str
) -> None:
    """A record changed behind terrain's back (a key leaving the storage) is read whole,
    so the listing refuses it as the model does; any key the model accepts is summarised."""
    data = stored(content)
    assume(data.get("media"))
    data["media"][0]["key"] = key
    summary = ContentSummary.of_stored(data)
    if key_problem(key) is None:
        assert summary is not None
    else:
        assert summary is None
