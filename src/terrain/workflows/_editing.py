"""Fixing mistakes: edit and delete any record, each change in the history.

- :func:`edit_record` changes the fields of any record from ``field=value``
  text (what ``terrain edit KIND ID --set field=value`` passes), read by the
  field's type; the model checks the result as it checks a new record.
- :func:`delete_record` deletes one (:meth:`Workspace.remove
  <terrain.store.Workspace.remove>`: refused while records point to it; while
  a consent or a post online relies on it, unless ``force``).
- The others are the edits a community manager makes most: a member's
  fields and handles (:func:`edit_member`), a talk (:func:`edit_talk`), a
  photo moved to another event (:func:`move_content`) or taken out of a
  content with its file (:func:`remove_media`), an RSVP entered by mistake
  (:func:`remove_rsvp`), a check-in undone (:func:`undo_check_in`), workshop
  participants (:func:`set_participants`).

Each is one transaction; :meth:`Workspace.history
<terrain.store.Workspace.history>` shows who changed what, when, from what to
what. The consent log, the decisions and the publication journal are never
edited: they keep what happened (see ``docs/workspace.rst``).
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from terrain._time import require_aware
from terrain.community import Member
from terrain.content import Content
from terrain.errors import Conflict, NotFound, ValidationError
from terrain.events import Attendance, Event, Money, RsvpStatus, Talk, remove_talk
from terrain.serialization import parse_datetime, structure, unstructure
from terrain.workflows._cells import CellError, parse_day, parse_instant, split_list
from terrain.workshops import Vote, Workshop

if TYPE_CHECKING:
    from terrain.store import Removal, Workspace

__all__ = [
    "Edit",
    "delete_record",
    "edit_member",
    "edit_partner",
    "edit_record",
    "edit_talk",
    "move_content",
    "remove_media",
    "remove_rsvp",
    "set_participants",
    "undo_check_in",
]

T = TypeVar("T")


@attrs.frozen
class Edit:
    """A record ``before`` and ``after`` an edit (equal: nothing changed)."""

    before: Any
    after: Any

    @property
    def changed(self) -> tuple[str, ...]:
        """The names of the fields that changed."""
        return tuple(
            f.name
            for f in attrs.fields(type(self.after))
            if getattr(self.before, f.name) != getattr(self.after, f.name)
        )


def _kind_type(kind: str) -> type:
    from terrain.store import KIND_TYPES

    try:
        return KIND_TYPES[kind]
    except KeyError:
        raise ValidationError(
            f"a workspace stores no {kind!r} records; the kinds are {', '.join(KIND_TYPES)}"
        ) from None


def _store(ws: Workspace, before: T, after: T, note: str = "") -> Edit:
    if after != before:
        after = ws.put(after, note=note)
    return Edit(before, after)


# -- any record, from text ---------------------------------------------------------------


def _plain(annotation: Any) -> tuple[Any, bool]:
    """The type a field holds, and whether it may be ``None``."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), True
    return annotation, False


def _value(ws: Workspace, cls: type, name: str, text: str) -> Any:
    """The plain JSON value of field ``name`` of ``cls`` written as ``text``."""
    fields = {f.name: f for f in attrs.fields(cls)}
    if name not in fields:
        raise ValidationError(
            f"{cls.__name__} has no field {name!r}; its fields are {', '.join(fields)}"
        )
    hints = typing.get_type_hints(cls)
    kind, optional = _plain(hints[name])
    text = text.strip()
    if text == "" and optional:
        return None
    origin = typing.get_origin(kind)
    try:
        if text.startswith(("[", "{")) or (attrs.has(kind) and kind is not Money):
            return json.loads(text)
        if kind is bool:
            from terrain.workflows._cells import truthy

            return truthy(text)
        if kind is int:
            return int(text)
        if kind is float:
            return float(text)
        if kind is datetime:
            if text.endswith("]"):  # RFC 9557, with its zone: as it is
                return unstructure(parse_datetime(text))
            return unstructure(parse_instant(text, ws.community.timezone))
        if kind is date:
            return parse_day(text).isoformat()
        if kind is Money:
            amount, _, currency = text.partition(" ")
            return {"cents": round(float(amount.replace(",", ".")) * 100),
                    "currency": currency.strip().upper() or "EUR"}
        if origin in (tuple, frozenset, set, list):
            return split_list(text)
        if origin is not None and "Mapping" in str(origin):
            pairs = [p.partition("=") for p in split_list(text)]
            return {k.strip(): v.strip().removeprefix("@") for k, _, v in pairs}
        if isinstance(kind, type) and issubclass(kind, Enum):
            return text
        return text
    except (ValueError, CellError) as exc:
        raise ValidationError(f"{cls.__name__}.{name}: {text!r} cannot be read ({exc})") from None


def edit_record(
    ws: Workspace, kind: str, record_id: str, changes: Mapping[str, str], *, note: str = ""
) -> Edit:
    """Change fields of record ``kind``/``record_id`` from text: ``{"capacity": "40"}``.

    Each value is read by the field's type: numbers, ``yes``/``no``, a date
    and time in the community's time zone (``2026-03-12 19:30``) or with its
    offset, a date, an amount (``12.50`` or ``12.50 EUR``), a list
    (``a;b``), handles (``x=lea_m;instagram=lea``), or JSON for nested
    values; an empty value clears an optional field. The result is checked as
    a new record would be, and stored (recorded in the history).
    """
    cls = _kind_type(kind)
    if not changes:
        raise ValidationError(f"say what changes: --set FIELD=VALUE (fields of {kind}: "
                              + ", ".join(f.name for f in attrs.fields(cls)) + ")")
    before: Any = ws.get(cls, record_id)
    data = unstructure(before)
    for name, text in changes.items():
        if name in ("id",) or (kind == "attendance" and name == "event_id"):
            raise ValidationError(
                f"the id of {kind} {record_id!r} cannot be changed: other records point to it; "
                f"add a new {kind} and delete this one"
            )
        data[name] = _value(ws, cls, name, text)
    after: Any = structure(data, cls)
    from terrain.store import record_key

    if record_key(after) != record_key(before):
        raise ValidationError(
            f"{kind} {record_id!r}: these fields make up its key ({record_key(after)!r}); "
            f"add a new {kind} and delete this one"
        )
    return _store(ws, before, after, note)


def delete_record(
    ws: Workspace, kind: str, record_id: str, *, force: bool = False, note: str = ""
) -> Removal:
    """Delete record ``kind``/``record_id`` (see :meth:`Workspace.remove
    <terrain.store.Workspace.remove>`): refused while records point to it, and while
    a consent or a post online relies on it unless ``force``."""
    return ws.remove(_kind_type(kind), record_id, force=force, note=note)


# -- members -----------------------------------------------------------------------------


def edit_member(
    ws: Workspace,
    member_id: str,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    handles: Mapping[str, str] | None = None,
    drop_handles: Iterable[str] = (),
    tags: Iterable[str] = (),
    drop_tags: Iterable[str] = (),
    minor: bool | None = None,
    guardians: Iterable[str] = (),
    drop_guardians: Iterable[str] = (),
) -> Edit:
    """Change what is given of member ``member_id``: name, email (``""`` clears it),
    phone, handles added or replaced (``drop_handles``: platforms to forget), tags,
    minor or not, guardians. The rest stays."""
    before = ws.get(Member, member_id)
    if before.erased:
        raise ValidationError(f"{member_id} was erased at their request: it is never filled again")
    dropped = set(drop_handles)
    unknown = dropped - set(before.handles)
    if unknown:
        raise NotFound(
            f"{member_id} has no handle on {', '.join(sorted(unknown))}; their handles: "
            + (", ".join(f"{p}: @{h}" for p, h in sorted(before.handles.items())) or "none")
        )
    kept = {p: h for p, h in before.handles.items() if p not in dropped}
    after = attrs.evolve(
        before,
        display_name=before.display_name if name is None else name,
        email=before.email if email is None else (email or None),
        phone=before.phone if phone is None else phone,
        handles={**kept, **(handles or {})},
        tags=(before.tags - set(drop_tags)) | set(tags),
        is_minor=before.is_minor if minor is None else minor,
        guardian_ids=tuple(
            g for g in dict.fromkeys((*before.guardian_ids, *guardians)) if g not in
            set(drop_guardians)
        ),
    )
    return _store(ws, before, after)


def edit_partner(
    ws: Workspace,
    partner_id: str,
    *,
    handles: Mapping[str, str] | None = None,
    drop_handles: Iterable[str] = (),
    **fields: str,
) -> Edit:
    """Change partner ``partner_id``: handles added or replaced (``drop_handles``:
    platforms to forget; the handles thank them in recaps), and any other field from
    text as :func:`edit_record` reads it (``name``, ``kind``, ``contact``, ``website``)."""
    from terrain.partnerships import Partner

    before = ws.get(Partner, partner_id)
    dropped = set(drop_handles)
    current = {p: h for p, h in before.handles.items() if p not in dropped}
    current.update(handles or {})
    changes = dict(fields)
    if current != dict(before.handles):
        changes["handles"] = json.dumps(current, ensure_ascii=False)
    if not changes:
        return Edit(before, before)
    return edit_record(ws, "partner", partner_id, changes)


# -- events and talks --------------------------------------------------------------------


def edit_talk(
    ws: Workspace,
    event_id: str,
    talk: str,
    *,
    title: str | None = None,
    speaker: str | None = None,
    minutes: int | None = None,
    qa_minutes: int | None = None,
    speaker_id: str | None = None,
) -> Edit:
    """Change talk ``talk`` of meetup ``event_id`` (its number, 1 for the first, or its
    exact title): what is given changes, the rest stays (``speaker_id=""`` clears it)."""
    before = ws.get(Event, event_id)
    without, found = remove_talk(before, talk)
    index = before.talks.index(found)
    if speaker_id:
        ws.get(Member, speaker_id)
    changed = attrs.evolve(
        found,
        title=found.title if title is None else title,
        speaker=found.speaker if speaker is None else speaker,
        minutes=found.minutes if minutes is None else minutes,
        qa_minutes=found.qa_minutes if qa_minutes is None else qa_minutes,
        speaker_id=found.speaker_id if speaker_id is None else (speaker_id or None),
    )
    talks: list[Talk] = list(without.talks)
    talks.insert(index, changed)
    return _store(ws, before, attrs.evolve(before, talks=tuple(talks)))


# -- contents ----------------------------------------------------------------------------


def _online(ws: Workspace, content_id: str, media_id: str | None = None) -> list[str]:
    """The posts online that show content ``content_id`` (its media ``media_id``)."""
    found = []
    for post_id, platform, data in ws.db.live_posts():
        post = json.loads(data)
        shows = any(
            m.get("content_id") == content_id and media_id in (None, m.get("media_id"))
            for m in post.get("media") or ()
        ) or (media_id is None and content_id in (post.get("content_ids") or ()))
        if shows:
            found.append(f"{post_id} on {platform}")
    return found


def _refuse_if_online(online: list[str], what: str, force: bool) -> str:
    if online and not force:
        raise Conflict(
            f"{what}, which post{'s' if len(online) > 1 else ''} {', '.join(online)} "
            f"show{'' if len(online) > 1 else 's'} online: take "
            f"{'them' if len(online) > 1 else 'it'} down first (`terrain takedown`), or do it "
            "anyway with --force (the post stays online; later takedowns will not find it "
            "through this photo)"
        )
    return f"forced past {', '.join(online)} online" if online else ""


def move_content(
    ws: Workspace,
    content_id: str,
    *,
    event_id: str | None = None,
    project_id: str | None = None,
    workshop_id: str | None = None,
    force: bool = False,
) -> Edit:
    """Move content ``content_id`` to another event, project or workshop (one of them).

    Refused while a post online shows it, unless ``force``: consent scoped to
    its old event would no longer cover it.
    """
    if sum(x is not None for x in (event_id, project_id, workshop_id)) != 1:
        raise ValidationError("say where the content goes: one event, project or workshop")
    before = ws.get(Content, content_id)
    after = attrs.evolve(
        before, event_id=event_id, project_id=project_id, workshop_id=workshop_id
    )
    if after == before:
        return Edit(before, before)
    note = _refuse_if_online(_online(ws, content_id), f"content {content_id} is in a post", force)
    return _store(ws, before, after, note)


def remove_media(
    ws: Workspace, content_id: str, media_id: str, *, force: bool = False
) -> tuple[Edit, tuple[str, ...]]:
    """Take media ``media_id`` out of content ``content_id`` and delete its file; the
    edit, and the storage keys deleted. The people identified only in it go with it.

    A content left with no media is deleted as a whole (``terrain delete content``
    says what relies on it). Refused while a post online shows it, unless ``force``.
    """
    before = ws.get(Content, content_id)
    media = {m.id: m for m in before.media}
    if media_id not in media:
        raise NotFound(
            f"content {content_id} has no media {media_id!r}; its media: "
            + (", ".join(media) or "none")
        )
    note = _refuse_if_online(
        _online(ws, content_id, media_id), f"media {media_id} of {content_id} is in a post", force
    )
    if len(before.media) == 1:
        removal = ws.remove(Content, content_id, force=force, note=note)
        return Edit(before, None), removal.files
    after = attrs.evolve(
        before,
        media=tuple(m for m in before.media if m.id != media_id),
        appearances=tuple(a for a in before.appearances if a.media_id != media_id),
    )
    with ws.db.transaction():
        edit = _store(ws, before, after, note)
    key = media[media_id].key
    ws.storage.delete(key)
    return edit, (key,)


# -- answers and the door ----------------------------------------------------------------


def remove_rsvp(ws: Workspace, event_id: str, member_id: str) -> Edit:
    """Delete ``member_id``'s answer for ``event_id`` (entered by mistake): unlike a
    cancellation, nothing of it is left in the list."""
    before = ws.get(Attendance, event_id) if ws.exists(Attendance, event_id) else None
    if before is None or all(r.member_id != member_id for r in before.rsvps):
        raise NotFound(f"{member_id!r} has no RSVP for event {event_id!r}; see "
                       f"`terrain attendance {event_id}`")
    after = attrs.evolve(before, rsvps=tuple(r for r in before.rsvps if r.member_id != member_id))
    return _store(ws, before, after)


def undo_check_in(ws: Workspace, event_id: str, member_ids: Iterable[str], *, at: datetime
                  ) -> Edit:
    """Take back the check-in of ``member_ids`` at ``event_id`` (checked in by mistake):
    people who had answered are going again; walk-ins leave the list. All or none."""
    require_aware(at, "undo_check_in: at")
    before = ws.get(Attendance, event_id) if ws.exists(Attendance, event_id) else None
    wanted = list(dict.fromkeys(member_ids))
    inside = set(before.checked_in) if before is not None else set()
    missing = [m for m in wanted if m not in inside]
    if before is None or missing:
        raise NotFound(
            f"{', '.join(missing or wanted)} {'is' if len(missing) == 1 else 'are'} not checked in "
            f"at event {event_id!r}; see `terrain attendance {event_id}`"
        )
    rsvps = []
    for rsvp in before.rsvps:
        if rsvp.member_id not in wanted:
            rsvps.append(rsvp)
        elif rsvp.changed_at is not None and rsvp.at != rsvp.changed_at:
            rsvps.append(attrs.evolve(rsvp, status=RsvpStatus.GOING, changed_at=at))
        # a walk-in (checked in when first listed) leaves the list
    return _store(ws, before, attrs.evolve(before, rsvps=tuple(rsvps)))


# -- workshops ---------------------------------------------------------------------------


def set_participants(
    ws: Workspace, workshop_id: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> Edit:
    """Add and remove participants of workshop ``workshop_id``, all or none.

    Someone who put forward an idea or voted cannot leave until their ideas
    and votes are taken out (the message names them).
    """
    before = ws.get(Workshop, workshop_id)
    leaving = set(remove)
    for member_id in (*add, *leaving):
        ws.get(Member, member_id)
    absent = leaving - set(before.participant_ids)
    if absent:
        raise NotFound(f"{', '.join(sorted(absent))} not in workshop {workshop_id}")
    ideas = [i.id for i in before.ideas if i.author_id in leaving]
    votes = [v for v in ws.list(Vote) if v.workshop_id == workshop_id and v.member_id in leaving]
    if ideas or votes:
        raise Conflict(
            f"cannot take {', '.join(sorted(leaving))} out of workshop {workshop_id}: "
            + "; ".join(
                part
                for part in (
                    f"ideas {', '.join(ideas)} are theirs" if ideas else "",
                    f"{len(votes)} vote(s) are theirs (`terrain workshop unvote`)" if votes else "",
                )
                if part
            )
        )
    after = attrs.evolve(
        before,
        participant_ids=tuple(
            p for p in dict.fromkeys((*before.participant_ids, *add)) if p not in leaving
        ),
    )
    return _store(ws, before, after)
