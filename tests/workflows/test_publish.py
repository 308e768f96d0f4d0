"""After the March meetup, publish the recap: consent at the call, mentions, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from terrain.errors import NotFound
from terrain.workflows import publish_event
from terrain.workflows._publish import journal_of
from tests.publishing._platforms import ScriptedPlatform

from ._meetup import EVENING, EVENT_ID, meetup_workspace


def ticking(start: datetime) -> Callable[[], datetime]:
    """A clock that moves one second per reading."""
    state = {"at": start}

    def now() -> datetime:
        state["at"] += timedelta(seconds=1)
        return state["at"]

    return now


def states(result: object) -> dict[str, str]:
    outcomes = result.report.outcomes  # type: ignore[attr-defined]
    posts = {p.id: p for p in result.posts}  # type: ignore[attr-defined]
    return {
        ("album" if posts[o.post_id].min_media else ", ".join(posts[o.post_id].content_ids))
        or "summary": o.state.value
        for o in outcomes
    }


def test_march_recap_goes_out_as_one_album_without_the_photos_consent_holds_back(
    tmp_path: Path,
) -> None:
    x = ScriptedPlatform(name="x")
    with meetup_workspace(tmp_path / "ws") as ws:
        result = publish_event(ws, EVENT_ID, {"x": x}, now=ticking(EVENING), hook=False)
        assert states(result) == {"album": "confirmed"}
        assert not result.failed
        (album,) = result.posts
        assert [m.content_id for m in album.media] == ["c-bar", "c-kids", "c-talk"]  # as made
        (sent,) = x.sent.values()
        assert [m.content_id for m in sent.media] == ["c-talk"]  # decided photo by photo
        assert sent.content_ids == ("c-talk",)
        assert [m.handle for m in sent.mentions] == ["lea_m", "dupain"]
        assert "Boulangerie Dupain" in sent.text
        row = journal_of(ws).get(album.id, "x")
        assert row is not None
        assert [m.content_id for m in row.post.media] == ["c-talk"]  # takedown knows what went
        (decision,) = ws.decisions(subject_kind="post", platform="x")
        assert decision.outcome == "allowed"
        left = [r.text for r in decision.reasons if "left out of the album" in r.text]
        assert len(left) == 2
        assert any("Samir" in r and "c-bar" in r for r in left)
        assert any("Tom" in r and "c-kids" in r for r in left)
    assert sorted(x.landed.values()) == [1]


def test_publishing_twice_sends_nothing_twice(tmp_path: Path) -> None:
    x = ScriptedPlatform(name="x")
    with meetup_workspace(tmp_path / "ws") as ws:
        publish_event(ws, EVENT_ID, {"x": x}, now=ticking(EVENING), hook=False)
        again = publish_event(ws, EVENT_ID, {"x": x}, now=ticking(EVENING), hook=False)
    assert x.calls == 1
    assert states(again)["album"] == "confirmed"


def test_a_consent_that_expires_between_dry_run_and_publication_holds_the_post(
    tmp_path: Path,
) -> None:
    x = ScriptedPlatform(name="x")
    expires = EVENING + timedelta(minutes=30)
    with meetup_workspace(tmp_path / "ws", lea_until=expires) as ws:
        dry = publish_event(ws, EVENT_ID, {"x": x}, dry_run=True, now=ticking(EVENING), hook=False)
        assert states(dry)["album"] == "planned"  # would be published, with Léa's photo
        (preview,) = dry.previews
        assert [m.content_id for m in preview.media] == ["c-talk"]
        assert x.calls == 0
        assert journal_of(ws).rows() == []
        later = publish_event(
            ws, EVENT_ID, {"x": x}, now=ticking(EVENING + timedelta(hours=1)), hook=False
        )
    assert states(later)["album"] == "held"  # Léa's photo was the last one allowed
    (held,) = later.report.outcomes
    assert "Léa" in held.message
    assert "album: 0 of its 3 photos may go, at least 1 needed" in held.message
    assert x.calls == 0


def test_an_unknown_event_is_a_clear_error_and_nothing_is_planned(tmp_path: Path) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        with pytest.raises(NotFound, match="ev-1999"):
            publish_event(ws, "ev-1999", {"x": ScriptedPlatform(name="x")}, now=EVENING)
        assert journal_of(ws).rows() == []


def test_the_result_says_what_the_posts_are_about_and_event_id_is_deprecated(
    tmp_path: Path,
) -> None:
    """A project update's result used to hold the project's id as ``event_id``."""
    x = ScriptedPlatform(name="x")
    with meetup_workspace(tmp_path / "ws") as ws:
        dry = publish_event(ws, EVENT_ID, {"x": x}, dry_run=True, now=ticking(EVENING), hook=False)
    assert (dry.subject_kind, dry.subject_id) == ("event", EVENT_ID)
    with pytest.warns(DeprecationWarning, match="PublishResult.event_id is deprecated: use "):
        assert dry.event_id == EVENT_ID
