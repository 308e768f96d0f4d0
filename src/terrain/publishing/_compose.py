"""Compose a :class:`~terrain.Post` for one platform from field content.

A :class:`Recap` says what a post is about (an event summary, one content
item) and :func:`compose` turns it into a post that fits a platform's
:class:`~terrain.Capabilities`, or raises :class:`~terrain.errors.ComposeError`
saying what to change. Nothing is cut silently: a text that is too long
becomes a thread where the platform has threads, and an error that says how
many characters to cut where it has not.

Composing is not a licence to publish: the runner asks the consent ledger
again right before each call. Mentions of members are kept here only when the
ledger allows the ``tag`` purpose on that platform at the time given.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

import attrs

from terrain._language import (
    DEFAULT_LANGUAGE,
    clock_time,
    enumeration,
    long_date,
    phrase,
    relative_day,
)
from terrain._validation import each, identifier, instance_of, optional, to_tuple
from terrain._validation import text as text_of
from terrain.community import Member
from terrain.content import Content, ContentKind, MediaFile
from terrain.errors import ComposeError, ValidationError
from terrain.events import Event, Venue
from terrain.partnerships import Partner
from terrain.posts import Capabilities, Mention, Post, PostMedia, text_length
from terrain.templates import Templates, default_templates
from terrain.workshops import credit_line

__all__ = [
    "Composed",
    "Continued",
    "Dropped",
    "MayTag",
    "Recap",
    "compose",
    "compose_posts",
    "edit_text",
    "event_announcement",
    "event_recaps",
    "event_values",
    "photo_captions",
    "post_id",
    "text_length",
]

#: ``may_tag(member, platform, post)`` says whether ``member`` may be tagged in
#: ``post`` on ``platform``; :func:`compose` asks it for every candidate mention.
MayTag = Callable[[Member, str, Post], bool]


@attrs.frozen
class Recap:
    """What one post is about.

    ``key`` is the id of the thing the post presents (an event id for the
    event summary, a content id for a photo set); with the platform and the
    purpose it makes the post's stable id. ``contents`` are the field content
    whose media the post carries and whose people may be mentioned;
    ``partners`` are thanked.
    """

    key: str = attrs.field(validator=identifier())
    text: str = attrs.field(validator=text_of(max_length=100000))
    contents: tuple[Content, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Content))
    )
    partners: tuple[Partner, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Partner))
    )
    event_id: str | None = attrs.field(default=None, validator=optional(identifier()))
    link: str | None = attrs.field(default=None, validator=optional(text_of(nonempty=True)))
    #: the media of ``contents`` form an album: one post carries as many photos
    #: as the platform takes (further posts carry the rest), a photo that cannot
    #: go drops out with its reason instead of stopping the post
    album: bool = attrs.field(default=False, validator=instance_of(bool))
    #: content id -> its credit line (``Photo: Inès Benali``): an album post ends
    #: with the credits of the members' own photos it carries
    credits: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Dropped:
    """Something left out of a post, and why: a photo the platform cannot take,
    a mention the gate dropped. The dry run shows them."""

    platform: str
    what: str
    reason: str
    post_id: str | None = None
    content_id: str | None = None
    media_id: str | None = None


@attrs.frozen
class Composed:
    """The posts composed from one recap for one platform (an album may need
    several), and what was left out of them."""

    posts: tuple[Post, ...] = attrs.field(converter=to_tuple)
    dropped: tuple[Dropped, ...] = attrs.field(default=(), converter=to_tuple)


#: ``continued(number, total, contents)``: the text of album post ``number``
#: (2, 3…) of ``total``, whose photos come from ``contents``.
Continued = Callable[[int, int, Sequence[Content]], str]


def post_id(key: str, platform: str, purpose: str = "publish") -> str:
    """The stable id of the post presenting ``key`` on ``platform`` for ``purpose``.

    The same inputs always give the same id: it is the idempotency key that
    ``Platform.find`` looks for after an interrupted run.
    """
    digest = hashlib.sha256(f"{key}\x1f{platform}\x1f{purpose}".encode()).hexdigest()[:20]
    return f"post-{digest}"


def event_values(
    event: Event,
    *,
    language: str = DEFAULT_LANGUAGE,
    venue: Venue | None = None,
    link: str | None = None,
    community: str = "",
    seen_from: datetime | None = None,
) -> dict[str, str]:
    """What a template knows about ``event`` (:data:`terrain.templates.PLACEHOLDERS`),
    written in ``language``: its day and times in its own zone, the talks in a
    sentence (``talks``) or one per line (``talk_list``), the speakers, the
    venue and its address (``place``: both), the RSVP ``link``. ``seen_from``
    (the instant the post goes) gives ``relative_day``: ``demain``, ``today``…"""
    starts = event.starts_at
    day = starts.date()
    if language == "fr":
        talks = [f"«\u00a0{t.title}\u00a0» par {t.speaker}" for t in event.talks]
    else:
        talks = [f"“{t.title}” by {t.speaker}" for t in event.talks]
    speakers = list(dict.fromkeys(t.speaker for t in event.talks))
    address = venue.address.strip() if venue is not None else ""
    name = venue.name if venue is not None else ""
    seen = day if seen_from is None else seen_from.astimezone(starts.tzinfo).date()
    return {
        "community": community,
        "title": event.title,
        "date": long_date(language, day),
        "time": clock_time(language, starts.time()),
        "end_time": clock_time(language, event.ends_at.astimezone(starts.tzinfo).time()),
        "relative_day": relative_day(language, day, seen_from=seen),
        "venue": name,
        "address": address,
        "place": ", ".join(p for p in (name, address) if p),
        "link": link or "",
        "talks": enumeration(language, talks),
        "talk_list": "\n".join(
            f"• {t.title} — {t.speaker}" for t in event.talks
        ),
        "speakers": enumeration(language, speakers),
        "description": event.description.strip(),
    }


def event_announcement(
    event: Event,
    *,
    kind: str = "announcement",
    venue: Venue | None = None,
    link: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    templates: Templates | None = None,
    community: str = "",
    seen_from: datetime | None = None,
) -> Recap:
    """The post that announces ``event`` before it happens (``kind="announcement"``),
    or reminds of it (``kind="reminder"``, the day before): agenda, speakers,
    venue and the RSVP ``link``, in the community's words (``templates``, else
    terrain's defaults in ``language``). ``seen_from`` is when it will go out
    (``demain`` is said from then). Its key is ``<event id>:<kind>``: one
    announcement and one reminder per event and platform."""
    if kind not in ("announcement", "reminder"):
        raise ValidationError(f"kind {kind!r}: an event is announced or reminded of")
    words = templates or default_templates(language)
    values = event_values(
        event,
        language=words.language,
        venue=venue,
        link=link,
        community=community,
        seen_from=seen_from,
    )
    return Recap(
        key=f"{event.id}:{kind}",
        text=words.render(kind, values),
        event_id=event.id,
    )


def event_recaps(
    event: Event,
    contents: Iterable[Content],
    partners: Sequence[Partner] = (),
    *,
    venue_name: str | None = None,
    venue: Venue | None = None,
    link: str | None = None,
    members: Mapping[str, Member] | None = None,
    language: str = DEFAULT_LANGUAGE,
    templates: Templates | None = None,
    community: str = "",
) -> list[Recap]:
    """The recaps of a meetup: the summary with the photos as an album, then one
    post per interview (and per content without media).

    The summary's text is the community's ``recap`` template (``templates``,
    else terrain's default in ``language``): the talks, the venue, and the
    ``partner-thanks`` line naming the partners (thanked by mention where they
    have a handle). Its album holds the media of every content that is not an
    interview, in the order they were made: :func:`compose_posts` gives each
    platform as many photos per post as it takes, and the consent gate drops,
    photo by photo at the call, those that may not go. An interview is
    published whole: its title, then what was said, quoted with the name of
    the person interviewed (found in ``members``). A member's own content
    (``author_id``) ends with its credit line
    (:func:`terrain.workshops.credit_line`, e.g. ``Photo: Inès Benali``); the
    consent gate separately requires the author's ``reuse-ugc``.
    """
    members = members or {}
    words = templates or default_templates(language)
    language = words.language
    if venue is None and venue_name:
        venue = Venue(id="venue", name=venue_name, kind="other")
    values = event_values(event, language=language, venue=venue, link=link, community=community)
    names = enumeration(language, [p.name for p in partners])
    values["partners"] = names
    values["thanks"] = (
        words.render("partner-thanks", {**values, "partners": names}) if partners else ""
    )
    ordered = sorted(contents, key=lambda c: (c.created_at, c.id))
    album = tuple(c for c in ordered if c.media and c.kind not in _SPOKEN)
    recaps = [
        Recap(
            key=event.id,
            text=words.render("recap", values),
            contents=album,
            partners=tuple(partners),
            event_id=event.id,
            link=link,
            album=True,
            credits={
                c.id: _credit(c, members.get(c.author_id))
                for c in album
                if c.author_id is not None
            },
        )
    ]
    in_album = {c.id for c in album}  # by id: a tuple search per content is quadratic
    for content in ordered:
        if content.id in in_album:
            continue
        if content.kind in _SPOKEN and content.body.strip():
            body = _interview_text(content, members, language)
        else:
            body = content.caption or content.title or event.title
        if content.author_id is not None:
            body = f"{body}\n{_credit(content, members.get(content.author_id))}"
        recaps.append(Recap(key=content.id, text=body, contents=(content,), event_id=event.id))
    return recaps


def photo_captions(
    event: Event,
    *,
    language: str = DEFAULT_LANGUAGE,
    templates: Templates | None = None,
    community: str = "",
) -> Continued:
    """The text of the album posts after the first: the ``photo-caption`` template
    with the event, the part (``2/3``) and the captions of the photos it carries."""
    words = templates or default_templates(language)

    def continued(number: int, total: int, contents: Sequence[Content]) -> str:
        captions = list(dict.fromkeys(c.caption.strip() for c in contents if c.caption.strip()))
        return words.render(
            "photo-caption",
            {
                "community": community,
                "title": event.title,
                "date": long_date(words.language, event.starts_at.date()),
                "part": f"{number}/{total}",
                "captions": "\n".join(captions),
            },
        )

    return continued


#: Contents whose text is what someone said: published whole.
_SPOKEN = frozenset({ContentKind.INTERVIEW, ContentKind.MICRO_INTERVIEW})


def _interview_text(content: Content, members: Mapping[str, Member], language: str) -> str:
    """An interview as a post: its title (or caption), then the words, quoted with the
    name of the one person interviewed (their id when unknown)."""
    said = content.body.strip()
    people = sorted(content.member_ids)
    if len(people) == 1:
        who = members[people[0]].display_name if people[0] in members else people[0]
        said = phrase(language, "quote", quote=said, who=who)
    head = (content.caption or content.title).strip()
    return f"{head}\n\n{said}" if head else said


def _credit(content: Content, author: Member | None) -> str:
    if author is None:
        kind = content.kind.value.replace("-", " ").capitalize()
        return f"{kind}: {content.author_id}"
    return credit_line(content, author)


def compose(
    recap: Recap,
    *,
    platform: str,
    capabilities: Capabilities,
    members: Mapping[str, Member] | None = None,
    may_tag: MayTag | None = None,
    purpose: str = "publish",
) -> Post:
    """A post for ``platform`` presenting ``recap``, within ``capabilities``.

    - Text: kept whole. If it does not fit ``max_text_length`` (URLs counted
      as ``url_length`` where set), it is split into ``thread`` parts at
      paragraph, sentence or word boundaries where the platform has threads;
      otherwise :class:`ComposeError` says how many characters to cut.
    - Media: every media file of the recap's contents, in order, with its alt
      text. More than ``max_media``, a type the platform does not take, a file
      over ``max_media_bytes`` or a missing alt text where the platform
      supports alt text is a :class:`ComposeError` naming the media.
    - Mentions: members who appear in the contents and have a handle on the
      platform, only if ``may_tag`` says so (no ``may_tag``: nobody is
      tagged); partners with a handle on the platform are thanked by mention.
    - ``id``: stable for the same (recap key, platform, purpose).
    """
    media = _media(recap, platform, capabilities)
    return _compose(recap, platform, capabilities, members or {}, may_tag, purpose, media)


def _compose(
    recap: Recap,
    platform: str,
    capabilities: Capabilities,
    members: Mapping[str, Member],
    may_tag: MayTag | None,
    purpose: str,
    media: tuple[PostMedia, ...],
    min_media: int | None = None,
) -> Post:
    """The post presenting ``recap``: the draft ``may_tag`` is asked about, the draft
    with its mentions when it has any (its text is fitted with them), then the post as
    it goes, with its thread and ``min_media``.

    Each step builds and validates the whole post again (every media, every content
    id), which an album of 200 posts of 10 photos pays per step: the mentions step is
    not taken when there are none, and ``min_media`` is set in the last step, not in
    one of its own.
    """
    pid = post_id(recap.key, platform, purpose)
    content_ids = tuple(dict.fromkeys(c.id for c in recap.contents))
    draft = Post(
        id=pid,
        platform=platform,
        text=recap.text if recap.text.strip() or media else recap.text or "…",
        media=media,
        link=recap.link,
        content_ids=content_ids,
        event_id=recap.event_id,
    )
    mentions = _mentions(recap, platform, capabilities, members, may_tag, draft)
    if mentions:
        draft = attrs.evolve(draft, mentions=mentions)
    first, rest = _fit_text(draft, capabilities)
    return attrs.evolve(draft, text=first, thread=rest, min_media=min_media)


def _media_problem(
    content: Content, file: MediaFile, platform: str, capabilities: Capabilities
) -> str | None:
    """Why ``file`` of ``content`` cannot go to ``platform`` (``None``: it can)."""
    if file.media_type not in capabilities.media_types:
        accepted = ", ".join(sorted(capabilities.media_types)) or "none"
        return (
            f"media {file.id} of content {content.id} is {file.media_type}, "
            f"which {platform} does not accept (it takes {accepted}); convert it or "
            "leave it out"
        )
    max_bytes = capabilities.max_media_bytes
    if max_bytes is not None and file.size > max_bytes:
        return (
            f"media {file.id} of content {content.id} is {file.size} bytes; "
            f"{platform} accepts at most {capabilities.max_media_bytes}; resize it"
        )
    if capabilities.alt_text and not file.alt_text.strip():
        return (
            f"media {file.id} of content {content.id} has no alt text; "
            f"{platform} supports alt text and terrain requires it there. Describe the "
            "image for people who cannot see it, then compose again"
        )
    limit = capabilities.max_alt_text_length
    if limit is not None and len(file.alt_text) > limit:
        return (
            f"the alt text of media {file.id} is {len(file.alt_text)} characters; "
            f"{platform} accepts {limit}: cut {len(file.alt_text) - limit} characters"
        )
    return None


def _post_media(content: Content, file: MediaFile) -> PostMedia:
    return PostMedia(
        key=file.key,
        media_type=file.media_type,
        alt_text=file.alt_text,
        content_id=content.id,
        media_id=file.id,
    )


def _media(recap: Recap, platform: str, capabilities: Capabilities) -> tuple[PostMedia, ...]:
    out: list[PostMedia] = []
    for content in recap.contents:
        for file in content.media:
            problem = _media_problem(content, file, platform, capabilities)
            if problem is not None:
                raise ComposeError(f"{platform}: {problem}")
            out.append(_post_media(content, file))
    if len(out) > capabilities.max_media:
        raise ComposeError(
            f"{platform}: {len(out)} media files but {platform} takes at most "
            f"{capabilities.max_media} per post; leave out {len(out) - capabilities.max_media} "
            "(or split the content into several)"
        )
    if capabilities.requires_media and not out:
        raise ComposeError(
            f"{platform}: a post needs at least one image there; recap {recap.key} has none"
        )
    return tuple(out)


def compose_posts(
    recap: Recap,
    *,
    platform: str,
    capabilities: Capabilities,
    members: Mapping[str, Member] | None = None,
    may_tag: MayTag | None = None,
    purpose: str = "publish",
    continued: Continued | None = None,
) -> Composed:
    """The posts presenting ``recap`` on ``platform``: :func:`compose`'s one post,
    or for an album (``recap.album``) as many as its photos need.

    An album's first post carries the recap's text and as many photos as
    ``max_media`` allows; each further post (``continued(number, total,
    contents)`` writes its text, ``(2/3)`` without it) carries the next ones,
    and its id is stable for the same recap, part, platform and purpose. A
    photo the platform cannot take (type, size, missing or too long alt text)
    is left out with its reason (:attr:`Composed.dropped`) and the others go.
    Each album post has ``min_media = 1``: the runner decides consent photo by
    photo at the call, drops the photos that may not go and holds the post
    only when none is left. A platform that takes no media gets the text alone.
    """
    if not recap.album:
        return Composed(
            posts=(
                compose(
                    recap,
                    platform=platform,
                    capabilities=capabilities,
                    members=members,
                    may_tag=may_tag,
                    purpose=purpose,
                ),
            )
        )
    dropped: list[Dropped] = []
    fits: list[tuple[Content, MediaFile]] = []
    for content in recap.contents:
        for file in content.media:
            problem = _media_problem(content, file, platform, capabilities)
            if problem is None and capabilities.max_media == 0:
                problem = f"{platform} takes no media; the text goes alone"
            if problem is not None:
                dropped.append(
                    Dropped(platform, f"photo {file.id} of {content.id}", problem,
                            content_id=content.id, media_id=file.id)
                )
            else:
                fits.append((content, file))
    size = max(1, capabilities.max_media)
    chunks = [fits[i : i + size] for i in range(0, len(fits), size)] or [[]]
    posts: list[Post] = []
    for number, chunk in enumerate(chunks, start=1):
        contents = tuple(dict.fromkeys(c for c, _ in chunk))
        if number == 1:
            text, key, partners = recap.text, recap.key, recap.partners
        else:
            default = f"({number}/{len(chunks)})"
            text = continued(number, len(chunks), contents) if continued else default
            key, partners = f"{recap.key}:photos-{number}", ()
        part = attrs.evolve(
            recap, key=key, text=text or f"({number}/{len(chunks)})", contents=contents,
            partners=partners, album=False,
        )
        credits = list(
            dict.fromkeys(recap.credits[c.id] for c in contents if c.id in recap.credits)
        )
        if credits:
            part = attrs.evolve(part, text="\n".join([part.text, *credits]))
        media = tuple(_post_media(c, f) for c, f in chunk)
        posts.append(_compose(
            part, platform, capabilities, members or {}, may_tag, purpose, media,
            min_media=1 if media else None,
        ))
    if capabilities.requires_media and not posts[0].media:
        raise ComposeError(
            f"{platform}: a post needs at least one image there; recap {recap.key} has none"
            + (f" that {platform} can take ({dropped[0].reason})" if dropped else "")
        )
    return Composed(
        posts=tuple(posts),
        dropped=tuple(attrs.evolve(d, post_id=posts[0].id) for d in dropped),
    )


def _mentions(
    recap: Recap,
    platform: str,
    capabilities: Capabilities,
    members: Mapping[str, Member],
    may_tag: MayTag | None,
    draft: Post,
) -> tuple[Mention, ...]:
    if not capabilities.mentions:
        return ()
    out: list[Mention] = []
    seen: set[str] = set()
    for content in recap.contents:
        for member_id in sorted(content.member_ids):
            member = members.get(member_id)
            handle = member.handles.get(platform) if member is not None else None
            if member is None or handle is None or handle.casefold() in seen:
                continue
            if may_tag is not None and may_tag(member, platform, draft):
                out.append(Mention(handle=handle, member_id=member_id))
                seen.add(handle.casefold())
    for partner in recap.partners:
        handle = partner.handles.get(platform)
        if handle is not None and handle.casefold() not in seen:
            out.append(Mention(handle=handle, partner_id=partner.id))
            seen.add(handle.casefold())
    return tuple(out)


def _fit_text(post: Post, capabilities: Capabilities) -> tuple[str, tuple[str, ...]]:
    """Keep the text whole, or split it into thread parts; never cut it."""
    limit = capabilities.max_text_length
    tags = post.text_with_mentions()[len(post.text) :]  # "\n\n@a @b", rendered after the text
    link = f"\n{post.link}" if post.link else ""
    extra = text_length(tags + link, capabilities)
    whole = text_length(post.text, capabilities) + extra
    if whole <= limit:
        return post.text, ()
    if not capabilities.threads:
        over = whole - limit
        raise ComposeError(
            f"{post.platform}: the text counts {whole} characters (with mentions and link) but "
            f"{post.platform} takes {limit} and has no threads; cut {over} characters"
        )
    first_limit = limit - extra
    if first_limit < 20:
        raise ComposeError(
            f"{post.platform}: the mentions and link alone take {extra} of {limit} characters; "
            "tag fewer people or drop the link"
        )
    parts = _split(post.text, first_limit, limit, capabilities)
    return parts[0], tuple(parts[1:])


def edit_text(post: Post, text: str, capabilities: Capabilities) -> Post:
    """``post`` with the manager's own ``text`` instead of the composed one.

    A line of three dashes (``---``) alone separates thread replies, where the
    platform has threads. The text is checked as the composer checks its own:
    counted as the platform counts it (:func:`text_length`, with the mentions
    and the link the post carries), each part within ``max_text_length``;
    over it, :class:`~terrain.errors.ComposeError` says how many characters
    to cut. Nothing is split or cut: the words go as written, or not at all.
    """
    parts = [p.strip() for p in re.split(r"\n-{3,}[ \t]*(?:\n|$)", text.strip())]
    parts = [p for p in parts if p]
    if not parts and not post.media:
        raise ComposeError(f"{post.platform}: post {post.id}: the new text is empty; write one")
    first, rest = (parts[0], tuple(parts[1:])) if parts else ("", ())
    if rest and not capabilities.threads:
        raise ComposeError(
            f"{post.platform}: post {post.id}: the text has {len(rest) + 1} parts (---) but "
            f"{post.platform} has no threads; write it as one part"
        )
    edited = attrs.evolve(post, text=first, thread=rest)
    limit = capabilities.max_text_length
    tags = edited.text_with_mentions()[len(edited.text) :]
    link = f"\n{edited.link}" if edited.link else ""
    problems = []
    whole = text_length(first, capabilities) + text_length(tags + link, capabilities)
    if whole > limit:
        problems.append(
            f"the text counts {whole} characters as {post.platform} counts them (with "
            f"mentions and link), {limit} at most: cut {whole - limit}"
        )
    for number, part in enumerate(rest, start=2):
        length = text_length(part, capabilities)
        if length > limit:
            problems.append(
                f"part {number} counts {length} characters, {limit} at most: "
                f"cut {length - limit}"
            )
    if problems:
        raise ComposeError(f"{post.platform}: post {post.id}: " + "; ".join(problems))
    return attrs.evolve(edited, edited=True)


def _split(value: str, first_limit: int, limit: int, caps: Capabilities) -> list[str]:
    words = re.split(r"(\s+)", value.strip())
    parts: list[str] = []
    current = ""
    for token in words:
        budget = first_limit if not parts else limit
        candidate = current + token
        if text_length(candidate.rstrip(), caps) <= budget:
            current = candidate
            continue
        if token.isspace():
            continue
        if current.strip():
            parts.append(current.strip())
        current = token
        budget = first_limit if not parts else limit
        while text_length(current, caps) > budget:  # one word longer than a post
            cut = _longest_prefix(current, budget, caps)
            parts.append(current[:cut])
            current = current[cut:]
            budget = limit
    if current.strip():
        parts.append(current.strip())
    return parts


def _longest_prefix(word: str, budget: int, caps: Capabilities) -> int:
    cut = min(len(word), budget)
    while cut > 1 and text_length(word[:cut], caps) > budget:
        cut -= 1
    return max(cut, 1)
