"""The queue: what will go when, moving a post, cancelling it, editing its text.

Scheduled posts are rows of the publication journal, planned with a
``next_attempt_at``: the journal is the one place that says what will go and
when, and ``terrain worker`` takes each row when its time comes, deciding
consent then. :func:`queue_of` lists them (``terrain queue``);
:func:`move_post` and :func:`cancel_post` change a planned row
(``terrain queue move|cancel``); :func:`edit_post` puts the manager's own
words in a post before it goes (``terrain post edit``), checked as the
platform counts them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from terrain._time import instant, require_aware, zone
from terrain.errors import ComposeError, Conflict, NotFound, ValidationError
from terrain.events import Event
from terrain.posts import Post
from terrain.publishing import JournalRow, RowState, edit_text
from terrain.workflows._publish import _shown, check_timing, journal_of

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["QueuedPost", "cancel_post", "edit_post", "move_post", "queue_of"]

#: What each purpose of a journal row is, for people.
_KIND_OF_PURPOSE = {"publish": "recap"}


@attrs.frozen
class QueuedPost:
    """A post waiting in the journal: where it goes, when, and what it says.

    ``at`` is when a worker may take it (``None``: as soon as one runs);
    ``state`` is ``planned``, or ``claimed`` while a worker sends it. ``kind``
    is what the post is (``recap``, ``announcement``, ``reminder``…).
    """

    post_id: str
    platform: str
    state: RowState
    at: datetime | None
    kind: str
    text: str
    event_id: str | None = None
    media: int = 0
    attempts: int = 0
    last_error: str | None = None
    edited: bool = False

    @classmethod
    def of(cls, row: JournalRow, timezone: str = "UTC") -> QueuedPost:
        """The queue's view of a journal row, its time in ``timezone`` (the community's)."""
        at = row.next_attempt_at
        return cls(
            post_id=row.post_id,
            platform=row.platform,
            state=row.state,
            at=None if at is None else at.astimezone(zone(timezone)),
            kind=_KIND_OF_PURPOSE.get(row.purpose, row.purpose),
            text=row.post.text,
            event_id=row.event_id,
            media=len(row.post.media),
            attempts=row.attempts,
            last_error=row.last_error,
            edited=row.post.edited,
        )


def queue_of(ws: Workspace, *, platform: str | None = None) -> list[QueuedPost]:
    """What will go, and when: the planned (and in-flight) posts of the journal,
    those due now first, then by time (only ``platform``'s, if given)."""
    tz = ws.community.timezone
    return [QueuedPost.of(r, tz) for r in journal_of(ws).queue(platform=platform)]


def _row(ws: Workspace, post_id: str, platform: str | None) -> JournalRow:
    """The journal row of ``post_id`` (on ``platform``): NotFound, or which platform to name."""
    rows = journal_of(ws).rows(post_id=post_id, platform=platform)
    if not rows:
        raise NotFound(
            f"no post {post_id!r}" + (f" on {platform}" if platform else "")
            + " in the journal: `terrain queue` lists the posts waiting to go"
        )
    if len(rows) > 1:
        names = ", ".join(r.platform for r in rows)
        raise ValidationError(
            f"post {post_id!r} is planned on {names}: name one with --platform"
        )
    return rows[0]


def _planned(row: JournalRow, what: str) -> None:
    if row.state is RowState.PLANNED:
        return
    if row.state in (RowState.SENT, RowState.CONFIRMED):
        raise Conflict(
            f"post {row.post_id} already went out on {row.platform}: there is nothing to {what}"
            + (f" ({row.receipt.url})" if row.receipt is not None and row.receipt.url else "")
        )
    if row.state is RowState.CLAIMED:
        raise Conflict(
            f"post {row.post_id} is being sent to {row.platform} right now "
            f"({row.claimed_by}): too late to {what} it"
        )
    raise Conflict(
        f"post {row.post_id} on {row.platform} is {row.state.value} ("
        + ("; ".join(row.reasons) or row.last_error or "no reason recorded")
        + f"): only a planned post can be {what}d; `terrain publish` plans it again"
    )


def _check_time(ws: Workspace, row: JournalRow, at: datetime) -> None:
    """A recap cannot be moved before its meetup ends, an announcement after it starts."""
    if row.event_id is None or not ws.exists(Event, row.event_id):
        return
    kind = _KIND_OF_PURPOSE.get(row.purpose, row.purpose)
    if kind in ("recap", "announcement", "reminder"):
        check_timing(ws.get(Event, row.event_id), kind, at)


def move_post(
    ws: Workspace, post_id: str, *, at: datetime, now: datetime, platform: str | None = None
) -> QueuedPost:
    """Plan post ``post_id`` for ``at`` instead: a later or an earlier time, as long
    as it is still to come (and, for a meetup's post, on the right side of it)."""
    require_aware(at, "at")
    require_aware(now, "now")
    if instant(at) <= instant(now):
        raise ValidationError(
            f"{_shown(at)} is already past (it is {_shown(now)}): give a time to come"
        )
    row = _row(ws, post_id, platform)
    _planned(row, "move")
    _check_time(ws, row, at)
    journal = journal_of(ws)
    if not journal.move(row.post_id, row.platform, at=at, now=now):
        _planned(_row(ws, post_id, row.platform), "move")  # it changed meanwhile: say how
    moved = journal.get(row.post_id, row.platform)
    assert moved is not None
    return QueuedPost.of(moved, ws.community.timezone)


def cancel_post(
    ws: Workspace, post_id: str, *, now: datetime, platform: str | None = None
) -> QueuedPost:
    """Take post ``post_id`` out of the queue: it is held, with the time it was
    cancelled; ``terrain publish`` for its event plans it again."""
    require_aware(now, "now")
    row = _row(ws, post_id, platform)
    _planned(row, "cancel")
    reason = (
        f"cancelled by the community manager on {_shown(now)} (`terrain queue cancel`); "
        "`terrain publish` plans it again"
    )
    journal = journal_of(ws)
    if not journal.cancel(row.post_id, row.platform, reason=reason, now=now):
        _planned(_row(ws, post_id, row.platform), "cancel")
    held = journal.get(row.post_id, row.platform)
    assert held is not None
    return QueuedPost.of(held, ws.community.timezone)


def edit_post(
    ws: Workspace, post_id: str, text: str, *, now: datetime, platform: str | None = None
) -> Post:
    """Put the manager's ``text`` in post ``post_id`` before it goes.

    The text is checked as the composer checks its own, counted as the
    platform counts it (:func:`~terrain.publishing.edit_text`: ``---`` alone
    on a line separates thread replies); over the limit it is refused with how
    many characters to cut, and nothing changes. A planned post keeps its
    time; a failed one (the platform refused it) is planned again. The words
    stay when the event's posts are composed again.
    """
    require_aware(now, "now")
    row = _row(ws, post_id, platform)
    if row.state is not RowState.FAILED:
        _planned(row, "edit")
    capabilities = ws.capabilities(row.platform)
    try:
        edited = edit_text(row.post, text, capabilities)
    except ComposeError as exc:
        raise ValidationError(f"{exc}. Nothing was changed") from None
    journal = journal_of(ws)
    (stored,) = journal.plan([edited], now=now, purpose=row.purpose)
    if stored.post != edited:
        _planned(stored, "edit")  # a worker took it meanwhile
    return stored.post
