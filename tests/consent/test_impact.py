"""Withdrawal impact: what a withdrawn consent takes down, and what it leaves online."""

from __future__ import annotations

from datetime import timedelta

import pytest

from terrain import Mention, Post, PostMedia, Receipt
from terrain.consent import Scope, WithdrawalImpact, withdrawal_impact
from terrain.errors import ValidationError
from terrain.serialization import from_json, to_json

from .helpers import EVENING, FORM, MEETUP, ledger, photo

LATER = MEETUP + timedelta(days=20)
CONTENTS = [
    photo("p-1", "lea", "samir"),
    photo("p-2", "samir", event_id="ev-04", media_id="m-2"),
    photo("p-3", "ana"),
]


def _published(platform: str, post_id: str, *, content_id: str | None = None,
               media_id: str = "m-1", mentions: tuple[Mention, ...] = (),
               event_id: str = "ev-03") -> tuple[Post, Receipt]:
    media = () if content_id is None else (
        PostMedia(key=f"media/{post_id}.jpg", media_type="image/jpeg", content_id=content_id,
                  media_id=media_id),
    )
    post = Post(id=post_id, platform=platform, text="Meetup recap", media=media,
                mentions=mentions, event_id=event_id)
    receipt = Receipt(platform=platform, post_id=post_id, remote_id=f"r-{post_id}",
                      published_at=EVENING)
    return post, receipt


PUBLISHED = [
    _published("x", "x-1", content_id="p-1"),
    _published("instagram", "ig-1", content_id="p-1"),
    _published("x", "x-2", content_id="p-3"),
    _published("x", "x-3", mentions=(Mention(handle="lea_m", member_id="lea"),)),
    _published("x", "x-4", content_id="p-2", media_id="m-2", event_id="ev-04"),
]


def test_withdrawal_after_publication_lists_the_receipts_to_take_down() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish", "tag"], at=MEETUP, evidence=FORM)
    book.grant("samir", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.withdraw("lea", at=LATER)

    impact = withdrawal_impact("lea", contents=CONTENTS, published=PUBLISHED, at=LATER,
                               ledger=book)

    assert impact.content_ids == ("p-1",)
    assert [r.post_id for r in impact.receipts] == ["x-1", "ig-1", "x-3"]
    assert impact.takedown[0].reason == "Léa Martin: consent withdrawn on 2026-04-01 (record c-1)"
    assert impact.takedown[2].reason.startswith("@lea_m (Léa Martin): mention dropped")
    assert impact.kept == ()


def test_a_withdrawal_for_instagram_only_leaves_the_x_posts_online() -> None:
    book = ledger()
    book.grant("lea", purposes=["publish"], platforms=["x"], at=MEETUP, evidence=FORM)
    book.grant("lea", purposes=["publish"], platforms=["instagram"], at=MEETUP, evidence=FORM)
    book.grant("samir", purposes=["publish"], at=MEETUP, evidence=FORM)
    book.withdraw("lea", at=LATER, platforms=["instagram"])

    impact = withdrawal_impact("lea", contents=CONTENTS, published=PUBLISHED[:2], at=LATER,
                               ledger=book)

    assert [r.post_id for r in impact.receipts] == ["ig-1"]
    assert [r.post_id for r in impact.kept] == ["x-1"]


def test_a_preview_without_ledger_lists_everything_that_involves_the_person() -> None:
    impact = withdrawal_impact("samir", contents={c.id: c for c in CONTENTS},
                               published=PUBLISHED, at=LATER)

    assert impact.content_ids == ("p-1", "p-2")
    assert [r.post_id for r in impact.receipts] == ["x-1", "ig-1", "x-4"]
    assert impact.takedown[0].reason == "post x-1 shows them in photo p-1"


def test_a_scoped_withdrawal_only_touches_that_events_content_and_posts() -> None:
    impact = withdrawal_impact("samir", contents=CONTENTS, published=PUBLISHED, at=LATER,
                               scope=Scope(kind="event", ref="ev-04"), platforms=["x"])

    assert impact.content_ids == ("p-2",)
    assert [r.post_id for r in impact.receipts] == ["x-4"]


def test_the_impact_round_trips_through_json_for_the_takedown_journal() -> None:
    impact = withdrawal_impact("lea", contents=CONTENTS, published=PUBLISHED, at=LATER)

    assert from_json(to_json(impact), WithdrawalImpact) == impact


def test_contents_keyed_by_the_wrong_id_are_refused() -> None:
    with pytest.raises(ValidationError, match="map each content id to its Content"):
        withdrawal_impact("lea", contents={"p-9": CONTENTS[0]}, published=(), at=LATER)
