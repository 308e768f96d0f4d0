"""After the March meetup, publish the recap: consent at the call, mentions, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from terrain.errors import NotFound
from terrain.publishing import RowState
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
    return {(", ".join(posts[o.post_id].content_ids) or "summary"): o.state.value for o in outcomes}


def test_march_recap_goes_out_with_consent_and_holds_back_the_rest(tmp_path: Path) -> None:
    x = ScriptedPlatform(name="x")
    with meetup_workspace(tmp_path / "ws") as ws:
        result = publish_event(ws, EVENT_ID, {"x": x}, now=ticking(EVENING), hook=False)
        assert states(result) == {
            "summary": "confirmed",
            "c-talk": "confirmed",
            "c-bar": "held",
            "c-kids": "held",
        }
        held = {o.post_id: o for o in result.report.by_state(RowState.HELD)}
        reasons = " ".join(r for o in held.values() for r in o.reasons)
        assert "Samir" in reasons
        assert "Tom" in reasons
        assert not result.failed
        sent = {p.id: p for p in result.posts}
        talk = next(p for p in sent.values() if p.content_ids == ("c-talk",))
        summary = next(p for p in sent.values() if not p.content_ids)
        row = journal_of(ws).get(talk.id, "x")
        assert row is not None
        assert [m.handle for m in row.post.mentions] == ["lea_m"]
        assert [m.handle for m in summary.mentions] == ["dupain"]
        assert "Boulangerie Dupain" in summary.text
        decisions = ws.decisions(subject_kind="post", platform="x")
        assert len(decisions) == 4
    assert sorted(x.landed.values()) == [1, 1]


def test_publishing_twice_sends_nothing_twice(tmp_path: Path) -> None:
    x = ScriptedPlatform(name="x")
    with meetup_workspace(tmp_path / "ws") as ws:
        publish_event(ws, EVENT_ID, {"x": x}, now=ticking(EVENING), hook=False)
        again = publish_event(ws, EVENT_ID, {"x": x}, now=ticking(EVENING), hook=False)
    assert x.calls == 2
    assert states(again)["c-talk"] == "confirmed"


def test_a_consent_that_expires_between_dry_run_and_publication_holds_the_post(
    tmp_path: Path,
) -> None:
    x = ScriptedPlatform(name="x")
    expires = EVENING + timedelta(minutes=30)
    with meetup_workspace(tmp_path / "ws", lea_until=expires) as ws:
        dry = publish_event(ws, EVENT_ID, {"x": x}, dry_run=True, now=ticking(EVENING), hook=False)
        assert states(dry)["c-talk"] == "planned"  # would be published
        assert x.calls == 0
        assert journal_of(ws).rows() == []
        later = publish_event(
            ws, EVENT_ID, {"x": x}, now=ticking(EVENING + timedelta(hours=1)), hook=False
        )
    assert states(later)["c-talk"] == "held"
    talk = next(o for o in later.report.outcomes if o.state is RowState.HELD and "Léa" in o.message)
    assert "Léa" in talk.message
    assert x.landed.keys() == {p.id for p in later.posts if not p.content_ids}


def test_an_unknown_event_is_a_clear_error_and_nothing_is_planned(tmp_path: Path) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        with pytest.raises(NotFound, match="ev-1999"):
            publish_event(ws, "ev-1999", {"x": ScriptedPlatform(name="x")}, now=EVENING)
        assert journal_of(ws).rows() == []
