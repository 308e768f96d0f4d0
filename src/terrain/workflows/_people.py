"""Saying who is in a photo, and confirming it: the review that publishing needs.

:func:`set_people` adds and removes the members identified in a content.
Any change to the people resets the review (the photo cannot be published
until someone confirms who is in it again); a review (``reviewed=True``)
is logged in the content with who made it and when.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from terrain._time import require_aware
from terrain.community import Member
from terrain.content import Content, change_people
from terrain.errors import ValidationError

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["set_people"]


def set_people(
    ws: Workspace,
    content_id: str,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    reviewed: bool = False,
    by: str,
    now: datetime,
) -> Content:
    """Add and remove the members identified in content ``content_id``; with
    ``reviewed``, ``by`` confirms at ``now`` who appears in it. Returns the
    content as stored.

    A member added to a content with one media file appears in that file;
    with several, in the content as a whole. Unknown members are refused
    (:class:`~terrain.errors.NotFound`, nothing stored).
    """
    require_aware(now, "set_people: now")
    content = ws.get(Content, content_id)
    added, removed = list(add), list(remove)
    for member_id in (*added, *removed):
        ws.get(Member, member_id)  # NotFound names the id and `terrain member list`
    both = set(added) & set(removed)
    if both:
        raise ValidationError(
            f"{', '.join(sorted(both))}: give each member to --add or to --remove, not both"
        )
    media_id = content.media[0].id if len(content.media) == 1 else None
    updated = change_people(
        content, add=added, remove=removed, media_id=media_id, reviewed=reviewed, by=by, at=now
    )
    return ws.put(updated)
