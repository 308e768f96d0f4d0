"""Saying who is in a photo and what it shows: the review desk's and the CLI's one way.

- :func:`find_members`: members whose name, id or handle contains what was typed
  (accents and case aside): the desk's search box, answered on the server.
- :func:`identify_people`: add or remove the members in a photo (with their
  region, when known), and mark its people reviewed. Any change to the people
  resets the review: nothing of a photo goes out until someone confirms who is
  in it again. A photo showing more faces than people identified
  (``MediaFile.faces``) is reviewed only with ``confirm_faces``: someone
  looked and says the others need no consent (a back, a poster, a passer-by).
- :func:`describe_photo`: alt text and caption.
- :func:`photo_faces` / :func:`detect_again`: the faces found in a photo, and
  the detector run again on the stored picture (a photo imported before a
  detector was installed).

Each change is recorded as an edit by ``by`` (an account of the desk, or the
command line): with ``[publish] four_eyes``, whoever identified people in a
photo or described it may not approve a post showing it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from terrain._time import require_aware
from terrain.community import Member
from terrain.content import Appearance, Content, MediaFile, Region, change_people, faces_to_confirm
from terrain.errors import NotFound, ValidationError
from terrain.faces import DETECTION_OFF, detect_faces, merge_faces, upright_picture
from terrain.store import Accounts
from terrain.workflows._contents import find_content

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "CLI_EDITOR",
    "PhotoFaces",
    "describe_photo",
    "detect_again",
    "find_members",
    "identify_people",
    "photo_faces",
    "set_people",
]

#: Who an edit made on the command line is recorded as.
CLI_EDITOR = "command line"


def _folded(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def find_members(ws: Workspace, query: str, *, limit: int = 12) -> list[Member]:
    """Members whose display name, id or a handle contains ``query`` (accents, case and
    spaces aside), those whose name starts with it first, then by name; at most
    ``limit``. An empty query finds nobody."""
    wanted = _folded(query or "")[:100]
    if not wanted:
        return []
    found: list[tuple[int, str, Member]] = []
    for member in ws.list(Member):
        name = _folded(member.display_name)
        fields = [name, member.id.casefold(), *(h.casefold() for h in member.handles.values())]
        if any(wanted in f for f in fields):
            rank = 0 if name.startswith(wanted) else 1
            found.append((rank, name, member))
    found.sort(key=lambda f: (f[0], f[1], f[2].id))
    return [m for _, _, m in found[: max(0, limit)]]


def _media_for(content: Content, media_id: str | None, *, adding: bool) -> str | None:
    if media_id is not None:
        if media_id not in {m.id for m in content.media}:
            ids = ", ".join(m.id for m in content.media) or "none"
            raise ValidationError(f"{content.id} has no media {media_id!r} (its media: {ids})")
        return media_id
    if len(content.media) == 1:
        return content.media[0].id
    return None


def _record(ws: Workspace, content_id: str, by: str, what: str, now: datetime) -> None:
    Accounts(ws.db).record_edit([f"content:{content_id}"], by, what, at=now)


def identify_people(
    ws: Workspace,
    content_id: str,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    regions: Mapping[str, Region | None] | None = None,
    media_id: str | None = None,
    reviewed: bool = False,
    confirm_faces: bool = False,
    by: str = CLI_EDITOR,
    now: datetime,
) -> Content:
    """Change who is identified in content ``content_id`` and return it as stored.

    ``add`` and ``remove`` are member ids; ``regions`` gives (or, with
    ``None``, forgets) where a member is in the picture. People are placed in
    ``media_id`` (default: the content's only media; with several media and no
    ``media_id``, in the content as a whole). Any change to the people makes the
    photo unreviewed again, unless ``reviewed`` confirms the people as they now
    are; a photo with more faces found than people identified needs
    ``confirm_faces`` too. Unknown members are refused
    (:class:`~terrain.errors.NotFound`); nothing is stored on any error.
    """
    require_aware(now, "identify_people: now")
    content = ws.get(Content, content_id)
    added, removed = list(dict.fromkeys(add)), set(remove)
    places = dict(regions or {})
    for member_id in (*added, *removed, *places):
        ws.get(Member, member_id)  # NotFound names the id and `terrain member list`
    both = set(added) & removed
    if both:
        raise ValidationError(
            f"{', '.join(sorted(both))}: added to and removed from {content_id} at once"
        )
    where = _media_for(content, media_id, adding=bool(added))
    updated = change_people(content, add=added, remove=removed, media_id=where)
    appearances = list(updated.appearances)
    for member_id, region in places.items():
        mine = [a for a in appearances if a.member_id == member_id]
        if not mine:
            raise ValidationError(
                f"{member_id} is not identified in {content_id}: add them to give their region"
            )
        if region is not None and all(a.media_id is None for a in mine):
            raise ValidationError(
                f"{member_id} is in {content_id} as a whole, not in one picture: name the "
                "media they are in to give a region"
            )
        appearances = [
            attrs.evolve(a, region=region) if a.member_id == member_id and a.media_id else a
            for a in appearances
        ]
    updated = attrs.evolve(updated, appearances=appearances)
    if reviewed:
        missing = faces_to_confirm(updated)
        if missing and not confirm_faces:
            shown = "; ".join(
                f"picture {media}: {count} face(s) more than the people identified"
                for media, count in sorted(missing.items())
            )
            raise ValidationError(
                f"{content_id} shows more faces than people identified ({shown}): identify "
                "them, or confirm that nobody else needs to be (--confirm-faces; on the "
                "desk: \"nobody else to identify\"). Nothing was changed"
            )
        # `by` confirms who is in it now: logged in the content's reviews
        updated = change_people(updated, reviewed=True, by=by, at=now)
    if updated == content:
        return content
    stored = ws.put(updated)
    _record(ws, content_id, by, "identify", now)
    return stored


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
    ``reviewed``, ``by`` confirms at ``now`` who appears in it (logged in its
    reviews). Returns the content as stored.

    :func:`identify_people` without regions: a member added to a content with
    one media file appears in that file; with several, in the content as a
    whole. Unknown members are refused (:class:`~terrain.errors.NotFound`,
    nothing stored); a photo showing more faces than people identified is not
    marked reviewed here (confirm it with :func:`identify_people`).
    """
    require_aware(now, "set_people: now")
    return identify_people(ws, content_id, add=add, remove=remove, reviewed=reviewed, by=by,
                           now=now)


def describe_photo(
    ws: Workspace,
    photo: str | Path,
    *,
    alt_text: str | None = None,
    caption: str | None = None,
    media_id: str | None = None,
    by: str = CLI_EDITOR,
    now: datetime,
) -> Content:
    """Set the alt text (of ``media_id``, or of the only media) and/or the caption of
    ``photo`` (a content id, or the file it was imported from); the content as stored.

    The change is logged with its editor ``by``. Text longer than the models
    allow, a media the content does not hold, or nothing to set raises
    :class:`~terrain.errors.ValidationError` and changes nothing.
    """
    require_aware(now, "describe_photo: now")
    if alt_text is None and caption is None:
        raise ValidationError("give an alt text, a caption or both (--alt, --caption)")
    if alt_text is None and media_id is not None:
        raise ValidationError("a media id only says which media gets the alt text (--alt)")
    with ws.db.transaction():
        content = find_content(ws, photo)
        updated = content
        if caption is not None:
            updated = attrs.evolve(updated, caption=caption)
        if alt_text is not None:
            target = _media_for(content, media_id, adding=False)
            if target is None:
                ids = ", ".join(m.id for m in content.media) or "none"
                raise ValidationError(
                    f"{content.id} holds {len(content.media)} media files ({ids}): say which "
                    "one gets the alt text (--media)"
                )
            updated = attrs.evolve(
                updated,
                media=[attrs.evolve(m, alt_text=alt_text) if m.id == target else m
                       for m in content.media],
            )
        if updated == content:
            return content
        stored = ws.put(updated)
        _record(ws, content.id, by, "describe", now)
        return stored


@attrs.frozen
class PhotoFaces:
    """The faces of a photo: per picture, the faces found, the people identified in
    it (with their region when known) and how many faces nobody accounts for."""

    content: Content
    pictures: tuple[tuple[MediaFile, tuple[Appearance, ...], int], ...]

    @property
    def unaccounted(self) -> int:
        """Faces found beyond the people identified, over every picture."""
        return sum(extra for _, _, extra in self.pictures)


def photo_faces(ws: Workspace, content_id: str) -> PhotoFaces:
    """The faces found and the people identified in each picture of ``content_id``."""
    content = ws.get(Content, content_id)
    extra = faces_to_confirm(content)
    return PhotoFaces(
        content=content,
        pictures=tuple(
            (m, tuple(a for a in content.appearances if a.media_id == m.id), extra.get(m.id, 0))
            for m in content.media
        ),
    )


def detect_again(ws: Workspace, content_id: str, *, by: str = CLI_EDITOR,
                 now: datetime) -> PhotoFaces:
    """Run the face detector on the stored pictures of ``content_id`` (faces found are
    added to those already known); :class:`~terrain.errors.ValidationError` saying
    how to install one when no detector answers."""
    require_aware(now, "detect_again: now")
    content = ws.get(Content, content_id)
    media = []
    for m in content.media:
        if not m.is_image:
            media.append(m)
            continue
        try:
            data = ws.storage.get(m.key)
        except NotFound:
            raise NotFound(f"{content_id}: {m.key} is not in the storage; import the photo "
                           "again") from None
        image, orientation = upright_picture(data)
        found = detect_faces(image, ws.plugins.hook)
        if found is None:
            raise ValidationError(DETECTION_OFF)
        faces = merge_faces(m.faces, (r.stored(orientation) for r in found))
        media.append(attrs.evolve(m, faces=faces))
    updated = attrs.evolve(content, media=media)
    if updated != content:
        if faces_to_confirm(updated) and not faces_to_confirm(content):
            updated = attrs.evolve(updated, people_reviewed=False)
        ws.put(updated)
        _record(ws, content_id, by, "identify", now)
    return photo_faces(ws, content_id)
