"""Keys and reference checks for the field records a workspace stores.

Series, attendance lists, partner contributions, workshop votes and project
photos live in the generic ``records`` table like every other record. Some of
them have no ``id`` of their own: :func:`record_key` gives the key they are
stored under. :func:`check_field_references` refuses a record that points at
something the workspace does not hold (a venue, an event, a member, an idea of
*this* workshop…) before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from terrain.errors import NotFound, ValidationError

if TYPE_CHECKING:
    from terrain.projects import ProjectPhoto
    from terrain.store._workspace import Workspace
    from terrain.workshops import Vote

__all__ = ["check_field_references", "record_key", "vote_key"]


def vote_key(workshop_id: str, idea_id: str, member_id: str) -> str:
    """The key a vote is stored under: one record per member and idea."""
    return f"{workshop_id}/{idea_id}/{member_id}"


def record_key(obj: object) -> str:
    """The key ``obj`` is stored under: its ``id``, or its references when it has none.

    An :class:`~terrain.events.Attendance` is stored under its event id, a
    :class:`~terrain.workshops.Vote` under ``workshop/idea/member`` and a
    :class:`~terrain.projects.ProjectPhoto` under ``content/media``.
    """
    if type(obj).__name__ not in ("Attendance", "Vote", "ProjectPhoto"):
        key: str = getattr(obj, "id")  # noqa: B009 - every other record has an id
        return key
    from terrain.events import Attendance
    from terrain.projects import ProjectPhoto
    from terrain.workshops import Vote

    if isinstance(obj, Attendance):
        return obj.event_id
    if isinstance(obj, Vote):
        return vote_key(obj.workshop_id, obj.idea_id, obj.member_id)
    if isinstance(obj, ProjectPhoto):
        return f"{obj.content_id}/{obj.media_id}"
    found: str = getattr(obj, "id")  # noqa: B009 - a subclass of those: its id
    return found


def _require(ws: Workspace, cls: type, id: str | None, what: str, how: str) -> None:
    if id is not None and not ws.exists(cls, id):
        raise NotFound(f"{what} {id!r} does not exist in this workspace; {how}")


def check_field_references(ws: Workspace, obj: object) -> None:
    """Raise :class:`~terrain.errors.NotFound` or :class:`~terrain.errors.ValidationError`
    when ``obj`` names something the workspace does not hold, or breaks a rule
    that spans records (a vote on an idea of another workshop)."""
    from terrain.community import Member
    from terrain.events import Attendance, Event, Series, Venue
    from terrain.partnerships import Contribution, Partner
    from terrain.projects import Project, ProjectPhoto
    from terrain.workshops import Vote, Workshop

    if isinstance(obj, Series):
        how = "add it with `terrain venue add`"
        _require(ws, Venue, obj.venue_id, f"series {obj.id!r}: venue", how)
        for override in obj.overrides:
            _require(
                ws, Venue, override.venue_id, f"series {obj.id!r} on {override.on}: venue", how
            )
    elif isinstance(obj, Attendance):
        _require(ws, Event, obj.event_id, "attendance: event", "add it with `terrain event add`")
        for r in obj.rsvps:
            _require(
                ws,
                Member,
                r.member_id,
                f"attendance of {obj.event_id!r}: member",
                "add them with `terrain member add`",
            )
    elif isinstance(obj, Contribution):
        label = f"contribution {obj.id!r}:"
        _require(
            ws, Partner, obj.partner_id, f"{label} partner", "add it with `terrain partner add`"
        )
        _require(ws, Event, obj.event_id, f"{label} event", "add it with `terrain event add`")
    elif isinstance(obj, Workshop):
        how = "add them with `terrain member add`"
        for member_id in obj.participant_ids:
            _require(ws, Member, member_id, f"workshop {obj.id!r}: participant", how)
        _require(ws, Project, obj.project_id, f"workshop {obj.id!r}: project", "add it first")
    elif isinstance(obj, Vote):
        _check_vote(ws, obj)
    elif isinstance(obj, ProjectPhoto):
        _check_photo(ws, obj)


def _check_vote(ws: Workspace, vote: Vote) -> None:
    from terrain.workshops import Vote, Workshop, cast_vote

    _require(ws, Workshop, vote.workshop_id, "vote: workshop", "add it with `terrain workshop add`")
    workshop = ws.get(Workshop, vote.workshop_id)
    if vote.idea_id not in {i.id for i in workshop.ideas}:
        elsewhere = [w.id for w in ws.list(Workshop) if any(i.id == vote.idea_id for i in w.ideas)]
        where = f" (it is an idea of workshop {elsewhere[0]!r})" if elsewhere else ""
        ideas = ", ".join(i.id for i in workshop.ideas) or "none yet"
        raise ValidationError(
            f"idea {vote.idea_id!r} is not an idea of workshop {workshop.id!r}{where}; "
            f"vote on this workshop's ideas only ({ideas})"
        )
    key = record_key(vote)
    others = [v for v in ws.list(Vote) if v.workshop_id == workshop.id and record_key(v) != key]
    cast_vote(workshop, others, vote)


def _check_photo(ws: Workspace, photo: ProjectPhoto) -> None:
    from terrain.content import Content

    _require(
        ws,
        Content,
        photo.content_id,
        "project photo: content",
        "import the photo with `terrain project photo`",
    )
    content = ws.get(Content, photo.content_id)
    if content.project_id is None:
        raise ValidationError(
            f"content {content.id!r} belongs to no project; import it with "
            "`terrain project photo PROJECT FILE` (or `terrain content import --project`)"
        )
    media = {m.id: m for m in content.media}
    if photo.media_id not in media:
        raise ValidationError(
            f"content {content.id!r} has no media {photo.media_id!r} "
            f"(it has {', '.join(sorted(media)) or 'none'})"
        )
    if media[photo.media_id].key != photo.key:
        raise ValidationError(
            f"project photo {photo.content_id}/{photo.media_id}: key {photo.key!r} is not the "
            f"stored media's key {media[photo.media_id].key!r}"
        )
