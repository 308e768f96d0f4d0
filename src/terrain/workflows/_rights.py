"""People's rights (GDPR): access and portability, erasure, and retention.

- :func:`export_member` (Art. 15 and 20) writes everything the workspace
  holds about a person into one zip: ``person.json`` (their record, consents
  with evidence, answers, photos they appear in or made, workshops, posts and
  decisions about them, the history of their record) and the files (photos,
  scans of signed forms) under ``media/``.
- :func:`erase_member` (Art. 17) withdraws all their consents and takes down
  what was published (:func:`~terrain.workflows.takedown`), deletes their own
  content, votes and ideas and their personal fields, and replaces them
  everywhere by a tombstone that the consent gate refuses forever. The consent
  log and the decisions keep what proves past publications were lawful, under
  the tombstone's id and without their name, email or handles.
- :func:`apply_retention` deletes the photos never published once they are
  older than ``[retention] unpublished_photos_days``.

``docs/privacy.rst`` says what is deleted, what is kept, and why.
"""

from __future__ import annotations

import json
import logging
import secrets
import zipfile
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from terrain._time import instant, require_aware
from terrain.community import ERASED_NAME, Member
from terrain.content import Content
from terrain.errors import NotFound, StorageError, ValidationError
from terrain.events import Attendance, Event
from terrain.projects import ProjectPhoto
from terrain.publishing import TakedownLogEntry
from terrain.serialization import unstructure
from terrain.store import record_key
from terrain.workshops import Vote, Workshop

if TYPE_CHECKING:
    from terrain.plugins import Platform
    from terrain.store import Workspace

log = logging.getLogger(__name__)

__all__ = [
    "Erasure",
    "PersonalExport",
    "Retention",
    "apply_retention",
    "erase_member",
    "export_member",
]


# -- access and portability (Art. 15, 20) ------------------------------------------------


@attrs.frozen
class PersonalExport:
    """What :func:`export_member` wrote: the zip file, how many items of each kind,
    and the media files (storage keys) it could not read."""

    path: Path
    counts: Mapping[str, int]
    missing: tuple[str, ...] = ()


def _published(ws: Workspace) -> list[Any]:
    from terrain.workflows._publish import journal_of

    return journal_of(ws).rows()


def export_member(
    ws: Workspace, member_id: str, destination: Path | str, *, now: datetime
) -> PersonalExport:
    """Write everything about ``member_id`` into the zip file ``destination`` (refused
    if it exists): ``person.json``, ``README.txt`` and the media under ``media/``."""
    require_aware(now, "export_member: now")
    target = Path(destination)
    if target.exists():
        raise ValidationError(f"{target} exists: choose another file name, or move it away")
    member = ws.get(Member, member_id)
    ledger = ws.ledger()
    consents = ledger.for_subject(member_id)
    given = [
        c for s in ledger.members for c in ledger.for_subject(s)
        if member_id in c.given_by and c.subject_id != member_id
    ]
    consent_ids = {c.id for c in consents}
    contents = [c for c in ws.list(Content)
                if member_id in c.member_ids or c.author_id == member_id]
    content_ids = {c.id for c in contents}
    events = {e.id: e for e in ws.list(Event)}
    answers = [
        {"event": a.event_id, "title": events[a.event_id].title if a.event_id in events else "",
         "starts_at": unstructure(events[a.event_id].starts_at) if a.event_id in events else None,
         **unstructure(r)}
        for a in ws.list(Attendance) for r in a.rsvps if r.member_id == member_id
    ]
    workshops = []
    for w in ws.list(Workshop):
        ideas = [unstructure(i) for i in w.ideas if i.author_id == member_id]
        if member_id in w.participant_ids or ideas:
            workshops.append({"workshop": w.id, "title": w.title, "ideas": ideas})
    votes = [unstructure(v) for v in ws.list(Vote) if v.member_id == member_id]
    talks = [
        {"event": e.id, "title": t.title}
        for e in events.values() for t in e.talks if t.speaker_id == member_id
    ]
    posts = []
    for row in _published(ws):
        post = row.post
        mentions = any(m.member_id == member_id for m in post.mentions)
        shows = bool(content_ids & ({*post.content_ids} | {m.content_id for m in post.media}))
        if mentions or shows:
            posts.append({
                "post": post.id, "platform": row.platform, "state": row.state.value,
                "text": post.text, "tags_them": mentions, "shows_them": shows,
                "receipt": unstructure(row.receipt) if row.receipt else None,
                "taken_down_at": unstructure(row.taken_down_at) if row.taken_down_at else None,
            })
    decisions = [
        unstructure(d) for d in ws.decisions()
        if any(r.member_id == member_id for r in d.reasons) or consent_ids & set(d.relied_on)
    ]
    from terrain.workflows._publish import journal_of

    document = {
        "format": 1,
        "exported_at": unstructure(now),
        "community": {"id": ws.community.id, "name": ws.community.name},
        "member": unstructure(member),
        "guardians": [unstructure(ws.get(Member, g)) for g in member.guardian_ids
                      if ws.exists(Member, g)],
        "guardian_of": [m.id for m in ws.list(Member) if member_id in m.guardian_ids],
        "consents": [unstructure(c) for c in consents],
        "consents_given_for_others": [unstructure(c) for c in given],
        "answers": answers,
        "contents": [
            {**unstructure(c), "role": "author" if c.author_id == member_id else "appears"}
            for c in contents
        ],
        "workshops": workshops,
        "votes": votes,
        "talks": talks,
        "posts": posts,
        "decisions": decisions,
        "takedowns": [unstructure(t) for t in journal_of(ws).takedowns(subject_id=member_id)],
        "history": [
            {"at": unstructure(c.at), "who": c.who, "action": c.action,
             "before": json.loads(c.before) if c.before else None,
             "after": json.loads(c.after) if c.after else None, "note": c.note}
            for c in ws.history(Member, member_id)
        ],
    }
    keys = sorted(
        {m.key for c in contents for m in c.media}
        | {c.evidence.file_key for c in consents if c.evidence.file_key}
    )
    missing = []
    try:
        with zipfile.ZipFile(target, "x", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("person.json", json.dumps(document, ensure_ascii=False, indent=2))
            archive.writestr("README.txt", _README.format(
                name=member.display_name, community=ws.community.name,
                when=now.isoformat(timespec="minutes")))
            for key in keys:
                try:
                    archive.writestr(f"media/{key}", ws.storage.get(key))
                except (KeyError, FileNotFoundError, NotFound, StorageError):
                    missing.append(key)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise StorageError(f"cannot write {target}: {exc.strerror or exc}") from None
    counts = {k: len(v) for k, v in document.items() if isinstance(v, list)}
    counts["media files"] = len(keys) - len(missing)
    return PersonalExport(target, counts, tuple(missing))


_README = """What {community} keeps about {name}, exported on {when}.

person.json   every record about you, as JSON: your member record; your consents and
              refusals with their evidence and history (and those you gave for a minor);
              your answers to meetups; the photos and interviews you appear in or made;
              workshops, ideas and votes; talks you gave; the posts that showed or tagged
              you, published or not, with where they were and when they were taken down;
              the consent decisions about you; and every change made to your record.
media/        the files: photos you appear in or made, scans of forms you signed.

You may ask for any of it to be corrected, or to be erased.
"""


# -- erasure (Art. 17) -------------------------------------------------------------------


@attrs.frozen
class Erasure:
    """What :func:`erase_member` did.

    ``tombstone_id`` replaces the person everywhere; ``withdrawn`` the consent
    records withdrawn; ``takedown`` one entry per post taken down (``manual``
    or ``failed`` ones must be removed by hand: :attr:`to_remove_by_hand`);
    ``deleted`` the records deleted (their content, votes, ideas); ``files``
    the media files deleted, ``files_left`` those the storage kept.
    """

    member_id: str
    tombstone_id: str
    at: datetime
    withdrawn: tuple[str, ...]
    takedown: tuple[TakedownLogEntry, ...]
    deleted: tuple[str, ...]
    files: tuple[str, ...]
    files_left: tuple[str, ...]

    @property
    def to_remove_by_hand(self) -> tuple[TakedownLogEntry, ...]:
        """Posts still online: delete them by hand (their URL is in each entry)."""
        return tuple(e for e in self.takedown if e.outcome != "deleted")


def _texts(member: Member) -> list[str]:
    """The words that identify ``member`` in a text."""
    words = [member.display_name, *member.handles.values()]
    if member.email:
        words.append(member.email)
    if member.phone and len(member.phone.replace(" ", "")) >= 6:
        words.append(member.phone)
    return words


def erase_member(
    ws: Workspace,
    member_id: str,
    *,
    now: datetime,
    platforms: Mapping[str, Platform] | None = None,
    hook: Any = None,
) -> Erasure:
    """Erase ``member_id`` at their request (see the module docstring).

    First every consent of theirs is withdrawn and what was published with
    them is taken down (``platforms`` and ``hook`` as in
    :func:`~terrain.workflows.takedown`); then, in one transaction, their own
    content (with its files), votes and ideas are deleted, and they are
    replaced by a tombstone in every table; the database is compacted so that
    no copy of their data is left in its files. A post the platform could not
    delete is listed in :attr:`Erasure.to_remove_by_hand`.
    """
    from terrain.workflows._takedown import takedown

    require_aware(now, "erase_member: now")
    member = ws.get(Member, member_id)
    if member.erased:
        raise ValidationError(f"{member_id} is already the tombstone of an erased person")
    down = takedown(ws, member_id, now=now, platforms=platforms, hook=hook,
                    recorded_by=ws.actor)
    ledger = ws.ledger()
    others = {
        c.evidence.file_key for s in ledger.members if s != member_id
        for c in ledger.for_subject(s) if c.evidence.file_key
    }
    evidence = sorted({c.evidence.file_key for c in ledger.for_subject(member_id)
                       if c.evidence.file_key} - others)  # a form others signed too stays
    tombstone = Member(id=f"erased-{secrets.token_hex(6)}", display_name=ERASED_NAME,
                       erased_at=now)
    own = [c for c in ws.list(Content) if c.author_id == member_id]
    own_ids = {c.id for c in own}
    deletions: list[tuple[str, str]] = [("content", c.id) for c in own]
    deletions += [("project-photo", record_key(p)) for p in ws.list(ProjectPhoto)
                  if p.content_id in own_ids]
    records: list[object] = []
    dropped_ideas: set[tuple[str, str]] = set()
    for workshop in ws.list(Workshop):
        ideas = tuple(i for i in workshop.ideas if i.author_id != member_id)
        dropped_ideas |= {(workshop.id, i.id) for i in workshop.ideas if i.author_id == member_id}
        ideas = tuple(
            attrs.evolve(i, content_ids=tuple(c for c in i.content_ids if c not in own_ids))
            for i in ideas
        )
        if ideas != workshop.ideas:
            records.append(attrs.evolve(workshop, ideas=ideas))
    deletions += [
        ("vote", record_key(v)) for v in ws.list(Vote)
        if v.member_id == member_id or (v.workshop_id, v.idea_id) in dropped_ideas
    ]
    note = (
        f"erased at their request (GDPR Art. 17): {len(down.withdrawn)} consent(s) withdrawn, "
        f"{len(down.entries)} post(s) taken down, {len(deletions)} record(s) of theirs deleted"
    )
    ws.erase_person(member, tombstone, records=records, deletions=deletions,
                    texts=_texts(member), note=note)
    keys = sorted({m.key for c in own for m in c.media} | set(evidence))
    done, left = _delete_files(ws, keys)
    # never the person's id, name or handles: the log must not keep what was erased
    log.info(
        "erasure done: %d consent(s) withdrawn, %d post(s) taken down, %d record(s) and %d "
        "file(s) deleted; the tombstone is %s",
        len(down.withdrawn), len(down.entries), len(deletions), len(done), tombstone.id,
    )
    return Erasure(
        member_id=member_id,
        tombstone_id=tombstone.id,
        at=now,
        withdrawn=down.withdrawn,
        takedown=down.entries,
        deleted=tuple(f"{kind} {rid}" for kind, rid in deletions),
        files=done,
        files_left=left,
    )


def _delete_files(ws: Workspace, keys: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    done, left = [], []
    for key in keys:
        try:
            ws.storage.delete(key)
        except StorageError:
            left.append(key)
        else:
            done.append(key)
    return tuple(done), tuple(left)


# -- retention ---------------------------------------------------------------------------


@attrs.frozen
class Retention:
    """What :func:`apply_retention` deleted (or, with ``dry_run``, would delete):
    ``deleted`` content ids, ``kept`` (content id, why) for old photos that stay."""

    days: int | None
    dry_run: bool
    deleted: tuple[str, ...] = ()
    kept: tuple[tuple[str, str], ...] = ()
    files: tuple[str, ...] = ()


def apply_retention(ws: Workspace, *, now: datetime, dry_run: bool = False) -> Retention:
    """Delete the photos and videos never published that are older than ``[retention]
    unpublished_photos_days`` (with their files); ``dry_run`` deletes nothing.

    A photo counts as published once a post showing it was sent, even if it
    was taken down since. A photo a project timeline or a workshop idea
    points to is kept (listed in ``kept`` with why). Nothing happens when
    ``[retention]`` sets no time.
    """
    from terrain.publishing import RowState

    require_aware(now, "apply_retention: now")
    days = ws.config.unpublished_photos_days
    if days is None:
        return Retention(None, dry_run)
    limit = instant(now) - timedelta(days=days)
    sent = set()
    for row in _published(ws):
        if row.state in (RowState.SENT, RowState.CONFIRMED) or row.receipt is not None:
            sent |= set(row.post.content_ids) | {m.content_id for m in row.post.media}
    deleted: list[str] = []
    kept: list[tuple[str, str]] = []
    files: list[str] = []
    for content in ws.list(Content):
        if not content.media or content.id in sent or instant(content.created_at) >= limit:
            continue
        hard = [d for d in ws.dependents(Content, content.id) if not d.soft]
        if hard:
            kept.append((content.id, f"{hard[0]}; change it to let the photo go"))
            continue
        deleted.append(content.id)
        if not dry_run:
            removal = ws.remove(
                Content, content.id, force=True,
                note=f"retention: never published, older than {days} days",
            )
            files.extend(removal.files)
    return Retention(days, dry_run, tuple(deleted), tuple(kept), tuple(files))
