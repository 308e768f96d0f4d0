"""Léa withdraws in April: the takedown removes what showed her, and only that."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from terrain.posts import Receipt
from terrain.publishing import RowState
from terrain.workflows import publish_event, takedown
from terrain.workflows._publish import journal_of
from tests.publishing._platforms import CAPS, ScriptedPlatform

from ._meetup import APRIL, EVENING, EVENT_ID, MEETUP, meetup_workspace


class Hooks:
    def __init__(self) -> None:
        self.withdrawn: list[tuple[str, list[str]]] = []

    def terrain_consent_withdrawn(self, subject: Any, receipts: list[Receipt]) -> None:
        self.withdrawn.append((subject.id, [r.post_id for r in receipts]))


def test_lea_withdraws_in_april_and_the_takedown_removes_the_album_with_her_photo(
    tmp_path: Path,
) -> None:
    x = ScriptedPlatform(name="x")
    hooks = Hooks()
    with meetup_workspace(tmp_path / "ws") as ws:
        published = publish_event(ws, EVENT_ID, {"x": x}, now=EVENING, hook=False)
        (album,) = published.posts
        assert set(x.receipts) == {album.id}

        result = takedown(ws, "lea", now=APRIL, platforms={"x": x}, hook=hooks)

        assert result.withdrawn  # her consent was withdrawn now
        assert [(e.post_id, e.outcome) for e in result.entries] == [(album.id, "deleted")]
        assert set(x.receipts) == set()
        assert hooks.withdrawn == [("lea", [album.id])]
        row = journal_of(ws).get(album.id, "x")
        assert row is not None
        assert row.taken_down_at is not None
        assert journal_of(ws).takedowns(subject_id="lea")[0].outcome == "deleted"
        # once taken down, publishing again does not bring it back
        again = publish_event(ws, EVENT_ID, {"x": x}, now=APRIL, hook=False)
        assert album.id not in x.receipts
        assert {o.post_id: o.state for o in again.report.outcomes}[album.id] is RowState.CONFIRMED


def test_a_withdrawal_by_someone_whose_photo_stayed_out_of_the_album_takes_nothing_down(
    tmp_path: Path,
) -> None:
    """Samir refused: his photo never went, so his withdrawal leaves the album online."""
    x = ScriptedPlatform(name="x")
    with meetup_workspace(tmp_path / "ws") as ws:
        (album,) = publish_event(ws, EVENT_ID, {"x": x}, now=EVENING, hook=False).posts
        result = takedown(ws, "samir", now=APRIL, platforms={"x": x}, hook=False)
        assert result.entries == ()
        assert set(x.receipts) == {album.id}


def test_an_existing_withdrawal_is_used_and_a_platform_that_cannot_delete_is_listed(
    tmp_path: Path,
) -> None:
    x = ScriptedPlatform(name="x")
    with meetup_workspace(tmp_path / "ws") as ws:
        publish_event(ws, EVENT_ID, {"x": x}, now=EVENING, hook=False)
        ledger = ws.ledger()
        ledger.withdraw("lea", at=APRIL)
        ws.save_ledger(ledger)
        x.capabilities = CAPS.__class__(max_text_length=500, max_media=4, delete=False)
        result = takedown(ws, "lea", now=APRIL, platforms={"x": x}, hook=False)
    assert result.withdrawn == ()
    (entry,) = result.entries
    assert entry.outcome == "manual"
    assert entry.url is not None
    assert entry.url in entry.message
    assert result.failed


class RaisingHooks:
    """A plugin whose reaction to a withdrawal fails."""

    def __init__(self) -> None:
        self.calls = 0

    def terrain_consent_withdrawn(self, subject: Any, receipts: list[Receipt]) -> None:
        self.calls += 1
        raise RuntimeError("newsletter archive unreachable")


def test_a_failing_plugin_never_hides_what_to_remove_by_hand(tmp_path: Path) -> None:
    x = ScriptedPlatform(name="x")
    hooks = RaisingHooks()
    with meetup_workspace(tmp_path / "ws") as ws:
        publish_event(ws, EVENT_ID, {"x": x}, now=EVENING, hook=False)
        x.capabilities = CAPS.__class__(max_text_length=500, max_media=4, delete=False)

        result = takedown(ws, "lea", now=APRIL, platforms={"x": x}, hook=hooks)

    assert hooks.calls == 1
    (entry,) = result.to_remove_by_hand
    assert entry.url is not None  # the URL to remove by hand is still there
    (error,) = result.hook_errors
    assert "terrain_consent_withdrawn failed (RuntimeError: newsletter archive unreachable)" in (
        error
    )
    assert result.failed


def test_running_the_takedown_again_records_nothing_and_does_not_tell_plugins_again(
    tmp_path: Path,
) -> None:
    x = ScriptedPlatform(name="x")
    hooks = Hooks()
    with meetup_workspace(tmp_path / "ws") as ws:
        publish_event(ws, EVENT_ID, {"x": x}, now=EVENING, hook=False)
        first = takedown(ws, "lea", now=APRIL, platforms={"x": x}, hook=hooks)
        events = ws.consent_events()

        again = takedown(ws, "lea", now=APRIL + timedelta(days=1), platforms={"x": x},
                         hook=hooks)

        assert first.recorded
        assert not again.recorded
        assert ws.consent_events() == events  # no second withdrawal
    assert len(hooks.withdrawn) == 1  # told once, for the withdrawal recorded
    assert again.entries == ()  # what came down stays down


def test_a_takedown_of_the_tag_only_removes_the_posts_that_tag_them(tmp_path: Path) -> None:
    """The announcement does not tag Léa and stays; the album tags her (@lea_m) and
    comes down; she is still shown by consent (only the tag was withdrawn)."""
    x = ScriptedPlatform(name="x")
    with meetup_workspace(tmp_path / "ws") as ws:
        announced = publish_event(ws, EVENT_ID, {"x": x}, kind="announcement", hook=False,
                                  now=MEETUP - timedelta(days=2))
        (announcement,) = announced.posts
        published = publish_event(ws, EVENT_ID, {"x": x}, now=EVENING, hook=False)
        (album,) = published.posts
        assert {announcement.id, album.id} <= set(x.receipts)
        sent = journal_of(ws).get(album.id, "x").post  # type: ignore[union-attr]
        assert "lea_m" in [m.handle for m in sent.mentions]  # the album went out tagging her

        result = takedown(ws, "lea", purposes=["tag"], now=APRIL, platforms={"x": x},
                          hook=False)

        assert result.covers == "tag on every platform, for all content"
        assert [e.post_id for e in result.entries] == [album.id]  # it tagged her
        assert announcement.id in x.receipts
        assert ws.ledger().state("lea", "publish", "x", at=APRIL).valid  # still shown


def test_a_takedown_for_one_platform_says_what_stays_online_elsewhere(tmp_path: Path) -> None:
    x = ScriptedPlatform(name="x")
    facebook = ScriptedPlatform(name="facebook")
    with meetup_workspace(tmp_path / "ws") as ws:
        publish_event(ws, EVENT_ID, {"x": x, "facebook": facebook}, now=EVENING, hook=False)

        result = takedown(ws, "lea", on_platforms=["FACEBOOK"], now=APRIL,
                          platforms={"x": x, "facebook": facebook}, hook=False)

    assert {e.platform for e in result.entries} == {"facebook"}
    (stays,) = result.stays
    assert stays.receipt.platform == "x"
    assert stays.reason == "on x: the withdrawal covers facebook only"


def test_a_post_with_their_handle_typed_in_its_text_comes_down_with_their_tag(
    tmp_path: Path,
) -> None:
    """Léa agreed to be tagged, so "@lea_m" typed in the announcement went out; when she
    withdraws the tag, that post is found (through the journal's index of typed
    handles: it has no structured mention of her) and deleted."""
    x = ScriptedPlatform(name="x")
    with meetup_workspace(tmp_path / "ws") as ws:
        announced = publish_event(ws, EVENT_ID, {"x": x}, kind="announcement", hook=False,
                                  now=MEETUP - timedelta(days=2),
                                  text="Jeudi, @lea_m présente les pistes du 7e !")
        (typed,) = announced.posts
        sent = journal_of(ws).get(typed.id, "x").post  # type: ignore[union-attr]
        assert "@lea_m" in sent.text
        assert not sent.mentions  # typed, not a structured mention

        result = takedown(ws, "lea", purposes=["tag"], now=APRIL, platforms={"x": x},
                          hook=False)

    assert [e.post_id for e in result.entries] == [typed.id]
    assert typed.id not in x.receipts
