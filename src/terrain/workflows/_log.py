"""Why was each post published or held back: the journal with its consent decisions.

:func:`post_log` reads a page of the publication journal (filtered by post,
event, member or date) and the decisions recorded about those posts, in two
queries whatever the size of the journal or of the decision log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from terrain._time import require_aware
from terrain.consent import DecisionRecord
from terrain.errors import NotFound, ValidationError
from terrain.publishing import Journal, JournalRow
from terrain.serialization import from_json

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["LogEntry", "post_log"]


@attrs.frozen
class LogEntry:
    """One post on one platform: its journal row and the decisions recorded
    right before each call, oldest first."""

    row: JournalRow
    decisions: tuple[DecisionRecord, ...] = ()


def post_log(
    ws: Workspace,
    *,
    post_id: str | None = None,
    event_id: str | None = None,
    member_id: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[LogEntry]:
    """The journal's posts with their consent decisions, in planning order.

    Filters: ``post_id``; ``event_id`` (the event's recaps); ``member_id``
    (posts showing the member, made by them, or mentioning them); ``since``
    (planned at or after). ``limit`` keeps the most recent ``limit`` posts
    after skipping the ``offset`` most recent (pages, newest page first).
    A ``post_id`` that the journal does not hold is :class:`NotFound`.
    """
    if limit is not None and limit < 1:
        raise ValidationError(f"--limit must be at least 1, not {limit}")
    if offset < 0:
        raise ValidationError(f"--offset must be 0 or more, not {offset}")
    if since is not None:
        require_aware(since, "since")
    drawing_on = None
    if member_id is not None:
        from terrain.community import Member

        ws.get(Member, member_id)  # NotFound, with how to list members
        contents = ws.db.contents_involving(member_id)
        drawing_on = [f"content:{c}" for c in contents] + [f"member:{member_id}"]
    rows = Journal(ws.db, create=False).rows(
        post_id=post_id,
        event_id=event_id,
        drawing_on=drawing_on,
        since=since,
        limit=limit,
        offset=offset,
    )
    if post_id is not None and not rows:
        raise NotFound(f"no post {post_id!r} in the journal; `terrain log` lists them all")
    return _with_decisions(ws, rows)


def _with_decisions(ws: Workspace, rows: Sequence[JournalRow]) -> list[LogEntry]:
    found: dict[tuple[str, str], list[DecisionRecord]] = {}
    for subject, platform, data in ws.db.decisions_of("post", [r.post_id for r in rows]):
        found.setdefault((subject, platform), []).append(from_json(data, DecisionRecord))
    return [
        LogEntry(row=row, decisions=tuple(found.get((row.post_id, row.platform), ())))
        for row in rows
    ]
