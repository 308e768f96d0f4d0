"""What relies on a record: checked before it is deleted.

:func:`dependents` lists, for one record, everything that points to it:

- **records** (a photo showing a member, the event of an RSVP list, the venue
  of a meetup): deleting the record would leave them pointing at nothing, so
  a deletion is refused until they are changed (each :class:`Dependent`
  says with which command);
- **consents and published posts** (``soft``): a consent record scoped to an
  event, a post online that shows a photo or tags a member. Deleting is
  refused with what to do instead, or done with ``force`` and recorded in
  the history, because the post stays online and the consent stays in the
  log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from terrain.store._field import record_key

if TYPE_CHECKING:
    from terrain.store._workspace import Workspace

__all__ = ["Dependent", "Removal", "dependents", "describe"]


@attrs.frozen
class Dependent:
    """Something that relies on a record: ``kind``/``id`` and ``how``; ``fix`` is the
    command that changes it; ``soft`` when deleting anyway (``force``) leaves no
    record pointing at nothing (a consent, a post online)."""

    kind: str
    id: str
    how: str
    fix: str
    soft: bool = False

    def __str__(self) -> str:
        return f"{self.kind} {self.id} {self.how}"


@attrs.frozen
class Removal:
    """What :meth:`Workspace.remove <terrain.store.Workspace.remove>` deleted: the
    record's ``kind`` and ``id``, its JSON ``before``, the consents and posts online
    that relied on it (``forced``: deleted anyway), and the media files deleted with
    it (``files``) or left because the storage refused (``files_left``: delete them
    by hand)."""

    kind: str
    id: str
    before: str
    forced: tuple[Dependent, ...] = ()
    files: tuple[str, ...] = ()
    files_left: tuple[str, ...] = ()


def describe(found: list[Dependent], limit: int = 5) -> str:
    """``content p-1 shows them; attendance ev-2 lists them (and 3 more)``."""
    shown = "; ".join(str(d) for d in found[:limit])
    return shown + (f" (and {len(found) - limit} more)" if len(found) > limit else "")


def _consent_events(ws: Workspace) -> Iterator[dict[str, Any]]:
    for data in ws.db.consent_events():
        yield json.loads(data)


def _live_posts(ws: Workspace) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for post_id, platform, data in ws.db.live_posts():
        yield post_id, platform, json.loads(data)


def _post_contents(post: dict[str, Any]) -> set[str]:
    found = set(post.get("content_ids") or ())
    found |= {m["content_id"] for m in post.get("media") or () if m.get("content_id")}
    return found


def _scoped(ws: Workspace, scope_kind: str, ref: str) -> list[Dependent]:
    """Consent records scoped to ``scope_kind`` ``ref`` (an event, a project, a content)."""
    found = []
    for event in _consent_events(ws):
        consent = event.get("consent") if event.get("type") == "recorded" else None
        scope = (consent or {}).get("scope") or {}
        if scope.get("kind") == scope_kind and scope.get("ref") == ref:
            found.append(
                Dependent(
                    "consent",
                    str(consent["id"]),  # type: ignore[index]
                    f"of {consent['subject_id']} covers this {scope_kind}",  # type: ignore[index]
                    "the consent log is never edited: keep the record, or delete anyway with "
                    "--force (the consent then covers nothing)",
                    soft=True,
                )
            )
    return found


def _of_member(ws: Workspace, member_id: str) -> list[Dependent]:
    from terrain.community import Member
    from terrain.content import Content
    from terrain.events import Attendance, Event
    from terrain.workshops import Vote, Workshop

    found: list[Dependent] = []
    for content in ws.list(Content):
        if member_id in content.member_ids:
            found.append(
                Dependent(
                    "content",
                    content.id,
                    "shows them",
                    f"`terrain content people {content.id} --remove {member_id}`",
                )
            )
        if content.author_id == member_id:
            found.append(
                Dependent(
                    "content",
                    content.id,
                    "was made by them",
                    f"`terrain edit content {content.id} --set author_id=`",
                )
            )
    for answers in ws.list(Attendance):
        if any(r.member_id == member_id for r in answers.rsvps):
            found.append(
                Dependent(
                    "attendance",
                    answers.event_id,
                    "lists their answer",
                    f"`terrain rsvp {answers.event_id} {member_id} remove`",
                )
            )
    for vote in ws.list(Vote):
        if vote.member_id == member_id:
            found.append(
                Dependent(
                    "vote",
                    record_key(vote),
                    "is theirs",
                    f"`terrain workshop unvote {vote.workshop_id} {vote.idea_id} {member_id}`",
                )
            )
    for workshop in ws.list(Workshop):
        authored = [i.id for i in workshop.ideas if i.author_id == member_id]
        if member_id in workshop.participant_ids or authored:
            how = "lists them as a participant" + (
                f" and author of {', '.join(authored)}" if authored else ""
            )
            found.append(
                Dependent(
                    "workshop",
                    workshop.id,
                    how,
                    f"`terrain workshop leave {workshop.id} {member_id}`",
                )
            )
    for other in ws.list(Member):
        if member_id in other.guardian_ids:
            found.append(
                Dependent(
                    "member",
                    other.id,
                    "names them as a guardian",
                    f"`terrain member edit {other.id} --drop-guardian {member_id}`",
                )
            )
    for event in ws.list(Event):
        if any(t.speaker_id == member_id for t in event.talks):
            found.append(
                Dependent(
                    "event",
                    event.id,
                    "has a talk by them",
                    f"`terrain event talk-edit {event.id} TALK --speaker-id ''`",
                )
            )
    for logged in _consent_events(ws):
        consent = logged.get("consent") if logged.get("type") == "recorded" else None
        if consent and (
            consent.get("subject_id") == member_id or member_id in consent.get("given_by", ())
        ):
            whose = "is theirs" if consent["subject_id"] == member_id else "was given by them"
            found.append(
                Dependent(
                    "consent",
                    str(consent["id"]),
                    whose,
                    f"to forget a person, erase them: `terrain member erase {member_id}`",
                    soft=True,
                )
            )
    for post_id, platform, post in _live_posts(ws):
        if any(m.get("member_id") == member_id for m in post.get("mentions") or ()):
            found.append(
                Dependent(
                    "post",
                    f"{post_id} on {platform}",
                    "tags them (online)",
                    f"take it down first: `terrain takedown --subject {member_id}`",
                    soft=True,
                )
            )
    return found


def _of_event(ws: Workspace, event_id: str) -> list[Dependent]:
    from terrain.content import Content
    from terrain.events import Attendance
    from terrain.partnerships import Contribution

    found: list[Dependent] = [
        Dependent(
            "content",
            c.id,
            "belongs to it",
            f"move it: `terrain content move {c.id} --event OTHER`, or delete it",
        )
        for c in ws.list(Content)
        if c.event_id == event_id
    ]
    if ws.exists(Attendance, event_id):
        found.append(
            Dependent(
                "attendance",
                event_id,
                "holds its RSVPs",
                f"`terrain delete attendance {event_id}`",
            )
        )
    found += [
        Dependent(
            "contribution",
            c.id,
            "was brought to it",
            f"`terrain delete contribution {c.id}`",
        )
        for c in ws.list(Contribution)
        if c.event_id == event_id
    ]
    found += _scoped(ws, "event", event_id)
    found += [
        Dependent(
            "post",
            f"{post_id} on {platform}",
            "is its recap (online)",
            f"take it down first (`terrain takedown`), or remove {post_id} by hand",
            soft=True,
        )
        for post_id, platform, post in _live_posts(ws)
        if post.get("event_id") == event_id
    ]
    return found


def _of_content(ws: Workspace, content_id: str) -> list[Dependent]:
    from terrain.projects import ProjectPhoto
    from terrain.workshops import Workshop

    found: list[Dependent] = [
        Dependent(
            "project-photo",
            record_key(p),
            "places it in its project's timeline",
            f"`terrain delete project-photo {record_key(p)}`",
        )
        for p in ws.list(ProjectPhoto)
        if p.content_id == content_id
    ]
    for workshop in ws.list(Workshop):
        for idea in workshop.ideas:
            if content_id in idea.content_ids:
                found.append(
                    Dependent(
                        "workshop",
                        workshop.id,
                        f"attaches it to idea {idea.id}",
                        f"`terrain edit workshop {workshop.id}` (the idea's content_ids)",
                    )
                )
    found += _scoped(ws, "content", content_id)
    found += [
        Dependent(
            "post",
            f"{post_id} on {platform}",
            "shows it (online)",
            "take the post down first (`terrain takedown`), or delete anyway with --force "
            "and remove the post by hand: later takedowns will not find it through this photo",
            soft=True,
        )
        for post_id, platform, post in _live_posts(ws)
        if content_id in _post_contents(post)
    ]
    return found


def dependents(ws: Workspace, kind: str, record_id: str) -> list[Dependent]:
    """What relies on record ``kind``/``record_id`` (records first, then consents and
    posts online)."""
    from terrain.content import Content
    from terrain.events import Event, Series
    from terrain.partnerships import Contribution, Partnership
    from terrain.workshops import Vote, Workshop

    found: list[Dependent]
    if kind == "member":
        found = _of_member(ws, record_id)
    elif kind == "event":
        found = _of_event(ws, record_id)
    elif kind == "content":
        found = _of_content(ws, record_id)
    elif kind == "venue":
        found = [
            Dependent("event", e.id, "is held there", f"`terrain event edit {e.id} --venue OTHER`")
            for e in ws.list(Event)
            if e.venue_id == record_id
        ] + [
            Dependent("series", s.id, "is held there", f"`terrain edit series {s.id} --set ...`")
            for s in ws.list(Series)
            if s.venue_id == record_id or any(o.venue_id == record_id for o in s.overrides)
        ]
    elif kind == "partner":
        found = [
            Dependent(
                "partnership", p.id, "is with them", f"`terrain delete partnership {p.id}`"
            )
            for p in ws.list(Partnership)
            if p.partner_id == record_id
        ] + [
            Dependent(
                "contribution", c.id, "is theirs", f"`terrain delete contribution {c.id}`"
            )
            for c in ws.list(Contribution)
            if c.partner_id == record_id
        ]
    elif kind == "project":
        found = [
            Dependent("content", c.id, "belongs to it", f"`terrain delete content {c.id}`")
            for c in ws.list(Content)
            if c.project_id == record_id
        ] + [
            Dependent(
                "workshop",
                w.id,
                "is part of it",
                f"`terrain edit workshop {w.id} --set project_id=`",
            )
            for w in ws.list(Workshop)
            if w.project_id == record_id
        ]
        found += _scoped(ws, "project", record_id)
    elif kind == "workshop":
        found = [
            Dependent("content", c.id, "belongs to it", f"`terrain delete content {c.id}`")
            for c in ws.list(Content)
            if c.workshop_id == record_id
        ] + [
            Dependent(
                "vote",
                record_key(v),
                "was cast in it",
                f"`terrain workshop unvote {v.workshop_id} {v.idea_id} {v.member_id}`",
            )
            for v in ws.list(Vote)
            if v.workshop_id == record_id
        ]
    elif kind == "series":
        found = [
            Dependent("event", e.id, "is one of its dates", f"`terrain delete event {e.id}`")
            for e in ws.list(Event)
            if e.series_id == record_id
        ]
    else:  # attendance, contribution, vote, partnership, project photo: nothing points to them
        found = []
    return found
