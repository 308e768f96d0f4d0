"""Micro-interviews: what a person said at a meetup or on a project's site.

:func:`record_interview` stores one as a content of its own (kind
``micro-interview``), with its date (when it was said: an update quotes only
what was said by the end of its month), its transcript, and the person
interviewed as the one person in it, reviewed. Publishing it, in a meetup's
recap or a project's update, needs that person's ``interview`` consent,
checked right before each call.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from terrain._time import require_aware
from terrain.community import Member
from terrain.content import Appearance, Content, ContentKind
from terrain.errors import ValidationError
from terrain.events import Event
from terrain.projects import Project

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["record_interview"]


def record_interview(
    ws: Workspace,
    content_id: str,
    *,
    member_id: str,
    body: str,
    at: datetime,
    title: str = "",
    event_id: str | None = None,
    project_id: str | None = None,
) -> Content:
    """Store micro-interview ``content_id`` of ``member_id``, made at ``at``, for meetup
    ``event_id`` or project ``project_id`` (one of them).

    ``body`` is the transcript (its first line is what an update quotes).
    """
    require_aware(at, "record_interview: at")
    if (event_id is None) == (project_id is None):
        raise ValidationError(
            "record_interview: give the meetup (event_id) or the project (project_id) the "
            "interview was made for, one of them"
        )
    if not body.strip():
        raise ValidationError(
            f"micro-interview {content_id!r} has no text: write what {member_id!r} said"
        )
    ws.get(Member, member_id)
    if event_id is not None:
        ws.get(Event, event_id)
    if project_id is not None:
        ws.get(Project, project_id)
    content = Content(
        id=content_id,
        kind=ContentKind.MICRO_INTERVIEW,
        created_at=at,
        title=title,
        body=body,
        appearances=[Appearance(member_id, reviewed=True)],
        people_reviewed=True,
        event_id=event_id,
        project_id=project_id,
    )
    ws.add(content)
    return content
