"""What the community manager brings back from the field.

A :class:`Content` is a photo set, a video, an interview, a micro-interview, a
story or a text; its :class:`MediaFile` objects are the files, kept in the
workspace's storage by key. Each :class:`Appearance` says that a member is
identified in the content (in one media file, or in the content as a whole,
such as the person interviewed), and where, when that is known: a
:class:`Region` of the picture (from a photo tool's face tags, or drawn on the
review desk). ``MediaFile.faces`` are the faces found in a picture at import.

Privacy by default: a content whose people were never reviewed
(``people_reviewed`` is false), or that has an unreviewed appearance, is not
publishable; the consent engine enforces it. Any change to the people in a
content resets its review (:func:`change_people`, and the workspace when it
stores a content whose people changed); each review is kept in
``Content.reviews``: who confirmed which people, and when.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import attrs

from terrain._region import Region
from terrain._time import require_aware
from terrain._validation import (
    as_enum,
    at_least,
    aware_datetime,
    each,
    fail,
    identifier,
    instance_of,
    key_problem,
    member_of,
    optional,
    storage_key,
    text,
    to_tuple,
    unique,
)
from terrain.errors import ValidationError

__all__ = [
    "Appearance",
    "Content",
    "ContentKind",
    "ContentSummary",
    "ListedContent",
    "MediaFile",
    "PeopleReview",
    "Region",
    "change_people",
    "faces_to_confirm",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_MEDIA_TYPE = re.compile(r"[a-z]+/[a-z0-9.+-]+")


class ContentKind(enum.StrEnum):
    """The kinds of content brought back from the field."""

    PHOTO = "photo"
    VIDEO = "video"
    INTERVIEW = "interview"
    MICRO_INTERVIEW = "micro-interview"
    STORY = "story"
    TEXT = "text"


def _to_content_kind(value: ContentKind | str) -> ContentKind:
    return as_enum(ContentKind, value)


@attrs.frozen
class MediaFile:
    """One file of a content, stored under ``key`` in the workspace storage.

    ``checksum`` is the SHA-256 (hex) of the stored bytes, after location
    metadata was stripped. ``alt_text`` describes the image for people who
    cannot see it; platforms that support alt text require it. ``faces`` are
    the faces found in the picture at import (by the face detector, or tagged
    in a photo tool), whoever they are: a picture showing more faces than
    people identified in it needs someone to confirm its review
    (:func:`faces_to_confirm`).
    """

    id: str = attrs.field(validator=identifier())
    key: str = attrs.field(validator=storage_key())
    media_type: str = attrs.field()
    size: int = attrs.field(validator=at_least(0))
    checksum: str = attrs.field()
    alt_text: str = attrs.field(default="", validator=text(max_length=1500))
    width: int | None = attrs.field(default=None, validator=optional(at_least(1)))
    height: int | None = attrs.field(default=None, validator=optional(at_least(1)))
    faces: tuple[Region, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Region))
    )

    @media_type.validator
    def _check_media_type(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not _MEDIA_TYPE.fullmatch(value):
            raise fail(self, attribute, f"{value!r} is not a media type such as 'image/jpeg'")

    @checksum.validator
    def _check_checksum(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not _SHA256.fullmatch(value):
            raise fail(
                self, attribute, "must be the SHA-256 of the file as 64 lowercase hex digits"
            )

    @property
    def is_image(self) -> bool:
        """Whether this file is an image (``image/*``)."""
        return self.media_type.startswith("image/")


@attrs.frozen
class Appearance:
    """Member ``member_id`` is identified in a content.

    ``media_id`` names the media file they appear in, or is ``None`` when they
    are part of the content as a whole (the person interviewed in a text).
    ``reviewed`` is true once a person has confirmed the identification; an
    unreviewed appearance blocks publication. ``region`` is where they are in
    the picture, when known (a photo tool's face tag, or the review desk): a
    person without consent whose region is known can be blurred instead of
    holding the photo back, where the community allows it.
    """

    member_id: str = attrs.field(validator=identifier())
    media_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    reviewed: bool = attrs.field(default=False, validator=instance_of(bool))
    region: Region | None = attrs.field(default=None, validator=optional(instance_of(Region)))

    def __attrs_post_init__(self) -> None:
        if self.region is not None and self.media_id is None:
            raise fail(
                self, attrs.fields(Appearance).region,
                "a region is a place in one picture: say which media they are in",
            )


def _to_people(values: Iterable[Iterable[str | None]]) -> tuple[tuple[str, str | None], ...]:
    out: list[tuple[str, str | None]] = []
    for value in values:
        member_id, media_id = tuple(value)
        out.append((str(member_id), None if media_id is None else str(media_id)))
    return tuple(sorted(out, key=lambda p: (p[0], p[1] or "")))


@attrs.frozen
class PeopleReview:
    """Someone (``by``) confirmed at ``at`` who appears in a content.

    ``people`` are the appearances they confirmed, as ``(member id, media id)``
    pairs (``None`` for the content as a whole), sorted.
    """

    by: str = attrs.field(validator=text(nonempty=True, max_length=200))
    at: datetime = attrs.field(validator=aware_datetime())
    people: tuple[tuple[str, str | None], ...] = attrs.field(default=(), converter=_to_people)


@attrs.frozen
class Content:
    """A piece of field content and the people identified in it.

    At most one of ``event_id``, ``project_id``, ``workshop_id`` links it to
    where it comes from. ``author_id`` is the member who made it, for
    user-generated content (reused only with their ``reuse-ugc`` consent, and
    credited). ``people_reviewed`` is true once someone checked who appears in
    every media file; until then nothing of it is published. ``reviews`` is
    the log of those checks, oldest first: a review counts only for the
    people it confirmed (:attr:`review_is_current`).
    """

    id: str = attrs.field(validator=identifier())
    kind: ContentKind = attrs.field(converter=_to_content_kind, validator=member_of(ContentKind))
    created_at: datetime = attrs.field(validator=aware_datetime())
    title: str = attrs.field(default="", validator=text(max_length=300))
    caption: str = attrs.field(default="", validator=text(max_length=10000))
    body: str = attrs.field(default="", validator=text(max_length=100000))
    media: tuple[MediaFile, ...] = attrs.field(
        default=(),
        converter=to_tuple,
        validator=[each(instance_of(MediaFile)), unique(lambda m: m.id, "media id")],
    )
    appearances: tuple[Appearance, ...] = attrs.field(
        default=(),
        converter=to_tuple,
        validator=[
            each(instance_of(Appearance)),
            unique(lambda a: (a.member_id, a.media_id), "appearance"),
        ],
    )
    people_reviewed: bool = attrs.field(default=False, validator=instance_of(bool))
    event_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    project_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    workshop_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    author_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    reviews: tuple[PeopleReview, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(PeopleReview))
    )

    def __attrs_post_init__(self) -> None:
        links = [x for x in (self.event_id, self.project_id, self.workshop_id) if x is not None]
        if len(links) > 1:
            raise fail(
                self,
                attrs.fields(Content).event_id,
                "link a content to one event, project or workshop, not several",
            )
        media_ids = {m.id for m in self.media}
        for appearance in self.appearances:
            if appearance.media_id is not None and appearance.media_id not in media_ids:
                raise fail(
                    self,
                    attrs.fields(Content).appearances,
                    f"member {appearance.member_id!r} appears in media {appearance.media_id!r}, "
                    f"which is not one of this content's media "
                    f"({', '.join(sorted(media_ids)) or 'it has none'})",
                )

    @property
    def member_ids(self) -> frozenset[str]:
        """Every member identified in this content."""
        return frozenset(a.member_id for a in self.appearances)

    @property
    def people(self) -> tuple[tuple[str, str | None], ...]:
        """The appearances as sorted ``(member id, media id)`` pairs."""
        return _to_people((a.member_id, a.media_id) for a in self.appearances)

    @property
    def last_review(self) -> PeopleReview | None:
        """The latest review, if any was logged."""
        return self.reviews[-1] if self.reviews else None

    @property
    def review_is_current(self) -> bool:
        """Whether the people were reviewed and have not changed since: true when
        ``people_reviewed`` is set and the last logged review (if any) confirmed
        exactly the people the content shows now."""
        last = self.last_review
        return self.people_reviewed and (last is None or last.people == self.people)


_KINDS = frozenset(k.value for k in ContentKind)


def _pairs(items: object, member: str, media: str) -> list[tuple[str, str | None]] | None:
    """``(member id, media id)`` pairs of stored ``items`` (objects with the keys
    ``member`` and ``media``, or pairs when ``member`` is ``""``), or ``None`` when
    they are not in the shape terrain writes."""
    if not isinstance(items, list):
        return None
    out: list[tuple[str, str | None]] = []
    for item in items:
        if member:
            if not isinstance(item, dict):
                return None
            who, where = item.get(member), item.get(media)
        else:
            if not isinstance(item, list | tuple) or len(item) != 2:
                return None
            who, where = item
        if not isinstance(who, str) or not (where is None or isinstance(where, str)):
            return None
        out.append((who, where))
    return out


@attrs.frozen
class ContentSummary:
    """What a listing shows of a :class:`Content`: its id, kind, title, the
    people in it and whether their review is current (as the content's own
    :attr:`~Content.member_ids` and :attr:`~Content.review_is_current` say).

    :meth:`of_stored` reads it from a stored content's JSON object without
    building the whole content (its media, captions and review log are not
    checked): ``terrain content list`` lists 20,000 photos that way.
    """

    id: str
    kind: ContentKind
    title: str
    member_ids: frozenset[str]
    review_is_current: bool

    @classmethod
    def of(cls, content: Content) -> ContentSummary:
        """The summary of ``content``."""
        return cls(
            id=content.id, kind=content.kind, title=content.title,
            member_ids=content.member_ids, review_is_current=content.review_is_current,
        )

    @classmethod
    def of_stored(cls, data: Mapping[str, Any]) -> ContentSummary | None:
        """The summary of the content stored as ``data`` (its JSON object), or
        ``None`` when ``data`` is not in the shape terrain writes: then read the
        whole :class:`Content`, which says what is wrong."""
        id, kind, title = data.get("id"), data.get("kind"), data.get("title", "")
        reviewed = data.get("people_reviewed", False)
        if not (isinstance(id, str) and kind in _KINDS and isinstance(title, str)
                and isinstance(reviewed, bool)):
            return None
        media = data.get("media", [])
        if not isinstance(media, list) or not all(
            isinstance(m, dict) and key_problem(m.get("key")) is None for m in media
        ):
            return None  # a key that escapes the storage is refused by the full read
        people = _pairs(data.get("appearances", []), "member_id", "media_id")
        reviews = data.get("reviews", [])
        if people is None or not isinstance(reviews, list):
            return None
        current = reviewed
        if reviewed and reviews:
            last = reviews[-1]
            confirmed = _pairs(last.get("people", []), "", "") if isinstance(last, dict) else None
            if confirmed is None:
                return None
            current = _to_people(confirmed) == _to_people(people)
        return cls(
            id=id, kind=ContentKind(kind), title=title,
            member_ids=frozenset(p[0] for p in people), review_is_current=current,
        )


class ListedContent(NamedTuple):
    """One content as ``terrain content list`` prints it: what its
    :class:`ContentSummary` says, as plain values (the workspace reads
    20,000 of them from its content index without building an object each:
    :meth:`terrain.store.Workspace.content_listing`)."""

    #: The content's id.
    id: str
    #: Its :class:`ContentKind` value (``"photo"``…).
    kind: str
    #: Its title (``""`` when it has none).
    title: str
    #: Whether its people were reviewed and have not changed since
    #: (:attr:`Content.review_is_current`).
    reviewed: bool
    #: The ids of the members in it, sorted, each followed by a space but the last
    #: (ids hold no space): ``"lea samir"``; ``""`` when nobody is identified.
    people: str

    @property
    def member_ids(self) -> tuple[str, ...]:
        """The ids of the members in it, sorted."""
        return tuple(self.people.split())

    def line(self) -> str:
        """The line ``terrain content list`` prints: the id, the kind and whether the
        people were reviewed in columns (20, 6 and 10 characters wide, wider values
        pushing the rest), then the people (``-``: nobody identified), then the title::

            p-1                  photo  reviewed   lea, tom  Atelier vélo

        The workspace keeps each content's line in its content index, written with
        the content (:meth:`Workspace.content_listing_lines
        <terrain.store.Workspace.content_listing_lines>` reads them back): a change
        to this format needs a migration that writes the stored lines again
        (``terrain.store._schema.index_content_summaries``)."""
        id, kind, title, reviewed, people = self
        return (f"{id:<20} {kind:<6} {'reviewed' if reviewed else 'unreviewed':<10} "
                f"{people.replace(' ', ', ') or '-'}  {title}")

    @classmethod
    def of(cls, summary: ContentSummary | Content) -> ListedContent:
        """The listing of ``summary`` (a :class:`ContentSummary` or a :class:`Content`)."""
        return cls(summary.id, summary.kind.value, summary.title, summary.review_is_current,
                   " ".join(sorted(summary.member_ids)))

    def summary(self) -> ContentSummary:
        """The :class:`ContentSummary` this listing shows."""
        return ContentSummary(id=self.id, kind=ContentKind(self.kind), title=self.title,
                              member_ids=frozenset(self.member_ids),
                              review_is_current=self.reviewed)


def change_people(
    content: Content,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    media_id: str | None = None,
    reviewed: bool = False,
    by: str | None = None,
    at: datetime | None = None,
) -> Content:
    """``content`` with members ``add``-ed (in media ``media_id``, or the content as
    a whole) and ``remove``-d.

    Any change to the people resets the review: the content is unreviewed
    again and the new appearances are unconfirmed — unless ``reviewed`` is
    true, meaning ``by`` confirms at ``at`` who appears in it now (every
    appearance is then confirmed, and the review is logged in
    ``reviews``). A review needs ``by`` and ``at``.
    """
    if at is not None:
        require_aware(at, "change_people: at")
    added = list(dict.fromkeys(add))
    removed = set(remove)
    if reviewed and (by is None or at is None):
        raise ValidationError(
            "change_people: a review says who confirmed the people, and when (by, at)"
        )
    both = removed & set(added)
    if both:
        raise ValidationError(
            f"{', '.join(sorted(both))}: both added to and removed from content {content.id}"
        )
    appearances = [a for a in content.appearances if a.member_id not in removed]
    present = {a.member_id for a in appearances}
    appearances += [
        Appearance(member_id=m, media_id=media_id) for m in added if m not in present
    ]
    changed = {(a.member_id, a.media_id) for a in appearances} != {
        (a.member_id, a.media_id) for a in content.appearances
    }
    people_reviewed = content.people_reviewed and not changed
    reviews = content.reviews
    if reviewed:
        assert by is not None
        assert at is not None
        appearances = [attrs.evolve(a, reviewed=True) for a in appearances]
        people_reviewed = True
        reviews = (
            *reviews,
            PeopleReview(by=by, at=at, people=[(a.member_id, a.media_id) for a in appearances]),
        )
    return attrs.evolve(
        content, appearances=appearances, people_reviewed=people_reviewed, reviews=reviews
    )


def reset_review(before: Content, after: Content) -> Content:
    """``after`` as it may be stored over ``before``: if its people changed and no
    new review came with the change, it is unreviewed (and its new or moved
    appearances unconfirmed)."""
    if before.people == after.people or after.reviews != before.reviews:
        return after
    old = set(before.people)
    return attrs.evolve(
        after,
        people_reviewed=False,
        appearances=[
            a if (a.member_id, a.media_id) in old else attrs.evolve(a, reviewed=False)
            for a in after.appearances
        ],
    )


def faces_to_confirm(content: Content) -> dict[str, int]:
    """For each picture of ``content`` showing more faces than people identified in it,
    how many faces are not accounted for (media id -> count).

    Such a picture stays "not reviewed" until someone identifies the others or
    confirms that nobody else needs to be (a passer-by's back, a poster).
    """
    out: dict[str, int] = {}
    for media in content.media:
        if not media.faces:
            continue
        shown = sum(1 for a in content.appearances if a.media_id == media.id)
        if len(media.faces) > shown:
            out[media.id] = len(media.faces) - shown
    return out
