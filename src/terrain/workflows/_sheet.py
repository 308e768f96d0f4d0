"""The contact sheet: every photo of an event or a project, and whether it may go, at a glance.

:func:`contact_sheet` lists the photos with the people identified in each and,
for every platform the workspace publishes to, what consent says *now*: may go
(or may go with someone blurred), held (who, and why), pending a guardian, or
not reviewed yet. Filters keep the photos still to review, the held ones, or
the ready ones. The consent ledger is read once for the whole sheet.

Thumbnails are made once and kept in the workspace's storage
(:func:`thumbnail_key`): by the import, from the picture it decodes anyway,
and by :func:`make_thumbnails` (one process per core) for photos that have
none. They are upright and carry no metadata. :func:`photo_thumbnail` reads
one by content and media id, never by a path a visitor typed.
"""

from __future__ import annotations

import contextvars
import enum
import multiprocessing
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from terrain._time import require_aware
from terrain._validation import ID_PATTERN
from terrain.community import Member
from terrain.consent import Decision, decide
from terrain.content import Content, faces_to_confirm
from terrain.errors import NotFound, ValidationError
from terrain.events import Event
from terrain.media import MediaRejected, thumbnail
from terrain.projects import Project

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "SHOWS",
    "ContactSheet",
    "DeskOverview",
    "PhotoStatus",
    "PlatformState",
    "SheetPerson",
    "SheetPhoto",
    "contact_sheet",
    "desk_overview",
    "make_thumbnails",
    "photo_thumbnail",
    "thumbnail_key",
]

#: The contact sheet's filters.
SHOWS = ("all", "not-reviewed", "held", "ready")


class PhotoStatus(enum.StrEnum):
    """Where a photo stands, for one platform or over all of them."""

    NOT_REVIEWED = "not-reviewed"  #: nobody confirmed who is in it yet
    HELD = "held"  #: someone in it has not consented (for this platform)
    PENDING_GUARDIAN = "pending-guardian"  #: a minor's guardian has not confirmed yet
    MAY_GO = "may-go"  #: consent allows it
    BLURRED = "blurred"  #: it may go with people blurred (``[publish] blur_unconsented``)


@attrs.frozen
class PlatformState:
    """What consent says of a photo (or of one person in it) on ``platform``."""

    platform: str
    status: PhotoStatus
    why: str = ""


@attrs.frozen
class SheetPerson:
    """Someone identified in a photo, and their consent state on each platform."""

    member_id: str
    name: str
    minor: bool
    reviewed: bool
    has_region: bool
    states: tuple[PlatformState, ...]


@attrs.frozen
class SheetPhoto:
    """One picture of the sheet: its content and media, who is in it, and its state
    on each platform (``platforms``) and over all (``status``: not reviewed, held,
    or ready). ``unaccounted`` faces were found beyond the people identified."""

    content_id: str
    media_id: str
    title: str
    status: str
    people: tuple[SheetPerson, ...]
    platforms: tuple[PlatformState, ...]
    faces: int = 0
    unaccounted: int = 0
    alt_text: str = ""
    caption: str = ""


@attrs.frozen
class ContactSheet:
    """The photos of an event or a project (``kind``, ``ref``, ``title``), filtered by
    ``show``; ``counts`` are over every photo, whatever the filter."""

    kind: str
    ref: str
    title: str
    show: str
    platforms: tuple[str, ...]
    photos: tuple[SheetPhoto, ...]
    counts: Mapping[str, int]


@attrs.frozen
class DeskOverview:
    """What the review desk's first page lists: the events and projects with photos
    (and how many each has, newest first), and how many posts wait for an approval."""

    events: tuple[tuple[Event, int], ...]
    projects: tuple[tuple[Project, int], ...]
    waiting: int


def desk_overview(ws: Workspace, *, now: datetime) -> DeskOverview:
    """The events and projects with photos, and the posts waiting to go (planned, or
    held for want of an approval)."""
    from terrain.workflows._approve import approval_queue_size

    require_aware(now, "desk_overview: now")
    contents = ws.list(Content)
    by_event: dict[str, int] = {}
    by_project: dict[str, int] = {}
    for content in contents:
        if not any(m.is_image for m in content.media):
            continue
        if content.event_id is not None:
            by_event[content.event_id] = by_event.get(content.event_id, 0) + 1
        if content.project_id is not None:
            by_project[content.project_id] = by_project.get(content.project_id, 0) + 1
    events = ws.get_many(Event, sorted(by_event)) if by_event else {}
    projects = ws.get_many(Project, sorted(by_project)) if by_project else {}
    return DeskOverview(
        events=tuple(sorted(((e, by_event[e.id]) for e in events.values()),
                            key=lambda pair: pair[0].starts_at, reverse=True)),
        projects=tuple((p, by_project[p.id]) for p in projects.values()),
        waiting=approval_queue_size(ws),
    )


def thumbnail_key(content_id: str, media_id: str) -> str:
    """Where the thumbnail of media ``media_id`` of ``content_id`` is kept in the storage."""
    return f"thumbs/{content_id}/{media_id}.jpg"


def _valid_id(value: str, what: str) -> None:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise NotFound(f"no {what} {value!r}")


def photo_thumbnail(ws: Workspace, content_id: str, media_id: str) -> bytes:
    """The thumbnail of picture ``media_id`` of ``content_id`` (made and kept now if it
    is missing). Ids are checked as ids and looked up: a path is never built from
    anything else (:class:`~terrain.errors.NotFound` otherwise)."""
    _valid_id(content_id, "photo")
    _valid_id(media_id, "picture")
    content = ws.get(Content, content_id)
    media = next((m for m in content.media if m.id == media_id and m.is_image), None)
    if media is None:
        raise NotFound(f"{content_id} has no picture {media_id!r}")
    key = thumbnail_key(content.id, media.id)
    try:
        return ws.storage.get(key)
    except NotFound:
        pass
    data = thumbnail(ws.storage.get(media.key), name=media.key)
    ws.storage.put(key, data)
    return data


def _thumbnail_job(data: bytes, name: str) -> bytes | None:
    try:
        return thumbnail(data, name=name)
    except MediaRejected:
        return None


def make_thumbnails(
    ws: Workspace,
    content_ids: Iterable[str] | None = None,
    *,
    workers: int | None = None,
    force: bool = False,
) -> int:
    """Make the missing thumbnails of ``content_ids`` (default: every photo), one process
    per core (``workers``), and keep them in the storage; how many were made. With
    ``force``, every one is made again."""
    ids = list(content_ids) if content_ids is not None else ws.db.record_ids("content")
    contents = ws.get_many(Content, ids) if ids else {}
    wanted: list[tuple[str, str, str]] = []
    for content in contents.values():
        for media in content.media:
            key = thumbnail_key(content.id, media.id)
            if media.is_image and (force or not ws.storage.exists(key)):
                wanted.append((key, media.key, media.key))
    count = workers if workers is not None else (os.cpu_count() or 1)

    def sources() -> Iterable[bytes]:
        for _key, source, _name in wanted:
            yield ws.storage.get(source)

    names = [name for _, _, name in wanted]
    made = 0
    if count <= 1 or len(wanted) < 4:
        results: Iterable[bytes | None] = map(_thumbnail_job, sources(), names)
        for (key, _, _), data in zip(wanted, results, strict=True):
            made += _keep(ws, key, data)
        return made
    from terrain.workflows._import import _die_with_parent, _has_fork

    method = "fork" if _has_fork() and _single_thread() else "forkserver"
    with ProcessPoolExecutor(
        max_workers=min(count, len(wanted)),
        mp_context=multiprocessing.get_context(method),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        chunk = max(1, min(8, len(wanted) // (count * 4)))
        for (key, _, _), data in zip(
            wanted, pool.map(_thumbnail_job, sources(), names, chunksize=chunk), strict=True
        ):
            made += _keep(ws, key, data)
    return made


def _single_thread() -> bool:
    import threading

    return threading.active_count() == 1


def _keep(ws: Workspace, key: str, data: bytes | None) -> int:
    if data is None:
        return 0
    ws.storage.put(key, data)
    return 1


def _photos_of(ws: Workspace, event_id: str | None, project_id: str | None
               ) -> tuple[str, str, str, list[Content]]:
    if (event_id is None) == (project_id is None):
        raise ValidationError("a contact sheet is of one event or one project: name one")
    if event_id is not None:
        event = ws.get(Event, event_id)
        contents = ws.contents_of_event(event_id)
        return "event", event.id, event.title, contents
    assert project_id is not None
    project = ws.get(Project, project_id)
    contents = [c for c in ws.list(Content) if c.project_id == project_id]
    return "project", project.id, project.title, contents


def _waiting_for_guardians(ws: Workspace, now: datetime) -> set[str]:
    """The minors whose guardians were asked to confirm a consent (an open guardian link)
    and have not answered yet."""
    from terrain._time import instant
    from terrain.store import Links

    rows = Links(ws.db).with_purpose("guardian")
    return {
        str(r.data.get("child")) for r in rows
        if r.used_at is None and r.revoked_at is None and instant(r.expires_at) > instant(now)
    }


def _state_of(decision: Decision, members: Mapping[str, Member]) -> PlatformState:
    if decision.allowed:
        if decision.blurred:
            names = ", ".join(
                dict.fromkeys(_name(members, b.member_id) for b in decision.blurred)
            )
            return PlatformState(decision.platform, PhotoStatus.BLURRED, f"blurred: {names}")
        return PlatformState(decision.platform, PhotoStatus.MAY_GO)
    blocking = decision.blocking
    why = "; ".join(r.text for r in blocking)
    people = [r for r in blocking if r.member_id is not None]
    if people and len(people) == len(blocking) and all(
        _pending_guardian(members, r.member_id, r.text) for r in people
    ):
        return PlatformState(decision.platform, PhotoStatus.PENDING_GUARDIAN, why)
    return PlatformState(decision.platform, PhotoStatus.HELD, why)


def _pending_guardian(members: Mapping[str, Member], member_id: str | None, text: str) -> bool:
    member = members.get(member_id or "")
    if member is None or not member.is_minor:
        return False
    return member.id in _ASKED.get() or "guardian" in text.lower()


#: The minors whose guardians were asked, for the sheet being made (see contact_sheet).
_ASKED: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "terrain_asked_guardians", default=frozenset()
)


def _name(members: Mapping[str, Member], member_id: str) -> str:
    member = members.get(member_id)
    return member.display_name if member is not None else member_id


def _person_state(decision: Decision, member_id: str, members: Mapping[str, Member]
                  ) -> PlatformState:
    mine = [r for r in decision.reasons if r.member_id == member_id and r.handle is None]
    if any(b.member_id == member_id for b in decision.blurred):
        return PlatformState(decision.platform, PhotoStatus.BLURRED,
                             "; ".join(r.text for r in mine))
    blocking = [r for r in mine if r.blocking]
    if blocking:
        why = "; ".join(r.text for r in blocking)
        pending = all(_pending_guardian(members, member_id, r.text) for r in blocking)
        status = PhotoStatus.PENDING_GUARDIAN if pending else PhotoStatus.HELD
        return PlatformState(decision.platform, status, why)
    return PlatformState(decision.platform, PhotoStatus.MAY_GO, "; ".join(r.text for r in mine))


def sheet_platforms(ws: Workspace) -> list[str]:
    """The platforms a contact sheet shows: those configured in terrain.toml (every
    installed one when none is)."""
    return list(ws.config.platforms) or ws.platform_names()


def contact_sheet(
    ws: Workspace,
    *,
    event_id: str | None = None,
    project_id: str | None = None,
    show: str = "all",
    now: datetime,
    platforms: Sequence[str] | None = None,
) -> ContactSheet:
    """The contact sheet of event ``event_id`` or project ``project_id`` at ``now``.

    ``show`` keeps ``not-reviewed``, ``held`` or ``ready`` photos (``all``:
    every photo). ``platforms`` defaults to those configured in terrain.toml.
    """
    require_aware(now, "contact_sheet: now")
    if show not in SHOWS:
        raise ValidationError(f"show {show!r}: choose one of {', '.join(SHOWS)}")
    kind, ref, title, contents = _photos_of(ws, event_id, project_id)
    names = tuple(platforms if platforms is not None else sheet_platforms(ws))
    blur = ws.config.publish.blur_unconsented
    people = {a.member_id for c in contents for a in c.appearances}
    photos: list[SheetPhoto] = []
    token = _ASKED.set(frozenset(_waiting_for_guardians(ws, now)))
    try:
        with ws.consent(people) as ledger:
            members = ledger.members
            for content in sorted(contents, key=lambda c: (c.created_at, c.title, c.id)):
                if not any(m.is_image for m in content.media):
                    continue
                decisions = [
                    decide(ledger, content, platform=p, at=now, blur=blur) for p in names
                ]
                photos.extend(_sheet_photos(content, decisions, members))
    finally:
        _ASKED.reset(token)
    counts = dict.fromkeys(SHOWS, 0)
    for photo in photos:
        counts["all"] += 1
        counts[photo.status] += 1
    shown = tuple(p for p in photos if show == "all" or p.status == show)
    return ContactSheet(kind=kind, ref=ref, title=title, show=show, platforms=names,
                        photos=shown, counts=counts)


def _sheet_photos(
    content: Content, decisions: Sequence[Decision], members: Mapping[str, Member]
) -> list[SheetPhoto]:
    unaccounted = faces_to_confirm(content)
    reviewed = content.review_is_current and all(a.reviewed for a in content.appearances)
    states = tuple(_state_of(d, members) for d in decisions)
    if not reviewed or (unaccounted and not content.review_is_current):
        status = PhotoStatus.NOT_REVIEWED.value
        states = tuple(
            PlatformState(s.platform, PhotoStatus.NOT_REVIEWED, s.why) for s in states
        )
    elif all(s.status in (PhotoStatus.MAY_GO, PhotoStatus.BLURRED) for s in states):
        status = "ready"
    else:
        status = PhotoStatus.HELD.value
    out = []
    for media in content.media:
        if not media.is_image:
            continue
        shown = [a for a in content.appearances if a.media_id in (media.id, None)]
        people = tuple(
            SheetPerson(
                member_id=a.member_id,
                name=_name(members, a.member_id),
                minor=bool(members.get(a.member_id) and members[a.member_id].is_minor),
                reviewed=a.reviewed,
                has_region=a.region is not None,
                states=tuple(_person_state(d, a.member_id, members) for d in decisions),
            )
            for a in shown
        )
        out.append(SheetPhoto(
            content_id=content.id, media_id=media.id, title=content.title or content.id,
            status=status, people=people, platforms=states, faces=len(media.faces),
            unaccounted=unaccounted.get(media.id, 0), alt_text=media.alt_text,
            caption=content.caption,
        ))
    return out
