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

import attrs

from terrain._language import DEFAULT_LANGUAGE, phrase
from terrain._validation import each, identifier, instance_of, optional, to_tuple
from terrain._validation import text as text_of
from terrain.community import Member
from terrain.content import Content, ContentKind
from terrain.errors import ComposeError
from terrain.events import Event
from terrain.partnerships import Partner
from terrain.posts import Capabilities, Mention, Post, PostMedia, text_length
from terrain.workshops import credit_line

__all__ = ["MayTag", "Recap", "compose", "event_recaps", "post_id", "text_length"]

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


def post_id(key: str, platform: str, purpose: str = "publish") -> str:
    """The stable id of the post presenting ``key`` on ``platform`` for ``purpose``.

    The same inputs always give the same id: it is the idempotency key that
    ``Platform.find`` looks for after an interrupted run.
    """
    digest = hashlib.sha256(f"{key}\x1f{platform}\x1f{purpose}".encode()).hexdigest()[:20]
    return f"post-{digest}"


def event_recaps(
    event: Event,
    contents: Iterable[Content],
    partners: Sequence[Partner] = (),
    *,
    venue_name: str | None = None,
    link: str | None = None,
    members: Mapping[str, Member] | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> list[Recap]:
    """The recaps of a meetup: a summary post, then one post per content.

    The summary names the talks and thanks the partners; each content
    (photos, interviews) becomes its own post with its caption, so that a
    photo held back for consent does not hold back the others. An interview
    is published whole: its title, then what was said, quoted with the name
    of the person interviewed (found in ``members``). A member's own content
    (``author_id``) ends with its credit line
    (:func:`terrain.workshops.credit_line`, e.g. ``Photo: Inès Benali``),
    the author found in ``members`` (else credited by id); the consent gate
    separately requires the author's ``reuse-ugc``. The texts are in
    ``language`` (the community's, ``"fr"`` or ``"en"``).
    """
    members = members or {}
    day = event.starts_at.strftime("%d/%m/%Y")
    where = phrase(language, "recap_where", venue=venue_name) if venue_name else ""
    lines = [
        phrase(language, "recap_thanks", title=event.title),
        phrase(language, "recap_when", day=day, where=where),
    ]
    for talk in event.talks:
        lines.append(f"• {talk.title} ({talk.speaker})")
    if partners:
        names = ", ".join(p.name for p in partners)
        lines.append(phrase(language, "recap_partners", names=names))
    recaps = [
        Recap(
            key=event.id,
            text="\n".join(lines),
            partners=tuple(partners),
            event_id=event.id,
            link=link,
        )
    ]
    for content in sorted(contents, key=lambda c: (c.created_at, c.id)):
        if content.kind in _SPOKEN and content.body.strip():
            body = _interview_text(content, members, language)
        else:
            body = content.caption or content.title or event.title
        if content.author_id is not None:
            body = f"{body}\n{_credit(content, members.get(content.author_id))}"
        recaps.append(Recap(key=content.id, text=body, contents=(content,), event_id=event.id))
    return recaps


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
    members = members or {}
    pid = post_id(recap.key, platform, purpose)
    media = _media(recap, platform, capabilities)
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
    draft = attrs.evolve(draft, mentions=mentions)
    first, rest = _fit_text(draft, capabilities)
    return attrs.evolve(draft, text=first, thread=rest)


def _media(recap: Recap, platform: str, capabilities: Capabilities) -> tuple[PostMedia, ...]:
    out: list[PostMedia] = []
    for content in recap.contents:
        for file in content.media:
            if file.media_type not in capabilities.media_types:
                accepted = ", ".join(sorted(capabilities.media_types)) or "none"
                raise ComposeError(
                    f"{platform}: media {file.id} of content {content.id} is {file.media_type}, "
                    f"which {platform} does not accept (it takes {accepted}); convert it or "
                    "leave it out"
                )
            max_bytes = capabilities.max_media_bytes
            if max_bytes is not None and file.size > max_bytes:
                raise ComposeError(
                    f"{platform}: media {file.id} of content {content.id} is {file.size} bytes; "
                    f"{platform} accepts at most {capabilities.max_media_bytes}; resize it"
                )
            if capabilities.alt_text and not file.alt_text.strip():
                raise ComposeError(
                    f"{platform}: media {file.id} of content {content.id} has no alt text; "
                    f"{platform} supports alt text and terrain requires it there. Describe the "
                    "image for people who cannot see it, then compose again"
                )
            alt = file.alt_text
            limit = capabilities.max_alt_text_length
            if limit is not None and len(alt) > limit:
                raise ComposeError(
                    f"{platform}: the alt text of media {file.id} is {len(alt)} characters; "
                    f"{platform} accepts {limit}: cut {len(alt) - limit} characters"
                )
            out.append(
                PostMedia(
                    key=file.key,
                    media_type=file.media_type,
                    alt_text=alt,
                    content_id=content.id,
                    media_id=file.id,
                )
            )
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
